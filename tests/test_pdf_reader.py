"""The PDF reader at the grid level: forged PDFs of every layout give back exactly the grids the
forge printed (spans as shared cells, pages on cells), the real huaian-shi_2024.pdf gives its
tables whole across page breaks, and unreadable files fail with the cause named."""

from __future__ import annotations

import pytest

from extract.model import Grid, ReadError
from extract.forge import pdf as forge
from extract.forge.model import MESSES, generate
from extract.forge.pdf import LAYOUTS, expected_texts, render_pdf
from extract.forge.spans import sheets
from extract.read.pdf import engines as pdf_engines
from extract.read.pdf import geometry as pdf_geometry
from extract.read.pdf import page_text as pdf_page_text
from extract.read.pdf import read_pdf

RULED = [name for name in LAYOUTS if name != "borderless"]


@pytest.fixture(scope="module")
def forged() -> dict[str, tuple]:
    """(report, pdf bytes) per layout, two templates and a few messes spread over them."""
    out = {}
    messes = ("org_subtotal", "blank_zeros", "other_handling_one_row", "label_typo", "na_cells", "fullwidth",
              "org_subtotal_after_natural", "clean")
    for i, name in enumerate(LAYOUTS):
        for template in ("2021", "2019"):
            mess = messes[i % len(messes)]
            report = generate(40 + i, "2021" if mess == "other_handling_one_row" else template, MESSES[mess])
            out[(name, template)] = (report, render_pdf(report, LAYOUTS[name]))
    return out


@pytest.fixture(scope="module")
def huaian(corpus):
    data = (corpus / "huaian-shi_2024.pdf").read_bytes()
    return data, read_pdf(data, "huaian-shi_2024.pdf")


# ---------------------------------------------------------------- forged layouts


@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("layout", RULED)
def test_ruled_layouts_give_the_printed_grids(forged, layout, template):
    report, data = forged[(layout, template)]
    doc = read_pdf(data)
    printed = sheets(report)
    assert [g.method for g in doc.grids] == ["pdf-grid"] * len(printed)
    for grid, sheet in zip(doc.grids, printed.values()):
        assert grid.texts() == expected_texts(sheet), sheet.table


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_borderless_rows_come_back_from_word_positions(forged, template):
    """Without rulings, spans over value columns are unknowable; every data row must still come
    back with its labels (vertical and group labels included) and its values, in order."""
    report, data = forged[("borderless", template)]
    doc = read_pdf(data)
    assert [g.method for g in doc.grids] == ["pdf-words"] * 3
    for grid, sheet in zip(doc.grids, sheets(report).values()):
        want = [row for row in map(_printed_row, sheet.dense()) if row[1]]
        got = [row for row in map(_read_row, grid.rows) if row[1]]
        assert got == want, sheet.table


def _distinct(row):
    return list({id(x): x for x in row if x is not None}.values())


def _printed_row(spans) -> tuple:
    spans = _distinct(spans)
    labels = tuple(dict.fromkeys(s.flat for s in spans if s.role in ("label", "group") and s.flat))
    return labels, tuple(s.flat for s in spans if s.role in ("value", "extra") and s.flat)


def _read_row(cells) -> tuple:
    cells = _distinct(cells)
    labels = tuple(dict.fromkeys(c.text for c in cells if c.text and not pdf_page_text.is_number_token(c.text)))
    return labels, tuple(c.text for c in cells if pdf_page_text.is_number_token(c.text))


def test_cut_label_is_one_cell_across_the_page_break(forged):
    report, data = forged[("wps", "2021")]
    grid = read_pdf(data).grids[1]
    rows = [row for row in grid.rows if row[1].text == "（四）无法提供"]
    assert len(rows) == 3 and rows[0][1] is rows[1][1] is rows[2][1]
    assert rows[0][2].page + 1 == rows[1][2].page == rows[2][2].page  # the items keep their own pages
    outcomes = [row[0] for row in grid.rows if row[0].text == "三、本年度办理结果"]
    assert len({id(c) for c in outcomes}) == 1 and len(outcomes) == len(report.rows("requests")) - 3


def test_vertical_and_group_labels_are_spans(forged):
    report, data = forged[("landscape", "2021")]
    grid = read_pdf(data).grids[1]
    withheld = [row[1] for row in grid.rows if row[1].text == "（三）不予公开"]
    assert len(withheld) == 8 and len({id(c) for c in withheld}) == 1
    assert any(grid.is_continuation(r, 1) for r in range(len(grid.rows)) if grid.rows[r][1].text == "（三）不予公开")


