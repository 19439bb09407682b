"""Accuracy on the real-world PDF shapes of issue 12: WPS exports with the vertical header in an
Identity-V font, and mixed PDFs whose table pages are pictures (read by OCR inside the parse).

    python benchmarks/pdf_shapes.py [--vertical 30] [--mixed 3] [--first-seed 500]

Each forged report (known numbers, so the truth is exact) goes through `parse_bytes`. A template
cell is exact when its kind and value equal the truth; a wrong cell (misread, missing, or read
into an ``extra.*`` row) is *flagged* when a flag of warning or error names its table and row
(or its whole table: ``table.missing``, ``row.unaligned``), and *silently wrong* otherwise.
Baseline, in the same run: the same reports in the plain WPS layout (stacked upright glyphs, all
text), which the parser has always read.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from extract.forge.model import MESSES, generate
from extract.forge.pdf import LAYOUTS, SHAPES, render_pdf
from extract.parse import parse_bytes

_MESSES = ("clean", "blank_zeros", "fullwidth", "org_subtotal", "label_typo", "na_cells")


def score(report, result) -> tuple[int, int, int, int]:
    """(truth cells, exact, wrong but flagged, silently wrong)."""
    truth = report.truth()[["table", "row", "column", "value", "kind"]]
    got = result.cells[["table", "row", "column", "value", "kind"]]
    both = truth.merge(got, on=["table", "row", "column"], how="left", suffixes=("", "_read"))
    same_value = (both["value"] == both["value_read"]) | (both["value"].isna() & both["value_read"].isna())
    exact = same_value & (both["kind"] == both["kind_read"])
    flags = result.flags[result.flags["severity"].isin(["warning", "error"])]
    named = set(zip(flags["table"], flags["row"]))
    whole = set(flags.loc[flags["row"].isna() & flags["table"].notna(), "table"])  # a table-wide flag
    if ((flags["check"] == "table.missing") & flags["table"].isna()).any():  # no table found at all
        whole |= set(truth["table"])
    wrong = both[~exact]
    flagged = sum((t, r) in named or t in whole for t, r in zip(wrong["table"], wrong["row"]))
    return len(both), int(exact.sum()), flagged, len(wrong) - flagged


def run(shape: str, seeds: range, render) -> dict:
    totals = dict(reports=0, cells=0, exact=0, flagged=0, silent=0, extra=0, seconds=0.0)
    for seed in seeds:
        mess = _MESSES[seed % len(_MESSES)]
        report = generate(seed, "2021" if seed % 3 else "2019", MESSES[mess])
        data, name = render(report, seed)
        start = time.perf_counter()
        result = parse_bytes(data, name)
        totals["seconds"] += time.perf_counter() - start
        cells, exact, flagged, silent = score(report, result)
        totals["reports"] += 1
        totals["cells"] += cells
        totals["exact"] += exact
        totals["flagged"] += flagged
        totals["silent"] += silent
        if not report.extra_rows:  # an extra.* row the forge did not print: a template row misread
            totals["extra"] += int(result.cells["row"].astype(str).str.startswith("extra.").sum())
    return totals


def show(name: str, t: dict) -> None:
    share = 100 * t["exact"] / t["cells"] if t["cells"] else 0.0
    print(f"{name:<34} {t['reports']:>3} reports  {t['exact']:>5}/{t['cells']:<5} cells exact ({share:.2f} %)  "
          f"{t['flagged']:>3} wrong but flagged  {t['silent']:>3} silently wrong  {t['extra']:>3} extra.* cells  "
          f"{t['seconds'] / max(t['reports'], 1):.2f} s/report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vertical", type=int, default=30, help="vertical-font WPS reports")
    parser.add_argument("--mixed", type=int, default=3, help="mixed PDFs (OCR: a few seconds a page)")
    parser.add_argument("--first-seed", type=int, default=500)
    args = parser.parse_args()
    s0 = args.first_seed
    plain = run("wps (baseline)", range(s0, s0 + args.vertical),
                lambda report, seed: (render_pdf(report, LAYOUTS["wps"]), f"report-{seed}.pdf"))
    show("baseline: wps, stacked glyphs", plain)
    show("wps_vertical_font", run("wps_vertical_font", range(s0, s0 + args.vertical), SHAPES["wps_vertical_font"]))
    if args.mixed:
        show("mixed_pdf (tables as pictures)", run("mixed_pdf", range(s0, s0 + args.mixed), SHAPES["mixed_pdf"]))


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
