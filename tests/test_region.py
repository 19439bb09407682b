"""Region resolution (`extract.region`) on real division names: chains, tiers, ambiguity and the
evidence that settles it, and the functional zone 平潭综合实验区."""

from __future__ import annotations

import pytest

from extract.region import resolve_region


@pytest.mark.parametrize("agency, expected", [
    # (province, city, county, township, adcode, tier)
    ("淮安市人民政府", ("江苏省", "淮安市", None, None, "320800", "city")),
    ("江苏省淮安市淮安区人民政府", ("江苏省", "淮安市", "淮安区", None, "320803", "county")),
    ("淮安区教育局", ("江苏省", "淮安市", "淮安区", None, "320803", "county")),  # a county's department
    ("福建省人民政府办公厅", ("福建省", None, None, None, "350000", "province")),
    ("北京市人民政府", ("北京市", None, None, None, "110000", "province")),
    ("北京市朝阳区教育委员会", ("北京市", "北京市", "朝阳区", None, "110105", "county")),
    ("重庆市渝中区人民政府", ("重庆市", "重庆市", "渝中区", None, "500103", "county")),
    ("枣庄市台儿庄区涧头集镇人民政府", ("山东省", "枣庄市", "台儿庄区", "涧头集镇", "370405", "township")),
    ("上海市嘉定区嘉定镇街道办事处", ("上海市", "上海市", "嘉定区", "嘉定镇街道", "310114", "township")),
    ("东莞市虎门镇人民政府", ("广东省", "东莞市", None, "虎门镇", "441900", "township")),  # a city with no county
    ("平潭综合实验区管委会", ("福建省", "福州市", "平潭县", None, "350128", "county")),
    ("平潭县人民政府", ("福建省", "福州市", "平潭县", None, "350128", "county")),
    ("玉环县人民政府", ("浙江省", "台州市", "玉环市", None, "331083", "county")),  # 2017 县 → 县级市: today's code
    ("国务院办公厅", (None, None, None, None, None, "central")),
])
def test_region_and_tier_from_the_agency_name(agency, expected):
    region = resolve_region(agency)
    assert (region.province, region.city, region.county, region.township, region.adcode, region.tier) == expected
    assert region.flag is None


def test_a_county_name_two_divisions_share_is_left_null_and_flagged():
    region = resolve_region("朝阳区教育局")
    assert region.adcode is None and region.county == "朝阳区" and region.province is None
    assert region.tier == "county"  # both are counties: the tier is known even if the place is not
    check, message = region.flag
    assert check == "region.ambiguous" and "110105" in message and "220104" in message


@pytest.mark.parametrize("evidence, source", [
    ({"title": "长春市朝阳区教育局2023年政府信息公开工作年度报告"}, "title"),
    ({"text": "联系地址：吉林省长春市朝阳区西安大路1号\n"}, "address"),
    ({"text": "邮编：130012\n"}, "postcode"),
    ({"portal": "长春市朝阳区人民政府"}, "portal"),
])
def test_other_evidence_settles_an_ambiguous_name(evidence, source):
    region = resolve_region("朝阳区教育局", **evidence)
    assert (region.province, region.city, region.county, region.adcode) == ("吉林省", "长春市", "朝阳区", "220104")
    assert region.source == source and region.flag is None


def test_evidence_that_fits_neither_candidate_does_not_decide():
    region = resolve_region("朝阳区教育局", text="地址：江苏省南京市玄武区\n邮编：210000\n")
    assert region.adcode is None and region.flag[0] == "region.ambiguous"


def test_a_township_named_alone_takes_its_county_from_the_address():
    region = resolve_region("涧头集镇人民政府", text="通讯地址：山东省枣庄市台儿庄区涧头集镇政府驻地\n")
    assert (region.county, region.township, region.adcode, region.tier) == ("台儿庄区", "涧头集镇", "370405", "township")
    assert region.source == "address"


def test_a_name_with_no_division_is_unresolved_not_guessed():
    region = resolve_region("江南省清河市人民政府")  # the forge's fictional province
    assert region.adcode is None and region.province is None and region.flag[0] == "region.unresolved"
    assert region.tier == "city"  # the name still says which tier of government it is


def test_department_names_keep_their_words_in_the_remainder():
    region = resolve_region("淮安市住房和城乡建设局")  # 城乡 is no 乡
    assert region.township is None and region.remainder == "住房和城乡建设局" and region.tier == "city"


@pytest.mark.parametrize("agency, adcode, county", [
    ("余江县人民政府", "360603", "余江区"),  # 撤县设区 2018
    ("鹰潭市余江县人民政府", "360603", "余江区"),
    ("北京市密云县人民政府", "110118", "密云区"),  # 2015
    ("三明市沙县人民政府", "350405", "沙县区"),  # 2021: the new name adds 区
    ("龙海市人民政府", "350604", "龙海区"),  # 撤市设区 2021
    ("淮安市淮阴县教育局", "320804", "淮阴区"),  # 2001
])
def test_a_county_under_its_former_suffix_gets_todays_code(agency, adcode, county):
    region = resolve_region(agency)
    assert (region.adcode, region.county, region.tier, region.flag) == (adcode, county, "county", None)


def test_a_county_the_table_lacks_does_not_fall_back_to_its_city():
    region = resolve_region("大同市大同县人民政府")  # 2018: 大同县 became 云州区, a new name
    assert region.adcode is None and region.city == "大同市" and region.tier == "county"
    assert region.flag[0] == "region.unresolved" and "大同县" in region.flag[1]
