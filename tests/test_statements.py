"""Stated numbers come only from sentences about 政府信息公开 requests (issue 13 item 10), and a
combined phrase is no fact of either of its parts; the same sentence filter serves the legacy
prose figures. The phrasings are the real ones of ../shared/corpus."""

import pytest

from extract.find.statements import about_requests, legacy_statements, stated_numbers

APPROVALS = ("（二）推进行政权力运行信息公开。一是推进行政审批事项公开透明。目前，区县已入驻审批服务部门和单位13个，"
             "开设窗口26个，共受理申请121510件。")
COMBINED = "（二）依申请公开方面。2023年全区接收各类政府信息公开申请共计81件，其中：予以公开及部分公开42件。"


def test_approval_applications_are_not_requests():
    """平潭 2014: 共受理申请121510件 counts 行政审批 applications at the service centre."""
    assert "received" not in stated_numbers(APPROVALS)
    assert "requests.received" not in legacy_statements(APPROVALS)


def test_approvals_handled_are_not_requests_answered():
    """地方税务局 2013: 今年我局共受理审批事项117件，办结171件."""
    text = "四、审批事项及处理情况 今年我局共受理审批事项117件，办结171件，办结率100%。"
    assert stated_numbers(text) == {}
    assert legacy_statements(text) == {}


def test_combined_phrase_is_neither_granted_nor_partially_granted():
    stated = stated_numbers(COMBINED)
    assert stated["received"].value == 81
    assert "granted" not in stated
    legacy = legacy_statements(COMBINED)
    assert "requests.granted" not in legacy and "requests.partially_granted" not in legacy


def test_separate_phrases_map_to_their_own_keys():
    text = "全年共收到政府信息公开申请36件，其中予以公开28件，部分公开3件，不予公开2件。"
    assert stated_numbers(text)["granted"].value == 28
    legacy = legacy_statements(text)
    assert {k: s.value for k, s in legacy.items()} == {
        "requests.received": 36, "requests.granted": 28, "requests.partially_granted": 3, "requests.refused": 2}


def test_a_sentence_in_the_requests_section_needs_no_keyword():
    """平潭 2021: 本年度全区共收到70件申请 stands under （二）依申请公开方面; the next heading ends it."""
    text = ("（二）依申请公开方面。我区高度重视依申请公开工作的办理。本年度全区共收到70件申请，及时依法依规办结69件。"
            "（三）政府信息管理方面。全年共受理申请500件。")
    stated = stated_numbers(text)
    assert stated["received"].value == 70 and stated["handled"].value == 69


def test_documents_withheld_are_not_refused_requests():
    """平潭县 2012: 不予公开信息数1854条 counts documents classified non-public."""
    text = "2012年制作、获取政府信息总数3978条，其中主动公开政府信息2026条，作为依申请公开信息数46条，不予公开信息数1854条。"
    legacy = legacy_statements(text)
    assert "requests.refused" not in legacy
    assert legacy["proactive.items"].value == 2026


@pytest.mark.parametrize("sentence, topic, expected", [
    ("全区收到政府信息公开申请75件", False, True),
    ("开设窗口26个，共受理申请121510件", True, False),
    ("本年度全区共收到70件申请", True, True),
    ("本年度全区共收到70件申请", False, False),
])
def test_about_requests(sentence, topic, expected):
    assert about_requests(sentence, topic)[0] is expected


def test_real_reports_no_longer_misread(corpus):
    text = (corpus / "pingtan_2014.txt").read_text(encoding="utf-8")
    assert "received" not in stated_numbers(text)  # was 121510
    text = (corpus / "pingtan_2023.txt").read_text(encoding="utf-8")
    assert "granted" not in stated_numbers(text)  # was 42 (予以公开及部分公开)
    assert stated_numbers(text)["received"].value == 81
