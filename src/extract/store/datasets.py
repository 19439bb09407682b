"""Frames ⇄ the curated Parquet datasets (spec/datasets.md).

Three datasets, hive-partitioned by `year`: `reports/`, `cells/`, `flags/`, one file per partition
(`year=2024/part-0.parquet`). A report whose year is unknown goes to `year=0` (`UNKNOWN_YEAR`): a
hive null partition (`year=__HIVE_DEFAULT_PARTITION__`, where such reports went before) makes
`pandas.read_parquet(folder)` fail ("Cannot yet unify dictionaries with nulls"), so the plain
reads of pandas, DuckDB and Polars see 0 for an unknown year, and `read_dataset` (like the DuckDB
views of `extract.research.views`) turns it back into null. A folder written before is moved to
`year=0` by the next write.

Every file of the store is written by one function, `write_parquet_atomic` (a hidden temporary
file in the target folder, flushed to disk, then `os.replace`d over the old one, so a reader sees
either the old file or the new, never half), and every partition changes through one upsert,
`upsert_partition`: the partition is read, the rows a predicate selects dropped, the new rows
added, and the result sorted and written, so the same input writes the same bytes. Only one
partition's rows are in memory at a time: the streaming commit of `extract.store.incremental` feeds it
the staged rows of one year partition after another.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.atomic import write_parquet_atomic

UNKNOWN_YEAR = 0  # the partition of reports whose year could not be read: year=0
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # where they went before (moved to year=0 by the next write)
PART_FILE = "part-0.parquet"
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


def move_unknown_year_partitions(root: Path) -> None:
    """Rows of `year=__HIVE_DEFAULT_PARTITION__` (the old place of unknown years) into `year=0`,
    atomically per dataset (call under the curated lock)."""
    for name in SCHEMAS:
        old = Path(root) / name / f"year={NULL_PARTITION}"
        if not (old / PART_FILE).exists():
            continue
        current = partition_ids(partition_dir(root, name, None))
        moved = read_partition_table(old, name)  # a report in both: its year=0 rows are the later ones
        moved = moved.filter(pc.invert(pc.is_in(moved.column("report_id"), value_set=current)))
        upsert_partition(root, name, None, moved, replaces=None)
        (old / PART_FILE).unlink()
        try:
            old.rmdir()
        except OSError:  # a temporary file of a killed write: swept by the next commit
            pass


def read_partition(path: Path, name: str) -> pd.DataFrame:
    file = path / PART_FILE
    if not file.exists():
        return pd.DataFrame({f.name: pd.Series(dtype=object) for f in SCHEMAS[name] if f.name != "year"})
    return pq.read_table(file).to_pandas()


def partition_schema(name: str) -> pa.Schema:
    """The schema of a partition file of dataset `name`: the dataset's columns but `year` (the
    folder names it), with their descriptions and the dataset's metadata."""
    from extract.store.descriptions import with_descriptions

    schema = with_descriptions(name, SCHEMAS[name])
    return schema.remove(schema.get_field_index("year")).with_metadata(_metadata(name))


def conform(table: pa.Table, name: str) -> pa.Table:
    """`table` as a partition of dataset `name`: its columns in order and type, missing ones
    null, others (`year`, columns no longer in the schema) dropped."""
    schema = partition_schema(name)
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(len(table), f.type)
               for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def read_partition_table(path: Path, name: str) -> pa.Table:
    """One partition as an Arrow table of the partition schema (empty when not written)."""
    file = Path(path) / PART_FILE
    if not file.exists():
        return partition_schema(name).empty_table()
    return conform(pq.ParquetFile(file).read(), name)


def partition_ids(path: Path) -> pa.Array:
    """The distinct report_ids of one partition (read from that column alone)."""
    file = Path(path) / PART_FILE
    if not file.exists():
        return pa.array([], pa.string())
    return pc.unique(pq.ParquetFile(file).read(columns=["report_id"]).column("report_id").combine_chunks())


