"""Frames ⇄ the curated Parquet datasets (spec/datasets.md).

Three datasets, hive-partitioned by `year`: `reports/`, `cells/`, `flags/`. A year partition is
split into at most 256 files by report: `year=2024/part-3f.parquet` holds the reports whose
`report_id` (a SHA-256) begins with `3f` (`bucket_of`), so every row of a report is in one file
of each dataset, and a file holds about 1/256 of its year however many reports the year has (at
~150,000 reports a year, ~600 per file). A write rewrites only the files holding the reports it
changes, one file at a time, so memory holds one file's rows, not a year's. A partition written
whole in one file by an earlier version (`part-0.parquet`) is split by the next write.

A report whose year is unknown goes to `year=0` (`UNKNOWN_YEAR`): a hive null partition
(`year=__HIVE_DEFAULT_PARTITION__`, where such reports went before) makes
`pandas.read_parquet(folder)` fail ("Cannot yet unify dictionaries with nulls"), so the plain
reads of pandas, DuckDB and Polars see 0 for an unknown year, and `read_dataset` (like the DuckDB
views of `extract.research.views`) turns it back into null. A folder written before is moved to
`year=0` by the next write.

Every file of the store is written by one function, `write_parquet_atomic` (a hidden temporary
file in the target folder, flushed to disk, then `os.replace`d over the old one, so a reader sees
either the old file or the new, never half), and every file changes through one upsert,
`upsert_file`: the file is read, the rows a predicate selects dropped, the new rows added, and
the result sorted and written, so the same input writes the same bytes. The streaming commit of
`extract.store.commit` feeds it the staged rows of one file after another.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.atomic import write_parquet_atomic

UNKNOWN_YEAR = 0  # the partition of reports whose year could not be read: year=0
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # where they went before (moved to year=0 by the next write)
PART_FILE = "part-0.parquet"  # the agencies and corrections datasets' one file
WHOLE_FILE = PART_FILE  # an old year partition written whole in one file (split by the next write)
PART_GLOB = "part-*.parquet"  # the files of a year partition
BUCKET_DIGITS = 2  # a year partition's files: 16**2 = 256 at most
_DIGEST = re.compile(r"[0-9a-f]{64}")
LOCK_FILE = ".lock"  # one writer at a time per curated folder

REPORTS = pa.schema([
    ("report_id", pa.string()), ("year", pa.int16()), ("agency", pa.string()), ("province", pa.string()),
    ("city", pa.string()), ("county", pa.string()), ("level", pa.string()), ("template", pa.string()),
    ("format", pa.string()), ("pages", pa.int16()), ("published", pa.date32()), ("source_url", pa.string()),
    ("source_path", pa.string()), ("status", pa.string()), ("error", pa.string()),
    ("parser_version", pa.string()), ("parsed_at", pa.timestamp("us", tz="UTC")),
    ("title", pa.string()), ("cells", pa.int32()), ("flags_error", pa.int32()),
    # what the report's prose states (extract.find.statements), for text.table_mismatch
    ("stated_received", pa.float64()), ("stated_handled", pa.float64()), ("stated_granted", pa.float64()),
    ("stated_carried_forward", pa.float64()), ("stated_review", pa.float64()), ("stated_litigation", pa.float64()),
    # who published it (extract.region, extract.agencies)
    ("township", pa.string()), ("adcode", pa.string()), ("tier", pa.string()), ("agency_id", pa.string()),
    ("region_source", pa.string()), ("region_note", pa.string()),
])
CELLS = pa.schema([
    ("report_id", pa.string()), ("year", pa.int16()), ("table", pa.string()), ("row", pa.string()),
    ("column", pa.string()), ("value", pa.float64()), ("kind", pa.string()), ("raw", pa.string()),
    ("label", pa.string()), ("page", pa.int16()), ("method", pa.string()),
])
FLAGS = pa.schema([
    ("report_id", pa.string()), ("year", pa.int16()), ("check", pa.string()), ("severity", pa.string()),
    ("table", pa.string()), ("row", pa.string()), ("column", pa.string()), ("expected", pa.float64()),
    ("observed", pa.float64()), ("origin", pa.string()), ("message", pa.string()),
])

SCHEMAS = {"reports": REPORTS, "cells": CELLS, "flags": FLAGS}
#: not partitioned: one file, rebuilt from `reports` after every write (extract.agencies)
AGENCIES = pa.schema([
    ("agency_id", pa.string()), ("name", pa.string()), ("names", pa.list_(pa.string())), ("adcode", pa.string()),
    ("province", pa.string()), ("city", pa.string()), ("county", pa.string()), ("township", pa.string()),
    ("tier", pa.string()), ("level", pa.string()), ("portal", pa.string()), ("first_year", pa.int16()),
    ("last_year", pa.int16()), ("reports", pa.int32()),
])
AGENCIES_DESCRIPTION = ("One row per agency (`agency_id`, stable across years and spellings): its canonical name, "
                        "every spelling seen, its region, adcode and tier, its portal and the years it reported.")
DESCRIPTIONS = {
    "reports": "One row per parsed document: who published it, for which year, in which template and "
               "format, and whether its three tables were read (status, error).",
    "cells": "One row per table cell of a report (tidy): canonical table/row/column keys, the number, "
             "its kind (number, blank, na, text), the text as printed, and where and how it was read.",
    "flags": "One row per quality finding: a failed identity of the template's arithmetic, a missing "
             "table or row, an unparsed cell; with the two sides of the identity and the likely origin.",
}
SORT_KEYS = {"reports": ["report_id"], "cells": ["report_id", "table", "row", "column"],
             "flags": ["report_id", "check", "table", "row", "column", "message"]}


def to_table(name: str, frame: pd.DataFrame) -> pa.Table:
    """A frame as the dataset's exact schema (missing columns null, extra columns dropped)."""
    from extract.store.descriptions import with_descriptions

    schema = with_descriptions(name, SCHEMAS[name])
    data = {f.name: (frame[f.name] if f.name in frame else pd.Series([None] * len(frame), dtype=object))
            for f in schema}
    table = pa.Table.from_pandas(pd.DataFrame(data), schema=schema, preserve_index=False)
    return table.replace_schema_metadata(_metadata(name))  # no pandas metadata: same rows, same bytes


