"""OCR accuracy on forged scans: share of template cells read exactly, whether every wrong cell
was flagged, and seconds per page, against a baseline in the same run.

Scans are made the way a township office makes them: the forged PDF rasterised by pdftoppm
(200 dpi by default), turned by a slight random angle, grey noise and specks added, saved as a
JPEG. Each scan is read by

* ours — `extract.read.ocr`: deskew, table grid from the ruling lines, OCR cell by cell;
* baseline — whole-page Tesseract with no grid detection (``--psm 6``, interword spaces kept),
  its text read by the project's text reader, as a pipeline without table detection would.

A cell is exact when its kind and value equal the truth (the raw spelling is not compared: a
scan cannot tell ０ from 0). A wrong cell (misread or missing) counts as flagged when a flag names
it: ``cell.low_confidence`` on its key, or an identity flag (origin ``extraction``) on a relation
it takes part in.

    python benchmarks/ocr_accuracy.py [--n 20] [--dpi 200] [--first-seed 100] [--no-baseline] [--verbose]
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from extract.forge.model import MESSES, Mess, Report, generate
from extract.forge.pdf import LAYOUTS, PdfLayout, render_pdf

TIMEOUT_S = 120


# ---------------------------------------------------------------- forging scans


@dataclass(frozen=True)
class ScanStyle:
    """How rough a forged scan is."""

    dpi: int = 200
    max_angle: float = 0.8  # degrees, either way
    noise: float = 10.0  # standard deviation of the grey noise
    specks: int = 300  # dark dust specks per page
    quality: int = 70  # JPEG quality


def rasterise(pdf: bytes, dpi: int, first: int | None = None, last: int | None = None) -> list[Image.Image]:
    """The PDF's pages as greyscale images, by pdftoppm."""
    with tempfile.TemporaryDirectory(prefix="ogi-scan-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        command = ["pdftoppm", "-r", str(dpi), "-gray"]
        if first:
            command += ["-f", str(first)]
        if last:
            command += ["-l", str(last)]
        subprocess.run([*command, str(source), str(Path(tmp) / "page")], check=True, timeout=TIMEOUT_S,
                       capture_output=True)
        pages = []
        for path in sorted(Path(tmp).glob("page-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
            with Image.open(path) as im:
                pages.append(im.convert("L"))
        return pages


def roughen(page: Image.Image, rng: random.Random, style: ScanStyle) -> bytes:
    """One page as a scanner delivers it: turned, noisy, specked, JPEG-compressed."""
    angle = rng.uniform(-style.max_angle, style.max_angle)
    turned = page.rotate(angle, resample=Image.BICUBIC, fillcolor=255, expand=False)
    pixels = np.asarray(turned, dtype=np.float32)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0.0, style.noise, pixels.shape)
    pixels = pixels + noise
    h, w = pixels.shape
    for _ in range(style.specks):
        y, x = rng.randrange(h - 2), rng.randrange(w - 2)
        pixels[y:y + rng.choice((1, 2)), x:x + rng.choice((1, 2))] = rng.uniform(40, 160)
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, format="JPEG", quality=style.quality,
                                                                   dpi=(style.dpi, style.dpi))
    return out.getvalue()


def scan_report(report: Report, layout: PdfLayout = PdfLayout(), style: ScanStyle = ScanStyle(),
                seed: int = 0) -> list[bytes]:
    """Every page of the forged report as a rough JPEG scan."""
    rng = random.Random(seed)
    return [roughen(page, rng, style) for page in rasterise(render_pdf(report, layout), style.dpi)]


def scans_to_pdf(pages: list[bytes], dpi: int = 200) -> bytes:
    """Scanned pages bound into an image-only PDF (no text layer), as a scanner saves them."""
    images = [Image.open(io.BytesIO(p)) for p in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=float(dpi))
    return out.getvalue()


# ---------------------------------------------------------------- reading and scoring


def read_with_confidence(doc) -> tuple:
    """Parse an OCR'd document to cells and flags, adding a ``cell.low_confidence`` flag for
    every cell read below the reader's threshold when the parse core does not yet (the core
    learns the confidence of a cell from `Cell.confidence`)."""
    import pandas as pd

    from extract.find import tables
    from extract.parse import document_to_result
    from extract.read.ocr.tuning import LOW_CONFIDENCE

    confidences: dict[tuple[str, str, str], float | None] = {}
    original = tables._cell_read

    def remember(table, row, column, cell, label, grid):
        confidences.setdefault((table, row, column), getattr(cell, "confidence", None))
        return original(table, row, column, cell, label, grid)

    tables._cell_read = remember
    try:
        result = document_to_result(doc, "benchmark")
    finally:
        tables._cell_read = original
    flags = result.flags
    if "cell.low_confidence" not in set(flags["check"]):
        extra = [{"check": "cell.low_confidence", "severity": "warning", "table": t, "row": r, "column": c,
                  "origin": "extraction", "message": f"confidence {conf:.2f}"}
                 for (t, r, c), conf in confidences.items() if conf is not None and conf < LOW_CONFIDENCE]
        flags = pd.concat([flags, pd.DataFrame(extra, columns=flags.columns)], ignore_index=True)
    return result, flags


def involved(flag, present: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The cells a flag casts doubt on: the cell it names, or every term of its identity."""
    from extract.template.identities import outcome_rows

    t, r, c, check = flag.table, flag.row, flag.column, flag.check
    if check in ("requests.row_total", "review_litigation.total", "requests.org_subtotal"):
        return {k for k in present if k[0] == t and k[1] == r}
    if check == "requests.balance":
        rows = ("new_received", "carried_over", "total_handled", "carried_forward")
        return {k for k in present if k[0] == t and k[2] == c and k[1] in rows}
    if check == "requests.outcomes_sum":
        rows = set(outcome_rows({k[1] for k in present if k[0] == "requests"}) or ()) | {"total_handled"}
        return {k for k in present if k[0] == t and k[2] == c and k[1] in rows}
    if check == "table.missing":
        return {k for k in present if k[0] == t} | {("*", t, "*")}
    if check == "row.missing":
        return {("*", t, r)}
    return {(t, r, c)}


def score(report: Report, result, flags) -> dict:
    """Cells exact (kind and value), wrong cells, and wrong cells no flag points at."""
    truth = {(x.table, x.row, x.column): (x.kind, x.value) for x in report.truth().itertuples()}
    read = {(x.table, x.row, x.column): (x.kind, None if x.kind != "number" else float(x.value))
            for x in result.cells.itertuples()}
    doubted: set = set()
    for flag in flags.itertuples():
        doubted |= involved(flag, set(read))
    wrong, unflagged = [], []
    for key, (kind, value) in truth.items():
        got = read.get(key)
        if got == (kind, value if kind == "number" else None):
            continue
        wrong.append((key, (kind, value), got))
        missing_doubted = ("*", key[0], "*") in doubted or ("*", key[0], key[1]) in doubted
        if key not in doubted and not (got is None and missing_doubted):
            unflagged.append((key, (kind, value), got))
    return {"cells": len(truth), "exact": len(truth) - len(wrong), "wrong": wrong, "unflagged": unflagged,
            "flagged_cells": sum(1 for k in read if k in doubted)}


# ---------------------------------------------------------------- the two readers


def read_ours(pages: list[bytes]):
    """Our OCR reader over the scanned pages, as the PDF reader will call it."""
    from extract.model import Document
    from extract.read.ocr.reader import load_images, ocr_findings, ocr_page

    blocks = [b for number, page in enumerate(pages, start=1) for b in ocr_page(load_images(page)[0], number)]
    return Document("pdf", blocks, pages=len(pages), findings=ocr_findings(blocks))


def read_baseline(pages: list[bytes]):
    """Whole-page Tesseract (no grid detection), its text read by the project's text reader."""
    from extract.read.ocr.tesseract import run_tool
    from extract.read.text import read_text

    texts = []
    for page in pages:
        command = ["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "6", "-c",
                   "preserve_interword_spaces=1"]
        texts.append(run_tool(command, TIMEOUT_S, "tesseract", page).decode("utf-8", "replace"))
    return read_text("\n".join(texts).encode("utf-8"))


# ---------------------------------------------------------------- the run


CASE_LAYOUTS = ("wps", "repeat_header", "natural_breaks", "landscape", "fake_bold")


def cases(n: int, first_seed: int = 100) -> list[tuple[Report, PdfLayout, int]]:
    """n forged reports over both templates, every mess and the ruled layouts."""
    names = list(MESSES)
    out = []
    for k in range(n):
        seed = first_seed + k
        report = generate(seed, "2021" if k % 3 else "2019", MESSES[names[k % len(names)]])
        out.append((report, LAYOUTS[CASE_LAYOUTS[k % len(CASE_LAYOUTS)]], seed))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="forged scans (reports) to read")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=100, help="seed of the first forged report")
    parser.add_argument("--no-baseline", action="store_true", help="skip whole-page Tesseract")
    parser.add_argument("--verbose", action="store_true", help="list every wrong cell")
    args = parser.parse_args()
    from extract.parse import document_to_result

    style = ScanStyle(dpi=args.dpi)
    totals = {"ours": [0, 0, 0, 0, 0.0], "baseline": [0, 0, 0, 0, 0.0]}  # cells, exact, unflagged, pages, s
    print(f"{'case':34} {'pages':>5} {'cells':>5} {'ours exact':>10} {'unflagged':>9} {'s/page':>6}"
          f"{'' if args.no_baseline else '   base exact  s/page'}")
    for report, layout, seed in cases(args.n, args.first_seed):
        pages = scan_report(report, layout, style, seed)
        name = f"{seed} {report.template} {_mess_name(report.mess)} {_layout_name(layout)}"
        start = time.perf_counter()
        doc = read_ours(pages)
        ours_s = time.perf_counter() - start
        result, flags = read_with_confidence(doc)
        got = score(report, result, flags)
        _add(totals["ours"], got, len(pages), ours_s)
        line = (f"{name:34} {len(pages):5} {got['cells']:5} {got['exact'] / got['cells']:10.1%} "
                f"{len(got['unflagged']):9} {ours_s / len(pages):6.1f}")
        if not args.no_baseline:
            start = time.perf_counter()
            base_doc = read_baseline(pages)
            base_s = time.perf_counter() - start
            base = document_to_result(base_doc, "baseline")
            base_got = score(report, base, base.flags)
            _add(totals["baseline"], base_got, len(pages), base_s)
            line += f"   {base_got['exact'] / base_got['cells']:10.1%} {base_s / len(pages):6.1f}"
        print(line, flush=True)
        if args.verbose:
            for key, truth, read in got["wrong"]:
                mark = "UNFLAGGED" if (key, truth, read) in got["unflagged"] else "flagged"
                print(f"    {mark:9} {'.'.join(key)}: truth {truth}, read {read}")
    cells, exact, unflagged, pages, seconds = totals["ours"]
    print(f"\nours:     {exact}/{cells} cells exact = {exact / cells:.2%}; wrong cells not flagged: {unflagged} "
          f"({'every wrong cell flagged' if unflagged == 0 else 'NOT every wrong cell flagged'}); "
          f"{seconds / pages:.1f} s/page over {pages} pages at {args.dpi} dpi")
    if not args.no_baseline:
        b_cells, b_exact, b_unflagged, b_pages, b_seconds = totals["baseline"]
        print(f"baseline: {b_exact}/{b_cells} cells exact = {b_exact / b_cells:.2%}; wrong cells not flagged: "
              f"{b_unflagged}; {b_seconds / b_pages:.1f} s/page (whole-page Tesseract, no grid detection)")
        print(f"ours/baseline: exact cells ×{exact / max(b_exact, 1):.2f}, time per page ×"
              f"{(seconds / pages) / max(b_seconds / b_pages, 1e-9):.2f}")


def _add(total: list, got: dict, pages: int, seconds: float) -> None:
    total[0] += got["cells"]
    total[1] += got["exact"]
    total[2] += len(got["unflagged"])
    total[3] += pages
    total[4] += seconds


def _mess_name(mess: Mess) -> str:
    return next((name for name, m in MESSES.items() if m == mess), "custom")


def _layout_name(layout: PdfLayout) -> str:
    return next((name for name, lay in LAYOUTS.items() if lay == layout), "custom")


if __name__ == "__main__":
    main()
