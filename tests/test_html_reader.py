"""HTML as Word/WPS and CMS editors write it: spans, padding, nested layout, encodings."""

import pytest

from extract.model import Grid
from extract.parse import parse_bytes
from extract.read.html import read_html

WORD_TABLE = """<html><head><meta http-equiv=Content-Type content="text/html; charset=gb2312">
<title>某某市人民政府2022年政府信息公开工作年度报告</title><style>p.MsoNormal{margin:0}</style></head>
<body><div class=WordSection1>
<p class=MsoNormal><b><span>四、政府信息公开行政复议、行政诉讼情况</span></b></p>
<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>
 <tr><td colspan=5><p class=MsoNormal align=center><span>行政复议</span></p></td>
     <td colspan=10><p class=MsoNormal><span>行政诉讼</span></p></td></tr>
 <tr><td rowspan=2><p><span>结果<br>维持</span></p></td><td rowspan=2><p>结果<br>纠正</p></td>
     <td rowspan=2>其他<br>结果</td><td rowspan=2>尚未<br>审结</td><td rowspan=2>总计</td>
     <td colspan=5><p><span>未经复议直接起诉</span></p></td><td colspan=5>复议后起诉</td></tr>
 <tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>
     <td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>
 <tr><td><p><span>&nbsp;3&nbsp;</span></p></td><td>1</td><td>&nbsp;</td><td>０</td><td>4</td>
     <td>2</td><td>0</td><td>0</td><td>1</td><td>3</td><td>0</td><td>0</td><td>/</td><td>0</td><td>0</td></tr>
</table>
<p class=MsoNormal>五、存在的主要问题及改进情况</p></div></body></html>"""


def test_spans_expand_by_identity():
    doc = read_html(WORD_TABLE.encode("gb2312"))
    grid = next(b for b in doc.blocks if isinstance(b, Grid))
    assert grid.width == 15 and len(grid.rows) == 4
    assert grid.rows[0][0] is grid.rows[0][4]  # colspan=5
    assert grid.rows[1][0] is grid.rows[2][0]  # rowspan=2
    assert grid.rows[1][0].text == "结果\n维持"
    assert grid.is_continuation(2, 0) and not grid.is_continuation(3, 0)


def test_review_table_cells_blank_na_and_fullwidth():
    result = parse_bytes(WORD_TABLE.encode("gb2312"), "r.html")
    cells = {(r.row, r.column): (r.kind, r.raw) for r in result.cells.itertuples()}
    assert len(cells) == 15
    assert cells[("review", "upheld")] == ("number", "3")
    assert cells[("review", "other")] == ("blank", "")  # &nbsp; only: blank, not zero
    assert cells[("review", "pending")] == ("number", "０")
    assert cells[("litigation_direct", "pending")] == ("number", "1")
    assert cells[("litigation_after_review", "other")] == ("na", "/")
    assert result.report["agency"] == "某某市人民政府" and result.report["year"] == 2022


@pytest.mark.parametrize("declared", [True, False])
def test_gbk_page_with_or_without_a_declared_charset(declared):
    page = WORD_TABLE if declared else WORD_TABLE.replace("; charset=gb2312", "")
    doc = read_html(page.encode("gbk"))
    assert doc.title == "某某市人民政府2022年政府信息公开工作年度报告"


def test_http_charset_wins_over_a_wrong_meta():
    page = WORD_TABLE.replace("charset=gb2312", "charset=utf-8").encode("gbk")
    assert read_html(page, charset="gbk").title.startswith("某某市")


def test_table_nested_in_layout_tables_and_section_order():
    page = f"""<html><body><table class=layout><tr><td><div class=nav>首页 &gt; 政府信息公开</div>
    <table><tr><td>{WORD_TABLE.split('<body>')[1].split('</body>')[0]}</td></tr></table>
    </td></tr></table><div class=footer>版权所有</div></body></html>"""
    doc = read_html(page.encode())
    grids = doc.grids
    assert len(grids) == 1 and grids[0].width == 15
    texts = [b.text for b in doc.blocks if not isinstance(b, Grid)]
    assert texts.index("四、政府信息公开行政复议、行政诉讼情况") < texts.index("五、存在的主要问题及改进情况")


