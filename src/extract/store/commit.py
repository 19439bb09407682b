"""Staged batches → the curated datasets: the one way rows get into the store.

A writer (a worker of the parse flow, or `ogi parse` itself) first stages what it parsed:
`stage_frames` writes a batch's rows as one Parquet file per dataset in a staging folder
(`<batch>-cells.parquet`, `…-flags.parquet`, `…-reports.parquet`, reports last, so a batch
with a reports file is complete). `commit` then moves every complete batch into the datasets,
holding the curated folder's lock, in bounded memory however many reports were staged:

1. per dataset (cells, flags, then reports, so a report is marked parsed only once its cells and
   flags are in), the staged rows are scanned batch by batch and regrouped by target file (its
   year and `bucket_of` its report), held in memory up to `SPILL_ROWS` rows and past that written
   out, `SPILL_ROWS` at a time, to scratch files (`spill/cells/2024-3f-00000.parquet`);
2. each target file, and each file already holding one of the reports (a re-read year, a dropped
   old version), is rewritten once by `upsert_file`: its old rows, minus the staged and dropped
   reports', plus the staged rows.

Memory holds one file's rows (about 1/256 of a year) or `SPILL_ROWS` staged rows, never a year
or a run. A commit killed midway leaves every file readable; the reports it did not reach are parsed
again by the next run. A commit with nothing staged and nothing dropped writes nothing.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.atomic import write_parquet_atomic
from extract.store.datasets import (PART_GLOB, UNKNOWN_YEAR, curated_lock, files_holding, group_by_bucket,
                                    migrate_layout, split_by_file, target_order, to_table, upsert_file,
                                    write_agencies)

STAGING = ".staging"  # under the curated folder; hidden, so dataset readers never see it
STALE_STAGING_SECONDS = 24 * 3600
DATASET_ORDER = ("cells", "flags", "reports")  # reports last: a report row means its cells are in
SPILL = "spill"  # inside a staging folder: the staged rows regrouped by the file they go to
SCAN_ROWS = 32_768  # rows per scanned batch of the staged files, read one at a time
SPILL_ROWS = 131_072  # staged rows held (regrouped by target) before they are written out


@dataclass
class CommitResult:
    parsed: int  # reports written
    dropped: int  # superseded reports removed
    partitions: int  # data files rewritten (or removed)


def staging_dir(curated_dir: str | Path, run_id: str) -> Path:
    """Where a run stages its batches: hidden under the curated folder, so on the same disk."""
    return Path(curated_dir) / STAGING / run_id


def stage_frames(stage_dir: str | Path, name: str, reports: pd.DataFrame, cells: pd.DataFrame,
                 flags: pd.DataFrame) -> None:
    """A batch's rows staged as `<name>-<dataset>.parquet`, the reports file last: its presence
    marks the batch complete."""
    frames = {"reports": reports, "cells": cells, "flags": flags}
    for dataset in DATASET_ORDER:
        write_parquet_atomic(to_table(dataset, frames[dataset]), Path(stage_dir) / f"{name}-{dataset}.parquet")


def staged_files(stage_dir: str | Path) -> dict[str, list[Path]]:
    """The files of every complete batch staged in `stage_dir`, per dataset."""
    names = sorted(p.name.removesuffix("-reports.parquet") for p in Path(stage_dir).glob("*-reports.parquet"))
    return {dataset: [Path(stage_dir) / f"{name}-{dataset}.parquet" for name in names] for dataset in DATASET_ORDER}


def commit(curated_dir: str | Path, stage_dir: str | Path, superseded: Iterable[str] = ()) -> CommitResult:
    """Upsert every complete staged batch into the datasets and drop the `superseded` reports,
    one atomic rewrite per touched file, holding the curated folder's lock (see the module)."""
    curated_dir, stage_dir = Path(curated_dir), Path(stage_dir)
    staged = staged_files(stage_dir)
    parsed = set(_staged_ids(staged["reports"]).to_pylist())
    dropped = set(superseded) - parsed
    if not parsed | dropped:
        return CommitResult(0, 0, 0)
    by_bucket = group_by_bucket(pa.array(sorted(parsed | dropped), pa.string()))
    with curated_lock(curated_dir):
        sweep_temporary_files(curated_dir)
        migrate_layout(curated_dir)
        before = _file_stamps(curated_dir)
        for dataset in DATASET_ORDER:
            commit_dataset(curated_dir, dataset, staged[dataset], stage_dir / SPILL / dataset, by_bucket)
        write_agencies(curated_dir)
        after = _file_stamps(curated_dir)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return CommitResult(len(parsed), len(dropped), len(changed))


