"""The forge's national population: as many distinct agencies as a national run has, with real
places the region resolver finds, and reports that keep their agency from year to year."""

from __future__ import annotations

import pytest

from extract.forge.model import following_year, generate
from extract.forge.population import BODIES, national_agency, population_size
from extract.region import resolve_region


def test_every_agency_of_the_population_is_a_different_one():
    names = [national_agency(i)[0] for i in range(population_size())]
    assert len(set(names)) == len(names) > 30_000
    assert national_agency(population_size()) == national_agency(0)


@pytest.mark.parametrize("index, agency, level, province, city, county", [
    (0, "北京市东城区人民政府", "county", "北京市", "北京市", "东城区"),
    (3, "北京市东城区教育局", "department", "北京市", "北京市", "东城区"),
    (None, "河南省济源市人民政府", "county", "河南省", None, "济源市"),  # no city above it
])
def test_agencies_are_named_as_their_reports_print_them(index, agency, level, province, city, county):
    if index is None:
        index = next(i for i in range(0, population_size(), len(BODIES)) if national_agency(i)[4] == county)
    assert national_agency(index) == (agency, level, province, city, county)


@pytest.mark.parametrize("index", range(7, population_size(), 997))
def test_the_region_resolver_finds_each_agency_in_its_county(index):
    agency, _, province, _, county = national_agency(index)
    region = resolve_region(agency)
    assert (region.province, region.county, region.tier) == (province, county, "county"), agency
    assert region.flag is None


def test_a_forged_report_of_a_national_agency_keeps_it_the_next_year():
    agency = national_agency(12_345)
    report = generate(7, "2021", year=2022, agency=agency)
    later = following_year(report, 8)
    assert report.publisher == later.publisher == agency
    assert later.title == f"{agency[0]}2023年政府信息公开工作年度报告"
