"""2019-format table 二 flattened into text (issue 12, item 6): the splits no identity decides are
narrowed by the report's prose and by the agency's neighbouring years; what stays open stays
flagged. Forged reports whose truth is exact, parsed and curated into real Parquet datasets."""

from __future__ import annotations

import pandas as pd
import pytest

from extract.store.curate import curate, parse_files
from extract.store.datasets import read_dataset
from extract.find.disambiguate import Constraint, narrow, stated_active
from extract.forge.model import Mess, following_year, generate
from extract.forge.prose import write_prose
from extract.forge.text import render_text
from extract.find.fused import read_fused_text

KEYS = ["table", "row", "column"]


def _keys(issues, check):
    return {(i.table, i.row, i.column) for i in issues if i.check == check}


def _truth_value(report, key):
    return report.value(*key)


def test_the_prose_states_numbers_of_table_two_that_settle_its_splits():
    report = generate(601, "2019", year=2019)
    said = stated_active(" ".join(write_prose(report).sections[0][1]))
    assert said, "the forged overview repeats some numbers of table 二"
    for row, constraints in said.items():
        for c in constraints:
            (column, _), = c.terms
            assert c.value == report.value("active_disclosure", row, column)
    text = render_text(report, style="fused").decode()
    alone = read_fused_text(text.replace("在主动公开方面", "在主动公开方面。").split("在主动公开方面")[0]
                            + text.split("相关信息均已在门户网站公开。", 1)[1])
    settled = read_fused_text(text)
    before, after = _keys(alone.issues, "cell.ambiguous"), _keys(settled.issues, "cell.ambiguous")
    decided = _keys(settled.issues, "cell.settled")
    assert decided and decided <= before and not decided & after and after < before
    got = {(c.table, c.row, c.column): c.value for c in settled.cells}
    assert all(got[k] == _truth_value(report, k) for k in decided)


def test_comparisons_are_not_statements():
    assert stated_active("作出行政许可决定12件，同比增长3件；行政处罚决定较上年减少5件") == {
        "licensing": [Constraint((("decisions", 1),), 12.0, "the report's text (行政许可决定12件)")]}


def test_a_constraint_no_split_meets_settles_nothing():
    splits = [((1, 23), ("1", "23")), ((12, 3), ("12", "3"))]
    assert narrow(("a", "b"), splits, [Constraint((("a", 1),), 99, "x")]) == splits
    assert narrow(("a", "b"), splits, [Constraint((("a", 1),), 12, "x")]) == splits[1:]


def _pair(seed):
    first = generate(seed, "2019", Mess(), year=2019)
    return first, following_year(first, seed + 1000)


def _write(tmp_path, reports):
    paths = []
    for report in reports:
        path = tmp_path / f"{report.year}_{report.seed}.txt"
        # the overview's restated numbers removed: only the other year can settle the splits
        text = render_text(report, style="fused").decode()
        if "在主动公开方面" in text:
            head, tail = text.split("在主动公开方面", 1)
            text = head + tail.split("相关信息均已在门户网站公开。", 1)[1]
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _read(out):
    cells, flags, reports = (read_dataset(out, name) for name in ("cells", "flags", "reports"))
    return cells, flags, reports


def _open(flags, report_id, check="cell.ambiguous"):
    mine = flags[(flags["report_id"] == report_id) & (flags["check"] == check)]
    return set(zip(mine["table"], mine["row"], mine["column"]))


def _check_against_truth(cells, report, report_id, flags):
    truth = report.truth().set_index(KEYS)
    mine = cells[(cells["report_id"] == report_id) & (cells["table"] == "active_disclosure")].set_index(KEYS)
    unsure = _open(flags, report_id)
    wrong = [k for k in mine.index if k not in unsure and not (
        (pd.isna(mine.loc[k, "value"]) and pd.isna(truth.loc[k, "value"])) or mine.loc[k, "value"] == truth.loc[k, "value"])]
    assert wrong == []  # a settled cell is right; an unsettled one is still flagged


@pytest.mark.parametrize("seed", [603, 615, 624, 633])
def test_the_neighbouring_year_in_the_same_run_settles_items_last_year(tmp_path, seed):
    first, second = _pair(seed)
    paths = _write(tmp_path, [first, second])
    single = tmp_path / "single"
    for path in paths:
        curate(parse_files([path]), tmp_path / f"alone-{path.stem}")
    alone = {p.stem: _read(tmp_path / f"alone-{p.stem}")[1] for p in paths}
    curate(parse_files(paths), single)
    cells, flags, reports = _read(single)
    ids = dict(zip(reports["year"], reports["report_id"]))
    before = sum(len(_open(alone[p.stem], ids[r.year])) for p, r in zip(paths, (first, second)))
    after = sum(len(_open(flags, ids[r.year])) for r in (first, second))
    settled = set().union(*(_open(flags, ids[r.year], "cell.settled") for r in (first, second)))
    assert after < before and settled
    assert {k[2] for k in settled} <= {"items_last_year", "items_change", "decisions"}
    for report in (first, second):
        _check_against_truth(cells, report, ids[report.year], flags)


def test_an_already_curated_year_settles_the_next_run(tmp_path):
    first, second = _pair(611)
    p1, p2 = _write(tmp_path, [first, second])
    out = tmp_path / "curated"
    curate(parse_files([p1]), out)
    curate(parse_files([p2]), tmp_path / "alone")
    _, alone_flags, alone_reports = _read(tmp_path / "alone")
    curate(parse_files([p2]), out)
    cells, flags, reports = _read(out)
    second_id = reports.loc[reports["year"] == second.year, "report_id"].iloc[0]
    assert len(_open(flags, second_id)) < len(_open(alone_flags, second_id))
    assert _open(flags, second_id, "cell.settled")
    _check_against_truth(cells, second, second_id, flags)


def test_a_batch_staged_earlier_in_the_run_settles_the_next_as_a_curated_one_would(tmp_path):
    """`ogi parse` commits only now and then: the year in a batch staged before (not committed yet)
    settles the next batch's report exactly as the same year already curated does."""
    first, second = _pair(611)
    paths = _write(tmp_path, [first, second])
    curate(parse_files(paths[:1]), tmp_path / "curated-first")
    curate(parse_files(paths[1:]), tmp_path / "curated-first")
    curate(parse_files(paths), tmp_path / "staged", batch=1)  # one report per batch, one commit at the end
    (_, by_curated, reports), (_, by_staged, _) = _read(tmp_path / "curated-first"), _read(tmp_path / "staged")
    second_id = reports.loc[reports["year"] == second.year, "report_id"].iloc[0]
    assert _open(by_staged, second_id, "cell.settled")
    for check in ("cell.ambiguous", "cell.settled"):
        assert _open(by_staged, second_id, check) == _open(by_curated, second_id, check)