def commit_dataset(curated_dir: Path, dataset: str, files: list[Path], spill: Path,
                   by_bucket: dict[str, pa.Array]) -> None:
    """One dataset's part of the commit: the staged `files` regrouped by target, then every target
    file and every file holding one of the reports (`by_bucket`: their ids by bucket) rewritten."""
    targets = regroup_by_target(files, spill)
    holding = files_holding(curated_dir, dataset, pa.concat_arrays(list(by_bucket.values())))
    for year, bucket in sorted(set(targets) | holding, key=target_order):
        rows = _rows(targets[year, bucket]) if (year, bucket) in targets else None
        upsert_file(curated_dir, dataset, year, bucket, rows, pc.field("report_id").isin(by_bucket[bucket]))
    shutil.rmtree(spill, ignore_errors=True)


def _staged_ids(files: list[Path]) -> pa.Array:
    """The report_ids of the staged reports (the one column read whole)."""
    columns = [pq.ParquetFile(f).read(columns=["report_id"]).column(0) for f in files]
    return pa.chunked_array(columns, pa.string()).combine_chunks()


def regroup_by_target(files: list[Path], spill: Path) -> dict[tuple, list[pa.Table | Path]]:
    """The staged rows of `files` by target file, (year, bucket) → their parts: scanned batch by
    batch and held in memory until `SPILL_ROWS` rows wait, which are then written out to scratch
    files in `spill` (so a small commit writes none, and a big one holds `SPILL_ROWS` rows)."""
    parts: dict[tuple, list[pa.Table | Path]] = {}
    waiting: dict[tuple, list[pa.Table]] = {}
    held = 0
    for batch in _scan(files):
        for target, rows in split_by_file(pa.Table.from_batches([batch])).items():
            waiting.setdefault(target, []).append(rows)
        held += batch.num_rows
        if held >= SPILL_ROWS:
            _write_spill(waiting, spill, parts)
            waiting, held = {}, 0
    for target, tables in waiting.items():
        parts.setdefault(target, []).extend(tables)
    return parts


def _scan(files: list[Path]) -> Iterator[pa.RecordBatch]:
    """The staged files' rows, `SCAN_ROWS` at a time, one file after another (no read-ahead)."""
    for file in files:
        if file.exists():
            yield from pq.ParquetFile(file).iter_batches(batch_size=SCAN_ROWS, use_threads=False)


def _write_spill(waiting: dict[tuple, list[pa.Table]], spill: Path, parts: dict[tuple, list]) -> None:
    """One scratch file per target of what waits (deleted after the commit, so not atomic)."""
    spill.mkdir(parents=True, exist_ok=True)
    for (year, bucket), tables in waiting.items():
        mine = parts.setdefault((year, bucket), [])
        path = spill / f"{UNKNOWN_YEAR if year is None else year}-{bucket}-{len(mine):05d}.parquet"
        pq.write_table(pa.concat_tables(tables), path)
        mine.append(path)


def _rows(parts: list[pa.Table | Path]) -> pa.Table:
    return pa.concat_tables([pq.ParquetFile(p).read() if isinstance(p, Path) else p for p in parts])


def _file_stamps(curated_dir: Path) -> dict[Path, tuple[int, int]]:
    stamps = {}
    for path in curated_dir.glob(f"*/year=*/{PART_GLOB}"):
        stat = path.stat()
        stamps[path] = (stat.st_mtime_ns, stat.st_ino)
    return stamps


def sweep_temporary_files(curated_dir: Path) -> int:
    """Remove what killed writes left: hidden temporary data files (call under the lock) and
    staging folders untouched for a day."""
    removed = 0
    for tmp in [*Path(curated_dir).glob("*/year=*/.part-*.tmp"), *Path(curated_dir).glob("agencies/.part-*.tmp")]:
        tmp.unlink(missing_ok=True)
        removed += 1
    staging = Path(curated_dir) / STAGING
    for run in staging.glob("*") if staging.is_dir() else []:
        if time.time() - run.stat().st_mtime > STALE_STAGING_SECONDS:
            shutil.rmtree(run, ignore_errors=True)
            removed += 1
    return removed


def remove_staging(stage_dir: str | Path) -> None:
    shutil.rmtree(stage_dir, ignore_errors=True)
    parent = Path(stage_dir).parent
    if parent.name == STAGING and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
