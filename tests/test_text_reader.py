"""Text exports: tab-separated and space-separated, with labels broken over lines."""

from extract.parse import parse_bytes
from extract.read.text import read_text

TSV = """某某县人民政府2023年政府信息公开工作年度报告

二、主动公开政府信息情况
第二十条第（一）项\t\t\t
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t1\t\t3
行政规范性文件\t4\t/\t6
第二十条第（八）项\t\t\t
信息内容\t本年收费金额（单位：万元）\t\t

行政事业性收费

12.5
三、收到和处理政府信息公开申请情况
"""

SPACED = """某某县人民政府2023年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） 申请人情况
自然人 法人或其他组织 总计
商业企业 科研机构 社会公益组织 法律服务机构 其他
一、本年新收政府信息公开申请 10 2 0 0 0 1 13
数量
（二）部分公开（区分处理的，
只计这一情形，不计其他情形） 3 0 0 0 0 0 3
5.要求行政机关确认或重新出 1 0 0 0 0 0 1
具已获取信息
二、上年结转政府信息公开申请数量 1 0 0 0 0 0
五、存在的主要问题及改进情况
"""


def _cells(text: str):
    cells = parse_bytes(text.encode("utf-8"), "r.txt").cells
    return {(r.table, r.row, r.column): (r.kind, None if r.value != r.value else r.value, r.raw)
            for r in cells.itertuples()}


def test_tab_separated_blank_na_and_broken_rows():
    cells = _cells(TSV)
    assert cells[("active_disclosure", "regulations", "issued")] == ("number", 1.0, "1")
    assert cells[("active_disclosure", "regulations", "repealed")] == ("blank", None, "")
    assert cells[("active_disclosure", "normative_documents", "repealed")] == ("na", None, "/")
    assert cells[("active_disclosure", "fees", "amount_10k_yuan")] == ("number", 12.5, "12.5")


def test_space_separated_joins_wrapped_labels():
    cells = _cells(SPACED)
    assert cells[("requests", "new_received", "other_org")][1] == 1.0
    assert cells[("requests", "new_received", "total")][1] == 13.0
    assert cells[("requests", "partially_granted", "natural_person")][1] == 3.0
    assert cells[("requests", "not_processed.confirm_existing", "total")][1] == 1.0


def test_space_separated_row_with_a_missing_token_is_flagged_not_shifted():
    result = parse_bytes(SPACED.encode("utf-8"), "r.txt")
    assert not (result.cells["row"] == "carried_over").any()
    assert "row.unaligned" in set(result.flags["check"])


def test_gbk_text_is_decoded():
    doc = read_text(TSV.encode("gb18030"))
    assert doc.title.startswith("某某县人民政府")


def test_a_fully_blank_short_labelled_row_is_not_glued_to_the_next_one():
    """Space-padded text of a 2019 report whose 规章 row is all blank (forge seed 219, blank zeros):
    the lone ``规章`` is a whole row, not the first half of ``规范性文件``'s wrapped label."""
    from extract.forge.model import MESSES, generate
    from extract.forge.text import render_text

    report = generate(219, "2019", MESSES["blank_zeros"])
    text = render_text(report, style="spaces").decode("utf-8")
    assert "\n规章\n" in text  # the shape: a short label alone on its line, the next row's label after it
    result = parse_bytes(text.encode("utf-8"), "report.txt")
    cells = {(r.table, r.row, r.column): r.kind for r in result.cells.itertuples()}
    for column in ("newly_made", "newly_published", "total_published"):
        assert cells[("active_disclosure", "regulations", column)] == "blank"
    assert "row.missing" not in set(result.flags["check"])
