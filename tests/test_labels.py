import pytest

from extract import template as tpl
from extract.template.labels import match, normalise, split_parts
from extract.template.printed import UNION, match_row, path_to_column

REQUEST_ROWS = UNION["requests"].rows


@pytest.mark.parametrize("printed, norm", [
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    ("(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)", "部分公开"),
    ("3.危及“三安全一稳定”", "危及三安全一稳定"),
    ("⑴属于国家秘密", "属于国家秘密"), ("①属于国家秘密", "属于国家秘密"), ("1、属于国家秘密", "属于国家秘密"),
    ("（1）属于国家秘密", "属于国家秘密"), ("1．属于国家秘密", "属于国家秘密"),
    ("规章（设区的市、自治州人民政府应提供相关数据）", "规章"),
    ("本年收费金额（单位：万元）", "本年收费金额"), ("本年收费金额〔单位：万元〕", "本年收费金额"),
    ("一、本年新收政府信息\n公开申请数量", "本年新收政府信息公开申请数量"),
    ("商业\n企业", "商业企业"), ("科 研 机 构", "科研机构"), ("四、结转下年度继续办理", "结转下年度继续办理"),
])
def test_normalise_folds_printed_variants(printed, norm):
    assert normalise(printed) == norm


@pytest.mark.parametrize("printed, key", [
    ("2.其他法律行政止公开", "withheld.prohibited_by_law"),  # 洪泽区's typo
    ("（一）予以公开", "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ("5.要求行政机关确认或重新出\n具已获取信息", "not_processed.confirm_existing"),
    ("（七）总计", "total_handled"),
    ("四、结转下年度继续办理", "carried_forward"),
    ("1.本机关不掌握相关政府信息", "unavailable.not_held"),
])
def test_rows_match_despite_typos_and_wrapping(printed, key):
    assert match_row(printed, "requests", None).key == key


def test_near_pairs_are_never_confused():
    assert match_row("予以公开", "requests", None).key == "granted"
    assert match_row("部分公开", "requests", None).key == "partially_granted"
    # 其他 is only 其他处理's third item inside that group; alone it is nothing
    assert match_row("3.其他", "requests", "其他处理").key == "other_handling.other"
    assert match_row("3.其他", "requests", None) is None
    assert match_row("（六）其他处理", "requests", None).key == "other_handling"
    # 总计: a row of table 三, a column of tables 三 and 四
    assert match_row("（七）总计", "requests", None).key == "total_handled"
    assert path_to_column(["总计"], "requests").column == "total"
    assert path_to_column(["行政诉讼", "复议后起诉", "总计"], "review_litigation").row == "litigation_after_review"
    # the group heading 法人或其他组织 is not the 小计 column
    assert path_to_column(["法人或其他组织"], "requests") is None
    assert path_to_column(["法人或其他组织小计"], "requests").column == "org_subtotal"


def test_the_two_decision_blocks_share_a_column_and_differ_by_row():
    active = UNION["active_disclosure"]
    assert path_to_column(["第二十条第（五）项", "本年处理决定数量"], "active_disclosure").column == "decisions"
    assert match("行政许可", active.rows).key == "licensing"
    assert match("行政处罚", active.rows).key == "penalty"


@pytest.mark.parametrize("label", ["政府信息公开", "办理结果", "申请", "不予", "其他情形", ""])
def test_unsure_labels_map_to_nothing(label):
    assert match_row(label, "requests", None) is None


def test_split_parts_separates_group_and_item():
    assert split_parts("（三）不予公开 1.属于国家秘密") == ["（三）不予公开", "1.属于国家秘密"]
    assert split_parts("三、本年度办理结果（一）予以公开") == ["三、本年度办理结果", "（一）予以公开"]
    assert split_parts("2.其他法律行政法规禁止公开") == ["2.其他法律行政法规禁止公开"]


def test_every_template_label_matches_its_own_row():
    for template in (tpl.TEMPLATE_2021, tpl.TEMPLATE_2019):
        for table in template.tables.values():
            for row in table.rows:
                group = normalise(row.group) if row.group else None
                for label in row.labels:
                    assert match_row(label, table.key, group).key == row.key, (table.key, label)
