"""Agency identity (`extract.agencies`): one id across spellings, pairing across years by it, and
the agency and date taken from the page around a report whose body lacks them."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from extract import template as tpl
from extract.agencies import agency_id
from extract.store.curate import curate
from extract.store.datasets import read_agencies, read_dataset
from extract.forge import generate, render_html
from extract.forge.html import Chrome, cms_article_body, cms_page
from extract.forge.model import Printed
from extract.parse import parse_bytes
from extract.check import collection as crossreport
from extract.research import views


@pytest.mark.parametrize("one, other", [
    ("平潭综合实验区", "平潭综合实验区管委会"),
    ("平潭综合实验区管委会", "平潭综合实验区管理委员会"),
    ("福州市鼓楼区人民政府办公室", "福州市鼓楼区政府办"),
    ("福州市鼓楼区人民政府办公室", "福州市鼓楼区人民政府办"),
    ("淮安市人民政府", "江苏省淮安市人民政府"),  # the province named or not
    ("淮安市人民政府", "淮安市 人民政府"),
    ("淮安市住房和城乡建设局", "淮安市住房和城乡建设局"),
    ("淮安市生态环境局", "淮安市生态环境的局"),  # 的 dropped
    ("玉环县人民政府", "玉环市人民政府"),  # 县 → 县级市 in 2017: the same body
    ("枣庄市台儿庄区涧头集镇人民政府", "台儿庄区涧头集镇人民政府"),
])
def test_one_body_has_one_id_across_spellings(one, other):
    assert agency_id(one) == agency_id(other) is not None


@pytest.mark.parametrize("one, other", [
    ("平潭综合实验区管委会", "平潭县人民政府"),  # same area, two bodies (both reported for 2011–2013)
    ("淮安市人民政府", "淮安市人民政府办公室"),
    ("淮安市人民政府", "淮安区人民政府"),
    ("北京市朝阳区人民政府", "长春市朝阳区人民政府"),
    ("淮安市教育局", "淮安市财政局"),
])
def test_different_bodies_have_different_ids(one, other):
    assert agency_id(one) != agency_id(other)


def _html(report) -> bytes:
    return render_html(report, style="cms")


def _chained(before, after):
    """`after` (next year) whose 上年结转 is `before`'s 结转下年度 plus 3 natural persons (so it breaks)."""
    for col in tpl.REQUEST_APPLICANTS:
        over = before.value("requests", "carried_forward", col) + (3 if col == "natural_person" else 0)
        handled = after.value("requests", "total_handled", col)
        forward = max(after.value("requests", "carried_forward", col), over - handled)
        for row, value in (("carried_over", over), ("carried_forward", forward),
                           ("new_received", handled + forward - over)):
            after.cells[("requests", row, col)] = Printed(f"{value:g}", float(value), "number")
    for row in ("new_received", "carried_over", "carried_forward"):
        total = sum(after.value("requests", row, c) for c in tpl.REQUEST_APPLICANTS)
        after.cells[("requests", row, "total")] = Printed(f"{total:g}", float(total), "number")
    return after


def test_carry_cross_year_pairs_the_years_of_one_agency_across_spellings(tmp_path):
    before = replace(generate(11, "2021", year=2022, agency=1), agency="平潭综合实验区")
    after = _chained(before, replace(generate(12, "2021", year=2023, agency=1), agency="平潭综合实验区管理委员会"))
    curate([parse_bytes(_html(r), f"{r.year}.html") for r in (before, after)], tmp_path)
    reports = read_dataset(tmp_path, "reports")
    assert reports["agency_id"].nunique() == 1 and reports["agency"].nunique() == 2
    flags = crossreport.run_cross_checks(tmp_path)
    carry = flags[flags["check"] == "carry.cross_year"]
    assert sorted(carry["column"]) == ["natural_person", "total"] and set(carry["year"]) == {2023}


