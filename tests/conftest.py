"""Shared fixtures: where the real corpus lives, and how to compare cells with a truth."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return CORPUS


def read_truth(name: str) -> pd.DataFrame:
    """A corpus truth CSV with `kind` derived as the spec defines it."""
    truth = pd.read_csv(CORPUS / "truth" / f"{name}.csv", dtype=str, keep_default_na=False)
    truth["value"] = pd.to_numeric(truth["value"].replace("", None))
    truth["kind"] = [_kind(v, raw) for v, raw in zip(truth["value"], truth["raw"])]
    return truth


def _kind(value, raw: str) -> str:
    if pd.notna(value):
        return "number"
    return "blank" if raw.strip() == "" else ("na" if raw.strip() in {"/", "-", "—", "无", "不适用", "——"} else "text")


def cell_differences(truth: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Rows where the parsed cells and the truth disagree on presence, value or kind."""
    keys = ["table", "row", "column"]
    merged = truth[keys + ["value", "kind", "raw"]].merge(
        cells[keys + ["value", "kind", "raw"]], on=keys, how="outer", suffixes=("_truth", "_parsed"), indicator=True)
    same_value = (merged["value_truth"] == merged["value_parsed"]) | (
        merged["value_truth"].isna() & merged["value_parsed"].isna())
    bad = (merged["_merge"] != "both") | ~same_value | (merged["kind_truth"] != merged["kind_parsed"])
    return merged[bad]


# --- Prefect (issue 7, flows): one temporary Prefect server for the whole session ---------------
# Flow tests share it: a second harness in the same session would fight over the ephemeral server.

@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
