"""legacy.carry: an agency's 历年累计 runs on from one year's report to the next (real 平潭 2014 → 2015:
78967 + 2949 = 81916); where it does not, the later report is flagged."""

import pandas as pd

from extract.forge.legacy import generate_legacy, render_legacy
from extract.forge.model import Printed
from extract.parse import parse_bytes, parse_path
from extract.check import collection as crossreport


def frames(results):
    reports = pd.DataFrame([r.report for r in results])
    cells = pd.concat([r.cells for r in results], ignore_index=True)
    return reports, cells


def _real(corpus, names, agency):
    results = [parse_path(corpus / f"{name}.txt") for name in names]
    reports, cells = frames(results)
    reports["agency"] = agency  # the pages of one body name it differently from year to year
    return crossreport.legacy_carry(reports, cells)


def test_real_fused_totals_run_on_from_year_to_year(corpus):
    """平潭县 2011 → 2012 → 2013, all fused: 1516 + 2026 = 3542, 3542 + 1853 = 5395, 受理 21 + 7 = 28 …
    every split the reader chose continues the year before; 平潭 2014 → 2015 too."""
    assert _real(corpus, ["pingtan-xian_2011", "pingtan-xian_2012", "pingtan-xian_2013"], "平潭县人民政府").empty
    assert _real(corpus, ["pingtan_2014", "pingtan_2015"], "平潭综合实验区").empty


def test_real_restated_total_is_flagged(corpus):
    """平潭 2012 totals 4359 主动公开; 2013 adds 72804 but prints 76424, not 77163: the source's own."""
    flags = _real(corpus, ["pingtan_2012", "pingtan_2013"], "平潭综合实验区")
    assert list(flags["row"]) == ["proactive.items", "proactive.website"]
    assert list(flags["expected"]) == [77163, 77163] and list(flags["observed"]) == [76424, 76424]
    assert set(flags["origin"]) == {"source"}


def test_a_broken_run_is_flagged_on_the_later_report():
    first = generate_legacy(21, "fujian", year=2015, agency=1)
    second = generate_legacy(22, "fujian", year=2016, agency=1, previous=first)
    results = [parse_bytes(render_legacy(r, "html"), f"{r.year}.html") for r in (first, second)]
    assert crossreport.legacy_carry(*frames(results)).empty
    row = next(r for r in second.rows if r.key == "proactive.gazette")
    row.values["cumulative"] = Printed(str(int(row.values["cumulative"].value) + 4),
                                       row.values["cumulative"].value + 4, "number")
    results[1] = parse_bytes(render_legacy(second, "fused"), "2016.txt")
    flags = crossreport.legacy_carry(*frames(results))
    assert list(flags["row"]) == ["proactive.gazette"]
    flag = flags.iloc[0]
    assert flag["report_id"] == results[1].report["report_id"] and flag["observed"] == flag["expected"] + 4
    assert flag["origin"] == "extraction"  # the later figures were read from fused text
