"""Who published each real report in ../shared/corpus: region, adcode and tier read by hand from
the reports (and the 民政部 division table), one agency_id for one body across years and spellings.

平潭综合实验区 is no division of the table: its 管委会 (a 福建省 派出机构) governs the whole of
平潭县, 福州市 (350128), so its reports get 平潭县's place and code, tier `county`, while its id
stays apart from 平潭县人民政府's (both published reports for 2011–2013)."""

from __future__ import annotations

import pandas as pd
import pytest

from extract.store.curate import curate
from extract.store.datasets import read_agencies, read_dataset
from extract.parse import parse_path

PINGTAN = ("福建省", "福州市", "平潭县", None, "350128", "county")
#: file → (agency, province, city, county, township, adcode, tier), read by hand
BY_HAND = {
    "huaian-shi_2024.pdf": ("淮安市人民政府", "江苏省", "淮安市", None, None, "320800", "city"),
    "jiantouji_2024.txt": ("枣庄市台儿庄区涧头集镇人民政府", "山东省", "枣庄市", "台儿庄区", "涧头集镇", "370405", "township"),
    "pingtan-dishuiju_2013.txt": ("平潭综合实验区地方税务局", *PINGTAN),  # a department of the 实验区
    **{f"pingtan-xian_{y}.txt": ("平潭县人民政府", *PINGTAN) for y in (2011, 2012, 2013)},
    **{f"pingtan_{y}.txt": ("平潭综合实验区", *PINGTAN) for y in (2011, 2012, 2013, 2015, 2017, 2021, 2022, 2023)},
    "pingtan_2014.txt": ("平潭综合实验区管委会", *PINGTAN),
}


@pytest.fixture(scope="module")
def curated(corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus-curated")
    curate([parse_path(corpus / name) for name in sorted(BY_HAND)], root)
    reports = read_dataset(root, "reports")
    reports["file"] = reports["source_path"].map(lambda p: p.rsplit("/", 1)[-1])
    return root, reports.set_index("file")


def _none(value):
    return None if pd.isna(value) else value


def test_every_real_report_gets_its_agency_region_adcode_and_tier(curated):
    _, reports = curated
    assert sorted(reports.index) == sorted(BY_HAND)
    got = {f: tuple(_none(reports.loc[f, c]) for c in ("agency", "province", "city", "county", "township", "adcode",
                                                         "tier"))
           for f in BY_HAND}
    assert got == BY_HAND
    assert reports["region_note"].isna().all()


def test_levels_of_one_body_no_longer_differ_by_spelling(curated):
    _, reports = curated
    pingtan = reports[reports.index.str.startswith("pingtan_")]
    assert set(pingtan["level"]) == {"county"}  # 平潭综合实验区 and …管委会 alike: the area's government
    assert reports.loc["pingtan-dishuiju_2013.txt", "level"] == "department"


def test_the_pingtan_years_share_one_agency_id_across_both_spellings(curated):
    _, reports = curated
    pingtan = reports[reports.index.str.startswith("pingtan_")]
    assert len(pingtan) == 9 and pingtan["agency_id"].nunique() == 1
    assert set(pingtan["agency"]) == {"平潭综合实验区", "平潭综合实验区管委会"}
    others = reports[~reports.index.str.startswith("pingtan_")]
    county = reports[reports.index.str.startswith("pingtan-xian")]["agency_id"]
    assert county.nunique() == 1  # 平潭县人民政府 2011–2013: one agency, not the 实验区
    assert not set(others["agency_id"]) & set(pingtan["agency_id"])
    assert others["agency_id"].nunique() == 4  # 淮安市, 涧头集镇, 地方税务局, 平潭县


def test_the_agencies_dataset_has_one_row_per_agency_with_every_spelling(curated):
    root, reports = curated
    agencies = read_agencies(root).set_index("agency_id")
    assert sorted(agencies.index) == sorted(reports["agency_id"].unique())
    pingtan = agencies.loc[reports.loc["pingtan_2014.txt", "agency_id"]]
    assert sorted(pingtan["names"]) == ["平潭综合实验区", "平潭综合实验区管委会"]
    assert pingtan["name"] == "平潭综合实验区"  # the spelling of its latest report (2023)
    assert (pingtan["adcode"], pingtan["tier"], pingtan["county"]) == ("350128", "county", "平潭县")
    assert (pingtan["first_year"], pingtan["last_year"], pingtan["reports"]) == (2011, 2023, 9)
