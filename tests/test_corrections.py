"""Corrections round-trip: applied, visible beside the published value, reverted; `cells` untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.store.curate import curate
from extract.store.datasets import read_dataset
from extract.forge import generate, render_html
from extract.parse import parse_bytes
from extract.store.corrections import (
    CORRECTIONS_FILE, apply_corrections, corrected_cells_sql, problem_of, read_corrected_cells,
    read_corrections, read_corrections_dataset,
)

from conftest import REPO

HEADER = "report_id,agency,year,table,row,column,value,reason,who,date"


@pytest.fixture
def curated(tmp_path):
    """Two forged reports of one agency (2022, 2023) curated under tmp_path/curated."""
    reports = [generate(81, "2021", year=2022, agency=1), generate(82, "2021", year=2023, agency=1)]
    results = [parse_bytes(render_html(r, style="cms"), f"{r.year}.html") for r in reports]
    root = tmp_path / "curated"
    curate(results, root)
    ids = {r.year: res.report["report_id"] for r, res in zip(reports, results)}
    return root, {r.year: r for r in reports}, ids


def write_file(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(["# corrections for the test", HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def cell(frame: pd.DataFrame, report_id: str, table: str, row: str, column: str) -> pd.Series:
    found = frame[(frame["report_id"] == report_id) & (frame["table"] == table) & (frame["row"] == row)
                  & (frame["column"] == column)]
    assert len(found) == 1
    return found.iloc[0]


def files_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "cells").rglob("*.parquet"))}


def test_a_correction_round_trips_and_the_published_value_stays(curated, tmp_path):
    root, forged, ids = curated
    published = forged[2023].value("requests", "carried_over", "total")
    before = files_digest(root)
    corrections = write_file(
        tmp_path / "corrections.csv",
        f"{ids[2023]},,,requests,carried_over,total,{published + 5:g},2022 report carries more forward,Li Wei,"
        "2025-03-01")

    applied = apply_corrections(root, corrections)
    assert list(applied["status"]) == ["applied"]
    assert (applied.iloc[0]["value"], applied.iloc[0]["value_corrected"]) == (published, published + 5)
    view = read_corrected_cells(root)
    fixed = cell(view, ids[2023], "requests", "carried_over", "total")
    assert (fixed["value"], fixed["value_corrected"]) == (published, published + 5)  # both, side by side
    assert fixed["raw"] == forged[2023].cell("requests", "carried_over", "total").raw
    assert fixed["correction_reason"] == "2022 report carries more forward"
    others = view.drop(index=fixed.name)
    assert others["correction_reason"].isna().all()
    assert others["value_corrected"].equals(others["value"])
    assert files_digest(root) == before  # the cells dataset is never rewritten

    write_file(corrections)  # the line deleted: apply again
    assert apply_corrections(root, corrections).empty
    reverted = cell(read_corrected_cells(root), ids[2023], "requests", "carried_over", "total")
    assert reverted["value_corrected"] == reverted["value"] == published
    assert pd.isna(reverted["correction_reason"])
    assert read_corrections_dataset(root).empty
    assert files_digest(root) == before


def test_agency_and_year_reach_every_report_of_that_year(curated, tmp_path):
    root, forged, ids = curated
    corrections = write_file(tmp_path / "c.csv", ",江南省清河市人民政府,2022,review_litigation,review,total,,"
                             "\"illegible in the source, 总计 unknown\",Wang Fang,2025-03-02")
    applied = apply_corrections(root, corrections)
    assert list(applied["report_id"]) == [ids[2022]] and list(applied["status"]) == ["applied"]
    unusable = cell(read_corrected_cells(root), ids[2022], "review_litigation", "review", "total")
    assert pd.isna(unusable["value_corrected"]) and unusable["value"] == forged[2022].value(
        "review_litigation", "review", "total")
    assert unusable["correction_reason"] == "illegible in the source, 总计 unknown"


def test_lines_that_cannot_apply_are_listed_with_their_reason(curated, tmp_path):
    root, _, ids = curated
    corrections = write_file(
        tmp_path / "c.csv",
        f"{ids[2023]},,,requests,no_such_row,total,1,typo,Li Wei,2025-03-01",
        f"{'0' * 64},,,requests,granted,total,1,wrong id,Li Wei,2025-03-01",
        f"{ids[2023]},,,requests,granted,org_subtotal,1,no such cell in this report,Li Wei,2025-03-01",
        f"{ids[2023]},,,requests,granted,total,x,not a number,Li Wei,2025-03-01",
        f"{ids[2023]},,,requests,granted,total,10,first try,Li Wei,2025-03-01",
        f"{ids[2023]},,,requests,granted,total,11,second look,Li Wei,2025-03-02",
        ",某某局,2023,requests,granted,total,1,unknown agency,Li Wei,2025-03-01",
    )
    applied = apply_corrections(root, corrections).set_index("line")
    assert applied["status"].to_dict() == {3: "invalid", 4: "no_report", 5: "no_cell", 6: "invalid",
                                           7: "superseded", 8: "applied", 9: "no_report"}
    assert "no_such_row" in applied.loc[3, "message"]
    granted = cell(read_corrected_cells(root), ids[2023], "requests", "granted", "total")
    assert granted["value_corrected"] == 11 and granted["correction_reason"] == "second look"


def test_duckdb_view_matches_the_pandas_view(curated, tmp_path):
    root, forged, ids = curated
    corrections = write_file(tmp_path / "c.csv",
                             f"{ids[2022]},,,requests,granted,natural_person,0,misprint,Li Wei,2025-03-01")
    apply_corrections(root, corrections)
    sql = duckdb.sql(corrected_cells_sql(root)).df()
    keys = ["report_id", "table", "row", "column"]
    merged = sql.merge(read_corrected_cells(root), on=keys, suffixes=("_sql", "_pandas"))
    assert len(merged) == len(read_dataset(root, "cells"))
    same = (merged["value_corrected_sql"] == merged["value_corrected_pandas"]) | (
        merged["value_corrected_sql"].isna() & merged["value_corrected_pandas"].isna())
    assert same.all()
    assert cell(sql, ids[2022], "requests", "granted", "natural_person")["correction_reason"] == "misprint"


def test_the_corrections_dataset_describes_itself(curated, tmp_path):
    root, _, ids = curated
    apply_corrections(root, write_file(tmp_path / "c.csv",
                                       f"{ids[2022]},,,requests,granted,total,1,misprint,Li Wei,2025-03-01"))
    schema = pq.read_schema(root / "corrections" / "part-0.parquet")
    assert schema.metadata[b"ogi.dataset"] == b"corrections"
    assert schema.field("value_corrected").metadata[b"description"]


def test_the_repository_file_parses_and_its_example_is_valid():
    path = REPO / CORRECTIONS_FILE
    assert read_corrections(path).empty  # header only: nothing is corrected yet
    example = next(line for line in path.read_text(encoding="utf-8").splitlines()
                   if line.startswith("# ,") or line.startswith("# 0"))
    fields = next(iter(pd.read_csv(pd.io.common.StringIO(HEADER + "\n" + example[2:]), dtype=str,
                                   keep_default_na=False).to_dict("records")))
    assert problem_of(fields) is None


def test_ogi_correct_applies_the_file_and_names_lines_that_did_not_apply(curated, tmp_path):
    import typer
    from typer.testing import CliRunner

    from extract.research.commands import correct

    root, _, ids = curated
    app = typer.Typer()
    app.command()(correct)
    app.command()(lambda: None)
    corrections = write_file(tmp_path / "c.csv", f"{ids[2022]},,,requests,granted,total,3,misprint,Li Wei,2025-03-01",
                             f"{ids[2022]},,,requests,granted,nobody,3,typo,Li Wei,2025-03-01")
    result = CliRunner().invoke(app, ["correct", "--root", str(root), "--file", str(corrections)])
    assert result.exit_code == 0, result.output
    assert "1 applied" in result.output and "line 4" in result.output and "nobody" in result.output
    assert list(read_corrections_dataset(root)["status"]) == ["applied", "invalid"]
