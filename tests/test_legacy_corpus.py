"""The real pre-2019 reports (../shared/corpus/pingtan_2011–2017, pingtan-xian_2011–2013,
pingtan-dishuiju_2013): every statistics-table cell read as a person reads it on the page, the
fused ones included; the report with no table gives its prose figures and nothing invented.

The values below were read by hand from the exported page text (`指标名称 计量单位 2013年度 历年累计`,
then label, unit, 本年度, 历年累计 per row).
"""

import pytest

from extract.parse import parse_path

# file → {(row, column): value}; a (row, column) mapped to None must be absent
HAND_READ = {
    "pingtan_2011": {("proactive.items", "this_year"): 425, ("proactive.items", "cumulative"): 1516,
                     ("proactive.website", "this_year"): 418, ("proactive.website", "cumulative"): 1509,
                     ("proactive.gazette", "cumulative"): 7, ("requests.received", "this_year"): 0,
                     ("requests.other_channel", "cumulative"): 0, ("requests.refused", "this_year"): 0,
                     ("complaints", "cumulative"): 0},
    "pingtan_2012": {("proactive.items", "this_year"): 739, ("proactive.items", "cumulative"): 4359,
                     ("proactive.website", "cumulative"): 4359, ("requests.answered", "this_year"): 0,
                     ("review.total", "cumulative"): 0, ("complaints", "this_year"): 0},
    "pingtan_2013": {("proactive.items", "this_year"): 72804, ("proactive.items", "cumulative"): 76424,
                     ("proactive.gazette", "this_year"): 0, ("proactive.gazette", "cumulative"): None,
                     ("requests.received", "cumulative"): 0},
    "pingtan_2014": {("proactive.items", "this_year"): 2543, ("proactive.items", "cumulative"): 78967,
                     ("requests.received", "this_year"): 1, ("requests.letter_or_fax", "this_year"): 1,
                     ("requests.letter_or_fax", "cumulative"): 1, ("requests.granted", "cumulative"): 1,
                     ("requests.other_answers", "this_year"): 0, ("fees_10k_yuan", "this_year"): 0,
                     ("complaints", "this_year"): 0, ("litigation.total", "this_year"): 0},
    "pingtan_2015": {("proactive.items", "this_year"): 2949, ("proactive.items", "cumulative"): 81916,
                     ("requests.received", "this_year"): 0, ("requests.received", "cumulative"): 1,
                     ("requests.letter_or_fax", "cumulative"): 1, ("requests.answered", "cumulative"): 1,
                     ("requests.granted", "cumulative"): 1, ("requests.refused", "cumulative"): 0},
    "pingtan_2017": {("proactive.items", "this_year"): 2122, ("proactive.items", "cumulative"): 10037,
                     ("proactive.gazette", "this_year"): 0, ("requests.received", "cumulative"): 0,
                     ("complaints", "cumulative"): 0},
    "pingtan-xian_2011": {("proactive.items", "this_year"): 425, ("proactive.items", "cumulative"): 1516,
                          ("proactive.website", "this_year"): 418, ("proactive.website", "cumulative"): 1509,
                          ("proactive.gazette", "this_year"): 7, ("proactive.gazette", "cumulative"): 7},
    "pingtan-xian_2012": {("proactive.items", "this_year"): 2026, ("proactive.items", "cumulative"): 3542,
                          ("proactive.website", "this_year"): 1795, ("proactive.website", "cumulative"): 3304,
                          ("proactive.gazette", "this_year"): 0, ("proactive.gazette", "cumulative"): 7,
                          ("requests.received", "this_year"): 21, ("requests.in_person", "this_year"): 18,
                          ("requests.email", "cumulative"): 3, ("requests.answered", "this_year"): 21,
                          ("requests.granted", "this_year"): 17, ("requests.partially_granted", "cumulative"): 2,
                          ("requests.refused", "this_year"): 2},
    "pingtan-xian_2013": {("proactive.items", "this_year"): 1853, ("proactive.items", "cumulative"): 5395,
                          ("proactive.website", "this_year"): 1713, ("proactive.website", "cumulative"): 5017,
                          ("requests.received", "this_year"): 7, ("requests.received", "cumulative"): 28,
                          ("requests.in_person", "this_year"): 0, ("requests.in_person", "cumulative"): 18,
                          ("requests.email", "this_year"): 3, ("requests.email", "cumulative"): 6,
                          ("requests.online", "cumulative"): 4, ("requests.answered", "this_year"): 3,
                          ("requests.answered", "cumulative"): 24, ("requests.granted", "cumulative"): 19,
                          ("requests.partially_granted", "this_year"): 1, ("requests.refused", "cumulative"): 2},
}
#: every figure the page prints: rows × (本年度, 历年累计); 平潭 2013 prints no 历年累计 for 政府公报公开
PRINTED = {"pingtan_2011": 34, "pingtan_2012": 32, "pingtan_2013": 31, "pingtan_2014": 32, "pingtan_2015": 32,
           "pingtan_2017": 30, "pingtan-xian_2011": 34, "pingtan-xian_2012": 34, "pingtan-xian_2013": 34}