def _metadata(name: str) -> dict[bytes, bytes]:
    from extract import __version__

    return {b"ogi.dataset": name.encode(), b"ogi.description": DESCRIPTIONS[name].encode(),
            b"ogi.parser_version": __version__.encode()}


def partition_dir(root: Path, name: str, year) -> Path:
    label = UNKNOWN_YEAR if year is None or pd.isna(year) else int(year)
    return Path(root) / name / f"year={label}"


def partition_year(folder: Path) -> int | None:
    """The year of a `year=…` partition folder; None for the unknown-year one (old or new name)."""
    label = folder.name.split("=", 1)[1]
    return None if label in (NULL_PARTITION, str(UNKNOWN_YEAR)) else int(label)


def bucket_of(report_id: str) -> str:
    """The file of its year partition a report's rows are in: the first two hex digits of the
    SHA-256 the id is (an unread file's `unread:` + digest: of that digest), or of the id's own
    SHA-256 for any other id."""
    digest = report_id.rsplit(":", 1)[-1]
    if not _DIGEST.fullmatch(digest):
        digest = hashlib.sha256(report_id.encode()).hexdigest()
    return digest[:BUCKET_DIGITS]


def buckets_of(report_ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`bucket_of` each id of a column (computed once per distinct id)."""
    if isinstance(report_ids, pa.ChunkedArray):
        report_ids = report_ids.combine_chunks()
    encoded = pc.dictionary_encode(report_ids)
    names = pa.array([bucket_of(i) for i in encoded.dictionary.to_pylist()], pa.string())
    return names.take(encoded.indices)


def part_path(root: Path, name: str, year, bucket: str) -> Path:
    """The file of dataset `name` holding the reports of `year` in `bucket`."""
    return partition_dir(root, name, year) / f"part-{bucket}.parquet"


def partition_files(folder: Path) -> list[Path]:
    """The data files of one year partition (hidden temporary files excluded), sorted."""
    return sorted(Path(folder).glob(PART_GLOB))


def dataset_files(root: Path, name: str) -> list[Path]:
    """Every data file of dataset `name`, partition by partition."""
    return sorted(Path(root, name).glob(f"year=*/{PART_GLOB}"))


def file_bucket(path: Path) -> str:
    return path.stem.removeprefix("part-")


def migrate_layout(root: Path) -> None:
    """Bring what an earlier version wrote into today's layout (call under the curated lock):
    the unknown-year folder `year=__HIVE_DEFAULT_PARTITION__` moves to `year=0`, and a partition
    written whole (`part-0.parquet`) is split into its report files. Each step is an upsert of
    the old file's rows into their new files, so a step killed midway is redone whole by the
    next write (the old file goes last)."""
    for name in SCHEMAS:
        old = Path(root) / name / f"year={NULL_PARTITION}"
        for file in partition_files(old):
            current = pc.unique(pa.concat_arrays([partition_ids(f) for f in partition_files(
                partition_dir(root, name, None))] or [pa.array([], pa.string())]))
            moved = read_file_table(file, name)  # a report in both: its year=0 rows are the later ones
            moved = moved.filter(pc.invert(pc.is_in(moved.column("report_id"), value_set=current)))
            _upsert_rows(root, name, None, moved)
            file.unlink()
        _remove_empty(old)
        for whole in Path(root, name).glob(f"year=*/{WHOLE_FILE}"):
            _upsert_rows(root, name, partition_year(whole.parent), read_file_table(whole, name))
            whole.unlink()


def _upsert_rows(root: Path, name: str, year, rows: pa.Table) -> None:
    """The rows of one year's file (no `year` column) into their report files, replacing those
    reports' rows there."""
    rows = rows.append_column("year", pa.array([year] * rows.num_rows, pa.int16()))
    for (year, bucket), mine in split_by_file(rows).items():
        upsert_file(root, name, year, bucket, mine, Matching("report_id", pc.unique(mine.column("report_id"))))


def split_by_file(table: pa.Table) -> dict[tuple, pa.Table]:
    """Rows (with a `year` column) grouped by the file they belong in: (year, bucket) → rows,
    in file order."""
    rows, ranges = sort_by_file(table)
    return {target: rows.slice(start, length) for target, (start, length) in ranges.items()}


def sort_by_file(table: pa.Table) -> tuple[pa.Table, dict[tuple, tuple[int, int]]]:
    """Rows (with a `year` column) sorted by the file they belong in, and each file's range in
    them: (year, bucket) → (start, length)."""
    if not table.num_rows:
        return table, {}
    keyed = table.append_column("_bucket", buckets_of(table.column("report_id")))
    keyed = keyed.sort_by([("year", "ascending", "at_end"), ("_bucket", "ascending")])
    years, buckets = keyed.column("year").combine_chunks(), keyed.column("_bucket").combine_chunks()
    starts = run_starts(years, buckets)
    lengths = np.diff(starts, append=keyed.num_rows)
    keys = zip(years.take(starts).to_pylist(), buckets.take(starts).to_pylist())
    ranges = {key: (int(start), int(length)) for key, start, length in zip(keys, starts, lengths)}
    return keyed.drop_columns(["_bucket"]), ranges


def run_starts(*columns: pa.Array) -> np.ndarray:
    """Where each run of equal rows begins (a null equals a null): row 0, then every row whose
    value differs from the row before in any of `columns`."""
    n = len(columns[0])
    starts = np.zeros(n, dtype=bool)
    starts[0] = True
    for column in columns:
        before, after = column.slice(0, n - 1), column.slice(1)
        differs = pc.fill_null(pc.not_equal(before, after), False)
        null_changes = pc.not_equal(pc.is_null(before), pc.is_null(after))
        starts[1:] |= pc.or_(differs, null_changes).to_numpy(zero_copy_only=False)
    return np.flatnonzero(starts)


def replace_rows(root: Path, name: str, rows: pa.Table, replaces: Matching) -> int:
    """In every file of dataset `name`, drop the rows `replaces` selects, and add `rows` (with a
    `year` column) to their files; returns the files written."""
    targets = split_by_file(rows)
    existing = {(partition_year(f.parent), file_bucket(f)) for f in dataset_files(root, name)}
    written = 0
    for year, bucket in sorted(existing | set(targets), key=target_order):
        written += upsert_file(root, name, year, bucket, targets.get((year, bucket)), replaces)
    remove_empty_years(root, name)
    return written


def target_order(target: tuple) -> tuple:
    """(year, bucket) in the order files are written: years ascending, the unknown year last."""
    year, bucket = target
    return (year is None, year or 0, bucket)


def remove_empty_years(root: Path, name: str) -> None:
    """The year folders of dataset `name` that hold nothing, removed."""
    for folder in Path(root, name).glob("year=*"):
        _remove_empty(folder)


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not there, or a temporary file of a killed write: swept by the next commit
        pass


@lru_cache(maxsize=None)  # one per dataset; built per file rewritten, it cost a commit seconds
def partition_schema(name: str) -> pa.Schema:
    """The schema of a partition file of dataset `name`: the dataset's columns but `year` (the
    folder names it), with their descriptions and the dataset's metadata."""
    from extract.store.descriptions import with_descriptions

    schema = with_descriptions(name, SCHEMAS[name])
    return schema.remove(schema.get_field_index("year")).with_metadata(_metadata(name))


def conform(table: pa.Table, name: str) -> pa.Table:
    """`table` as a partition file of dataset `name`: its columns in order and type, missing ones
    null, others (`year`, columns no longer in the schema) dropped."""
    schema = partition_schema(name)
    columns = [_column_as(table, f) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _column_as(table: pa.Table, field: pa.Field) -> pa.ChunkedArray | pa.Array:
    if field.name not in table.column_names:
        return pa.nulls(len(table), field.type)
    column = table.column(field.name)
    return column if column.type == field.type else column.cast(field.type)


def read_file_table(file: Path, name: str) -> pa.Table:
    """One data file as an Arrow table of the partition schema (empty when not written)."""
    if not Path(file).exists():
        return partition_schema(name).empty_table()
    return conform(pq.ParquetFile(file).read(use_threads=False), name)  # a small file: threads cost more


def partition_ids(file: Path) -> pa.Array:
    """The distinct report_ids of one data file (read from that column alone)."""
    if not Path(file).exists():
        return pa.array([], pa.string())
    return pc.unique(pq.ParquetFile(file).read(columns=["report_id"]).column("report_id").combine_chunks())


@dataclass(frozen=True)
class Matching:
    """The rows whose `column` holds one of `values`: what an upsert replaces (a compute kernel
    over one column, not an expression, which runs a query plan on a thread pool per file)."""

    column: str
    values: pa.Array

    def mask(self, table: pa.Table) -> pa.ChunkedArray:
        return pc.is_in(table.column(self.column), value_set=self.values)


def upsert_file(root: Path, name: str, year, bucket: str, rows: pa.Table | None,
                replaces: Matching | None) -> bool:
    """The one upsert of the store: in the file of `year` and `bucket` of dataset `name`, drop the
    rows `replaces` matches, add `rows`, sort and write atomically; a file left with no rows is
    removed (its year folder stays: the caller removes emptied ones after its last rewrite,
    `remove_empty_years`, since several may run at once). Nothing is written (and False
    returned) when nothing would change. Memory: this one file."""
    path = part_path(root, name, year, bucket)
    old = read_file_table(path, name)
    keep = old.filter(pc.invert(replaces.mask(old))) if replaces is not None and old.num_rows else old
    rows = conform(rows, name) if rows is not None and rows.num_rows else None
    if rows is None and keep.num_rows == old.num_rows:
        return False
    merged = pa.concat_tables([keep, rows]) if rows is not None else keep
    if not merged.num_rows:
        path.unlink()
        return True
    write_parquet_atomic(sort_rows(merged, name), path)
    return True


def sort_rows(table: pa.Table, name: str) -> pa.Table:
    """A file's rows in the dataset's order (`SORT_KEYS`, nulls first; stable)."""
    return table.sort_by([(key, "ascending", "at_start") for key in SORT_KEYS[name]])


def files_holding(root: Path, name: str, report_ids: pa.Array) -> set[tuple]:
    """(year, bucket) of every file of dataset `name` that holds one of `report_ids` (only the
    files their buckets name are opened, and of those the report_id column alone)."""
    if not len(report_ids):
        return set()
    by_bucket = group_by_bucket(report_ids)
    found = set()
    for folder in sorted(Path(root, name).glob("year=*")):
        for bucket, ids in by_bucket.items():
            file = folder / f"part-{bucket}.parquet"
            if file.exists() and pc.any(pc.is_in(partition_ids(file), value_set=ids)).as_py():
                found.add((partition_year(folder), bucket))
    return found


def group_by_bucket(report_ids: pa.Array) -> dict[str, pa.Array]:
    """`report_ids` grouped by the file they belong in (`bucket_of`)."""
    buckets = buckets_of(report_ids)
    return {b: pc.unique(report_ids.filter(pc.equal(buckets, b))) for b in sorted(set(buckets.to_pylist()))}


@contextmanager
def curated_lock(curated_dir: Path) -> Iterator[None]:
    """One writer at a time per curated folder (an advisory lock; where `fcntl` exists)."""
    curated_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(curated_dir / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: the columns of `reports` the agencies dataset is built from (so its rebuild reads no more)
AGENCY_SOURCE_COLUMNS = ("report_id", "year", "agency", "agency_id", "adcode", "province", "city", "county",
                         "township", "tier", "level", "source_url", "portal")


def write_agencies(root: Path) -> None:
    """Rebuild `agencies/part-0.parquet` from the `reports` dataset (its agency columns alone)."""
    from extract.agencies import agencies_frame
    from extract.store.descriptions import with_descriptions

    frame = agencies_frame(read_dataset(root, "reports", columns=AGENCY_SOURCE_COLUMNS))
    schema = with_descriptions("agencies", AGENCIES)
    data = {f.name: frame[f.name].astype(object).where(frame[f.name].notna(), None) for f in schema}
    table = pa.Table.from_pandas(pd.DataFrame(data), schema=schema, preserve_index=False).replace_schema_metadata(
        {b"ogi.dataset": b"agencies", b"ogi.description": AGENCIES_DESCRIPTION.encode()})
    write_parquet_atomic(table, Path(root) / "agencies" / PART_FILE)


def read_agencies(root: Path) -> pd.DataFrame:
    """The agencies dataset (empty with its columns when not written yet)."""
    file = Path(root) / "agencies" / PART_FILE
    if not file.exists():
        return pd.DataFrame({f.name: pd.Series(dtype=object) for f in AGENCIES})
    return pq.read_table(file).to_pandas()


def duckdb_relation(root: Path | str, name: str) -> str:
    """DuckDB SQL for a dataset as `read_dataset` sees it: `year` a SMALLINT, null when unknown."""
    return (f"(select * replace (nullif(year, {UNKNOWN_YEAR}) as year) from read_parquet("
            f"'{Path(root).as_posix()}/{name}/*/*.parquet', hive_partitioning = true, union_by_name = true, "
            "hive_types = {'year': smallint}))")


def read_dataset(root: Path, name: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A whole dataset as a frame (empty with the right columns when nothing is written yet);
    `columns` reads those alone (the ones the dataset has). `year` is the partition's, null when
    unknown. Read file by file (a pyarrow dataset scan would do the same, but its threads keep
    tens of MB a call that a long-running writer never gets back)."""
    fields = [f for f in SCHEMAS[name] if f.name != "year" and (columns is None or f.name in set(columns))]
    files = dataset_files(root, name)
    if not files:
        return pd.DataFrame({f.name: pd.Series(dtype=object) for f in SCHEMAS[name]
                             if columns is None or f.name in set(columns)})
    schema = pa.schema([*fields, SCHEMAS[name].field("year")])
    return pa.concat_tables([read_file_columns(file, schema) for file in files]).combine_chunks().to_pandas()


def read_file_columns(file: Path, schema: pa.Schema) -> pa.Table:
    """One file's columns of `schema` (a column the file lacks is null); `year`, when the file
    has none (a data file), its partition's."""
    handle = pq.ParquetFile(file)
    present = set(handle.schema_arrow.names)
    table = handle.read(columns=[f.name for f in schema if f.name in present])
    columns = []
    for f in schema:
        if f.name == "year" and "year" not in present:
            columns.append(pa.array([partition_year(Path(file).parent)] * table.num_rows, pa.int16()))
        else:
            columns.append(table.column(f.name).cast(f.type) if f.name in present else pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(columns, schema=schema)
