"""`ogi check`, `ogi correct`, `ogi report`: typer-compatible functions over the research library.

Register them on the `ogi` app with ``app.command()(check)`` (and the same for the others).
Each exits 0 when it did its job; 1 when there is no curated data to work on.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

DEFAULT_CURATED = Path("data/curated")
console = Console()

Root = Annotated[Path, typer.Option("--root", help="The curated datasets (written by `ogi parse`).")]
Raw = Annotated[Optional[Path], typer.Option("--raw", help="The raw archive; default: `raw` next to --root.")]


def _require_data(root: Path) -> None:
    if not any((Path(root) / "reports").glob("year=*/*.parquet")):
        console.print(f"[red]no curated reports under {root}[/]: run `ogi parse` or `ogi run` first")
        raise typer.Exit(1)


def check(root: Root = DEFAULT_CURATED, raw: Raw = None) -> None:
    """Check reports against each other (carry.cross_year, identical tables, duplicates, text vs table)
    and store the findings in the flags dataset."""
    from extract.research.crossreport import CROSS_CHECKS, run_cross_checks

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
    from extract.research.corrections import apply_corrections

    _require_data(root)
    corrections = apply_corrections(root, file)
    counts = Counter(corrections["status"])
    console.print(f"{len(corrections)} correction rows from {file} → {root}/corrections: "
                  + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"))
    for line in corrections[corrections["status"] != "applied"].itertuples():
        console.print(f"[yellow]line {line.line}[/]: {line.status}: {line.message}")


def report(root: Root = DEFAULT_CURATED,
           out: Annotated[Path, typer.Option("--out", help="Where to write the HTML page.")] = Path("report.html"),
           raw: Raw = None) -> None:
    """Write one self-contained HTML page on the state of the data: plots, flags, corrections, worst reports."""
    from extract.research.quality_report import build_report

    _require_data(root)
    page = build_report(root, out, raw)
    console.print(f"{page.path} · {page.bytes / 1024:.0f} KiB · {page.plots} plots")
