"""PDF end to end: forge → `parse_bytes` → every cell of the truth, over seeds × layouts × messy
cases; the real huaian-shi_2024.pdf → exactly its truth CSV; and each bad PDF → the expected
status and flag."""

from __future__ import annotations

import shutil

import pytest

from conftest import cell_differences, read_truth
from extract.forge import pdf as forge
from extract.forge.model import MESSES, generate
from extract.forge.pdf import LAYOUTS, render_pdf
from extract.parse import parse_bytes


def _template(seed: int, mess: str) -> str:
    return "2021" if mess == "other_handling_one_row" or seed % 3 else "2019"


def _cases() -> list:
    cases = []
    for i, layout in enumerate(LAYOUTS):  # every layout on clean reports, both templates
        cases += [pytest.param(layout, "clean", 200 + 3 * i + k, id=f"{layout}-clean-{200 + 3 * i + k}")
                  for k in (1, 3)]
    for m, mess in enumerate(MESSES):  # every messy case on the WPS layout and on one other layout
        other = list(LAYOUTS)[1 + m % (len(LAYOUTS) - 1)]
        cases += [pytest.param("wps", mess, 300 + m, id=f"wps-{mess}-{300 + m}"),
                  pytest.param(other, mess, 400 + m, id=f"{other}-{mess}-{400 + m}")]
    return cases


@pytest.mark.parametrize(("layout", "mess", "seed"), _cases())
def test_forged_pdf_roundtrip(layout, mess, seed):
    report = generate(seed, _template(seed, mess), MESSES[mess])
    result = parse_bytes(render_pdf(report, LAYOUTS[layout]), "report.pdf")
    extra = result.cells["row"].astype(str).str.startswith("extra.")
    diff = cell_differences(report.truth(), result.cells[~extra])
    assert diff.empty, f"{len(diff)} cells differ, e.g.\n{diff.head(8).to_string()}"
    assert result.status == ("partial" if MESSES[mess].truncate_after else "ok"), result.report["error"]
    assert set(result.cells["method"]) == {"pdf-words" if LAYOUTS[layout].borderless else "pdf-grid"}
    if report.extra_rows:
        printed = {(label, col, cell.raw) for label, cols in report.extra_rows.items() for col, cell in cols.items()}
        read = set(zip(result.cells[extra]["label"], result.cells[extra]["column"], result.cells[extra]["raw"]))
        assert printed <= read


def test_pages_of_cells_follow_the_page_break():
    report = generate(7, "2021", MESSES["clean"])
    cells = parse_bytes(render_pdf(report, LAYOUTS["wps"]), "report.pdf").cells.set_index(["table", "row", "column"])
    assert cells.loc[("requests", "unavailable.not_held", "total"), "page"] + 1 == \
        cells.loc[("requests", "unavailable.needs_creation", "total"), "page"]


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_vertical_font_heading_loses_no_row(template):
    """WPS's Identity-V heading beside （二）部分公开: every cell of that row is read, none as extra."""
    report = generate(61, template, MESSES["clean"])
    result = parse_bytes(render_pdf(report, LAYOUTS["wps_vertical_font"]), "report.pdf")
    assert not result.cells["row"].astype(str).str.startswith("extra.").any()
    partly = result.cells[(result.cells["table"] == "requests") & (result.cells["row"] == "partially_granted")]
    assert len(partly) == len(report.truth().query("table == 'requests' and row == 'partially_granted'")) == 7
    assert cell_differences(report.truth(), result.cells).empty


def test_huaian_parses_to_exactly_its_truth(corpus):
    result = parse_bytes((corpus / "huaian-shi_2024.pdf").read_bytes(), "huaian-shi_2024.pdf")
    diff = cell_differences(read_truth("huaian-shi_2024"), result.cells)
    assert diff.empty, f"{len(diff)} cells differ, e.g.\n{diff.head(8).to_string()}"
    assert result.status == "ok" and result.report["template"] == "2021" and result.report["pages"] == 6
    assert not (result.flags["severity"] == "error").any(), result.flags.to_string()
    pages = result.cells.set_index(["table", "row", "column"])["page"]
    assert pages[("requests", "unavailable.not_held", "natural_person")] == 4
    assert pages[("requests", "unavailable.needs_creation", "natural_person")] == 5
    assert pages[("review_litigation", "litigation_after_review", "total")] == 5


@pytest.fixture(scope="module")
def bad_report():
    return generate(9, "2021", MESSES["clean"])


@pytest.mark.parametrize(("name", "make", "status", "check", "severity"), [
    ("encrypted-empty-password", lambda r: forge.encrypted_pdf(r), "ok", "pdf.encrypted", "info"),
    ("encrypted-password", lambda r: forge.encrypted_pdf(r, user_password="secret"), "failed", "pdf.encrypted",
     "error"),
    # a scan goes to OCR (when Tesseract is there); at 40 dpi it cannot read a table either
    ("scan", lambda r: forge.scanned_pdf(r, dpi=40), "failed", "pdf.no_text",
     "info" if shutil.which("tesseract") else "error"),
    # picture pages among text pages go to OCR too (info: read by OCR), which cannot read 40 dpi
    ("tables-as-images", lambda r: forge.scanned_pdf(r, dpi=40, pages=[2, 3, 4]), "failed", "pdf.no_text",
     "info" if shutil.which("tesseract") else "warning"),
    ("last-table-page-as-image", lambda r: forge.scanned_pdf(r, dpi=40, pages=[4]), "partial", "pdf.no_text",
     "info" if shutil.which("tesseract") else "warning"),
    ("cid-font", lambda r: forge.cid_font_pdf(r), "failed", "pdf.cid_font", "error"),
    ("truncated", lambda r: forge.truncated_pdf(render_pdf(r)), "failed", "pdf.corrupt", "error"),
])
def test_bad_pdfs_fail_honestly(bad_report, name, make, status, check, severity):
    result = parse_bytes(make(bad_report), f"{name}.pdf")
    assert result.status == status, result.report["error"]
    flags = set(zip(result.flags["check"], result.flags["severity"]))
    assert (check, severity) in flags, flags
    if status == "ok":
        assert cell_differences(bad_report.truth(), result.cells).empty


@pytest.mark.parametrize("layout", [forge.PdfLayout(borderless=True), forge.PdfLayout(borderless=True, vertical_font=True)],
                         ids=["borderless", "borderless-vertical-font"])
@pytest.mark.parametrize("seed", [11, 15, 20])
def test_borderless_table_continued_by_its_last_block(layout, seed):
    """Table 二 broken so that its last block (政府集中采购: a header and one row of two numbers)
    starts the next page, with no rulings: that block is read as the table's continuation."""
    report = generate(seed, "2019", MESSES["clean"])
    result = parse_bytes(render_pdf(report, layout), "report.pdf")
    table = result.cells[result.cells["table"] == "active_disclosure"]
    procurement, fees = table[table["row"] == "procurement"], table[table["row"] == "fees"]
    assert len(procurement) == 2, result.flags.to_string()
    assert set(procurement["page"]) == {fees["page"].iloc[0] + 1}
    assert cell_differences(report.truth(), result.cells).empty
    assert "row.missing" not in set(result.flags["check"])
