"""Staged batches → the curated datasets: the one way rows get into the store.

A writer (a worker of the parse flow, or `ogi parse` itself) first stages what it parsed:
`stage_frames` writes a batch's rows as one Parquet file per dataset in a staging folder
(`<batch>-cells.parquet`, `…-flags.parquet`, `…-reports.parquet`, reports last, so a batch
with a reports file is complete). `commit` then moves every complete batch into the datasets,
holding the curated folder's lock, in bounded memory however many reports were staged:

1. per dataset (cells, flags, then reports, so a report is marked parsed only once its cells and
   flags are in), the staged rows are scanned batch by batch and regrouped by target file (its
   year and `bucket_of` its report), held in memory up to `SPILL_BYTES` and past that written
   out, `SPILL_BYTES` at a time, to a scratch file each time (`spill/cells/00000.arrow`, each
   target's rows its own record batches);
2. each target file, and each file already holding one of the reports (a re-read year, a dropped
   old version), is rewritten once by `upsert_file`: its old rows, minus the staged and dropped
   reports', plus the staged rows.

Memory holds one file's rows (about 1/256 of a year) or `SPILL_BYTES` of staged rows, never a year
or a run. A commit killed midway leaves every file readable; the reports it did not reach are parsed
again by the next run. A commit with nothing staged and nothing dropped writes nothing.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extract.atomic import write_parquet_atomic
from extract.memory import give_back
from extract.store.datasets import (PART_GLOB, Matching, curated_lock, files_holding, group_by_bucket,
                                    migrate_layout, remove_empty_years, sort_by_file, target_order, to_table,
                                    upsert_file, write_agencies)

STAGING = ".staging"  # under the curated folder; hidden, so dataset readers never see it
STALE_STAGING_SECONDS = 24 * 3600
DATASET_ORDER = ("cells", "flags", "reports")  # reports last: a report row means its cells are in
SPILL = "spill"  # inside a staging folder: the staged rows regrouped by the file they go to
SCAN_ROWS = 32_768  # rows per scanned batch of the staged files, read one at a time
SPILL_BYTES = 32 * 2**20  # staged rows held (Arrow size) before they are regrouped and written out
GROUP_BYTES = 4 * 2**20  # staged rows (Arrow size) sorted by target together
COMBINE_BATCHES = 64  # small staged batches waiting to be grouped, combined into one
GIVE_BACK_FILES = 256  # files rewritten between two hand-backs of freed memory (`extract.memory`)
SPILL_OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4")  # scratch files: fast, ~5× smaller than the rows


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
    marks the batch complete. Then what parsing the batch freed is handed back (`extract.memory`)."""
    frames = {"reports": reports, "cells": cells, "flags": flags}
    for dataset in DATASET_ORDER:
        write_parquet_atomic(to_table(dataset, frames[dataset]), Path(stage_dir) / f"{name}-{dataset}.parquet")
    give_back()  # what parsing the batch freed (`extract.memory`)


def staged_files(stage_dir: str | Path) -> dict[str, list[Path]]:
    """The files of every complete batch staged in `stage_dir`, per dataset."""
    names = sorted(p.name.removesuffix("-reports.parquet") for p in Path(stage_dir).glob("*-reports.parquet"))
    return {dataset: [Path(stage_dir) / f"{name}-{dataset}.parquet" for name in names] for dataset in DATASET_ORDER}


def commit(curated_dir: str | Path, stage_dir: str | Path, superseded: Iterable[str] = (),
           threads: int = 1) -> CommitResult:
    """Upsert every complete staged batch into the datasets and drop the `superseded` reports,
    one atomic rewrite per touched file, holding the curated folder's lock (see the module);
    `threads` files rewritten at a time."""
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
            commit_dataset(curated_dir, dataset, staged[dataset], stage_dir / SPILL / dataset, by_bucket, threads)
        write_agencies(curated_dir)
        after = _file_stamps(curated_dir)
    give_back()  # what the commit freed (`extract.memory`)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return CommitResult(len(parsed), len(dropped), len(changed))


def commit_dataset(curated_dir: Path, dataset: str, files: list[Path], spill: Path,
                   by_bucket: dict[str, pa.Array], threads: int = 1) -> None:
    """One dataset's part of the commit: the staged `files` regrouped by target, then every target
    file and every file holding one of the reports (`by_bucket`: their ids by bucket) rewritten,
    `threads` at a time (Parquet's reading, compressing and writing and the disk's flush release
    the GIL). Year folders left empty are removed after the last rewrite, never during: another
    thread may be writing into one."""
    targets = regroup_by_target(files, spill)
    holding = files_holding(curated_dir, dataset, pa.concat_arrays(list(by_bucket.values())))

    def rewrite(target: tuple) -> bool:
        year, bucket = target
        rows = _rows(targets[target]) if target in targets else None
        return upsert_file(curated_dir, dataset, year, bucket, rows, Matching("report_id", by_bucket[bucket]))

    order = sorted(set(targets) | holding, key=target_order)
    for number, _ in enumerate(_each(rewrite, order, threads), start=1):
        if number % GIVE_BACK_FILES == 0:
            give_back()
    remove_empty_years(curated_dir, dataset)
    shutil.rmtree(spill, ignore_errors=True)
    give_back()