#: exports whose table lost every separator between the figures
FUSED = {"pingtan_2015", "pingtan_2017", "pingtan-xian_2011", "pingtan-xian_2012", "pingtan-xian_2013"}


def _cells(result) -> dict:
    return {(r, c): v for r, c, v in zip(result.cells["row"], result.cells["column"], result.cells["value"])}


@pytest.mark.parametrize("name", sorted(HAND_READ))
def test_legacy_table_cells_as_read_by_hand(corpus, name):
    result = parse_path(corpus / f"{name}.txt")
    assert result.report["template"] == "legacy" and result.status == "ok"
    assert set(result.cells["table"]) == {"legacy"}
    cells = _cells(result)
    assert len(cells) == PRINTED[name]
    for key, value in HAND_READ[name].items():
        if value is None:
            assert key not in cells, key
        else:
            assert cells.get(key) == value, (key, cells.get(key))
    methods = set(result.cells["method"])
    assert methods == ({"text-fused"} if name in FUSED else {"text"})
    assert not any(r.startswith("extra.") for r, _ in cells), "every printed indicator is a template row"


@pytest.mark.parametrize("name", sorted(HAND_READ))
def test_legacy_corpus_keeps_its_sums(corpus, name):
    """The published tables add up: no legacy.* check fires, and no cumulative is below its year."""
    flags = parse_path(corpus / f"{name}.txt").flags
    assert not flags["check"].str.startswith("legacy.").any(), flags.to_string()


def test_a_fused_row_no_sum_decides_is_flagged_not_silent(corpus):
    """平潭县 2013's table alone (its prose cut off): '18535395' (主动公开信息数) reads 1853|5395 but
    also 185|35395 …: chosen by the rule, flagged; the 受理 row '728' has one reading (7|28)."""
    from extract.find.legacy import read_legacy_text

    text = (corpus / "pingtan-xian_2013.txt").read_text(encoding="utf-8")
    table = text[text.index("附件1："):]
    found = read_legacy_text(table)
    cells = {(c.row, c.column): c.value for c in found.cells}
    assert cells[("proactive.items", "this_year")] == 1853 and cells[("requests.received", "cumulative")] == 28
    ambiguous = [i for i in found.issues if i.check == "cell.ambiguous"]
    assert {i.row for i in ambiguous} == {"proactive.items", "proactive.website"}
    assert "185 | 35395" in ambiguous[0].message


def test_sums_and_prose_settle_fused_rows(corpus):
    """平潭县 2011: 主动公开 ≥ 网站 + 公报 leaves one reading of every row; 2012/2013 and 平潭 2015/2017:
    the prose's 主动公开政府信息N条 settles the 主动公开 row, and then the sum settles 网站公开."""
    for name in sorted(FUSED):
        flags = parse_path(corpus / f"{name}.txt").flags
        assert not (flags["check"] == "cell.ambiguous").any(), (name, flags.to_string())


def test_report_without_a_table_gives_its_prose_figures_only(corpus):
    """地方税务局 2013: no statistics table. Its text says 新增主动公开政府信息45条, 未收到政府信息公开申请,
    行政复议0件; it also says 受理审批事项117件, 办结171件 (approvals, not requests) and 兼职人员1人
    (not a prose key). Only the three figures, as prose."""
    result = parse_path(corpus / "pingtan-dishuiju_2013.txt")
    assert result.report["template"] == "legacy" and result.status == "partial"
    assert _cells(result) == {("proactive.items", "this_year"): 45, ("requests.received", "this_year"): 0,
                              ("review.total", "this_year"): 0}
    assert set(result.cells["method"]) == {"prose"}
    assert result.report["stated_handled"] is None  # 办结171件 are approvals


def test_money_in_yuan_becomes_10k_yuan():
    from extract.find.legacy import read_legacy_text

    text = ("统计表 指标名称 计量单位 2016年度 历年累计 主动公开文件数 条 12 40 受理依申请公开信息总数 条 3 9 "
            "对申请的答复总数 条 3 9 政府信息公开收费减免金额 元 2500 12000")
    cells = {(c.row, c.column): c for c in read_legacy_text(text).cells}
    assert cells[("fees_10k_yuan", "this_year")].value == 0.25
    assert cells[("fees_10k_yuan", "cumulative")].value == 1.2
    assert cells[("fees_10k_yuan", "this_year")].raw == "2500"  # printed as it was
    assert "元" in cells[("fees_10k_yuan", "this_year")].label