def test_repeated_header_is_dropped_once_stitched(forged):
    report, data = forged[("repeat_header", "2021")]
    grid = read_pdf(data).grids[1]
    assert sum(1 for row in grid.rows if row[3].text == "申请人情况") == 1


def test_fake_bold_text_is_not_doubled(forged):
    report, data = forged[("fake_bold", "2021")]
    doc = read_pdf(data)
    assert any(line.text == "三、收到和处理政府信息公开申请情况" for line in doc.lines)
    assert "三三" not in doc.text() and report.agency + report.agency not in doc.text()


def test_section_titles_are_lines_before_their_grids(forged):
    report, data = forged[("long_prose", "2021")]
    doc = read_pdf(data)
    order = [("grid" if isinstance(b, Grid) else b.text) for b in doc.blocks]
    for title in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"):
        at = order.index(title)
        assert "grid" in order[at + 1: at + 3]
    assert not any(pdf_page_text.is_page_number(line.text) for line in doc.lines)


def _page_chars(data: bytes, needle: str) -> list[pdf_geometry.Char]:
    """pdfium's chars (as the reader measures them) of the first page whose text holds `needle`."""
    import pypdfium2 as pdfium

    with pdf_geometry.PDFIUM_LOCK:
        doc = pdfium.PdfDocument(data)
        try:
            for i in range(len(doc)):
                page = doc[i]
                textpage = page.get_textpage()
                try:
                    if needle in textpage.get_text_range().replace("\r\n", ""):
                        return pdf_engines.pdfium_chars(textpage, page.get_height())[0]
                finally:
                    textpage.close()
                    page.close()
        finally:
            doc.close()
    raise AssertionError(f"{needle} is on no page")


def test_vertical_font_glyphs_get_boxes_in_their_own_column(forged):
    """pdfium measures a glyph of an Identity-V font before the text matrix (WPS: 20× the size,
    matrix 1/20), so its box is 160 points wide and reaches over the label beside it; the reader
    knows such glyphs and gives them their printed size where they are printed."""
    report, data = forged[("wps_vertical_font", "2021")]
    chars = _page_chars(data, "（二）部分公开")
    vertical = sorted((c for c in chars if c.vertical), key=lambda c: c.top)
    assert "".join(c.text for c in vertical) == "三、本年度办理结果"
    assert all(abs(c.size - 8.0) < 0.5 and abs((c.x1 - c.x0) - 8.0) < 0.5 for c in vertical)
    beside = [c for c in chars if not c.vertical and vertical[0].top <= c.top <= vertical[-1].bottom]
    assert max(c.x1 for c in vertical) < min(c.x0 for c in beside)  # left of every label beside it
    assert all(b.top >= a.bottom - 0.5 for a, b in zip(vertical, vertical[1:]))  # one below the other
    assert not any(c.vertical for c in _page_chars(forged[("wps", "2021")][1], "（二）部分公开"))


def test_vertical_heading_and_the_label_beside_it_are_read_apart(forged):
    report, data = forged[("wps_vertical_font", "2021")]
    grid = read_pdf(data).grids[1]
    rows = [row for row in grid.rows if row[0].text == "三、本年度办理结果"]
    assert len(rows) == len(report.rows("requests")) - 3 and len({id(row[0]) for row in rows}) == 1
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in [row[1].text for row in rows]


@pytest.mark.parametrize("layout", ["wps", "borderless", "fake_bold", "wps_vertical_font"])
def test_both_engines_agree(forged, layout):
    report, data = forged[(layout, "2021")]
    fast, reference = read_pdf(data), read_pdf(data, engine="pdfplumber")
    assert [g.texts() for g in fast.grids] == [g.texts() for g in reference.grids]
    assert [line.text for line in fast.lines] == [line.text for line in reference.lines]


def test_unknown_engine():
    with pytest.raises(ValueError):
        read_pdf(b"%PDF-1.4", engine="poppler")


# ---------------------------------------------------------------- the real report


def test_huaian_pages_title_and_lines(huaian):
    data, doc = huaian
    assert doc.format == "pdf" and doc.pages == 6 and not doc.findings
    lines = [line.text for line in doc.lines]
    assert "二、主动公开政府信息情况" in lines and "三、收到和处理政府信息公开申请情况" in lines
    assert any(line.startswith("本报告由淮安市人民政府办公室") for line in lines)  # the boxed paragraph: text
    assert not any(pdf_page_text.is_page_number(line) for line in lines)