def test_the_requests_view_and_the_agencies_view_carry_the_id_and_adcode(tmp_path):
    reports = [replace(generate(20 + i, "2021", year=2021 + i, agency=1), agency=name)
               for i, name in enumerate(["平潭综合实验区", "平潭综合实验区管委会", "淮安市人民政府"])]
    curate([parse_bytes(_html(r), f"{i}.html") for i, r in enumerate(reports)], tmp_path)
    wide = views.requests_wide(tmp_path)
    assert set(wide["adcode"]) == {"350128", "320800"} and wide["agency_id"].nunique() == 2
    con = views.connect(tmp_path)
    panel = con.sql("select a.name, count(distinct r.year) as years from requests r join agencies a "
                    "using (agency_id) group by a.name order by a.name").fetchall()
    assert panel == [("平潭综合实验区管委会", 2), ("淮安市人民政府", 1)]  # named as in its latest report
    assert len(read_agencies(tmp_path)) == 2


# ---------------------------------------------------------------- the page around the report

AGENCY = "福州市鼓楼区人民政府"


def _page_without_title_or_signature(meta: str = "", info: str = "") -> bytes:
    """A CMS page whose article body names neither its agency in a title nor a date under it."""
    report = replace(generate(31, "2021", year=2023, agency=1), agency=AGENCY, published=date(2024, 1, 25))
    body = cms_article_body(report).splitlines()[:-2]  # the signature and date lines dropped
    page = cms_page("详细信息", info + "\n".join(body), Chrome(site="政务公开")).decode()
    page = page.replace('<meta name="ArticleTitle" content="详细信息" />', meta)
    return page.encode()


def test_the_cms_meta_tags_give_agency_and_date_when_the_body_lacks_them():
    bare = parse_bytes(_page_without_title_or_signature(), "bare.html").report
    assert bare["agency"] is None and bare["published"] is None  # the body alone does not tell

    meta = (f'<meta name="ArticleTitle" content="{AGENCY}2023年政府信息公开工作年度报告" />'
            '<meta name="PubDate" content="2024-01-25 09:30" /><meta name="ContentSource" content="鼓楼区政府办" />')
    report = parse_bytes(_page_without_title_or_signature(meta), "page.html").report
    assert (report["agency"], report["year"], report["published"]) == (AGENCY, 2023, date(2024, 1, 25))
    assert (report["adcode"], report["tier"], report["county"]) == ("350102", "county", "鼓楼区")


def test_the_index_table_gives_the_publisher_and_date():
    info = ('<table class="xxgk"><tr><td>索引号：</td><td>11350102/2024-00012</td><td>发布机构：</td>'
            f'<td>{AGENCY}</td></tr><tr><td>发布日期：</td><td>2024-01-25</td><td>文号：</td><td></td></tr></table>')
    report = parse_bytes(_page_without_title_or_signature(info=info), "page.html").report
    assert (report["agency"], report["published"], report["adcode"]) == (AGENCY, date(2024, 1, 25), "350102")
    assert re.fullmatch(r"ag-[0-9a-f]{16}", report["agency_id"])


def test_readme_join_by_adcode_runs(tmp_path, monkeypatch):
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "join population" in b)
    names = {"淮安市人民政府": "320800", "平潭综合实验区": "350128"}
    reports = [replace(generate(40 + i, "2021", year=2023, agency=1), agency=name) for i, name in enumerate(names)]
    curate([parse_bytes(_html(r), f"{i}.html") for i, r in enumerate(reports)], tmp_path / "data" / "curated")
    (tmp_path / "population.csv").write_text("adcode,population_10k\n320800,455.3\n350128,39.1\n110105,345.2\n")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)
    got = scope["per_capita"].set_index("adcode")
    assert sorted(got.index) == ["320800", "350128"]  # 110105 published nothing: an inner join drops it
    for report in reports:
        code, received = names[report.agency], report.value("requests", "new_received", "total")
        population = {"320800": 455.3, "350128": 39.1}[code]
        assert got.loc[code, "received"] == received
        assert got.loc[code, "received_per_10k"] == round(received / population, 2)


