"""`ogi check`, `ogi correct`, `ogi report`: typer-compatible functions over the research library.

Register them on the `ogi` app with ``app.command()(check)`` (and the same for the others).
Each exits 0 when it did its job; 1 when there is no curated data to work on; 2 for a usage error
(one line on stderr saying what is wrong, never a traceback).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from extract import settings

DEFAULT_CURATED = settings.CURATED_DIR
console = Console()
errors = Console(stderr=True)


def fail(*lines: str, hint: str | None = None, code: int = 2) -> NoReturn:
    """Stop the command: each line on stderr as ``error: …``, exit `code` (2: a usage error)."""
    for line in lines:
        errors.print(f"[red]error[/]: {escape(line)}", soft_wrap=True)
    raise typer.Exit(code)


def writable_folder(ctx: typer.Context, param: typer.CallbackParam, value: Path | None) -> Path | None:
    """An option's folder that can be written: not a file, under no file, on a writable disk.
    Nothing is created here; the check writes and removes one temporary file in the nearest
    existing folder."""
    if value is None or ctx.resilient_parsing:
        return value
    name = param.opts[0] if param.opts else param.name
    if value.exists() and not value.is_dir():
        fail(f"{name} {value}: is a file, not a folder")
    existing = next(p for p in (value, *value.parents) if p.exists())
    if not existing.is_dir():
        fail(f"{name} {value}: {existing} is a file, so no folder can be made under it")
    _probe(name, value, existing)
    return value


def writable_file(ctx: typer.Context, param: typer.CallbackParam, value: Path | None) -> Path | None:
    """An option's output file that can be written: not a folder, in a folder that can be."""
    if value is None or ctx.resilient_parsing:
        return value
    name = param.opts[0] if param.opts else param.name
    if value.is_dir():
        fail(f"{name} {value}: is a folder, not a file")
    writable_folder(ctx, param, value.parent if str(value.parent) else Path("."))
    return value


def _probe(name: str, value: Path, folder: Path) -> None:
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ogi-probe-"):
            pass
    except OSError as exc:
        fail(f"{name} {value}: cannot write in {folder} ({exc.strerror or exc})")


Root = Annotated[Path, typer.Option("--curated", "--root", metavar="DIR", callback=writable_folder,
                                    help="The curated datasets (written by `ogi parse`).")]
Raw = Annotated[Optional[Path], typer.Option("--raw", metavar="DIR",
                                             help="The raw archive; default: `raw` next to --curated.")]


def _require_data(root: Path) -> None:
    if not any((Path(root) / "reports").glob("year=*/*.parquet")):
        console.print(f"[red]no curated reports under {root}[/]: run `ogi parse` or `ogi run` first")
        raise typer.Exit(1)


def check(root: Root = DEFAULT_CURATED, raw: Raw = None) -> None:
    """Check reports against each other (carry.cross_year, identical tables, duplicates, text vs table)
    and store the findings in the flags dataset."""
    from extract.check.collection import CROSS_CHECKS, run_cross_checks

    _require_data(root)
    flags = run_cross_checks(root, raw)
    table = Table(title=f"cross-report checks → {root}/flags", show_header=True)
    for column in ("check", "severity", "reports", "flags"):
        table.add_column(column, justify="right" if column in ("reports", "flags") else "left")
    for check_name in CROSS_CHECKS:
        found = flags[flags["check"] == check_name]
        severities = Counter(found["severity"]) or Counter({"—": 0})
        for severity, n in sorted(severities.items()):
            table.add_row(check_name, severity, str(found["report_id"].nunique()), str(n))
    console.print(table)


def correct(root: Root = DEFAULT_CURATED,
            file: Annotated[Path, typer.Option("--file", help="The corrections file.")] = Path(
                "corrections/corrections.csv")) -> None:
    """Apply the corrections file: the corrected values go beside the published ones (never over them)."""
    from extract.store.corrections import apply_corrections

    if not file.is_file():  # never replace the corrections dataset with nothing
        fail(f"--file {file}: no such file" if not file.exists() else f"--file {file}: not a file")
    _require_data(root)
    corrections = apply_corrections(root, file)
    counts = Counter(corrections["status"])
    console.print(f"{len(corrections)} correction rows from {file} → {root}/corrections: "
                  + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"))
    for line in corrections[corrections["status"] != "applied"].itertuples():
        console.print(f"[yellow]line {line.line}[/]: {line.status}: {line.message}")


def report(root: Root = DEFAULT_CURATED,
           out: Annotated[Path, typer.Option("--out", metavar="FILE", callback=writable_file,
                                             help="Where to write the HTML page.")] = Path("report.html"),
           raw: Raw = None) -> None:
    """Write one self-contained HTML page on the state of the data: plots, flags, corrections, worst reports."""
    from extract.research.quality_report import build_report

    _require_data(root)
    page = build_report(root, out, raw)
    console.print(f"{page.path} · {page.bytes / 1024:.0f} KiB · {page.plots} plots")
