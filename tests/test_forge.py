"""The forge: numbers that obey the template, and renderers that print the official shape."""

from __future__ import annotations

import io
import re

import docx
import lxml.html
import pytest

from extract import template as tpl
from extract.forge import forge_samples
from extract.forge import doc as forge_doc
from extract.forge.docx import render_docx
from extract.forge.html import render_html
from extract.forge.model import MESSES, AGENCIES, Mess, generate
from extract.forge.prose import write_prose
from extract.forge.text import render_text
from extract.read.sniff import sniff_format

SEEDS = range(12)
OUTCOME_KEYS = ("granted", "partially_granted")


def numbers(report) -> dict[tuple[str, str, str], float]:
    """Printed cells as numbers; a blank or na cell stands for the zero it replaced."""
    return {k: (p.value if p.kind == "number" else 0.0) for k, p in report.cells.items()}


def outcome_rows(report) -> list[str]:
    return [r for r in report.rows("requests") if r.split(".")[0] in (*OUTCOME_KEYS, *tpl.OUTCOME_GROUPS)]


# ---------------------------------------------------------------- the generator


@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("mess_name", [m for m in MESSES if m not in ("anomaly", "truncated")])
def test_every_identity_holds(template, mess_name):
    for seed in SEEDS:
        report = generate(seed, template, MESSES[mess_name])
        v = numbers(report)
        cols = report.request_columns()
        for c in cols:
            get = lambda row: v[("requests", row, c)]  # noqa: E731
            assert get("new_received") + get("carried_over") == get("total_handled") + get("carried_forward")
            assert get("total_handled") == sum(get(r) for r in outcome_rows(report))
        for row in report.rows("requests"):
            assert v[("requests", row, "total")] == sum(v[("requests", row, c)] for c in tpl.REQUEST_APPLICANTS)
            if "org_subtotal" in cols:
                assert v[("requests", row, "org_subtotal")] == sum(v[("requests", row, c)] for c in tpl.REQUEST_ORGS)
        for row in ("review", "litigation_direct", "litigation_after_review"):
            assert v[("review_litigation", row, "total")] == sum(
                v[("review_litigation", row, c)] for c in tpl.REVIEW_PARTS)
        assert all(x >= 0 for k, x in v.items() if k[2] != "items_change")


def test_cells_cover_the_template_exactly():
    for template in ("2021", "2019"):
        report = generate(4, template)
        expected = set(tpl.get(template).cell_keys())
        assert set(report.cells) == expected


def test_anomaly_breaks_only_the_balance_of_the_total_column():
    for seed in SEEDS:
        report = generate(seed, mess=Mess(anomaly=True))
        v = numbers(report)
        broken = [c for c in report.request_columns()
                  if v[("requests", "new_received", c)] + v[("requests", "carried_over", c)]
                  != v[("requests", "total_handled", c)] + v[("requests", "carried_forward", c)]]
        assert broken == ["total"]


def test_truncated_report_stops_table_three_and_drops_table_four():
    report = generate(2, mess=MESSES["truncated"])
    assert report.rows("requests")[-1] == "unavailable.not_held"
    assert report.tables == ("active_disclosure", "requests")
    assert "review_litigation" not in set(report.truth()["table"])


def test_other_handling_one_row_keeps_no_sub_rows():
    report = generate(7, "2021", MESSES["other_handling_one_row"])
    rows = report.rows("requests")
    assert "other_handling" in rows and not any(r.startswith("other_handling.") for r in rows)


def test_generation_is_deterministic():
    for seed in (0, 9):
        a, b = generate(seed, mess=MESSES["blank_zeros"]), generate(seed, mess=MESSES["blank_zeros"])
        assert a.truth().equals(b.truth()) and a.agency == b.agency and a.published == b.published


