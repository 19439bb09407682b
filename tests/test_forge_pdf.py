"""The PDF forge: layouts validate themselves, and the files it writes have the shapes real WPS
exports have — checked with pdfplumber, independently of our reader."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from extract.forge import pdf as forge
from extract.forge.model import MESSES, generate
from extract.forge.pdf import LAYOUTS, PdfLayout, render_pdf
from extract.forge.spans import sheets


@pytest.fixture(scope="module")
def report():
    return generate(11, "2021", MESSES["clean"])


@pytest.fixture(scope="module")
def rendered(report) -> dict[str, bytes]:
    names = ("wps", "repeat_header", "borderless", "landscape", "long_prose", "fake_bold", "builtin_font",
             "wps_vertical_font")
    return {name: render_pdf(report, LAYOUTS[name]) for name in names}


def pages_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def page_of(texts: list[str], needle: str) -> int:
    return next(i for i, text in enumerate(texts) if needle in text.replace("\n", ""))


# ---------------------------------------------------------------- the layout


@pytest.mark.parametrize(("changes", "error"), [
    ({"split_before": "no_such_row"}, ValueError),
    ({"prose_pages": -1}, ValueError),
    ({"prose_pages": 50}, ValueError),
    ({"bold_offset": 0}, ValueError),
    ({"font": "comic"}, ValueError),
    ({"borderless": "yes"}, TypeError),
])
def test_layout_rejects_nonsense(changes, error):
    with pytest.raises(error):
        PdfLayout(**changes)


def test_layout_accepts_every_row_of_table_three_as_split_point():
    for row in ("unavailable.needs_creation", "other_handling", "carried_forward", "granted"):
        assert PdfLayout(split_before=row).split_before == row


def test_rendering_is_deterministic(report, rendered):
    assert render_pdf(report, LAYOUTS["wps"]) == rendered["wps"]


# ---------------------------------------------------------------- text and fonts


@pytest.mark.skipif(forge.fonts() == (forge.BUILTIN_FONT, forge.BUILTIN_FONT), reason="no Noto CJK or fontTools")
def test_the_font_subset_is_the_same_bytes_whenever_it_is_built(tmp_path):
    """The subset is built once per cache: two machines (or a cleared cache) must forge the same
    PDFs, or a rerun of the demo portal would serve every PDF as a new version."""
    chars = forge.forge_chars()
    forge._truetype_subset("serif", chars, tmp_path / "a.ttf")
    forge._truetype_subset("serif", chars, tmp_path / "b.ttf")
    assert (tmp_path / "a.ttf").read_bytes() == (tmp_path / "b.ttf").read_bytes()


@pytest.mark.parametrize("layout", ["wps", "builtin_font"])
def test_pdfplumber_reads_the_cjk_text_back(report, rendered, layout):
    text = "".join(pages_text(rendered[layout])).replace("\n", "")
    assert report.agency in text
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "六、其他需要报告的事项"):
        assert heading in text
    assert "(cid:" not in text


def test_embedded_fonts_unless_builtin(rendered):
    with pdfplumber.open(io.BytesIO(rendered["wps"])) as pdf:
        fonts = {c["fontname"] for c in pdf.pages[0].chars}
    with pdfplumber.open(io.BytesIO(rendered["builtin_font"])) as pdf:
        builtin = {c["fontname"] for c in pdf.pages[0].chars}
    if forge.fonts("embedded")[0] == forge.BUILTIN_FONT:
        pytest.skip("Noto CJK or fontTools not installed: the forge falls back to STSong-Light")
    assert all("+" in name for name in fonts), fonts  # subset prefix: the fonts are embedded
    assert all(name.startswith("STSong") and "+" not in name for name in builtin), builtin


def test_page_numbers_in_wps_style(rendered):
    texts = pages_text(rendered["wps"])
    for number, text in enumerate(texts, 1):
        assert f"- {number} -" in text


# ---------------------------------------------------------------- table shapes


def test_table_three_splits_sixteen_and_twelve_rows_with_the_label_cut(rendered):
    texts = pages_text(rendered["wps"])
    first = page_of(texts, "1.本机关不掌握相关政府信息")
    assert "2.没有现成信息需要另行制作" in texts[first + 1].replace("\n", "")
    with pdfplumber.open(io.BytesIO(rendered["wps"])) as pdf:
        upper = max(pdf.pages[first].extract_tables(), key=len)
        lower = pdf.pages[first + 1].extract_tables()[0]
    assert (len(upper), len(lower)) == (16, 12)
    assert upper[-1][1] == "（四）无" and lower[0][1] == "法提供"  # the merged label cut by the break
    assert "三、" in upper[5][0] and "\n" in upper[5][0]  # vertical: one glyph per line


def _header_glyphs(data: bytes) -> tuple[list[dict], list[dict]]:
    """pdfminer's chars in the cell of 三、本年度办理结果, top to bottom, and in the label cell
    beside it (（一）予以公开), by pdfplumber's own table finder."""
    texts = pages_text(data)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[page_of(texts, "（二）部分公开")]
        table = max(page.find_tables(), key=lambda t: len(t.rows))
        heading_cell, label_cell = table.rows[5].cells[0], table.rows[5].cells[1]

        def inside(box):
            return sorted((c for c in page.chars if box[0] <= (c["x0"] + c["x1"]) / 2 <= box[2]
                           and box[1] <= (c["top"] + c["bottom"]) / 2 <= box[3]), key=lambda c: (c["top"], c["x0"]))
        return inside(heading_cell), inside(label_cell)


