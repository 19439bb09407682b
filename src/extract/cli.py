"""`ogi`: a thin command line over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from extract import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Chinese government open-information annual reports → Parquet data.")
console = Console()

DEFAULT_CURATED = Path("data/curated")
DEFAULT_RAW = Path("data/raw")


def _progress(total: int) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=True, disable=total < 20 or not console.is_terminal)


def print_summary(summary, out: Path) -> None:
    """Reports by status, cells, flags by check, and where the data is."""
    table = Table(title=f"{summary.total} documents → {out}", show_header=True)
    table.add_column("reports by status")
    table.add_column("n", justify="right")
    for status, n in sorted(summary.reports.items()):
        table.add_row(status, str(n))
    table.add_row("cells", str(summary.cells))
    console.print(table)
    if summary.flags:
        flags = Table(show_header=True)
        flags.add_column("flags by check")
        flags.add_column("n", justify="right")
        for check, n in summary.flags.most_common():
            flags.add_row(check, str(n))
        console.print(flags)
    for path, error in summary.failures[:10]:
        console.print(f"[yellow]{path}[/]: {error}")


@app.command()
def parse(paths: list[Path] = typer.Argument(..., help="Files or folders (recursively)."),
          out: Path = typer.Option(DEFAULT_CURATED, "--out", help="Where the three datasets are written.")) -> None:
    """Parse local report files and write the reports, cells and flags datasets."""
    from extract.curate import curate, expand_paths, parse_files

    files = expand_paths(paths)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(map(str, missing))}")
    with _progress(len(files)) as progress:
        task = progress.add_task("parsing", total=len(files))
        summary = curate(parse_files(files, on_done=lambda _: progress.advance(task)), out)
    print_summary(summary, out)


@app.command()
def version() -> None:
    """Print the package version."""
    console.print(__version__)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