def test_numbers_look_like_real_reports():
    """予以公开 is the largest outcome when there are requests; many townships report none at all."""
    largest, busy = 0, 0
    for seed in range(60):
        report = generate(seed)
        v = numbers(report)
        outcomes = {r: v[("requests", r, "total")] for r in outcome_rows(report)}
        if sum(outcomes.values()) >= 5:
            busy += 1
            largest += outcomes["granted"] == max(outcomes.values())
    assert busy >= 30 and largest / busy >= 0.9
    townships = [generate(s, agency=a[0]) for s in range(30) for a in AGENCIES if a[1] == "township"][:30]
    quiet = sum(all(numbers(r)[k] == 0 for k in r.cells if k[0] == "requests") for r in townships)
    assert quiet >= 8


def test_messy_printing_is_recorded_in_the_truth():
    raws = lambda mess: [p.raw for p in generate(3, mess=mess).cells.values()]  # noqa: E731
    assert any(r == "" for r in raws(MESSES["blank_zeros"]))
    assert any(r in ("/", "—", "-") for r in raws(MESSES["na_cells"]))
    assert any(r.endswith("件") for r in raws(MESSES["unit_suffix"]))
    assert any(re.search("[０-９]", r) for r in raws(MESSES["fullwidth"]))
    truth = generate(3, mess=MESSES["blank_zeros"]).truth()
    assert (truth.loc[truth["raw"] == "", "kind"] == "blank").all()
    assert truth.loc[truth["raw"] == "", "value"].isna().all()


# ---------------------------------------------------------------- prose


def test_prose_has_title_period_and_signature():
    report = generate(5)
    prose = write_prose(report)
    assert prose.title == f"{report.agency}{report.year}年政府信息公开工作年度报告"
    preface = "".join(prose.preface)
    assert f"{report.year}年1月1日" in preface and f"{report.year}年12月31日" in preface
    assert preface.index(f"{report.year}年1月1日") < preface.index(f"{report.year}年12月31日")
    assert [h for h, _ in prose.sections] == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                                             "六、其他需要报告的事项"]
    assert prose.signature == report.agency
    d = report.published
    assert prose.date_line == f"{d.year}年{d.month}月{d.day}日"


def test_prose_is_the_forges_own(corpus):
    """No sentence of the forged prose appears in a real report of the corpus."""
    real = "".join(p.read_text("utf-8") for p in corpus.glob("*.txt"))
    for seed in range(6):
        prose = write_prose(generate(seed))
        paragraphs = prose.preface + [p for _, ps in prose.sections for p in ps]
        for sentence in re.split("[。；]", "".join(paragraphs)):
            sentence = sentence.strip()
            if len(sentence) >= 12:
                generic = sentence.replace(prose.signature, "")
                assert generic not in real, sentence


# ---------------------------------------------------------------- HTML


def expand(table) -> list[list]:
    """An lxml <table> as a dense matrix of its <td> elements (the same element where it spans)."""
    grid: dict[tuple[int, int], object] = {}
    rows = [tr for tr in table.xpath("./tr|./tbody/tr") if tr.get("height") != "0"]
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td|./th"):
            while (r, c) in grid:
                c += 1
            for dr in range(int(td.get("rowspan", 1))):
                for dc in range(int(td.get("colspan", 1))):
                    grid[(r + dr, c + dc)] = td
            c += int(td.get("colspan", 1))
    height = len(rows)
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c)) for c in range(width)] for r in range(height)]


def cell_text(td) -> str:
    return re.sub(r"\s+", "", td.text_content().replace("\xa0", "")) if td is not None else ""


def report_tables(data: bytes, style: str) -> list:
    root = lxml.html.fromstring(data)
    tables = root.xpath("//table[contains(@class,'MsoNormalTable')]" if style == "word"
                        else "//div[@id='zoom']//table")
    return tables


def td_with(table, text: str):
    return next(td for td in table.iter("td") if cell_text(td) == text)


