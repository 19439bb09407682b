"""The wide `requests` view and the DuckDB examples, on forged reports whose every number is known."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from extract import template as tpl
from extract.store.curate import curate
from extract.forge import Mess, generate, render_html
from extract.parse import parse_bytes
from extract.research import views
from extract.store.corrections import apply_corrections

from conftest import REPO

FORGED = [  # (seed, template, mess, year, agency)
    (101, "2021", Mess(), 2022, 0), (102, "2021", Mess(), 2022, 1), (103, "2021", Mess(org_subtotal=True), 2022, 2),
    (104, "2021", Mess(blank_zeros=0.6), 2023, 0), (105, "2021", Mess(), 2023, 1),
    (106, "2019", Mess(), 2020, 1),
]


@pytest.fixture(scope="module")
def forged(tmp_path_factory):
    root = tmp_path_factory.mktemp("curated")
    reports = [generate(seed, template, mess, year=year, agency=agency)
               for seed, template, mess, year, agency in FORGED]
    results = [parse_bytes(render_html(r, style="cms"), f"{i}.html") for i, r in enumerate(reports)]
    curate(results, root)
    return root, {res.report["report_id"]: r for res, r in zip(results, reports)}


def amount(report, row: str, column: str = "total") -> float:
    value = report.value("requests", row, column)
    return value or 0.0  # a blank cell counts as 0 in a sum, as SQL's sum skips nulls


def test_requests_wide_is_table_three_as_printed(forged):
    root, reports = forged
    wide = views.requests_wide(root)
    assert list(wide.columns) == ["report_id", *views.REPORT_COLUMNS, "row", "label", *views.APPLICANT_COLUMNS]
    assert not wide.duplicated(["report_id", "row"]).any()
    for report_id, report in reports.items():
        mine = wide[wide["report_id"] == report_id].set_index("row")
        assert list(mine.index) == report.rows("requests")  # every row, in printed order
        assert (mine["agency"] == report.agency).all() and (mine["year"] == report.year).all()
        assert (mine["level"] == report.level).all()
        for (table, row, column), printed in report.cells.items():
            if table == "requests":
                got = mine.loc[row, column]
                assert (pd.isna(got) and printed.value is None) or got == printed.value, (report_id, row, column)
        if not report.mess.org_subtotal:
            assert mine["org_subtotal"].isna().all()


def test_duckdb_requests_view_matches_the_pandas_one(forged):
    root, _ = forged
    sql = views.connect(root).sql("select * from requests").df()
    wide = views.requests_wide(root)
    merged = wide.merge(sql, on=["report_id", "row"], suffixes=("", "_sql"))
    assert len(merged) == len(wide) == len(sql)
    for column in views.APPLICANT_COLUMNS:
        a, b = merged[column], merged[f"{column}_sql"]
        assert ((a == b) | (a.isna() & b.isna())).all(), column


def expected_by_year(reports) -> pd.DataFrame:
    rows = []
    for report in reports.values():
        rows.append({"year": report.year, "granted": amount(report, "granted"),
                     "partially_granted": amount(report, "partially_granted"),
                     "handled": amount(report, "total_handled"), "not_held": amount(report, "unavailable.not_held")})
    return pd.DataFrame(rows).groupby("year").sum()


def test_grant_rate_by_year(forged):
    root, reports = forged
    result = views.grant_rate_by_year(root).set_index("year")
    expected = expected_by_year(reports)
    assert list(result.index) == [2020, 2022, 2023]
    assert (result["handled"] == expected["handled"]).all()
    assert result["grant_rate"].round(4).tolist() == (expected["granted"] / expected["handled"]).round(4).tolist()
    both = (expected["granted"] + expected["partially_granted"]) / expected["handled"]
    assert result["grant_or_partial_rate"].round(4).tolist() == both.round(4).tolist()


def test_share_of_not_held_among_refusals(forged):
    root, reports = forged
    result = views.not_held_share_by_year(root).set_index("year")
    expected = expected_by_year(reports)
    refused = expected["handled"] - expected["granted"] - expected["partially_granted"]
    assert (result["refused"] == refused).all()
    assert result["not_held_share"].round(4).tolist() == (expected["not_held"] / refused).round(4).tolist()


def test_views_use_the_corrected_values(forged, tmp_path):
    root, reports = forged
    report_id, report = next((i, r) for i, r in reports.items() if r.year == 2023 and not r.mess.blank_zeros)
    before = views.grant_rate_by_year(root).set_index("year").loc[2023, "granted"]
    corrections = tmp_path / "c.csv"
    corrections.write_text("report_id,agency,year,table,row,column,value,reason,who,date\n"
                           f"{report_id},,,requests,granted,total,{amount(report, 'granted') + 100:g},test,me,\n",
                           encoding="utf-8")
    try:
        apply_corrections(root, corrections)
        assert views.grant_rate_by_year(root).set_index("year").loc[2023, "granted"] == before + 100
        wide = views.requests_wide(root).set_index(["report_id", "row"])
        assert wide.loc[(report_id, "granted"), "total"] == amount(report, "granted") + 100
        published = views.requests_wide(root, corrected=False).set_index(["report_id", "row"])
        assert published.loc[(report_id, "granted"), "total"] == amount(report, "granted")
    finally:
        corrections.write_text("report_id,agency,year,table,row,column,value,reason,who,date\n", encoding="utf-8")
        apply_corrections(root, corrections)
    assert views.grant_rate_by_year(root).set_index("year").loc[2023, "granted"] == before


def test_readme_duckdb_examples_run(forged):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```sql\n(.*?)```", readme, re.S) if "from requests" in b]
    if not blocks:
        pytest.skip("README.md has no DuckDB examples over the `requests` view yet (lead: paste them)")
    root, _ = forged
    con = views.connect(root)
    for block in blocks:
        result = con.sql(block).df()
        assert len(result) == 3 and list(result["year"]) == [2020, 2022, 2023]


def test_examples_are_the_ones_documented():
    assert set(views.EXAMPLES.values()) == {views.GRANT_RATE_BY_YEAR, views.NOT_HELD_SHARE_BY_YEAR}
    for sql in views.EXAMPLES.values():
        assert "from requests" in sql and all(
            key in tpl.REQUESTS_2021.row_keys for key in re.findall(r"'([a-z_.]+)'", sql))
