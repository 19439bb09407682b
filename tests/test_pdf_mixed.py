"""Mixed PDFs: table pages that are pictures (screenshots pasted into the report, a page number
kept as text) among pages of text, or tables pasted as pictures between paragraphs of text.
The pictures are read by OCR inside the normal parse; the text stays exact."""

from __future__ import annotations

import shutil

import pypdfium2 as pdfium
import pytest

from conftest import cell_differences
from extract.forge.model import generate
from extract.forge.pdf import PdfLayout, mixed_pdf, render_pdf
from extract.parse import parse_bytes
from extract.read.pdf import engines as pdf_engines
from extract.read.pdf import geometry as pdf_geometry
from extract.read.pdf import reader as pdf_reader
from extract.read.pdf import read_pdf


@pytest.fixture(scope="module")
def report():
    return generate(5)


@pytest.fixture(scope="module")
def mixed(report) -> bytes:
    return mixed_pdf(report, PdfLayout())


@pytest.fixture(scope="module")
def pasted(report) -> bytes:
    """Pages 2 and 3 whole pictures; on page 4 only the tables are (the prose around stays text)."""
    return mixed_pdf(report, PdfLayout(), tables_only=[4])


def _pages(data: bytes) -> list[tuple[str, float]]:
    """(text, share of the page under images) of every page."""
    out = []
    with pdf_geometry.PDFIUM_LOCK:
        doc = pdfium.PdfDocument(data)
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            out.append((textpage.get_text_range(), pdf_reader.image_share(page)))
            textpage.close()
            page.close()
        doc.close()
    return out


def test_forge_turns_only_the_table_pages_into_pictures(report, mixed):
    plain, pictured = _pages(render_pdf(report, PdfLayout())), _pages(mixed)
    assert len(plain) == len(pictured)
    tables = [n for n, (text, share) in enumerate(pictured, 1) if share > 0.9]
    assert tables and 1 not in tables
    for n, ((text, _), (mixed_text, share)) in enumerate(zip(plain, pictured), 1):
        if n in tables:
            assert mixed_text.strip() == f"- {n} -"  # only the footer stays text
        else:
            assert mixed_text == text and share == 0.0


def test_forge_cuts_pasted_tables_to_their_rulings(report, pasted):
    text, share = _pages(pasted)[3]
    assert "四、政府信息公开行政复议、行政诉讼情况" in text and "五、存在的主要问题及改进情况" in text
    assert "申请人情况" not in text and "行政复议" not in text.split("四、政府信息公开行政复议")[1][:60]
    assert 0.2 < share < 0.9
    with pdf_geometry.PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pasted)
        page = doc[3]
        assert not pdf_engines.pdfium_edges(page, page.get_height())  # the rulings went into the pictures
        page.close()
        doc.close()


def test_picture_pages_are_known_by_their_images_not_by_having_no_text(mixed):
    doc = read_pdf(mixed, ocr=False)  # without OCR: the pages are reported, nothing is invented
    assert [(f.check, f.severity) for f in doc.findings] == [("pdf.no_text", "warning")]
    assert "pages 2, 3, 4" in doc.findings[0].message
    assert not doc.grids and doc.lines


@pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                    reason="tesseract or pdftoppm is not installed")
def test_mixed_pdf_tables_are_read_by_ocr_inside_the_parse(report, pasted):
    result = parse_bytes(pasted, "mixed.pdf")
    assert result.status == "ok", result.report["error"]
    assert set(result.cells["method"]) == {"ocr"}  # every table sat on a picture page
    assert result.report["agency"] == report.agency and result.report["pages"] == len(_pages(pasted))
    flags = result.flags
    assert ("pdf.no_text", "info") in set(zip(flags["check"], flags["severity"]))
    assert "ocr.used" in set(flags["check"])
    diff = cell_differences(report.truth(), result.cells)
    low = flags[flags["check"] == "cell.low_confidence"]
    wrong = set(zip(diff["table"], diff["row"], diff["column"]))
    assert wrong <= set(zip(low["table"], low["row"], low["column"]))  # no silent misread
    assert len(diff) <= 2, diff.to_string()


def test_without_ocr_tools_the_picture_pages_are_named_and_the_rest_is_read(mixed, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # neither pdftoppm nor tesseract can be found
    doc = read_pdf(mixed)
    found = [(f.check, f.severity) for f in doc.findings]
    assert found == [("pdf.no_text", "warning"), ("ocr.unavailable", "warning")]
    assert "pages 2, 3, 4" in doc.findings[0].message and not doc.grids and doc.lines