def _each(function: Callable, items: list, threads: int) -> Iterator:
    """`function` of each of `items`, in order, on `threads` threads (on this one when 1)."""
    if threads <= 1:
        yield from map(function, items)
        return
    with ThreadPoolExecutor(threads) as pool:
        yield from pool.map(function, items)


def _staged_ids(files: list[Path]) -> pa.Array:
    """The report_ids of the staged reports (the one column read whole)."""
    columns = [pq.ParquetFile(f).read(columns=["report_id"]).column(0) for f in files]
    return pa.chunked_array(columns, pa.string()).combine_chunks()


@dataclass(frozen=True)
class Held:
    """A target file's staged rows waiting in memory: a range of one regrouped table. A slice per
    target would cost ~15 KB of column metadata (outside Arrow's memory pool) whatever its
    rows, more than a report's row: 225 MB for a commit of 15,000 reports."""

    table: pa.Table  # staged rows sorted by target (`sort_by_file`)
    start: int
    length: int

    def rows(self) -> pa.Table:
        return self.table.slice(self.start, self.length)


def regroup_by_target(files: list[Path], spill: Path) -> dict[tuple, list[Held | Spilled]]:
    """The staged rows of `files` by target file, (year, bucket) → their parts. The rows are read
    in groups of about `GROUP_BYTES` (small staged batches combined: a batch read from a file costs
    ~60 KB besides its rows, its schema and column metadata), each group sorted by target and held
    as ranges of it; once `SPILL_BYTES` are held, they are written out to one scratch file in
    `spill`, each target's as its own record batches. So a small commit writes none, and a big one
    holds `SPILL_BYTES`."""
    parts: dict[tuple, list[Held | Spilled]] = {}
    held = 0
    for group in _groups(_scan(files)):
        for target, rows in _held_by_target(group).items():
            parts.setdefault(target, []).append(rows)
        held += group.nbytes
        if held >= SPILL_BYTES:
            _write_spill(parts, spill)
            held = 0
    return parts


def _groups(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.Table]:
    """`batches` gathered into tables of at least `GROUP_BYTES` (the last one smaller), every
    `COMBINE_BATCHES` waiting ones combined into one."""
    waiting, size = [], 0
    for batch in batches:
        waiting.append(batch)
        size += batch.nbytes
        if size >= GROUP_BYTES:
            yield pa.Table.from_batches(waiting)
            waiting, size = [], 0
        elif len(waiting) >= COMBINE_BATCHES:  # many small batches: their overhead, not their rows
            waiting = pa.Table.from_batches(waiting).combine_chunks().to_batches()
    if waiting:
        yield pa.Table.from_batches(waiting)


def _held_by_target(group: pa.Table) -> dict[tuple, Held]:
    table, ranges = sort_by_file(group)
    return {target: Held(table, start, length) for target, (start, length) in ranges.items()}


def _scan(files: list[Path]) -> Iterator[pa.RecordBatch]:
    """The staged files' rows, `SCAN_ROWS` at a time, one file after another (no read-ahead)."""
    for file in files:
        if file.exists():
            yield from pq.ParquetFile(file).iter_batches(batch_size=SCAN_ROWS, use_threads=False)


def _write_spill(parts: dict[tuple, list[Held | Spilled]], spill: Path) -> None:
    """The rows held in memory written out to one scratch file, each target's as its own record
    batches (Arrow IPC, LZ4), which replace them in `parts` (scratch files are deleted after the
    commit, so not written atomically). One file per spill, not one per target: a big commit's
    spills would otherwise write and read back thousands of tiny files."""
    held = {target: [p for p in mine if isinstance(p, Held)] for target, mine in parts.items()}
    held = {target: mine for target, mine in held.items() if mine}
    if not held:
        return
    spill.mkdir(parents=True, exist_ok=True)
    path, written = spill / f"{len(list(spill.glob('*.arrow'))):05d}.arrow", 0
    schema = next(iter(held.values()))[0].table.schema
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema, options=SPILL_OPTIONS) as writer:
        for target in sorted(held, key=target_order):
            batches = _rows(held[target]).to_batches()
            for batch in batches:
                writer.write_batch(batch)
            earlier = [p for p in parts[target] if isinstance(p, Spilled)]
            parts[target] = [*earlier, Spilled(path, written, len(batches))]
            written += len(batches)


@dataclass(frozen=True)
class Spilled:
    """A target file's staged rows written out: record batches `first` to `first + count` of a
    scratch file (`_write_spill`)."""

    path: Path
    first: int
    count: int

    def rows(self) -> pa.Table:
        with pa.OSFile(str(self.path)) as source:
            reader = pa.ipc.open_file(source)
            return pa.Table.from_batches([reader.get_batch(i) for i in range(self.first, self.first + self.count)],
                                         schema=reader.schema)


def _rows(parts: list[Held | Spilled]) -> pa.Table:
    return pa.concat_tables([part.rows() for part in parts])


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