def upsert_partition(root: Path, name: str, year, rows: pa.Table | None, replaces: pc.Expression | None) -> bool:
    """The one upsert of the store: in partition `year` of dataset `name`, drop the rows the
    `replaces` expression selects, add `rows`, sort and write atomically. Nothing is written (and
    False returned) when nothing would change. Memory: this one partition."""
    path = partition_dir(root, name, year)
    exists = (path / PART_FILE).exists()
    old = read_partition_table(path, name)
    keep = old.filter(~replaces) if replaces is not None and old.num_rows else old
    rows = conform(rows, name) if rows is not None and rows.num_rows else None
    if rows is None and keep.num_rows == old.num_rows and (exists or not old.num_rows):
        return False
    merged = pa.concat_tables([keep, rows]) if rows is not None else keep
    if not merged.num_rows and not exists:
        return False
    write_parquet_atomic(sort_rows(merged, name), path / PART_FILE)
    return True


def sort_rows(table: pa.Table, name: str) -> pa.Table:
    """A partition's rows in the dataset's order (`SORT_KEYS`, nulls first; stable)."""
    return table.sort_by([(key, "ascending", "at_start") for key in SORT_KEYS[name]])


def upsert(root: Path, name: str, table: pa.Table, report_ids: set[str]) -> int:
    """Replace the rows of `report_ids` in dataset `name` by the rows of `table` (which has a
    `year` column), partition by partition: every year of `table` and every partition already
    holding one of the reports (a report whose year was re-read). Returns the partitions written."""
    ids = pa.array(sorted(report_ids), pa.string())
    touched = {_year_key(y) for y in pc.unique(table.column("year")).to_pylist()} if table.num_rows else set()
    touched |= years_holding(root, name, ids)
    written = 0
    for year in sorted(touched, key=lambda y: (y is None, y or 0)):
        rows = table.filter(year_filter(year)) if table.num_rows else None
        written += upsert_partition(root, name, year, rows, pc.field("report_id").isin(ids))
    return written


def year_filter(year) -> pc.Expression:
    """The rows of one year partition (the unknown year: a null `year`)."""
    return pc.field("year").is_null() if year is None else pc.field("year") == year


def _year_key(year) -> int | None:
    return None if year is None or pd.isna(year) else int(year)


def years_holding(root: Path, name: str, report_ids: pa.Array) -> set:
    """Partitions that already hold one of `report_ids` (read from their report_id column alone,
    one partition at a time)."""
    found = set()
    for part in sorted((Path(root) / name).glob("year=*")):
        if (part / PART_FILE).exists() and len(report_ids):
            if pc.any(pc.is_in(partition_ids(part), value_set=report_ids)).as_py():
                found.add(partition_year(part))
    return found


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



def write_datasets(root: Path, reports: pd.DataFrame, cells: pd.DataFrame, flags: pd.DataFrame) -> None:
    """Upsert a batch of parsed reports into the three datasets under `root`, then rebuild `agencies`."""
    ids = set(reports["report_id"])
    move_unknown_year_partitions(Path(root))
    for name, frame in (("cells", cells), ("flags", flags), ("reports", reports)):
        upsert(Path(root), name, to_table(name, frame), ids)
    write_agencies(root)


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
    `columns` reads those alone (the ones the dataset has)."""
    path = Path(root) / name
    if not any(path.glob(f"year=*/{PART_FILE}")):
        fields = [f for f in SCHEMAS[name] if columns is None or f.name in set(columns)]
        return pd.DataFrame({f.name: pd.Series(dtype=object) for f in fields})
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet", partitioning=ds.HivePartitioning(
        pa.schema([("year", pa.int16())]), null_fallback=NULL_PARTITION))
    wanted = None if columns is None else [c for c in dataset.schema.names if c in set(columns) | {"year"}]
    table = dataset.to_table(columns=wanted)
    year = table.column("year")
    known = pc.if_else(pc.equal(year, UNKNOWN_YEAR), pa.scalar(None, pa.int16()), year)
    return table.set_column(table.schema.get_field_index("year"), "year", known).to_pandas()
