"""Corrections: what a researcher knows the source got wrong, kept beside what it printed.

A correction is one line of ``corrections/corrections.csv`` (in the repository, under review like
code): which report (``report_id``, or ``agency`` + ``year``), which cell (``table``, ``row``,
``column``, canonical keys), the corrected ``value`` (empty: the cell is unusable), a ``reason``,
``who`` and the ``date``. Lines starting with ``#`` are comments.

`apply_corrections` resolves the file against the curated datasets and writes the small
``corrections`` dataset (``<root>/corrections/part-0.parquet``): one row per line and report it
reaches, with the published value and text next to the corrected one and a ``status``
(``applied``, ``no_report``, ``no_cell``, ``superseded`` by a later line for the same cell,
``invalid``). The ``cells`` dataset is never rewritten: `corrected_cells` (and the DuckDB view
`CORRECTED_CELLS_SQL`) add ``value_corrected`` and ``correction_reason`` when reading. Every
apply starts from the file alone, so deleting a line and applying again reverts it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extract import template as tpl
from extract.atomic import write_parquet_atomic
from extract.store.datasets import curated_lock, duckdb_relation, read_dataset

CORRECTIONS_FILE = Path("corrections/corrections.csv")
FILE_COLUMNS = ("report_id", "agency", "year", "table", "row", "column", "value", "reason", "who", "date")
DATASET_FILE = Path("corrections") / "part-0.parquet"
STATUSES = ("applied", "no_report", "no_cell", "superseded", "invalid")

CORRECTIONS = pa.schema([
    ("line", pa.int32()), ("report_id", pa.string()), ("year", pa.int16()), ("agency", pa.string()),
    ("table", pa.string()), ("row", pa.string()), ("column", pa.string()), ("value", pa.float64()),
    ("kind", pa.string()), ("raw", pa.string()), ("value_corrected", pa.float64()), ("reason", pa.string()),
    ("who", pa.string()), ("date", pa.string()), ("status", pa.string()), ("message", pa.string()),
])
DESCRIPTION = ("Corrections of published cells, one row per line of corrections/corrections.csv and report it "
               "reaches: the published value and text, the corrected value, why, who, when, and whether it "
               "applied. The cells dataset itself is never changed.")

_ROWS = {t: {r.key for template in tpl.BY_NAME.values() for r in template[t].rows} | (
    {"other_handling"} if t == "requests" else set()) for t in tpl.TABLES}
_COLUMNS = {t: {c.key for template in tpl.BY_NAME.values() for c in template[t].columns} for t in tpl.TABLES}
_ROWS[tpl.LEGACY_TABLE] = set(tpl.LEGACY.row_keys)  # pre-2019 reports (spec/legacy.md)
_COLUMNS[tpl.LEGACY_TABLE] = {c.key for c in tpl.LEGACY.columns}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_corrections(path: Path = CORRECTIONS_FILE) -> pd.DataFrame:
    """The file's lines (comments skipped) with their 1-based ``line`` and a ``problem`` (None when valid)."""
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=["line", *FILE_COLUMNS, "problem"])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    kept = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        return pd.DataFrame(columns=["line", *FILE_COLUMNS, "problem"])
    rows = list(csv.reader(io.StringIO("\n".join(line for _, line in kept))))
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ("table", "row", "column", "value", "reason", "who") if c not in header]
    if missing:
        raise ValueError(f"{path}: the header lacks {', '.join(missing)} (expected {','.join(FILE_COLUMNS)})")
    records = []
    for (number, _), row in zip(kept[1:], rows[1:]):
        record = {c: (row[header.index(c)].strip() if c in header and header.index(c) < len(row) else "")
                  for c in FILE_COLUMNS}
        records.append({"line": number, **record, "problem": problem_of(record)})
    return pd.DataFrame.from_records(records, columns=["line", *FILE_COLUMNS, "problem"])


