"""The curated Parquet datasets: schema, partitions, atomic and idempotent writes, readers."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.curate import curate, expand_paths, parse_files
from extract.datasets import PART_FILE, SCHEMAS, read_dataset
from extract.forge.html import render_html
from extract.forge.model import generate


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for seed in range(6):
        report = generate(seed, "2021" if seed % 3 else "2019", year=2020 + seed % 3 if seed % 3 == 0 else 2022 + seed % 2)
        (folder / f"r{seed}.html").write_bytes(render_html(report))
    (folder / "empty.html").write_bytes(b"")
    return folder


def _curate(inputs: Path, out: Path):
    return curate(parse_files(expand_paths([inputs])), out)


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.parquet"))}


def test_partitions_schema_and_description(inputs, tmp_path):
    summary = _curate(inputs, tmp_path)
    assert summary.reports["ok"] == 6 and summary.reports["failed"] == 1
    years = sorted(p.name for p in (tmp_path / "cells").iterdir())
    assert years == ["year=2020", "year=2022", "year=2023"]
    for name, schema in SCHEMAS.items():
        for file in (tmp_path / name).rglob(PART_FILE):
            meta = pq.read_schema(file).metadata
            assert meta[b"ogi.dataset"] == name.encode() and meta[b"ogi.description"]
            assert pq.read_schema(file).names == [f.name for f in schema if f.name != "year"]


def test_read_back_with_pandas_and_duckdb(inputs, tmp_path):
    _curate(inputs, tmp_path)
    cells = pd.read_parquet(tmp_path / "cells")
    assert len(cells) == len(read_dataset(tmp_path, "cells")) > 1000
    n = duckdb.sql(f"select count(*) from read_parquet('{tmp_path}/cells/*/*.parquet', hive_partitioning=true)").fetchall()[0][0]
    assert n == len(cells)
    reports = duckdb.sql(f"select status, year from read_parquet('{tmp_path}/reports/*/*.parquet', "
                         "hive_partitioning=true) order by status").df()
    assert list(reports.status) == ["failed"] + ["ok"] * 6
    assert reports.year.isna().sum() == 1  # the empty file: year unknown, kept as null
    assert read_dataset(tmp_path, "reports")["year"].isna().sum() == 1


def test_rewrite_is_idempotent_byte_for_byte(inputs, tmp_path):
    _curate(inputs, tmp_path)
    first = _digest(tmp_path)
    reports = read_dataset(tmp_path, "reports").drop(columns=["parsed_at"])
    _curate(inputs, tmp_path)
    assert read_dataset(tmp_path, "reports").drop(columns=["parsed_at"]).sort_values("report_id").reset_index(drop=True) \
        .equals(reports.sort_values("report_id").reset_index(drop=True))
    assert {k: v for k, v in _digest(tmp_path).items() if "reports" not in k} == \
           {k: v for k, v in first.items() if "reports" not in k}


def test_a_write_killed_midway_leaves_the_old_partition_readable(inputs, tmp_path):
    _curate(inputs, tmp_path)
    before = pd.read_parquet(tmp_path / "cells")
    script = f"""
import os, pyarrow.parquet as pq
from extract.curate import curate, expand_paths, parse_files
real = pq.write_table
def dying(table, where, **kw):
    real(table, where, **kw)
    os._exit(9)  # killed after writing the temp file, before the rename
pq.write_table = dying
curate(parse_files(expand_paths([{str(inputs)!r}])), {str(tmp_path)!r})
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == 9
    after = pd.read_parquet(tmp_path / "cells")
    pd.testing.assert_frame_equal(before, after)
    leftovers = [p for p in (tmp_path / "cells").rglob(".part-*")]
    assert leftovers  # the abandoned temp file is hidden: readers skip it
