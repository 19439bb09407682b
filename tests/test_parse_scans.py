"""A scanned PDF (pages that are images only) goes through OCR inside `parse_bytes`."""

import shutil

import pytest

from conftest import cell_differences
from extract.forge.model import generate
from extract.forge.pdf import PdfLayout, scanned_pdf
from extract.parse import parse_bytes

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


def test_a_scanned_report_is_read_by_ocr_cell_by_cell():
    report = generate(5)
    result = parse_bytes(scanned_pdf(report, PdfLayout(), 200), "scan.pdf")
    assert result.status == "ok"
    assert set(result.cells["method"]) == {"ocr"}
    diff = cell_differences(report.truth(), result.cells)
    flagged = result.flags[result.flags["check"] == "cell.low_confidence"]
    wrong = set(zip(diff["table"], diff["row"], diff["column"]))
    assert wrong <= set(zip(flagged["table"], flagged["row"], flagged["column"]))  # no silent misread
    assert "ocr.used" in set(result.flags["check"])