def problem_of(record: dict) -> str | None:
    """Why a line of the file cannot be applied, or None."""
    table, row, column = record["table"], record["row"], record["column"]
    if table not in _ROWS:
        return f"unknown table {table!r}"
    if row not in _ROWS[table] and not row.startswith("extra."):
        return f"unknown row {row!r} of {table}"
    if column not in _COLUMNS[table] and not (table == tpl.LEGACY_TABLE and column.startswith("extra_col.")):
        return f"unknown column {column!r} of {table}"
    if not record["report_id"] and not (record["agency"] and record["year"]):
        return "give report_id, or agency and year"
    if record["year"] and not record["year"].isdigit():
        return f"year {record['year']!r} is not a year"
    if record["value"] and _number(record["value"]) is None:
        return f"value {record['value']!r} is not a number"
    if not record["reason"] or not record["who"]:
        return "reason and who are required"
    if record["date"] and not _DATE.fullmatch(record["date"]):
        return f"date {record['date']!r} is not YYYY-MM-DD"
    return None


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def resolve(corrections: pd.DataFrame, reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """The corrections dataset: each line against the reports and cells it names."""
    cell_index = {(r, t, w, c): (v, k, raw) for r, t, w, c, v, k, raw in
                  cells[["report_id", "table", "row", "column", "value", "kind", "raw"]].itertuples(index=False)}
    out = []
    for line in corrections.itertuples(index=False):
        base = {"line": line.line, "table": line.table, "row": line.row, "column": line.column,
                "value_corrected": _number(line.value) if line.value else None, "reason": line.reason or None,
                "who": line.who or None, "date": line.date or None}
        if isinstance(line.problem, str) and line.problem:
            out.append({**base, "report_id": line.report_id or None, "agency": line.agency or None,
                        "year": int(line.year) if line.year.isdigit() else None, "status": "invalid",
                        "message": line.problem})
            continue
        targets = _targets(line, reports)
        if not len(targets):
            out.append({**base, "report_id": line.report_id or None, "agency": line.agency or None,
                        "year": int(line.year) if line.year else None, "status": "no_report",
                        "message": "no report with this " + ("report_id" if line.report_id else "agency and year")})
        for report in targets.itertuples(index=False):
            found = cell_index.get((report.report_id, line.table, line.row, line.column))
            row = {**base, "report_id": report.report_id, "agency": report.agency,
                   "year": None if pd.isna(report.year) else int(report.year)}
            if found is None:
                out.append({**row, "status": "no_cell", "message": "the report has no such cell"})
            else:
                value, kind, raw = found
                out.append({**row, "value": value, "kind": kind, "raw": raw, "status": "applied", "message": None})
    frame = pd.DataFrame.from_records(out, columns=CORRECTIONS.names)
    return _supersede(frame)


def _targets(line, reports: pd.DataFrame) -> pd.DataFrame:
    if line.report_id:
        return reports[reports["report_id"] == line.report_id]
    return reports[(reports["agency"] == line.agency) & (reports["year"] == int(line.year))]


def _supersede(frame: pd.DataFrame) -> pd.DataFrame:
    """Of two applied lines for one cell, the later one holds."""
    applied = frame[frame["status"] == "applied"]
    later = applied.duplicated(["report_id", "table", "row", "column"], keep="last")
    index = applied.index[later]
    frame.loc[index, "status"] = "superseded"
    frame.loc[index, "message"] = "a later line corrects the same cell"
    return frame


def apply_corrections(root: Path, path: Path = CORRECTIONS_FILE) -> pd.DataFrame:
    """Resolve the corrections file against the datasets under `root` and write the corrections dataset."""
    root = Path(root)
    if not Path(path).is_file():  # a missing file must not replace the dataset with nothing
        raise FileNotFoundError(f"no corrections file at {path}")
    corrections = resolve(read_corrections(path), read_dataset(root, "reports"), read_dataset(root, "cells"))
    with curated_lock(root):  # one writer at a time in the curated folder
        write_corrections(root, corrections)
    return corrections


def write_corrections(root: Path, corrections: pd.DataFrame) -> None:
    """The corrections dataset, written atomically (`extract.atomic.write_parquet_atomic`)."""
    target = Path(root) / DATASET_FILE
    frame = corrections.sort_values(["line", "report_id"], na_position="first").reset_index(drop=True)
    table = pa.Table.from_pandas(frame.astype(object).where(frame.notna(), None), schema=CORRECTIONS,
                                 preserve_index=False)
    from extract.store.descriptions import with_descriptions

    table = table.cast(with_descriptions("corrections", CORRECTIONS)).replace_schema_metadata(
        {b"ogi.dataset": b"corrections", b"ogi.description": DESCRIPTION.encode()})
    write_parquet_atomic(table, target)


def read_corrections_dataset(root: Path) -> pd.DataFrame:
    """The corrections dataset under `root` (empty when corrections were never applied)."""
    file = Path(root) / DATASET_FILE
    if not file.exists():
        return CORRECTIONS.empty_table().to_pandas()
    return pq.read_table(file).to_pandas()


def corrected_cells(cells: pd.DataFrame, corrections: pd.DataFrame) -> pd.DataFrame:
    """`cells` plus ``value_corrected`` (the corrected value, else `value`) and ``correction_reason``."""
    keys = ["report_id", "table", "row", "column"]
    applied = corrections.loc[corrections["status"] == "applied", [*keys, "value_corrected", "reason"]]
    merged = cells.merge(applied.rename(columns={"reason": "correction_reason"}), on=keys, how="left",
                         indicator=True)
    corrected = merged["_merge"] == "both"
    merged["value_corrected"] = merged["value_corrected"].where(corrected, merged["value"]).astype("float64")
    return merged.drop(columns=["_merge"])


def read_corrected_cells(root: Path) -> pd.DataFrame:
    """The cells dataset with the applied corrections beside the published values."""
    return corrected_cells(read_dataset(root, "cells"), read_corrections_dataset(root))


def corrected_cells_sql(root: Path | str = "data/curated") -> str:
    """A DuckDB query: the cells with ``value_corrected`` and ``correction_reason`` (like `corrected_cells`)."""
    root = Path(root).as_posix()
    corrections = (f"(select * from read_parquet('{root}/corrections/*.parquet') where status = 'applied')"
                   if (Path(root) / DATASET_FILE).exists() else
                   "(select null::varchar as report_id, null::varchar as \"table\", null::varchar as \"row\", "
                   "null::varchar as \"column\", null::double as value_corrected, null::varchar as reason where false)")
    return (
        "select c.*, case when k.report_id is null then c.value else k.value_corrected end as value_corrected,\n"
        "       k.reason as correction_reason\n"
        f"from {duckdb_relation(root, 'cells')} c\n"
        f"left join {corrections} k using (report_id, \"table\", \"row\", \"column\")"
    )
