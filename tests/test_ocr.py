"""OCR of scans the project makes itself: forged reports rasterised by pdftoppm at 200 dpi, turned
by a slight angle, with grey noise, dust and JPEG compression. Few pages (OCR is slow); the
benchmark benchmarks/ocr_accuracy.py measures the many."""

from __future__ import annotations

import importlib.util
import io
import shutil
import sys

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from conftest import REPO
from extract.model import Document, Grid
from extract.forge.model import Mess, generate
from extract.forge.pdf import render_pdf
from extract.read import ocr
from extract.read.ocr import page as ocr_page
from extract.read.ocr import reader as ocr_reader
from extract.read.ocr import rulings as ocr_rulings

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                                reason="Tesseract (tesseract-ocr, tesseract-ocr-chi-sim) or pdftoppm "
                                       "(poppler-utils) is not installed")


def _benchmark():
    """The scan forging and scoring helpers live with the benchmark that uses them at scale."""
    spec = importlib.util.spec_from_file_location("ocr_accuracy", REPO / "benchmarks" / "ocr_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _benchmark()
REPORT = generate(41, "2021", Mess(blank_zeros=0.4, na_cells=3, fullwidth=0.2))


def table_pages(pdf: bytes) -> list[int]:
    """1-based numbers of the pages that hold a table (from the forged PDF's own text layer)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()
    marks = ("第二十条", "申请人情况", "法提供", "复议后起诉")
    return [i + 1 for i, text in enumerate(texts) if any(m in text for m in marks)]


@pytest.fixture(scope="module")
def scan():
    """The table pages of one forged report as rough 200 dpi JPEG scans, and their OCR blocks."""
    pdf = render_pdf(REPORT)
    numbers = table_pages(pdf)
    rough = {n: page for n, page in enumerate(bench.scan_report(REPORT, seed=41), start=1) if n in numbers}
    blocks = {n: ocr_reader.ocr_page(ocr_reader.load_images(data)[0], n) for n, data in rough.items()}
    return rough, blocks


def test_scanned_tables_read_exactly_or_flagged(scan):
    rough, blocks = scan
    doc = Document("pdf", [b for n in sorted(blocks) for b in blocks[n]], findings=ocr_reader.ocr_findings(
        [b for n in sorted(blocks) for b in blocks[n]]))
    result, flags = bench.read_with_confidence(doc)
    got = bench.score(REPORT, result, flags)
    assert got["unflagged"] == [], got["unflagged"]  # a wrong cell is never silent
    assert got["exact"] / got["cells"] >= 0.98, got["wrong"]
    assert set(result.cells["method"]) == {"ocr"}
    # a printed blank stays blank and a dash stays na: nothing is invented
    truth = REPORT.truth().set_index(["table", "row", "column"])
    cells = result.cells.set_index(["table", "row", "column"])
    blanks = truth.index[truth["kind"] == "blank"]
    assert len(blanks) > 10
    assert (cells.loc[cells.index.intersection(blanks), "kind"] == "blank").all()
    assert "ocr.used" in set(flags["check"])


def test_merged_cells_found_from_missing_rulings(scan):
    _, blocks = scan
    grids = [b for n in sorted(blocks) for b in blocks[n] if isinstance(b, Grid)]
    assert all(g.method == "ocr" for g in grids)
    review = next(g for g in grids if any("复议后起诉" in c.text for row in g.rows for c in row))
    top = review.rows[0]
    assert review.width == 15
    assert top[0] is top[4] and "行政复议" in top[0].text  # colspan 5
    assert all(c is top[5] for c in top[5:]) and "行政诉讼" in top[5].text  # colspan 10
    assert review.rows[1][0] is review.rows[2][0]  # 结果维持 spans the two header rows
    values = review.rows[-1]
    assert len({id(c) for c in values}) == 15  # one cell per number
    active = next(g for g in grids if any("第二十条" in c.text for row in g.rows for c in row))
    block = next(row for row in active.rows if "第二十条" in row[0].text)
    assert all(c is block[0] for c in block)  # the block heading spans the table


@pytest.mark.parametrize("angle", [-1.2, 0.35])
def test_skew_measured_from_the_rulings(scan, angle):
    rough, _ = scan
    page = ocr_reader.load_images(next(iter(rough.values())))[0]
    grey = np.asarray(page)
    before = ocr_page.skew_angle(grey < 128, grey < 200)
    turned = np.asarray(page.rotate(angle, resample=Image.BICUBIC, fillcolor=255))
    measured = ocr_page.skew_angle(turned < 128, turned < 200)
    assert measured - before == pytest.approx(angle, abs=0.05)


def test_scanned_pdf_page_through_pdftoppm(scan):
    rough, _ = scan
    number = min(rough)
    pdf = bench.scans_to_pdf([rough[n] for n in sorted(rough)])
    blocks = ocr.ocr_pdf_pages(pdf, [1])
    grids = [b for b in blocks if isinstance(b, Grid)]
    assert grids and all(b.page == 1 for b in blocks)
    texts = {c.text for g in grids for row in g.rows for c in row}
    assert "信息内容" in texts or any("申请人情况" in t for t in texts), (number, texts)


def test_table_image_of_a_web_page(scan):
    """An <img> table (a picture of the table alone, no page around it)."""
    rough, _ = scan
    page = ocr_page.prepare_page(ocr_reader.load_images(rough[min(rough)])[0], None)
    horizontal, vertical = ocr_rulings.find_rulings(page.line_ink)
    table = ocr_rulings.find_tables(horizontal, vertical, page.line_ink)[0]
    crop = Image.fromarray(page.grey[table.ys[0] - 20:table.ys[-1] + 20, table.xs[0] - 20:table.xs[-1] + 20])
    png = io.BytesIO()
    crop.save(png, format="PNG")
    blocks = ocr.ocr_image_blocks(png.getvalue())
    grids = [b for b in blocks if isinstance(b, Grid)]
    assert len(grids) == 1 and grids[0].method == "ocr"
    assert len(grids[0].rows) == len(table.ys) - 1
    assert ocr.ocr_image_blocks(b"\x89PNG not really") == []
