"""The curated Parquet datasets: schema, partitions, atomic and idempotent writes, readers."""

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.store.curate import curate, expand_paths, parse_files
from extract.store.datasets import PART_GLOB, SCHEMAS, read_dataset
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
        for file in (tmp_path / name).rglob(PART_GLOB):
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
    assert (reports.year == 0).sum() == 1  # the empty file: year unknown, in partition year=0
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
from extract.store.curate import curate, expand_paths, parse_files
real = pq.write_table
def dying(table, where, **kw):
    real(table, where, **kw)
    if str(where).startswith({str(tmp_path / "cells")!r}):
        os._exit(9)  # killed after writing a data file's temp file, before the rename
pq.write_table = dying
curate(parse_files(expand_paths([{str(inputs)!r}])), {str(tmp_path)!r})
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == 9
    after = pd.read_parquet(tmp_path / "cells")
    pd.testing.assert_frame_equal(before, after)
    leftovers = [p for p in (tmp_path / "cells").rglob(".part-*")]
    assert leftovers  # the abandoned temp file is hidden: readers skip it


@pytest.fixture(scope="module")
def with_unknown_year(tmp_path_factory) -> Path:
    """Datasets holding a report whose year could not be read (cells and flags included) and an empty file."""
    root = tmp_path_factory.mktemp("unknown-year") / "curated"
    known = render_html(generate(5, "2021", year=2023))
    unknown = render_html(generate(6, "2021", year=2022)).replace("2022".encode(), b"")  # no year anywhere
    from extract.parse import parse_bytes

    results = [parse_bytes(known, "known.html"), parse_bytes(unknown, "unknown.html"), parse_bytes(b"", "empty.html")]
    assert [r.report["year"] for r in results] == [2023, None, None]
    curate(results, root)
    return root


@pytest.mark.parametrize("name", ["reports", "cells", "flags"])
def test_the_plain_pandas_read_works_with_an_unknown_year(with_unknown_year, name):
    frame = pd.read_parquet(with_unknown_year / name)  # the call data/curated/README.md recommends
    assert len(frame) == len(read_dataset(with_unknown_year, name)) > 0
    assert not any(p.name.endswith("__HIVE_DEFAULT_PARTITION__") for p in (with_unknown_year / name).iterdir())


@pytest.mark.parametrize("name", ["reports", "cells", "flags"])
def test_year_has_one_type_in_pandas_duckdb_and_polars(with_unknown_year, name):
    """The documented reads (README, data/curated/README.md) give `year` as int16 everywhere, with
    the unknown year as 0 in the files' partition and null through `read_dataset`."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    polars = pytest.importorskip("polars")
    folder = with_unknown_year / name
    by_pandas = pd.read_parquet(folder, partitioning=ds.partitioning(pa.schema([("year", pa.int16())]), flavor="hive"))
    by_duckdb = duckdb.sql(f"select * from read_parquet('{folder}/*/*.parquet', hive_partitioning = true, "
                           "hive_types = {'year': smallint})")
    by_polars = polars.read_parquet(f"{folder}/**/*.parquet", hive_schema={"year": polars.Int16})
    assert str(by_pandas["year"].dtype) == "int16"
    assert dict(zip(by_duckdb.columns, by_duckdb.types))["year"] == "SMALLINT"
    assert by_polars.schema["year"] == polars.Int16
    years = sorted(by_pandas["year"].tolist())
    assert years == sorted(by_duckdb.df()["year"].tolist()) == sorted(by_polars["year"].to_list())
    assert set(years) <= {0, 2023} and 0 in years
    ours = read_dataset(with_unknown_year, name)["year"]
    assert ours.isna().sum() == years.count(0) and set(ours.dropna()) <= {2023}


def test_an_old_null_partition_is_moved_to_year_0_by_the_next_write(inputs, tmp_path):
    import shutil

    _curate(inputs, tmp_path)
    for name in ("reports", "flags"):  # as written before: the unknown year in a hive null partition
        (tmp_path / name / "year=0").rename(tmp_path / name / "year=__HIVE_DEFAULT_PARTITION__")
    before = read_dataset(tmp_path, "reports")
    assert before["year"].isna().sum() == 1
    shutil.copy(inputs / "r1.html", tmp_path / "again.html")
    curate(parse_files([tmp_path / "again.html"]), tmp_path)
    assert not list(tmp_path.glob("*/year=__HIVE_DEFAULT_PARTITION__"))
    after = read_dataset(tmp_path, "reports")
    assert after["year"].isna().sum() == 1 and len(after) == len(before)
    assert len(pd.read_parquet(tmp_path / "flags")) == len(read_dataset(tmp_path, "flags"))


def _ranges_by_python(rows: list[tuple]) -> dict[tuple, tuple[int, int]]:
    """The reference: each (year, bucket) run of already sorted keys, walked one row at a time."""
    ranges, start = {}, 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end] != rows[start]:
            ranges[rows[start]] = (start, end - start)
            start = end
    return ranges


@pytest.mark.parametrize("seed", range(6))
def test_sort_by_file_gives_each_file_its_run_of_rows(seed):
    import random

    import pyarrow as pa

    from extract.store.datasets import bucket_of, sort_by_file

    rng = random.Random(seed)
    ids = [f"{rng.getrandbits(64):016x}" for _ in range(rng.choice([1, 7, 300]))]
    rows = [rng.choice(ids) for _ in range(rng.choice([1, 50, 3000]))]
    year_of = {i: rng.choice([None, 2019, 2021, 2024]) for i in ids}
    table = pa.table({"report_id": rows, "year": pa.array([year_of[i] for i in rows], pa.int16()),
                      "row": list(range(len(rows)))})
    table = pa.concat_tables([table.slice(0, len(rows) // 2), table.slice(len(rows) // 2)])  # chunked, as staged parts are
    sorted_rows, ranges = sort_by_file(table)
    keys = list(zip(sorted_rows.column("year").to_pylist(), map(bucket_of, sorted_rows.column("report_id").to_pylist())))
    assert keys == sorted(keys, key=lambda k: (k[0] is None, k[0] or 0, k[1]))
    assert ranges == _ranges_by_python(keys)
    assert sorted(sorted_rows.column("row").to_pylist()) == list(range(len(rows)))  # every row, once
    assert all(isinstance(n, int) for span in ranges.values() for n in span)
