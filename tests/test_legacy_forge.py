"""Forged pre-2019 reports round-trip through parse in every format, both families; the legacy
checks fire on broken sums; a fused split nothing decides is flagged, never silent."""

from dataclasses import replace

import pytest

from extract.forge.legacy import FORMATS, generate_legacy, render_legacy
from extract.forge.model import Printed
from extract.parse import parse_bytes

NAMES = {"html": "r.html", "word-html": "w.htm", "docx": "r.docx", "pdf": "r.pdf", "text": "r.txt", "fused": "r.txt"}


def parse(report, fmt):
    return parse_bytes(render_legacy(report, fmt), NAMES[fmt])


def read_back(result) -> dict:
    cells = result.cells
    return {(r, c): v for r, c, v in zip(cells["row"], cells["column"], cells["value"])}


def truth_of(report) -> dict:
    truth = report.truth()
    return {(r, c): v for r, c, v in zip(truth["row"], truth["column"], truth["value"])}


@pytest.mark.parametrize("family", ["fujian", "national"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", [3, 11])
def test_forged_legacy_round_trips(family, fmt, seed):
    if fmt == "pdf" and seed != 3:
        pytest.skip("one PDF per family keeps the suite fast")
    report = generate_legacy(seed, family, levels=False if fmt == "fused" else None)
    result = parse(report, fmt)
    assert result.report["template"] == "legacy" and result.status == "ok"
    assert read_back(result) == pytest.approx(truth_of(report))
    assert not result.flags["check"].str.startswith("legacy.").any(), result.flags.to_string()


def test_levels_keep_the_first_figure_as_this_year_and_the_others_with_their_header():
    report = generate_legacy(5, "national", levels=True)
    result = parse(report, "html")
    assert read_back(result) == pytest.approx(truth_of(report))
    extra = result.cells[result.cells["column"] == "extra_col.1"]
    assert len(extra) and extra["label"].str.contains("区直单位统计数").all()


def test_section_decides_the_duplicated_labels():
    """被依法纠错数 under 四、行政复议数量 is review.corrected, under 五、行政诉讼数量 litigation.corrected."""
    report = generate_legacy(7, "national", levels=False)
    for row in report.rows:
        if row.key in ("review.total", "review.corrected"):
            row.values["this_year"] = Printed("4", 4.0, "number")
        if row.key in ("litigation.total", "litigation.corrected"):
            row.values["this_year"] = Printed("9", 9.0, "number")
        if row.key in ("review.upheld", "review.other", "litigation.upheld", "litigation.other"):
            row.values["this_year"] = Printed("0", 0.0, "number")
    for fmt in ("html", "fused"):
        cells = read_back(parse(report, fmt))
        assert cells[("review.corrected", "this_year")] == 4 and cells[("litigation.corrected", "this_year")] == 9


def test_report_without_a_table_gives_the_figures_its_prose_states():
    report = generate_legacy(9, "fujian", prose_only=True)
    for fmt in ("html", "fused", "docx"):
        result = parse(report, fmt)
        assert result.report["template"] == "legacy" and result.status == "partial"
        assert read_back(result) == truth_of(report)  # not the 受理审批申请 count beside them
        assert set(result.cells["method"]) == {"prose"}


def _set(report, key, **values):
    for row in report.rows:
        if row.key == key:
            row.values.update({c: Printed(v, float(v), "number") for c, v in values.items()})


def test_a_fused_split_nothing_decides_is_flagged():
    """主动公开 '123456' with 网站/公报 0: 1|23456, 12|3456 and 123|456 all fit; the rule takes
    123|456 (here wrong), and says so."""
    report = generate_legacy(2, "fujian", year=2012)
    _set(report, "proactive.items", this_year="12", cumulative="3456")
    _set(report, "proactive.website", this_year="0", cumulative="0")
    _set(report, "proactive.gazette", this_year="0", cumulative="0")
    report = replace(report, stated={**report.stated, "proactive.items": 0})  # the prose states nothing useful
    result = parse(report, "fused")
    flags = result.flags[(result.flags["check"] == "cell.ambiguous") & (result.flags["row"] == "proactive.items")]
    assert set(flags["column"]) == {"this_year", "cumulative"}
    assert "12 | 3456" in flags["message"].iloc[0]


def test_legacy_sums_are_checked():
    report = generate_legacy(4, "fujian", year=2016)
    received = next(r for r in report.rows if r.key == "requests.received")
    this_year, cumulative = (int(received.values[c].value) for c in ("this_year", "cumulative"))
    _set(report, "requests.received", this_year=str(this_year + 3), cumulative=str(cumulative + 3))
    _set(report, "proactive.gazette", cumulative="0", this_year="5")
    flags = parse(report, "html").flags
    channels = flags[flags["check"] == "legacy.channels"]
    assert list(channels["column"]) == ["cumulative", "this_year"] and set(channels["origin"]) == {"source"}
    assert list(channels["observed"]) == [cumulative + 3, this_year + 3]
    assert list(channels["expected"]) == [cumulative, this_year]
    cumulative = flags[flags["check"] == "legacy.cumulative"]
    assert list(cumulative["row"]) == ["proactive.gazette"] and cumulative["severity"].iloc[0] == "warning"


def test_fused_level_columns_are_flagged_not_guessed_silently():
    """Three figure columns run together (区政府 / 区直单位 / 乡镇街道) have many readings: every
    cell read from such a run carries a cell.ambiguous flag; a long run is left out, not a crash."""
    from extract.find.legacy import read_legacy_text

    text = ("统计指标 单位 区政府统计数 区直单位统计数 乡镇街道统计数 （一）主动公开政府信息数 条 12345 "
            "（一）收到申请数 件 3 4 5 1.当面申请数 件 3 4 5 （三）申请答复数 件 3 4 5 四、行政复议数量 件 "
            + "9" * 200)
    found = read_legacy_text(text)
    flagged = {(i.row, i.column) for i in found.issues if i.check == "cell.ambiguous"}
    assert {("proactive.items", c) for c in ("this_year", "extra_col.1", "extra_col.2")} <= flagged
    cells = {(c.row, c.column): c.value for c in found.cells}
    assert cells[("requests.received", "extra_col.2")] == 5 and ("requests.received", "this_year") not in flagged


def test_a_local_indicator_is_kept_as_extra_with_its_label():
    report = next(r for s in range(100) for r in [generate_legacy(s, "national", levels=False)]
                  if any(row.key == "extra.1" for row in r.rows))
    for fmt in ("html", "fused"):
        result = parse(report, fmt)
        extra = result.cells[result.cells["row"] == "extra.1"]
        assert len(extra) == 1 and "主动公开行政执法信息数" in extra["label"].item()
        assert read_back(result) == pytest.approx(truth_of(report))


def test_a_numbered_national_form_in_text_drops_the_row_numbers():
    """序号 统计指标 单位 统计数, flattened with spaces: '1 （一）主动公开政府信息数 条 346 2 其中：…' —
    the 2 after 346 is the next row's number."""
    from extract.find.legacy import read_legacy_text

    text = ("序号 统计指标 单位 统计数 一、主动公开情况 1 （一）主动公开政府信息数 条 346 2 其中：主动公开规范性文件数 条 12 "
            "3 （一）收到申请数 件 9 4 1.当面申请数 件 5 5 3.网络申请数 件 4 6 （三）申请答复数 件 9 7 四、行政复议数量 件 1 "
            "8 （二）被依法纠错数 件 1")
    cells = {(c.row, c.column): c.value for c in read_legacy_text(text).cells}
    assert cells == {("proactive.items", "this_year"): 346, ("proactive.normative_documents", "this_year"): 12,
                     ("requests.received", "this_year"): 9, ("requests.in_person", "this_year"): 5,
                     ("requests.online", "this_year"): 4, ("requests.answered", "this_year"): 9,
                     ("review.total", "this_year"): 1, ("review.corrected", "this_year"): 1}