@pytest.mark.parametrize("style", ["word", "cms"])
@pytest.mark.parametrize("template", ["2021", "2019"])
def test_html_tables_have_the_official_spans(style, template):
    report = generate(6, template)
    active, requests, review = report_tables(render_html(report, style=style), style)
    # table 二: a heading row per block spanning the table, then its 信息内容 header
    blocks = [td for td in active.iter("td") if cell_text(td).startswith("第二十条")]
    assert [int(td.get("colspan")) for td in blocks] == [4] * (4 if template == "2021" else 5)
    assert len([td for td in active.iter("td") if cell_text(td) == "信息内容"]) == len(blocks)
    # table 三: the 3-row header and the vertical groups
    assert int(td_with(requests, "三、本年度办理结果").get("rowspan")) == (22 if template == "2021" else 20)
    spans = {"（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5}
    if template == "2021":
        spans["（六）其他处理"] = 3
    for label, rowspan in spans.items():
        assert int(td_with(requests, label).get("rowspan")) == rowspan
    note = next(td for td in requests.iter("td") if "勾稽关系" in cell_text(td))
    assert (note.get("rowspan"), note.get("colspan")) == ("3", "3")
    assert td_with(requests, "申请人情况").get("colspan") == "7"
    assert td_with(requests, "法人或其他组织").get("colspan") == "5"
    assert td_with(requests, "自然人").get("rowspan") == "2"
    assert td_with(requests, "商业企业") is not None
    for label in ("一、本年新收政府信息公开申请数量", "（一）予以公开", "（七）总计", "四、结转下年度继续办理"):
        assert td_with(requests, label).get("colspan") in ("3", "2")
    # table 四: 3 header rows over one row of 15 numbers
    assert td_with(review, "行政复议").get("colspan") == "5"
    assert td_with(review, "行政诉讼").get("colspan") == "10"
    assert td_with(review, "未经复议直接起诉").get("colspan") == "5"
    assert td_with(review, "复议后起诉").get("colspan") == "5"
    assert len(review.xpath("./tr|./tbody/tr")[-1].xpath("./td")) == 15
    # every row of every table is as wide as the table (spans add up)
    for table, width in ((active, 4), (requests, 10), (review, 15)):
        assert all(len(row) == width and None not in row for row in expand(table))


@pytest.mark.parametrize("style", ["word", "cms"])
def test_html_cells_hold_the_printed_values(style):
    report = generate(8, mess=Mess(blank_zeros=0.5, fullwidth=0.3, unit_suffix=0.3))
    _, requests, review = report_tables(render_html(report, style=style), style)
    grid = expand(requests)
    for r, key in enumerate(report.rows("requests"), start=3):
        raws = [report.cells[("requests", key, c)].raw for c in report.request_columns()]
        assert [cell_text(td) for td in grid[r][3:]] == raws
    row = [cell_text(td) for td in expand(review)[3]]
    assert row == [report.cells[("review_litigation", r, c)].raw for r in ("review", "litigation_direct",
                   "litigation_after_review") for c in (*tpl.REVIEW_PARTS, "total")]


def test_word_html_looks_like_word():
    data = render_html(generate(1), style="word")
    text = data.decode("utf-8")
    assert 'content="text/html; charset=utf-8"' in text and "ProgId content=Word.Document" in text
    assert "<table class=MsoNormalTable" in text and "<p class=MsoNormal" in text
    assert "layout-flow:vertical-ideographic" in text
    assert "mso-yfti-irow" in text and "<![if !supportMisalignedColumns]>" in text
    # Latin runs apart from CJK: 1.属于国家秘密 is two spans
    assert re.search(r"<span lang=EN-US[^>]*>1\.</span><span[^>]*>属于国家秘密</span>", text)


def test_cms_html_sits_in_page_chrome():
    data = render_html(generate(1), style="cms")
    root = lxml.html.fromstring(data)
    crumbs = re.sub(r"\s+", "", root.xpath("//div[contains(@class,'position')]")[0].text_content())
    assert crumbs == "当前位置：首页>政府信息公开>政府信息公开年报"
    assert root.xpath("//div[@class='nav']//a") and root.xpath("//div[@class='footer']")
    layout = root.xpath("//table[@class='layout']")[0]
    assert len(layout.xpath(".//div[@id='zoom']//table")) == 3  # report tables nested in the layout table
    assert "商业<br/>企业" in data.decode("utf-8")
    assert root.xpath("//td[@style and contains(@style,'border')]")


@pytest.mark.parametrize("style", ["word", "cms"])
def test_gbk_html_is_gbk(style):
    report = generate(2)
    data = render_html(report, style=style, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gb18030")
    assert report.title in text and "charset=gb2312" in text
    bare = render_html(report, style=style, encoding="gbk", declare_charset=False)
    assert b"charset=" not in bare.lower()
    assert bare.decode("gb18030").count(report.title) >= 1


def test_mess_options_show_in_html():
    def page(name, template="2021"):
        report = generate(3, template, MESSES[name])
        return report, render_html(report, style="cms").decode("utf-8"), report_tables(
            render_html(report, style="cms"), "cms")

    _, _, (_, requests, _) = page("org_subtotal")
    assert td_with(requests, "法人或其他组织").get("colspan") == "6"
    heads = [cell_text(td) for td in expand(requests)[2][3:]]
    assert heads == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "小计", "总计"]
    _, _, (_, requests, _) = page("org_subtotal_after_natural")
    heads = [cell_text(td) for td in expand(requests)[1][3:]]
    assert heads[:3] == ["自然人", "法人或其他组织小计", "法人或其他组织"]
    assert td_with(requests, "法人或其他组织小计").get("rowspan") == "2"
    _, _, (active, _, _) = page("extra_row")
    labels = [cell_text(row[0]) for row in expand(active)]
    assert labels.index("其他主动公开文件") == labels.index("行政规范性文件") + 1
    _, text, _ = page("label_typo")
    assert "2.其他法律行政止公开" in text and "其他法律行政法规禁止公开" not in text
    _, _, (_, requests, _) = page("other_handling_one_row")
    assert td_with(requests, "（六）其他处理").get("colspan") == "2"
    assert "逾期不补正" not in requests.text_content()
    report, _, tables = page("truncated")
    assert len(tables) == 2
    assert cell_text(expand(tables[1])[-1][2]) == "1.本机关不掌握相关政府信息"
    assert int(td_with(tables[1], "三、本年度办理结果").get("rowspan")) == len(outcome_rows(report))
    report, text, (_, requests, _) = page("blank_zeros")
    blanks = [td for row in expand(requests)[3:] for td in row[3:] if cell_text(td) == ""]
    assert blanks and all(td.text_content().strip("\xa0 ") == "" for td in blanks)
    _, text, _ = page("na_cells")
    assert re.search(r">\s*(/|—|-)\s*<", text)


# ---------------------------------------------------------------- text


def test_tsv_export_is_tab_separated_like_a_spreadsheet():
    report = generate(6)
    lines = render_text(report, style="tsv").decode("utf-8").splitlines()
    row = next(line for line in lines if line.startswith("一、本年新收政府信息公开申请数量"))
    cells = row.split("\t")
    assert cells[1:3] == ["", ""] and cells[3:] == [
        report.cells[("requests", "new_received", c)].raw for c in report.request_columns()]
    assert "\t商业企业\t科研机构\t" in "\n".join(lines)
    second = next(line for line in lines if "2.其他法律行政法规禁止公开" in line).split("\t")
    assert second[:3] == ["", "", "2.其他法律行政法规禁止公开"]  # group labels live in their own column
    assert any(line.startswith("三、本年度办理结果\t（一）予以公开") for line in lines)


def test_spaces_export_wraps_long_labels_and_keeps_no_tabs():
    report = generate(6)
    text = render_text(report, style="spaces").decode("utf-8")
    assert "\t" not in text
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "（二）部分公开" in line)
    assert "部分公开（区分处理的，只计这一情形，不计其他情形）" not in lines[at]
    assert re.sub(r"\s", "", lines[at] + lines[at + 1]).count("只计这一情形") == 1
    values = [report.cells[("requests", "partially_granted", c)].raw for c in report.request_columns()]
    assert lines[at].split()[-len(values):] == values
    assert any(line.strip() == "企业  机构" or line.split() == ["企业", "机构"] for line in lines)


