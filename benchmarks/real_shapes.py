"""Real-shape accuracy: forged reports in the shapes real portals serve, parsed back to the truth.

Each shape of `SHAPES` renders forged reports (exact truth) the way agencies actually publish
them; every sample goes through `extract.parse.parse_bytes` as a crawled document would (a page's
body pictures with it), and a shape's samples are curated together so that reports of one agency
settle each other's open splits (`extract.find.disambiguate.settle_across_years`). Prints, per shape and
overall: truth cells, cells exact, cells silently wrong (a wrong or lost value with no warning or
error on that cell, its row or its table), and cells flagged (a warning or error on them), and wall seconds per document.

For the fused 2019 shapes it also prints the `cell.ambiguous` rate of table 二 before the prose and
the neighbouring year are used (same texts, statements taken out, each report on its own) and after.

    python benchmarks/real_shapes.py [--n 12] [--images 2] [--only html-fragment,...]

A shape is a function `(seed, n) -> list[Sample]`; add one to `SHAPES`. The PDF shapes use the
forge's own renderers (`extract.forge.pdf.SHAPES`: a WPS export whose vertical header is set in an
Identity-V font, and PDFs whose table pages are pictures, read by OCR inside the parse).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from extract.find.disambiguate import settle_across_years
from extract.forge.html import render_html
from extract.forge.model import MESSES, Mess, following_year, generate
from extract.forge.text import render_text
from extract.parse import ParseResult, parse_bytes

KEYS = ["table", "row", "column"]


@dataclass
class Sample:
    """One forged document as a portal serves it, with the report it was forged from."""

    report: object
    data: bytes
    filename: str | None
    images: list[bytes] = field(default_factory=list)


Shape = Callable[[int, int], list[Sample]]


def _mixed(seed: int, template: str | None = None):
    mess = ("clean", "blank_zeros", "unit_suffix", "fullwidth", "org_subtotal", "na_cells")[seed % 6]
    return generate(seed, template or ("2019" if seed % 3 == 0 else "2021"), MESSES[mess])


def html_fragment(seed: int, n: int) -> list[Sample]:
    return [Sample(r, render_html(r, style="fragment", encoding="gbk" if s % 4 == 1 else "utf-8"),
                   f"t2024_{s}.htm") for s in range(seed, seed + n) for r in [_mixed(s)]]


def html_json(seed: int, n: int) -> list[Sample]:
    return [Sample(r, render_html(r, style="json"), "content") for s in range(seed, seed + n) for r in [_mixed(s)]]


def html_image_tables(seed: int, n: int) -> list[Sample]:
    from extract.forge.images import image_table_page

    out = []
    for s in range(seed, seed + n):
        report = generate(s, "2021", Mess(blank_zeros=0.3))
        page, images = image_table_page(report)
        out.append(Sample(report, page, f"t{s}.html", list(images.values())))
    return out


def html_blank_total(seed: int, n: int) -> list[Sample]:
    rows = ("granted", "new_received", "total_handled", "unavailable.not_held")
    return [Sample(r, render_html(r, style="cms"), "t.html") for s in range(seed, seed + n)
            for r in [generate(s, "2021", Mess(blank_total=rows[s % len(rows)]))]]


def _statements_out(text: str) -> str:
    """The fused text without the overview's sentence restating table 二 (the before case)."""
    if "在主动公开方面" not in text:
        return text
    head, tail = text.split("在主动公开方面", 1)
    return head + tail.split("相关信息均已在门户网站公开。", 1)[1]


def text_fused_2019(seed: int, n: int) -> list[Sample]:
    return [Sample(r, render_text(r, style="fused"), "page.txt")
            for s in range(seed, seed + n) for r in [generate(s, "2019", year=2019)]]