def test_a_crawled_report_takes_its_region_from_the_portal_when_its_name_is_ambiguous(tmp_path):
    from test_incremental import record_fetches, run_once

    report = replace(generate(51, "2021", year=2023, agency=1), agency="鼓楼区教育局")  # 福州, 南京, 徐州, 开封
    local = parse_bytes(_html(report), "local.html").report
    assert local["adcode"] is None and "鼓楼区" in local["region_note"]  # alone, the name cannot tell

    record_fetches(tmp_path / "raw", {"http://www.gl.gov.cn/ndbg/2023.html": _html(report)},
                   portal="福州市鼓楼区人民政府")
    run_once(tmp_path / "raw", tmp_path / "curated")
    crawled = read_dataset(tmp_path / "curated", "reports").iloc[0]
    assert (crawled["adcode"], crawled["city"], crawled["region_source"]) == ("350102", "福州市", "portal")
    assert pd.isna(crawled["region_note"])
    agencies = read_agencies(tmp_path / "curated")
    assert list(agencies["adcode"]) == ["350102"] and list(agencies["portal"]) == ["www.gl.gov.cn"]
    flags = read_dataset(tmp_path / "curated", "flags")
    assert "region.ambiguous" not in set(flags["check"])


def test_a_crawled_report_without_a_title_takes_agency_and_year_from_the_link_text(tmp_path):
    from test_incremental import record_fetches, run_once

    url = "http://www.gl.gov.cn/ndbg/2023.html"
    record_fetches(tmp_path / "raw", {url: _page_without_title_or_signature()}, portal="www.gl.gov.cn",
                   titles={url: f"{AGENCY}2023年政府信息公开工作年度报告"})
    run_once(tmp_path / "raw", tmp_path / "curated")
    crawled = read_dataset(tmp_path / "curated", "reports").iloc[0]
    assert (crawled["agency"], crawled["year"], crawled["adcode"]) == (AGENCY, 2023, "350102")


def test_a_county_renamed_by_its_suffix_keeps_its_id():
    assert agency_id("北京市密云县人民政府") == agency_id("北京市密云区人民政府") == agency_id("密云区人民政府")


def _report(report_id, year, agency, agency_id, adcode, url):
    return {"report_id": report_id, "year": year, "agency": agency, "agency_id": agency_id, "adcode": adcode,
            "province": "福建省", "city": "福州市", "county": None, "township": None, "tier": "city",
            "level": "city", "source_url": url, "portal": None}


def test_the_agencies_dataset_gives_each_agency_its_latest_spelling_place_portal_and_years():
    from extract.agencies import agencies_frame

    reports = pd.DataFrame([
        _report("r1", 2021, "福州市人民政府", "ag-1", "350100", "http://www.fuzhou.gov.cn/a.pdf"),
        _report("r2", 2023, "福州市政府", "ag-1", None, "http://www.fuzhou.gov.cn/b.pdf"),  # latest: no adcode read
        _report("r3", None, "福州市人民政府", "ag-1", "350100", "https://mirror.example.cn/c.pdf"),
        _report("r4", 2022, "闽侯县人民政府", "ag-2", "350121", "http://b.gov.cn/1"),
        _report("r5", 2023, "闽侯县人民政府", "ag-2", "350121", "http://a.gov.cn/2"),  # a tie: the first host
        _report("r6", 2023, "某某单位", None, None, None),  # no id: no agency row
    ])
    agencies = agencies_frame(reports.sample(frac=1, random_state=3)).set_index("agency_id")
    assert list(agencies.index) == ["ag-1", "ag-2"]
    fuzhou, minhou = agencies.loc["ag-1"], agencies.loc["ag-2"]
    assert (fuzhou["name"], fuzhou["names"]) == ("福州市政府", ["福州市人民政府", "福州市政府"])
    assert fuzhou["adcode"] == "350100"  # the latest report left it null: another year's
    assert fuzhou["portal"] == "www.fuzhou.gov.cn"  # two reports of three
    assert (fuzhou["first_year"], fuzhou["last_year"], fuzhou["reports"]) == (2021, 2023, 3)
    assert (minhou["portal"], minhou["first_year"], minhou["reports"]) == ("a.gov.cn", 2022, 2)