def test_fused_export_runs_cells_together():
    report = generate(6)
    text = render_text(report, style="fused").decode("utf-8")
    body = text.splitlines()[2]
    assert len(text.splitlines()) == 3 and "主动公开政府信息情况" in body
    raws = "".join(report.cells[("requests", "new_received", c)].raw for c in report.request_columns())
    assert re.search("一、本年新收政府信息公开申请数量 ?" + raws + "二、", body)


# ---------------------------------------------------------------- DOCX and DOC


def docx_grid(table) -> list[list]:
    """The table's layout grid; python-docx repeats one cell object over a merge within one build."""
    flat, width = table._cells, len(table.columns)
    return [flat[i:i + width] for i in range(0, len(flat), width)]


def test_docx_has_real_merged_cells():
    report = generate(6)
    document = docx.Document(io.BytesIO(render_docx(report)))
    active, requests, review = document.tables
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == report.title and paragraphs.index("二、主动公开政府信息情况") > 2
    body = document.element.body
    assert body.index(requests._tbl) > body.index(document.paragraphs[paragraphs.index(
        "三、收到和处理政府信息公开申请情况")]._p)
    req, act, rev = docx_grid(requests), docx_grid(active), docx_grid(review)
    assert all(req[r][0] is req[5][0] for r in range(5, 27)) and req[5][0].text == "三、本年度办理结果"
    assert req[4][0] is not req[5][0] and req[26][0] is not req[27][0]
    assert all(req[r][1] is req[7][1] for r in range(7, 15))  # （三）不予公开 over 8 rows
    assert req[7][1].text == "（三）不予公开" and req[15][1].text == "（四）无法提供"
    assert req[0][3] is req[0][9] and req[0][3].text == "申请人情况"
    assert req[1][4] is req[1][8] and req[1][4].text == "法人或其他组织"
    assert [p.text for p in req[2][4].paragraphs] == ["商业", "企业"]
    assert act[0][0] is act[0][3] and act[0][0].text == "第二十条第（一）项"
    assert rev[0][5] is rev[0][14] and rev[0][5].text == "行政诉讼"
    assert rev[1][0] is rev[2][0]  # 结果维持 over two header rows
    assert [review.cell(3, c).text for c in range(15)] == [
        report.cells[("review_litigation", r, c)].raw for r in ("review", "litigation_direct",
                                                               "litigation_after_review")
        for c in (*tpl.REVIEW_PARTS, "total")]


