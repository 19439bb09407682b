import pytest

from extract.find.metadata import level_of, read_metadata


@pytest.mark.parametrize("agency, level", [
    ("淮安市人民政府", "city"), ("江苏省人民政府", "province"), ("上海市人民政府", "province"),
    ("枣庄市台儿庄区涧头集镇人民政府", "township"), ("安平县柳林乡人民政府", "township"),
    ("清河市河东区人民政府", "county"), ("安平县人民政府", "county"), ("清河市河东区望江街道办事处", "township"),
    ("清河市生态环境局", "department"), ("江南省教育厅", "department"), ("江南省人民政府办公厅", "department"),
    ("国家统计局", "central"), ("中华人民共和国生态环境部", "central"), ("", "unknown"),
])
def test_level_from_the_agency_name(agency, level):
    assert level_of(agency) == level


def _region(agency: str) -> tuple:
    meta = read_metadata(f"{agency}2023年政府信息公开工作年度报告\n")
    region = meta.region
    return region.province, region.city, region.county, region.adcode, region.tier


def test_region_from_the_agency_name():
    assert _region("江苏省淮安市淮安区人民政府") == ("江苏省", "淮安市", "淮安区", "320803", "county")
    assert _region("上海市浦东新区人民政府") == ("上海市", "上海市", "浦东新区", "310115", "county")
    assert _region("淮安市人民政府") == ("江苏省", "淮安市", None, "320800", "city")  # the province from the table


def test_title_period_and_signature_date():
    text = ("清河市人民政府2023年政府信息公开工作年度报告\n本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。"
            "\n……\n清河市人民政府\n2024年1月20日")
    meta = read_metadata(text)
    assert (meta.agency, meta.year, str(meta.published), meta.level) == ("清河市人民政府", 2023, "2024-01-20", "city")


def test_year_from_the_statistics_period_when_the_title_has_none():
    meta = read_metadata("政府信息公开工作年度报告\n本报告中所列数据统计期限为2022年1月1日至2022年12月31日。")
    assert meta.year == 2022 and meta.agency is None