def test_huaian_table_three_stitched_over_pages_four_and_five(huaian):
    data, doc = huaian
    grid = next(g for g in doc.grids if any(c.text == "申请人情况" for c in g.rows[0]))
    assert (len(grid.rows), grid.width, grid.page) == (28, 10, 4)
    cut = [row for row in grid.rows if row[1].text == "（四）无法提供"]
    assert len(cut) == 3 and len({id(row[1]) for row in cut}) == 1
    assert [row[2].page for row in cut] == [4, 5, 5]
    vertical = {id(row[0]) for row in grid.rows[5:27]}
    assert len(vertical) == 1 and grid.rows[5][0].text == "三、本年度办理结果"
    assert grid.rows[-1][0].text == "四、结转下年度继续办理" and grid.rows[-1][0].page == 5
    labels = [row[2].text for row in grid.rows]
    assert "5.要求行政机关确认或重新出具已获取信息" in labels  # wrapped label joined without spaces
    assert "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in labels
    assert grid.rows[3][3:] == grid.rows[3][3:] and [c.text for c in grid.rows[3][3:]] == \
        ["3001", "53", "0", "0", "61", "4", "3119"]


def test_huaian_tables_two_and_four(huaian):
    data, doc = huaian
    first = doc.grids[0]
    assert first.page == 3 and [c.text for c in first.rows[1]] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    texts = [t for g in doc.grids for row in g.texts() for t in row]
    assert "96171.6" in texts and "447228" in texts
    review = doc.grids[-1]
    assert (len(review.rows), review.width, review.page) == (4, 15, 5)
    assert [c.text for c in review.rows[3]][:5] == ["72", "64", "178", "37", "351"]
    assert review.rows[0][0] is review.rows[0][4]  # 行政复议 spans five columns


def test_huaian_both_engines_agree(huaian):
    data, doc = huaian
    reference = read_pdf(data, engine="pdfplumber")
    assert [g.texts() for g in doc.grids] == [g.texts() for g in reference.grids]


def test_huaian_table_pages_found_cheaply(huaian):
    import pypdfium2 as pdfium

    data, _ = huaian
    pdf = pdfium.PdfDocument(data)
    try:
        found = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            found.append(pdf_page_text.is_table_page(textpage.get_text_range()))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    assert found == [False, False, True, True, True, False]


# ---------------------------------------------------------------- unreadable and partly readable files


@pytest.fixture(scope="module")
def plain_report():
    return generate(5)


@pytest.mark.parametrize(("make", "check"), [
    (lambda r: forge.encrypted_pdf(r, user_password="secret"), "pdf.encrypted"),
    (lambda r: forge.scanned_pdf(r, dpi=40), "pdf.no_text"),
    (lambda r: forge.cid_font_pdf(r), "pdf.cid_font"),
    (lambda r: forge.truncated_pdf(render_pdf(r)), "pdf.corrupt"),
    (lambda r: b"%PDF-1.7\n" + bytes(range(256)) * 8, "pdf.corrupt"),
    (lambda r: b"<html>not a pdf</html>", "pdf.corrupt"),
])
def test_unreadable_files_raise_with_their_cause(plain_report, make, check):
    with pytest.raises(ReadError) as err:
        read_pdf(make(plain_report))
    assert err.value.check == check


def test_empty_user_password_is_read_with_a_note(plain_report):
    doc = read_pdf(forge.encrypted_pdf(plain_report))
    assert len(doc.grids) == 3
    assert [(f.check, f.severity) for f in doc.findings] == [("pdf.encrypted", "info")]


def test_pages_without_text_are_reported(plain_report):
    doc = read_pdf(forge.scanned_pdf(plain_report, dpi=40, pages=[3]), ocr=False)
    assert [(f.check, f.severity) for f in doc.findings] == [("pdf.no_text", "warning")]
    assert "3" in doc.findings[0].message and not any(block.page == 3 for block in doc.blocks)


# ---------------------------------------------------------------- the small steps


def test_tidy_and_join_lines():
    assert pdf_page_text.tidy("第二十条 第（一）项") == "第二十条第（一）项"
    assert pdf_page_text.tidy("国令第 711 号") == "国令第711号"
    assert pdf_page_text.tidy("  a   b ") == "a b"
    assert pdf_page_text.join_lines(["5.要求行政机关确认或重新出", "具已获取信息"]) == "5.要求行政机关确认或重新出具已获取信息"
    assert pdf_page_text.join_lines(["Open", "data"]) == "Open data"
    assert pdf_page_text.join_lines(["三、", "本", "年"]) == "三、本年"