def test_an_all_blank_row_labelled_other_is_a_data_row_not_a_header():
    from extract.forge.html import render_html
    from extract.forge.model import MESSES, generate

    from conftest import cell_differences

    report = generate(11, "2021", MESSES["blank_zeros"])  # 3.其他 (like the 其他 column) all blank
    assert all(report.cells[("requests", "other_handling.other", c)].kind == "blank"
               for c in ("natural_person", "total"))
    result = parse_bytes(render_html(report), "r.html")
    assert cell_differences(report.truth(), result.cells).empty
    assert "row.unaligned" not in set(result.flags["check"])


# ---------------------------------------------------------------- fragments (issue 12, item 1)

from conftest import cell_differences  # noqa: E402
from extract.forge.html import render_html  # noqa: E402
from extract.forge.model import MESSES, generate  # noqa: E402
from extract.read.sniff import sniff_format  # noqa: E402


@pytest.mark.parametrize("style", ["fragment", "json"])
@pytest.mark.parametrize("seed,template", [(0, "2021"), (1, "2019"), (2, "2021"), (3, "2019")])
def test_a_pasted_fragment_or_json_content_is_sniffed_as_html_and_read_to_the_truth(style, seed, template):
    report = generate(seed, template, MESSES["blank_zeros"] if seed % 2 else MESSES["clean"])
    data = render_html(report, style=style, encoding="gbk" if seed == 2 else "utf-8")
    assert b"<html" not in data[:4096].lower() and b"<body" not in data.lower()
    for name in ("t20220208_80613.html", "content", None):
        assert sniff_format(data, name) == "html"
    result = parse_bytes(data, "t20220208_80613.htm")
    assert result.status == "ok", result.report["error"]
    assert cell_differences(report.truth(), result.cells).empty
    titled = style == "json" or report.title.encode("gbk" if seed == 2 else "utf-8") in data
    assert result.report["year"] == (report.year if titled else None)  # an untitled fragment: no year to read


def test_the_fragment_has_the_pasted_word_shape():
    data = render_html(generate(1, "2021"), style="fragment").decode()
    assert data.startswith('<p class="MsoNormal" style=')
    assert 'rowspan="22"' in data and "layout-flow:vertical-ideographic" in data  # 三、本年度办理结果
    assert '<font face="Calibri">&nbsp;</font>' in data and "<br />" in data
    assert ">商业</span>" in data or "商业<br />企业" in data
    assert "\nmso-border-left-alt" in data  # style attributes spanning lines, as Word writes them


def test_json_content_keeps_its_escapes_and_its_title():
    report = generate(5, "2021")
    data = render_html(report, style="json")
    assert data.startswith(b"{") and b'\\"' in data  # the markup is inside a JSON string, quotes escaped
    doc = read_html(data)
    assert doc.title == report.title
    assert sum(isinstance(b, Grid) for b in doc.blocks) == 3


def test_plain_text_mentioning_a_tag_is_still_text():
    text = ("平潭综合实验区2021年度政府信息公开工作年度报告\n网页中的<p>、<br>和<td>标记不算网页。\n"
            + "一、总体情况\n" * 50).encode()
    assert sniff_format(text, "page.html") == "txt"


def test_a_fragment_opening_with_one_long_paragraph_is_html():
    long = "<p style=\"text-indent: 2em;\">" + "本报告根据《中华人民共和国政府信息公开条例》编制。" * 200 + "</p>"
    data = (long + "<table><tr><td>信息内容</td></tr></table>").encode()
    assert sniff_format(data, None) == "html"