def test_doc_without_libreoffice_says_so(monkeypatch):
    monkeypatch.setattr(forge_doc, "soffice_path", lambda: None)
    with pytest.raises(forge_doc.SofficeMissing, match="libreoffice"):
        forge_doc.render_doc(generate(1))


@pytest.mark.skipif(forge_doc.soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_doc_is_a_word97_file_with_the_tables():
    data = forge_doc.render_doc(generate(6))
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and sniff_format(data, "r.doc") == "doc"
    for text in ("申请人情况", "三、本年度办理结果", "复议后起诉"):
        assert text.encode("utf-16-le") in data


# ---------------------------------------------------------------- samples


def test_forge_samples_writes_each_format_with_its_truth(tmp_path, monkeypatch):
    monkeypatch.setattr(forge_doc, "soffice_path", lambda: None)  # DOC is tested above; keep this fast
    paths = forge_samples(tmp_path / "samples", seed=2)
    names = {p.name for p in paths}
    assert {"word_utf-8.html", "cms_gbk.html", "word_gbk_undeclared.html", "text_tsv.txt", "text_spaces.txt",
            "text_fused.txt", "report.docx"} <= names
    assert {f"mess_{m}.html" for m in MESSES} <= names
    assert {"legacy_fujian_fused.txt", "legacy_national_html.html", "legacy_national_docx.docx"} <= names
    for path in paths:
        expected = {".html": "html", ".txt": "txt", ".docx": "docx", ".doc": "doc", ".pdf": "pdf"}[path.suffix]
        assert sniff_format(path.read_bytes(), path.name) == expected
        assert (path.parent / f"{path.stem}.truth.csv").stat().st_size > 1000
    assert not list((tmp_path / "samples").glob(".*.tmp"))
