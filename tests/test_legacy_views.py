"""The `legacy` view (one row per pre-2019 report) and the `series` view that puts both eras in one
query, on forged reports whose every number is known; the README's 2008–2025 query runs."""

from __future__ import annotations

import re

import pytest

from extract.store.curate import curate
from extract.forge import generate, render_html
from extract.forge.legacy import generate_legacy, render_legacy
from extract.parse import parse_bytes
from extract.research import views

from conftest import REPO


@pytest.fixture(scope="module")
def eras(tmp_path_factory):
    root = tmp_path_factory.mktemp("curated")
    legacy = [generate_legacy(seed, family, year=year)
              for seed, family, year in ((1, "fujian", 2012), (2, "fujian", 2012), (3, "national", 2016))]
    current = [generate(seed, template, year=year) for seed, template, year in ((7, "2021", 2022), (8, "2019", 2020))]
    results = [parse_bytes(render_legacy(r, "fused" if i % 2 else "html"), f"l{i}.html" if i % 2 == 0 else f"l{i}.txt")
               for i, r in enumerate(legacy)]
    results += [parse_bytes(render_html(r, style="cms"), f"c{i}.html") for i, r in enumerate(current)]
    curate(results, root)
    return root, legacy, current


def _legacy_value(report, row: str) -> float:
    truth = report.truth()
    return truth[(truth["row"] == row) & (truth["column"] == "this_year")]["value"].item()


def test_legacy_view_has_one_row_per_report_and_an_indicator_per_column(eras):
    root, legacy, _ = eras
    view = views.connect(root).sql("select * from legacy order by year, report_id").df()
    assert len(view) == len(legacy) and set(view["template"]) == {"legacy"}
    assert set(views.LEGACY_COLUMNS.values()) <= set(view.columns)
    by_received = sorted(view["requests_received"])
    assert by_received == sorted(_legacy_value(r, "requests.received") for r in legacy)


def test_readme_series_query_spans_both_eras(eras):
    root, legacy, current = eras
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```sql\n(.*?)```", readme, re.S) if "from series" in b)
    result = views.connect(root).sql(block).df().set_index("year")
    assert list(result.index) == [2012, 2016, 2020, 2022]
    assert result.loc[2012, "requests_received"] == sum(_legacy_value(r, "requests.received") for r in legacy[:2])
    assert result.loc[2016, "reviews"] == _legacy_value(legacy[2], "review.total")
    assert result.loc[2016, "lawsuits"] == _legacy_value(legacy[2], "litigation.total")
    new = current[0]
    assert result.loc[2022, "requests_received"] == new.value("requests", "new_received", "total")
    assert result.loc[2022, "requests_granted"] == new.value("requests", "granted", "total")
    lawsuits = sum(new.value("review_litigation", r, "total") or 0 for r in ("litigation_direct",
                                                                             "litigation_after_review"))
    assert result.loc[2022, "lawsuits"] == lawsuits
    assert block.strip() == views.REQUESTS_RECEIVED_BY_YEAR


def test_crosswalk_names_only_keys_of_the_templates():
    from extract import template as tpl

    legacy_rows = set(tpl.LEGACY.row_keys)
    for walk in views.CROSSWALK:
        assert walk.legacy in legacy_rows
        for table, row, column in walk.current:
            assert row in tpl.TEMPLATE_2021[table].row_keys and walk.change


def test_a_corrected_legacy_cell_reaches_the_views(eras, tmp_path):
    from extract.store.corrections import apply_corrections

    root, legacy, _ = eras
    con = views.connect(root)
    report_id, before = con.sql("select report_id, requests_received from legacy where year = 2016").fetchall()[0]
    corrections = tmp_path / "c.csv"
    corrections.write_text("report_id,agency,year,table,row,column,value,reason,who,date\n"
                           f"{report_id},,,legacy,requests.received,this_year,{before + 50:g},test,me,2026-01-01\n",
                           encoding="utf-8")
    try:
        apply_corrections(root, corrections)
        con = views.connect(root)
        assert con.sql("select requests_received from legacy where year = 2016").fetchall()[0][0] == before + 50
        assert con.sql("select requests_received from series where year = 2016").fetchall()[0][0] == before + 50
    finally:
        corrections.write_text("report_id,agency,year,table,row,column,value,reason,who,date\n", encoding="utf-8")
        apply_corrections(root, corrections)