def test_vertical_font_writes_the_outcomes_heading_in_identity_v(rendered):
    """WPS's vertical cell: a Type 0 font with the Identity-V CMap, glyphs one by one down the
    column (pdfminer, which knows vertical writing, places them there), at 20× the size in a
    1/20 matrix — the shape in which pdfium's loose boxes come out twenty times too large."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    data = rendered["wps_vertical_font"]
    assert b"/Encoding /Identity-V" in data and b"/Encoding /Identity-V" not in rendered["wps"]
    heading, label = _header_glyphs(data)
    assert "".join(c["text"] for c in heading) == "三、本年度办理结果"
    assert len({c["fontname"] for c in heading}) == 1 and heading[0]["fontname"] != label[0]["fontname"]
    assert len({round(c["x0"]) for c in heading}) == 1  # one column, every glyph (、 too) in a place of its own
    assert all(b["top"] - a["bottom"] > -0.5 for a, b in zip(heading, heading[1:]))
    doc = pdfium.PdfDocument(data)
    page = doc[page_of(pages_text(data), "（二）部分公开")]
    textpage = page.get_textpage()
    sizes = {raw.FPDFText_GetFontSize(textpage.raw, i) for i in range(textpage.count_chars())
             if chr(raw.FPDFText_GetUnicode(textpage.raw, i)) == "办"}
    textpage.close(), page.close(), doc.close()
    assert sizes == {8.0 * 20}


def test_stacked_heading_without_the_vertical_font(rendered):
    heading, label = _header_glyphs(rendered["wps"])
    assert b"/Identity-V" not in rendered["wps"]
    assert "".join(c["text"] for c in heading) == "三、本年度办理结果"
    assert heading[0]["fontname"] == label[0]["fontname"]  # the text font, glyphs stacked (三、 on one line)


def test_repeated_header_on_the_continuation_page(rendered):
    texts = pages_text(rendered["repeat_header"])
    first = page_of(texts, "1.本机关不掌握相关政府信息")
    assert texts[first + 1].count("申请人情况") == 1
    assert pages_text(rendered["wps"])[first + 1].count("申请人情况") == 0


def test_long_labels_wrap_inside_their_cells(rendered):
    with pdfplumber.open(io.BytesIO(rendered["wps"])) as pdf:
        cells = [c for page in pdf.pages for t in page.extract_tables() for row in t for c in row if c]
    assert "5.要求行政机关确认或重新出\n具已获取信息" in cells or any(
        c.startswith("5.要求行政机关确认") and "\n" in c for c in cells)
    assert any(c.startswith("（二）部分公开") and "\n" in c for c in cells)


def test_borderless_draws_no_rulings(rendered):
    with pdfplumber.open(io.BytesIO(rendered["borderless"])) as pdf:
        assert all(not page.lines and not page.rects for page in pdf.pages)
        assert "申请人情况" in "".join(page.extract_text() for page in pdf.pages)


def test_landscape_table_pages(rendered):
    with pdfplumber.open(io.BytesIO(rendered["landscape"])) as pdf:
        shapes = [(page.width > page.height, "申请人情况" in (page.extract_text() or "")) for page in pdf.pages]
    assert shapes[0] == (False, False) and shapes[-1][0] is False
    assert any(wide and has_table for wide, has_table in shapes)
    assert all(wide for wide, has_table in shapes if has_table)


def test_tables_after_several_pages_of_prose(rendered):
    plain, long = pages_text(rendered["wps"]), pages_text(rendered["long_prose"])
    assert len(long) >= len(plain) + 2
    assert page_of(long, "信息内容") >= 3


def test_fake_bold_prints_glyphs_twice_with_an_offset(rendered):
    with pdfplumber.open(io.BytesIO(rendered["fake_bold"])) as pdf:
        chars = pdf.pages[0].chars
        deduped = pdf.pages[0].dedupe_chars().chars
    title = [c for c in chars if c["text"] == "告" and c["size"] > 18]  # 报告, once in the title
    assert len(title) == 2 and 0 < abs(title[0]["x0"] - title[1]["x0"]) <= LAYOUTS["fake_bold"].bold_offset + 0.01
    assert len(deduped) < len(chars)


@pytest.mark.parametrize("mess", ["org_subtotal", "label_typo", "other_handling_one_row", "fullwidth",
                                  "truncated", "extra_row"])
def test_messy_cases_are_printed(mess):
    report = generate(3, "2021", MESSES[mess])
    text = "".join(pages_text(render_pdf(report, LAYOUTS["wps"]))).replace("\n", "")
    expected = {"org_subtotal": "小计", "label_typo": "其他法律行政止公开", "other_handling_one_row": "（六）其他处理",
                "fullwidth": "", "truncated": "1.本机关不掌握相关政府信息", "extra_row": "其他主动公开文件"}[mess]
    assert expected in text
    if mess == "truncated":
        assert "2.没有现成信息需要另行制作" not in text and "结果维持" not in text
    if mess == "other_handling_one_row":
        assert "3.其他" not in text
    if mess == "fullwidth":
        assert any(p.raw and p.raw[0] in "０１２３４５６７８９" for p in report.cells.values())
        assert any(p.raw in text for p in report.cells.values() if p.raw and p.raw[0] in "０１２３４５６７８９")


def test_expected_texts_fill_spans(report):
    texts = forge.expected_texts(sheets(report)["requests"])
    assert texts[0][:3] == [texts[0][0]] * 3 and "勾稽关系" in texts[0][0]
    column = [row[0] for row in texts]
    assert column.count("三、本年度办理结果") == len(report.rows("requests")) - 3


# ---------------------------------------------------------------- bad PDFs


def test_encrypted_with_empty_password_opens_and_with_a_password_does_not(report):
    open_one = forge.encrypted_pdf(report)
    locked = forge.encrypted_pdf(report, user_password="secret")
    assert b"/Encrypt" in open_one and b"/Encrypt" in locked
    with pdfplumber.open(io.BytesIO(open_one), password="") as pdf:
        assert "申请人情况" in "".join(page.extract_text() for page in pdf.pages)
    with pytest.raises(Exception):
        with pdfplumber.open(io.BytesIO(locked), password="") as pdf:
            pdf.pages[0].extract_text()


def test_scan_has_images_and_no_text(report):
    data = forge.scanned_pdf(report, dpi=50)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert all(not page.chars and page.images for page in pdf.pages)


def test_partial_scan_keeps_text_on_the_other_pages(report):
    data = forge.scanned_pdf(report, dpi=50, pages=[3])
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert [bool(page.chars) for page in pdf.pages][:4] == [True, True, False, True]


def test_cid_font_text_cannot_be_decoded(report):
    text = "".join(pages_text(forge.cid_font_pdf(report)))
    assert "(cid:" in text and "申请人情况" not in text


def test_truncated_file_is_shorter_and_unreadable(rendered):
    data = forge.truncated_pdf(rendered["wps"], 0.5)
    assert len(data) == len(rendered["wps"]) // 2
    with pytest.raises(Exception):
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            [page.extract_text() for page in pdf.pages]
    with pytest.raises(ValueError):
        forge.truncated_pdf(data, 1.5)
