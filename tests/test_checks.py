"""The template's arithmetic, on forged reports whose truth is known."""

from dataclasses import replace

import pytest

from extract.check.report import check_report
from extract.forge.model import Mess, generate
from extract.model import CellRead


def _cells(report, method="html"):
    return [CellRead(r.table, r.row, r.column, r.raw, r.kind, r.value, "", None, method)
            for r in report.truth().itertuples()]


def _set(cells, table, row, column, value):
    return [replace(c, value=float(value), raw=str(value), kind="number")
            if (c.table, c.row, c.column) == (table, row, column) else c for c in cells]


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("template", ["2021", "2019"])
def test_a_consistent_report_raises_no_flag(seed, template):
    report = generate(seed, template, Mess(org_subtotal=seed % 2 == 0, blank_zeros=0.3))
    assert check_report(_cells(report), template) == []


def test_each_identity_catches_its_break():
    cells = _cells(generate(3))
    broken = _set(cells, "requests", "granted", "natural_person", 999)
    checks = {f.check for f in check_report(broken, "2021")}
    assert {"requests.row_total", "requests.outcomes_sum"} <= checks
    broken = _set(cells, "review_litigation", "review", "upheld", 77)
    assert {f.check for f in check_report(broken, "2021")} == {"review_litigation.total"}
    broken = _set(cells, "requests", "carried_over", "research", 5)
    assert "requests.balance" in {f.check for f in check_report(broken, "2021")}
    broken = _set(cells, "active_disclosure", "penalty", "decisions", -3)
    assert {f.check for f in check_report(broken, "2021")} == {"values.non_negative"}


def test_a_published_anomaly_is_a_source_fact_with_both_sides():
    report = generate(5, mess=Mess(anomaly=True))
    flags = [f for f in check_report(_cells(report), "2021") if f.check == "requests.balance"]
    assert len(flags) == 1
    flag = flags[0]
    assert flag.origin == "source" and flag.column == "total"
    assert flag.expected != flag.observed and flag.severity == "error"


def test_origin_is_extraction_when_read_by_a_lossy_method():
    cells = _set(_cells(generate(3), method="ocr"), "review_litigation", "review", "upheld", 77)
    assert check_report(cells, "2021")[0].origin == "extraction"


def test_na_and_text_cells_make_an_identity_unverifiable_not_failed():
    cells = _cells(generate(3))
    cells = [replace(c, kind="na", value=None, raw="/") if (c.row, c.column) == ("review", "upheld") else c
             for c in cells]
    assert not [f for f in check_report(cells, "2021") if f.check == "review_litigation.total"]
    cells = [replace(c, kind="text", value=None, raw="详见附表") if (c.row, c.column) == ("review", "other") else c
             for c in cells]
    assert [f.check for f in check_report(cells, "2021")] == ["cell.unparsed"]


def test_one_row_other_handling_in_a_2021_report_is_not_missing_rows():
    report = generate(7, "2021", Mess(other_handling_one_row=True))
    assert check_report(_cells(report), "2021") == []


def test_truncated_table_flags_missing_rows_and_table():
    report = generate(2, mess=Mess(truncate_after="unavailable.not_held"))
    flags = check_report(_cells(report), "2021")
    assert {f.check for f in flags} == {"row.missing", "table.missing"}
    assert {f.row for f in flags if f.check == "row.missing"} >= {"total_handled", "carried_forward"}


def test_a_cell_missing_from_a_row_that_was_read_is_flagged():
    cells = [c for c in _cells(generate(3)) if (c.row, c.column) != ("granted", "research")]
    flags = [f for f in check_report(cells, "2021") if f.check == "cell.missing"]
    assert [(f.table, f.row, f.column) for f in flags] == [("requests", "granted", "research")]


def _blank(cells, table, row, column):
    return [replace(c, value=None, raw="", kind="blank") if (c.table, c.row, c.column) == (table, row, column) else c
            for c in cells]


def test_a_blank_published_total_is_its_own_finding_not_a_made_up_zero():
    report = generate(3)
    cells = _cells(report)
    granted = {c.column: c.value for c in cells if (c.table, c.row) == ("requests", "granted")}
    assert granted["total"] > 0  # the forged row has requests, so its blank total cannot mean 0
    flags = check_report(_blank(cells, "requests", "granted", "total"), "2021")
    blank = [f for f in flags if f.check == "total.blank"]
    assert [(f.severity, f.table, f.row, f.column, f.observed) for f in blank] == [
        ("info", "requests", "granted", "total", None)]
    assert blank[0].expected == granted["total"]
    assert not [f for f in flags if f.check == "requests.row_total" and f.row == "granted"]
    # the column identity over the outcome rows is not failed on a made-up 0 either
    assert not [f for f in flags if f.check == "requests.outcomes_sum" and f.column == "total"]


def test_a_blank_total_over_blank_or_zero_parts_stays_silent():
    report = generate(4, mess=Mess(blank_zeros=1.0))
    cells = _cells(report)
    zero_rows = {c.row for c in cells if c.table == "requests" and c.column == "total" and c.kind == "blank"}
    assert zero_rows  # blank totals whose parts are all zero: the blank is the printed 0
    assert not [f for f in check_report(cells, "2021") if f.check == "total.blank"]


def test_a_parsed_page_with_a_blank_total_flags_total_blank_and_no_failed_identity():
    from extract.forge.html import render_html
    from extract.parse import parse_bytes

    report = generate(3, mess=Mess(blank_total="granted"))
    result = parse_bytes(render_html(report, style="cms"), "t1.html")
    cell = result.cells[(result.cells["row"] == "granted") & (result.cells["column"] == "total")].iloc[0]
    assert cell["kind"] == "blank"
    flags = result.flags
    blank = flags[flags["check"] == "total.blank"]
    assert blank[["severity", "row", "column", "origin"]].values.tolist() == [["info", "granted", "total", "source"]]
    assert blank["observed"].isna().all() and blank["expected"].iloc[0] > 0
    assert not ((flags["check"] == "requests.row_total") & (flags["row"] == "granted")).any()
    assert result.report["flags_error"] == 0
