"""Frames ⇄ the curated Parquet datasets (spec/datasets.md).

Three datasets, hive-partitioned by `year`: `reports/`, `cells/`, `flags/`, one file per partition
(`year=2024/part-0.parquet`). A report whose year is unknown goes to `year=0` (`UNKNOWN_YEAR`): a
hive null partition (`year=__HIVE_DEFAULT_PARTITION__`, where such reports went before) makes
`pandas.read_parquet(folder)` fail ("Cannot yet unify dictionaries with nulls"), so the plain
reads of pandas, DuckDB and Polars see 0 for an unknown year, and `read_dataset` (like the DuckDB
views of `extract.research.views`) turns it back into null. A folder written before is moved to
`year=0` by the next write. Writing a partition is an upsert by `report_id`:
the partition is read, the rows of the given reports replaced, and the result written to a hidden
temporary file then `os.replace`d over the old one, so a reader sees either the old partition or
the new, never half. Rows are sorted, so the same input writes the same bytes.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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
        new = partition_dir(root, name, None)
        current, before = read_partition(new, name), read_partition(old, name)
        if len(current):  # a report in both: its year=0 rows are the later ones
            before = before[~before["report_id"].isin(set(current["report_id"]))]
        merged = pd.concat([f for f in (current, before) if len(f)] or [current], ignore_index=True)
        write_partition(new, name, merged.assign(year=None))
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


def write_partition(path: Path, name: str, frame: pd.DataFrame) -> None:
    """Write one partition atomically (hidden temp file in the same folder, then os.replace)."""
    path.mkdir(parents=True, exist_ok=True)
    frame = frame.sort_values(SORT_KEYS[name], kind="stable", na_position="first").reset_index(drop=True)
    table = to_table(name, frame).drop(["year"])
    fd, tmp = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=path)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path / PART_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def upsert(root: Path, name: str, frame: pd.DataFrame, report_ids: set[str], years: dict[str, object]) -> None:
    """Replace the rows of `report_ids` in every partition they touch (old or new year)."""
    touched = {_year_key(y) for y in years.values()} | _years_holding(root, name, report_ids)
    for year in sorted(touched, key=lambda y: (y is None, y or 0)):
        path = partition_dir(root, name, year)
        old = read_partition(path, name)
        keep = old[~old["report_id"].isin(report_ids)] if len(old) else old
        new = frame[[_year_key(y) == year for y in frame["year"]]].drop(columns=["year"]) if len(frame) else frame
        merged = pd.concat([keep, new], ignore_index=True) if len(new) else keep
        if len(merged) or (path / PART_FILE).exists():
            write_partition(path, name, merged.assign(year=year))


def _year_key(year) -> int | None:
    return None if year is None or pd.isna(year) else int(year)


def _years_holding(root: Path, name: str, report_ids: set[str]) -> set:
    """Partitions that already hold one of `report_ids` (a report whose year was re-read)."""
    found = set()
    for part in sorted((Path(root) / name).glob("year=*")):
        file = part / PART_FILE
        if not file.exists():
            continue
        ids = pq.read_table(file, columns=["report_id"]).column("report_id").to_pylist()
        if report_ids & set(ids):
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
    years = dict(zip(reports["report_id"], reports["year"]))
    move_unknown_year_partitions(Path(root))
    for name, frame in (("cells", cells), ("flags", flags), ("reports", reports)):
        upsert(Path(root), name, frame, ids, years)
    write_agencies(root)


def write_agencies(root: Path) -> None:
    """Rebuild `agencies/part-0.parquet` from the whole `reports` dataset (atomic replace)."""
    from extract.agencies import agencies_frame
    from extract.store.descriptions import with_descriptions

    frame = agencies_frame(read_dataset(root, "reports"))
    schema = with_descriptions("agencies", AGENCIES)
    data = {f.name: frame[f.name].astype(object).where(frame[f.name].notna(), None) for f in schema}
    table = pa.Table.from_pandas(pd.DataFrame(data), schema=schema, preserve_index=False).replace_schema_metadata(
        {b"ogi.dataset": b"agencies", b"ogi.description": AGENCIES_DESCRIPTION.encode()})
    path = Path(root) / "agencies"
    path.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=path)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path / PART_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def read_dataset(root: Path, name: str) -> pd.DataFrame:
    """A whole dataset as a frame (empty with the right columns when nothing is written yet)."""
    path = Path(root) / name
    if not any(path.glob(f"year=*/{PART_FILE}")):
        return pd.DataFrame({f.name: pd.Series(dtype=object) for f in SCHEMAS[name]})
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet", partitioning=ds.HivePartitioning(
        pa.schema([("year", pa.int16())]), null_fallback=NULL_PARTITION))
    table = dataset.to_table()
    year = table.column("year")
    known = pc.if_else(pc.equal(year, UNKNOWN_YEAR), pa.scalar(None, pa.int16()), year)
    return table.set_column(table.schema.get_field_index("year"), "year", known).to_pandas()