@pytest.mark.parametrize(("text", "yes"), [("- 4 -", True), ("—12—", True), ("第 3 页", True),
                                            ("第3页 共6页", True), ("2024", False), ("一、总体情况", False)])
def test_page_numbers(text, yes):
    assert pdf_page_text.is_page_number(text) is yes


def test_table_page_test_on_text():
    assert pdf_page_text.is_table_page("一、本年新收政府信息公开申请数量 3001 53 0 0 61 4 3119")
    assert pdf_page_text.is_table_page("行政事业性收费 96171.6")
    assert not pdf_page_text.is_table_page("全年办理行政复议 351 件，其中结果维持 72 件\n- 2 -")
    assert pdf_page_text.is_table_page("申请人情况 法人或其他组织")


def test_path_edges_from_a_rectangle():
    import pypdfium2.raw as c

    points = [(c.FPDF_SEGMENT_MOVETO, 10, 20, False), (c.FPDF_SEGMENT_LINETO, 110, 20, False),
              (c.FPDF_SEGMENT_LINETO, 110, 70, False), (c.FPDF_SEGMENT_LINETO, 10, 70, True)]
    edges = pdf_engines.path_edges(points)
    assert sorted((e["orientation"], e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges) == [
        ("h", 10, 20, 110, 20), ("h", 10, 70, 110, 70), ("v", 10, 20, 10, 70), ("v", 110, 20, 110, 70)]


def test_dedupe_chars_drops_offset_copies():
    char = pdf_geometry.Char
    doubled = [char("H", 0, 5, 0, 10, 10), char("H", 0.4, 5.4, 0, 10, 10), char("o", 6, 11, 0, 10, 10),
               char("o", 6.4, 11.4, 0, 10, 10), char("o", 12, 17, 0, 10, 10)]
    assert "".join(c.text for c in pdf_engines.dedupe_chars(doubled)) == "Hoo"



def _printed(text: str, x: float, top: float, size: float, centred: bool = False) -> list:
    """Glyphs of `text` set from x (or centred on it) at `top`, one em each (ASCII half an em)."""
    widths = [size if ord(ch) > 0x2000 else size / 2 for ch in text]
    x -= sum(widths) / 2 if centred else 0.0
    chars = []
    for ch, width in zip(text, widths):
        chars.append(pdf_geometry.Char(ch, x, x + width, top, top + size, size))
        x += width
    return chars


def _row(label: str, values: list[str], top: float) -> list:
    """A borderless table row in small type: the label at the left, values centred on columns."""
    return [*_printed(label, 84, top, 9), *(ch for k, v in enumerate(values) for ch in _printed(v, 282 + 98 * k, top, 9, True))]


def test_lone_row_opening_a_page_is_a_table_only_when_it_continues_one():
    """A small-type line of a label and two numbers at the top of a page is read on trust: it
    joins the borderless grid ending the page before (which has a third column); after prose it
    stays running text, whole (as `line_text` sets it)."""
    from extract.model import Line
    from extract.read.pdf.continued import join_continued_grids
    from extract.read.pdf.words import words_to_grids

    def opening_page(number: int) -> list:
        chars = [*_row("政府集中采购", ["4", "4.11"], 60), *_printed("三、收到和处理政府信息公开申请情况", 84, 100, 12)]
        grids, rest = words_to_grids(chars, number, 12.0)
        assert len(grids) == 1 and grids[0].fallback is not None
        assert not any(ch.size == 9 for ch in rest)
        return grids + [pdf_geometry.Placed(100, Line("三、收到和处理政府信息公开申请情况", number))]

    table, _ = words_to_grids([*_row("行政许可", ["3", "-1", "12"], 80), *_row("行政处罚", ["5", "0", "7"], 100)], 1, 12.0)
    assert len(table) == 1 and table[0].fallback is None
    joined = join_continued_grids([table, opening_page(2)])
    grid = joined[0].block
    assert [type(p.block) for p in joined] == [Grid, Line]
    assert [[c.text for c in row] for row in grid.rows] == [
        ["行政许可", "3", "-1", "12"], ["行政处罚", "5", "0", "7"], ["政府集中采购", "4", "4.11", ""]]

    alone = join_continued_grids([[pdf_geometry.Placed(0, Line("二、主动公开政府信息情况", 1))], opening_page(2)])
    assert [p.block.text for p in alone] == ["二、主动公开政府信息情况", "政府集中采购4 4.11", "三、收到和处理政府信息公开申请情况"]
