"""DOCX reader: forged Word files round-trip exactly; merges are one cell; layout tables, split
headers and tables after long prose are read in order."""

from __future__ import annotations

import copy
import io

import docx
import pytest
from docx.oxml.ns import qn

from conftest import cell_differences
from extract.model import Grid, Line
from extract.forge.docx import render_docx
from extract.forge.model import MESSES, generate
from extract.parse import parse_bytes
from extract.read.docx import read_docx

#: every mess, each with its own seed, alternating the two templates
CASES = [(seed, "2021" if seed % 2 else "2019", name) for seed, name in enumerate(MESSES, start=11)]


def expected_extra_rows(report) -> set[tuple[str, str, float]]:
    """Local rows the finder keeps under extra.<n>: (label, column, value)."""
    return {(label, col, p.value) for label, cols in report.extra_rows.items() for col, p in cols.items()}


@pytest.mark.parametrize("seed,template,mess_name", CASES)
def test_forged_docx_round_trips_exactly(seed, template, mess_name):
    report = generate(seed, template, MESSES[mess_name])
    result = parse_bytes(render_docx(report), "report.docx")
    cells = result.cells
    template_cells = cells[~cells["row"].str.startswith("extra.")]
    diff = cell_differences(report.truth(), template_cells)
    assert diff.empty, diff.to_string()
    extra = cells[cells["row"].str.startswith("extra.")]
    assert {(r.label, r.column, r.value) for r in extra.itertuples()} == expected_extra_rows(report)
    assert set(cells["method"]) == {"docx"}
    assert result.report["format"] == "docx"
    assert result.report["agency"] == report.agency and result.report["year"] == report.year
    expected_status = "partial" if MESSES[mess_name].truncate_after else "ok"
    assert result.status == expected_status


def test_merged_cells_are_one_object_at_every_position():
    report = generate(5, "2021")
    doc = read_docx(render_docx(report))
    requests = next(g for g in doc.grids if any("申请人情况" in c.text for c in g.rows[0]))
    first = requests.rows[0]
    # 本列数据的勾稽关系… spans three columns and the header rows below it
    assert first[0] is first[1] is first[2] is requests.rows[1][0]
    assert "本列数据的勾稽关系" in first[0].text
    applicant = first[3]
    assert applicant.text == "申请人情况" and all(c is applicant for c in first[3:])
    # 三、本年度办理结果 is a vertical merge over the outcome rows, one cell all the way down
    result_rows = [row for row in requests.rows if row[0].text.replace("\n", "").startswith("三、本年度办理结果")]
    assert len(result_rows) > 20 and all(row[0] is result_rows[0][0] for row in result_rows)
    assert requests.is_continuation(len(requests.rows) - 3, 0)
    # no two positions hold equal-but-distinct copies of one merged cell
    distinct = {id(c) for row in requests.rows for c in row}
    assert len(distinct) < sum(len(row) for row in requests.rows)


def test_header_split_over_paragraphs_keeps_its_lines():
    doc = read_docx(render_docx(generate(2, "2021")))
    texts = {c.text for g in doc.grids for row in g.rows for c in row}
    assert "商业\n企业" in texts and "科研\n机构" in texts


def test_reading_order_title_prose_then_each_table_after_its_heading():
    doc = read_docx(render_docx(generate(4, "2021")))
    kinds = [("grid" if isinstance(b, Grid) else b.text[:2]) for b in doc.blocks]
    heading = {t: kinds.index(t) for t in ("二、", "三、", "四、", "五、")}
    grids = [i for i, k in enumerate(kinds) if k == "grid"]
    assert len(grids) == 3
    assert heading["二、"] < grids[0] < heading["三、"] < grids[1] < heading["四、"] < grids[2] < heading["五、"]
    assert doc.title and doc.title.endswith("政府信息公开工作年度报告")


def _wrap_body_in_layout_table(data: bytes) -> bytes:
    """The whole report pasted into one cell of a 1×1 layout table, as some portals' Word files are."""
    word = docx.Document(io.BytesIO(data))
    body = word.element.body
    content = [el for el in body if el.tag != qn("w:sectPr")]
    layout = word.add_table(rows=1, cols=1)
    cell = layout.cell(0, 0)._tc
    for el in content:
        cell.append(el)  # moves the element out of the body
    if cell.find(qn("w:p")) is None or cell[-1].tag != qn("w:p"):
        cell.append(copy.deepcopy(word.paragraphs[0]._p) if word.paragraphs else cell.makeelement(qn("w:p")))
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_tables_nested_in_a_layout_table():
    report = generate(6, "2021", MESSES["blank_zeros"])
    data = _wrap_body_in_layout_table(render_docx(report))
    assert len(docx.Document(io.BytesIO(data)).tables) == 1  # one top-level (layout) table
    doc = read_docx(data)
    assert len(doc.grids) == 3  # the three data tables, not the layout table
    result = parse_bytes(data, "nested.docx")
    assert cell_differences(report.truth(), result.cells).empty


def test_tables_after_long_prose():
    report = generate(8, "2019", MESSES["na_cells"])
    word = docx.Document(io.BytesIO(render_docx(report)))
    first = word.paragraphs[1]
    for i in range(400):
        first.insert_paragraph_before(f"第{i + 1}段：本机关坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开。" * 3)
    out = io.BytesIO()
    word.save(out)
    doc = read_docx(out.getvalue())
    assert sum(isinstance(b, Line) for b in doc.blocks) > 400
    result = parse_bytes(out.getvalue(), "long.docx")
    assert result.status == "ok"
    assert cell_differences(report.truth(), result.cells).empty


def test_horizontal_and_vertical_merges_from_raw_xml():
    """gridBefore, legacy hMerge and a vMerge continuation with text of its own."""
    word = docx.Document()
    table = word.add_table(rows=3, cols=3)
    tr0, tr1, tr2 = (row._tr for row in table.rows)
    cells = [row.cells for row in table.rows]
    cells[0][0].text, cells[0][1].text = "行政复议", "x"
    tc_pr = cells[0][1]._tc.get_or_add_tcPr()
    tc_pr.append(tc_pr.makeelement(qn("w:hMerge"), {qn("w:val"): "continue"}))
    cells[1][2].text = "上"
    cells[1][2]._tc.get_or_add_tcPr().append(tc_pr.makeelement(qn("w:vMerge"), {qn("w:val"): "restart"}))
    cells[2][2].text = "下"
    cells[2][2]._tc.get_or_add_tcPr().append(tc_pr.makeelement(qn("w:vMerge"), {}))
    # row 3 starts one grid column in: drop its first cell and declare gridBefore
    tr2.remove(tr2.tc_lst[0])
    tr_pr = tr2.get_or_add_trPr()
    tr_pr.insert(0, tr_pr.makeelement(qn("w:gridBefore"), {qn("w:val"): "1"}))
    out = io.BytesIO()
    word.save(out)
    grid = read_docx(out.getvalue()).grids[0]
    assert grid.width == 3 and len(grid.rows) == 3
    assert grid.rows[0][0] is grid.rows[0][1] and grid.rows[0][0].text == "行政复议\nx"
    assert grid.rows[1][2] is grid.rows[2][2] and grid.rows[1][2].text == "上\n下"
    assert grid.rows[2][0].text == "" and grid.rows[2][1] is not grid.rows[1][1]
    assert tr0 is not tr1  # the three rows stayed rows