def text_fused_2019_years(seed: int, n: int) -> list[Sample]:
    """Pairs of one agency's consecutive reports, the restated numbers taken out of the prose: only
    the other year can settle the splits."""
    out = []
    for s in range(seed, seed + max(1, n // 2)):
        first = generate(s, "2019", year=2019)
        for report in (first, following_year(first, s + 1000)):
            text = _statements_out(render_text(report, style="fused").decode()).encode()
            out.append(Sample(report, text, "page.txt"))
    return out


def _pdf_shape(name: str) -> Shape:
    from extract.forge.pdf import SHAPES as PDF_SHAPES

    def shape(seed: int, n: int) -> list[Sample]:
        out = []
        for s in range(seed, seed + n):
            report = _mixed(s)
            data, filename = PDF_SHAPES[name](report, s)
            out.append(Sample(report, data, filename))
        return out
    return shape


#: shape name → renderer
SHAPES: dict[str, Shape] = {
    "pdf-wps-vertical-font": _pdf_shape("wps_vertical_font"),
    "pdf-mixed": _pdf_shape("mixed_pdf"),
    "html-fragment": html_fragment,
    "html-json": html_json,
    "html-image-tables": html_image_tables,
    "html-blank-total": html_blank_total,
    "text-fused-2019": text_fused_2019,
    "text-fused-2019-years": text_fused_2019_years,
}
#: shapes whose samples are slow to read (OCR): their own, smaller count
SLOW = {"html-image-tables", "pdf-mixed"}


def parse_samples(samples: list[Sample], settle: bool = True) -> list[ParseResult]:
    results = [parse_bytes(s.data, s.filename, images=s.images) for s in samples]
    return settle_across_years(results) if settle else results


def score(sample: Sample, result: ParseResult) -> dict[str, int]:
    truth = sample.report.truth()
    got = result.cells.set_index(KEYS)
    got = got[~got.index.duplicated()]
    loud = result.flags[result.flags["severity"].isin(["warning", "error"])]
    cells = set(zip(loud["table"], loud["row"], loud["column"]))
    rows = set(zip(loud["table"], loud["row"]))
    tables = set(loud["table"].dropna())
    out = {"cells": len(truth), "exact": 0, "silent": 0, "flagged": 0, "ambiguous": 0}
    for t, r, c, value, kind in truth[KEYS + ["value", "kind"]].itertuples(index=False):
        flagged = (t, r, c) in cells or (t, r, None) in cells or (t, r) in rows and (t, r, c) not in got.index \
            or (t not in set(got.index.get_level_values(0)) and t in tables)
        flagged = flagged or (t, r, c) in cells
        out["flagged"] += flagged
        same = False
        if (t, r, c) in got.index:
            row = got.loc[(t, r, c)]
            same = row["kind"] == kind and ((pd.isna(value) and pd.isna(row["value"])) or row["value"] == value)
        out["exact"] += same
        out["silent"] += not same and not flagged
    ambiguous = result.flags[result.flags["check"] == "cell.ambiguous"]
    out["ambiguous"] = int((ambiguous["table"] == "active_disclosure").sum())
    out["active"] = int((truth["table"] == "active_disclosure").sum())
    return out


def run_shape(name: str, n: int, seed: int = 7000) -> tuple[dict[str, int], float]:
    samples = SHAPES[name](seed, n)
    started = time.perf_counter()  # wall time: OCR runs Tesseract in child processes
    results = parse_samples(samples)
    seconds = time.perf_counter() - started
    totals: dict[str, int] = {}
    for sample, result in zip(samples, results):
        for k, v in score(sample, result).items():
            totals[k] = totals.get(k, 0) + v
    totals["documents"] = len(samples)
    return totals, seconds / max(1, len(samples))


def ambiguity_before(name: str, n: int, seed: int = 7000) -> float:
    """Table 二's `cell.ambiguous` rate with no prose statement and each report on its own."""
    samples = SHAPES[name](seed, n)
    bare = [Sample(s.report, _statements_out(s.data.decode()).encode(), s.filename) for s in samples]
    results = parse_samples(bare, settle=False)
    amb = sum(score(s, r)["ambiguous"] for s, r in zip(bare, results))
    return amb / max(1, sum(int((s.report.truth()["table"] == "active_disclosure").sum()) for s in bare))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=12, help="documents per shape")
    parser.add_argument("--images", type=int, default=2, help="documents of the OCR shapes")
    parser.add_argument("--only", default="", help="comma-separated shape names")
    args = parser.parse_args()
    names = [s for s in args.only.split(",") if s] or list(SHAPES)
    print(f"{'shape':24} {'docs':>4} {'cells':>6} {'exact':>8} {'silent wrong':>13} {'flagged':>8} "
          f"{'amb. 二':>8} {'s/doc':>6}")
    overall: dict[str, int] = {}
    for name in names:
        totals, per_doc = run_shape(name, args.images if name in SLOW else args.n)
        for k, v in totals.items():
            overall[k] = overall.get(k, 0) + v
        _line(name, totals, per_doc)
    _line("overall", overall, None)
    for name in (n for n in names if n.startswith("text-fused-2019")):
        totals, _ = run_shape(name, args.n)
        print(f"{name}: table 二 cell.ambiguous {ambiguity_before(name, args.n):.2%} of its cells before "
              f"(no prose statement, each report alone), {totals['ambiguous'] / max(1, totals['active']):.2%} after")


def _line(name: str, t: dict[str, int], per_doc: float | None) -> None:
    cells = max(1, t["cells"])
    active = max(1, t.get("active", 0))
    seconds = f"{per_doc:6.2f}" if per_doc is not None else " " * 6
    print(f"{name:24} {t['documents']:4d} {t['cells']:6d} {t['exact'] / cells:8.2%} {t['silent']:13d} "
          f"{t['flagged'] / cells:8.2%} {t['ambiguous'] / active:8.2%} {seconds}")


if __name__ == "__main__":
    main()
