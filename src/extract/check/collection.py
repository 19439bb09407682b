"""Checks across reports, over the curated datasets: frames in, flag frames out.

The per-report identities (`extract.check.report`) see one report; these see the collection:

- ``carry.cross_year``: an agency's 结转下年度继续办理 (carried_forward) in year N should equal its
  上年结转 (carried_over) in year N+1, column by column. A warning on the N+1 report: agencies do
  restate their backlog.
- ``report.identical_tables``: a table (with some non-zero numbers) identical, cell for cell, to the
  same table of the same agency in another year, or of another agency in the same year: a report
  copied from another and not updated.
- ``report.duplicate``: the same report twice: identical cells for the same agency and year (the
  PDF and the HTML of one report), or one file (one SHA-256) archived from several addresses.
- ``text.table_mismatch``: a number the prose states (``stated_*`` columns of `reports`, see
  `extract.research.statements`) that no fair reading of the table matches.
- ``legacy.carry``: before 2019, an agency's 历年累计 in year N+1 should be its 历年累计 of year N
  plus its 本年度 of N+1, row by row. A warning on the N+1 report.

All are warnings (``info`` for one file at several addresses), so a report's ``flags_error`` count
is unchanged. ``origin`` is ``source`` when every cell involved was read by a clean method, as in
`extract.check.report`. `run_cross_checks` writes them into the ``flags`` dataset, replacing the rows of
these checks (and only those) in every year partition; per-report flags are never touched. A
reparsed report loses its cross flags until the next run, which the flows do after each curation.

`cross_checks` takes whole frames; `scan_cross_checks` (what `run_cross_checks` runs) gives the same
flags in bounded memory: each check scans the `cells` dataset for the columns and rows it reads, and
the two that compare whole tables first stream every cell once into a compact signature per report
and table (`table_fingerprints`: a sum of 64-bit cell hashes, a cell count, a bound on the distinct
numbers), then read the cells of the reports whose fingerprints meet another's, where the exact
comparison of `signatures` decides. A fingerprint never misses a match (equal cells, equal sums); a
rare collision only costs a read.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.agencies import pairing_key, year_pairs
from extract.model import Finding
from extract.check.report import CLEAN_METHODS, TOLERANCE
from extract.store.datasets import (FLAGS, Matching, curated_lock, dataset_files, migrate_layout, read_dataset, replace_rows,
                                    to_table)
from extract.find.statements import COLUMN_PREFIX, FACT_WORDS, FACTS

#: a table with fewer distinct non-zero numbers is too plain to call a copy: all-zero 表四 is common, and
#: two townships with 2 requests each can print the same table by chance
MIN_DISTINCT = 5
#: check -> (severity, what it finds); the data dictionary prints these
CHECK_DESCRIPTIONS = {
    "carry.cross_year": ("warning", "an agency's 结转下年度继续办理 (carried_forward) in year N differs from its 上年结转 "
                         "(carried_over) in year N+1, per column; flagged on the N+1 report"),
    "report.identical_tables": ("warning", f"a table with at least {MIN_DISTINCT} distinct non-zero numbers "
                                "identical, cell for cell, to the same agency's in another year or another "
                                "agency's in the same year (copied)"),
    "report.duplicate": ("warning", "every cell identical to another report of the same agency and year (the same "
                         "report published twice); `info` when one file was fetched from several addresses"),
    "text.table_mismatch": ("warning", "a number the report's text states (`reports.stated_*`) that no reading of "
                            "its table matches"),
    "legacy.carry": ("warning", "before 2019: an agency's 历年累计 in year N+1 is not its 历年累计 of year N plus its "
                     "本年度 of N+1, per row; flagged on the N+1 report (lists were restarted or restated; a fused "
                     "split may be wrong)"),
}
CROSS_CHECKS = tuple(CHECK_DESCRIPTIONS)
FLAG_COLUMNS = FLAGS.names
LOSSY_METHODS = frozenset({"ocr", "text-fused"})


def cross_checks(reports: pd.DataFrame, cells: pd.DataFrame, manifest: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every cross-report check over the datasets' frames, as rows of the flags dataset."""
    parts = [carry_cross_year(reports, cells), identical_tables(reports, cells), duplicates(reports, cells, manifest),
             table_mismatch(reports, cells), legacy_carry(reports, cells)]
    return pd.concat([p for p in parts if len(p)] or [_frame([])], ignore_index=True)


def run_cross_checks(root: Path, raw: Path | None = None) -> pd.DataFrame:
    """Run the cross-report checks over the datasets under `root` and store their flags.

    `raw` is the archive (default: ``raw`` next to `root`); its manifest, when there, tells which
    file was fetched from several addresses. Returns the flags written.
    """
    from extract.crawl.archive import read_manifest

    root = Path(root)
    raw = Path(raw) if raw is not None else root.parent / "raw"
    manifest = read_manifest(raw) if any((raw / "manifest").glob("*.parquet")) else None
    flags = scan_cross_checks(root, manifest)
    write_cross_flags(root, flags)
    return flags


# ---------------------------------------------------------------- the checks over the datasets, in bounded memory

#: the columns of `reports` the checks read (those the dataset has)
REPORT_COLUMNS = ("report_id", "year", "agency", "agency_id", "status", "cells",
                  *(COLUMN_PREFIX + fact for fact in FACTS))
#: the columns of `cells` the checks read
CELL_COLUMNS = ("report_id", "table", "row", "column", "value", "kind", "method")
SIGNED_COLUMNS = ("report_id", "table", "row", "column", "kind", "value")
#: cells per record batch of the fingerprint scan: what memory holds of the cells at once
BATCH_ROWS = 65_536


def scan_cross_checks(root: Path, manifest: pd.DataFrame | None = None) -> pd.DataFrame:
    """`cross_checks` over the datasets under `root`, reading only what each check needs: the same
    flags, from two passes over the cells. The first takes the tables' fingerprints and the cells
    the carry-over, legacy and stated-number checks read; the second, the cells of the reports
    whose fingerprints meet another's (what the copy checks compare cell for cell)."""
    reports = read_dataset(root, "reports", REPORT_COLUMNS)
    cells = dataset_files(root, "cells")
    carry = (pc.field("table") == "requests") & pc.field("row").isin(["carried_forward", "carried_over"])
    legacy = (pc.field("table") == "legacy") & pc.field("column").isin(["this_year", "cumulative"])
    prints, read = fingerprint_and_select(cells, {"carry": carry, "stated": _stated_cells(reports),
                                                  "legacy": legacy})
    tables, whole = copy_candidates(reports, prints)
    signed = scan(cells, SIGNED_COLUMNS, {"tables": _of_reports(tables), "whole": _of_reports(whole)})
    parts = [carry_cross_year(reports, read["carry"]), identical_tables(reports, signed["tables"]),
             duplicates(reports, signed["whole"], manifest), table_mismatch(reports, read["stated"]),
             legacy_carry(reports, read["legacy"])]
    return pd.concat([p for p in parts if len(p)] or [_frame([])], ignore_index=True)


Selections = dict[str, "pc.Expression | None"]  # name → the rows it picks (None: none)


def scan(files: list[Path], columns, selections: Selections, batch_rows: int | None = None,
         each_batch: Callable[[pa.Table], None] | None = None) -> dict[str, pd.DataFrame]:
    """The rows each of `selections` picks of `columns` of the cells, as frames in the dataset's
    order, from one pass over the files (`record_batches`): memory holds one batch and what the
    selections keep. `each_batch` sees every batch on the way."""
    kept: dict[str, list[pa.Table]] = {name: [] for name in selections}
    for table in record_batches(files, columns, batch_rows):
        if each_batch is not None:
            each_batch(table)
        for name, where in selections.items():
            if where is not None:
                kept[name].append(table.filter(where))
    return {name: _cells_frame(parts, columns) for name, parts in kept.items()}


def _cells_frame(parts: list[pa.Table], columns) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pa.concat_tables(parts, promote_options="default").to_pandas()


def record_batches(files: list[Path], columns, batch_rows: int | None = None) -> Iterator[pa.Table]:
    """`columns` of every data file (those each has; not the partition's `year`), about `batch_rows`
    rows at a time, file after file: a big file in pieces, small ones gathered (a sparse partition
    has a file per few reports, and each batch costs the checks a fixed time). Each file is read
    page by page (no pre-buffering): the dataset scanner would hold whole row groups of several
    files at once."""
    size = batch_rows or BATCH_ROWS
    held: list[pa.Table] = []
    rows = 0
    for file in files:
        reader = pq.ParquetFile(file, pre_buffer=False)
        wanted = [c for c in reader.schema_arrow.names if c in set(columns) and c != "year"]
        for batch in reader.iter_batches(batch_size=size, columns=wanted, use_threads=False):
            held.append(pa.Table.from_batches([batch]))
            rows += batch.num_rows
            if rows >= size:
                yield pa.concat_tables(held, promote_options="default")
                held, rows = [], 0
    if held:
        yield pa.concat_tables(held, promote_options="default")


def _of_reports(report_ids) -> pc.Expression | None:
    return pc.field("report_id").isin(sorted(report_ids)) if len(report_ids) else None


def _stated_cells(reports: pd.DataFrame) -> pc.Expression | None:
    """The cells `table_mismatch` reads: of reports stating a number, at a key some fact sums."""
    stated = [c for c in reports.columns if c.startswith(COLUMN_PREFIX) and c[len(COLUMN_PREFIX):] in FACTS]
    saying = reports.loc[reports[stated].notna().any(axis=1), "report_id"] if stated else []
    keys = {key for readings in FACTS.values() for keys in readings for key in keys}
    if not len(saying):
        return None
    return (_of_reports(set(saying)) & pc.field("table").isin(sorted({t for t, _, _ in keys}))
            & pc.field("row").isin(sorted({r for _, r, _ in keys})))


def table_fingerprints(cells: list[Path], batch_rows: int | None = None) -> pd.DataFrame:
    """report_id, table, low, high, count, distinct: per table of a report, the sums of the low and
    high 32 bits of its cells' hashes (`cell_hashes`), its cell count, and a bound on its distinct
    non-zero numbers (the count when one batch holds the table; never less). Streams the cells
    record batch by record batch: memory holds one batch and the fingerprints."""
    return fingerprint_and_select(cells, {}, batch_rows)[0]


def fingerprint_and_select(cells: list[Path], selections: Selections,
                           batch_rows: int | None = None) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """`table_fingerprints` and `scan`'s selections of `CELL_COLUMNS`, in one pass over the cells."""
    parts: list[pd.DataFrame] = []

    def fingerprint(batch: pa.Table) -> None:
        if batch.num_rows:
            parts.append(_batch_fingerprints(batch.select(list(SIGNED_COLUMNS)).to_pandas()))

    selected = scan(cells, CELL_COLUMNS, selections, batch_rows, each_batch=fingerprint)
    if not parts:
        columns = ["report_id", "table", "low", "high", "count", "distinct"]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), selected
    prints = pd.concat(parts, ignore_index=True).groupby(["report_id", "table"], sort=False).sum().reset_index()
    return prints, selected


def _batch_fingerprints(cells: pd.DataFrame) -> pd.DataFrame:
    hashes = cell_hashes(cells)
    frame = pd.DataFrame({"report_id": cells["report_id"], "table": cells["table"],
                          "low": (hashes & np.uint64(0xFFFFFFFF)).astype("int64"),
                          "high": (hashes >> np.uint64(32)).astype("int64"),
                          "nonzero": cells["value"].where((cells["kind"] == "number") & (cells["value"] != 0))})
    grouped = frame.groupby(["report_id", "table"], sort=False)
    return pd.DataFrame({"low": grouped["low"].sum(), "high": grouped["high"].sum(), "count": grouped["low"].size(),
                         "distinct": grouped["nonzero"].nunique()}).reset_index()


def cell_hashes(cells: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash per cell of what `signatures` compares: its key, kind and value as printed there
    (``{value:g}``, each distinct value formatted once), mixed so a sum of them tells multisets apart."""
    place = pd.util.hash_pandas_object(cells[["table", "row", "column", "kind"]], index=False).to_numpy()
    codes, values = pd.factorize(cells["value"])
    printed = pd.util.hash_array(np.array([f"{v:g}" for v in values] + [""], dtype=object))
    return _mix(place ^ _mix(printed[codes]))  # code -1 (no value) is the last: ""


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves about half the output bits (wrapping uint64)."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def copy_candidates(reports: pd.DataFrame, fingerprints: pd.DataFrame) -> tuple[set, set]:
    """The reports `identical_tables` and `duplicates` must compare cell for cell: those with a table
    (that it would compare) fingerprinted like another report's, and those whose whole fingerprint
    meets another's. Every report in a true match is among them."""
    who = _who(reports)[["report_id", "agency_key", "year"]]
    prints = fingerprints.merge(who, on="report_id")
    tables = prints[(prints["distinct"] >= MIN_DISTINCT) & prints["agency_key"].notna() & prints["year"].notna()]
    whole = prints.groupby("report_id", sort=False)[["low", "high", "count"]].sum().reset_index()
    return _meeting(tables, ["table", "low", "high", "count"]), _meeting(whole, ["low", "high", "count"])


def _meeting(prints: pd.DataFrame, by: list[str]) -> set:
    """report_ids of `prints` sharing the values of `by` with another report."""
    shared = prints.groupby(by, sort=False)["report_id"].transform("nunique") > 1
    return set(prints.loc[shared, "report_id"])


def write_cross_flags(root: Path, flags: pd.DataFrame) -> None:
    """Replace the cross-report rows of every flags partition by `flags` (one atomic write each),
    holding the curated folder's lock (a pipeline run may be committing to the same folder)."""
    with curated_lock(Path(root)):
        migrate_layout(Path(root))
        _replace_cross_flags(Path(root), flags)


def _replace_cross_flags(root: Path, flags: pd.DataFrame) -> None:
    replace_rows(root, "flags", to_table("flags", flags), replaces=Matching("check", pa.array(sorted(CROSS_CHECKS))))


# ---------------------------------------------------------------- carry.cross_year


def carry_cross_year(reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """carried_forward (N) vs carried_over (N+1) of one agency, per column of table 三."""
    carry = _amounts(cells[(cells["table"] == "requests") & cells["row"].isin(["carried_forward", "carried_over"])])
    years = year_pairs(reports)
    after = carry[carry["row"] == "carried_over"].merge(years, on="report_id")
    before = carry[carry["row"] == "carried_forward"].rename(columns=lambda c: f"{c}_before")
    pairs = after.merge(before, left_on=["report_id_before", "column"], right_on=["report_id_before", "column_before"])
    pairs = pairs[pairs["amount"].notna() & pairs["amount_before"].notna()
                  & ((pairs["amount"] - pairs["amount_before"]).abs() > TOLERANCE)]
    records = [_record(
        p.report_id, p.year, "carry.cross_year", "warning",
        f"column {p.column}: {p.year_before:.0f} carried {p.amount_before:g} forward "
        f"(report {p.report_id_before[:12]}), {p.year:.0f} says {p.amount:g} carried over",
        "requests", "carried_over", p.column, p.amount_before, p.amount, _origin([p.method, p.method_before]))
        for p in pairs.sort_values(["report_id", "column"]).itertuples()]
    return _frame(records)


def legacy_carry(reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """历年累计 (N) + 本年度 (N+1) vs 历年累计 (N+1) of one agency, per row of table `legacy`."""
    legacy = cells[(cells["table"] == "legacy") & cells["column"].isin(["this_year", "cumulative"])]
    if not len(legacy):
        return _frame([])
    figures = _amounts(legacy)
    wide = figures.pivot_table(index=["report_id", "row"], columns="column", values="amount",
                               aggfunc="first").reset_index()
    if "cumulative" not in wide or "this_year" not in wide:
        return _frame([])
    methods = figures.groupby(["report_id", "row"])["method"].agg(list).to_dict()
    before = wide[["report_id", "row", "cumulative"]].rename(
        columns={"report_id": "report_id_before", "cumulative": "cumulative_before"})
    pairs = wide.merge(year_pairs(reports), on="report_id").merge(before, on=["report_id_before", "row"])
    pairs = pairs[pairs["cumulative"].notna() & pairs["this_year"].notna() & pairs["cumulative_before"].notna()]
    pairs = pairs[(pairs["cumulative_before"] + pairs["this_year"] - pairs["cumulative"]).abs() > TOLERANCE]
    records = [_record(
        p.report_id, p.year, "legacy.carry", "warning",
        f"row {p.row}: {p.year_before:.0f} totalled {p.cumulative_before:g} (report {p.report_id_before[:12]}), plus "
        f"{p.this_year:g} this year is {p.cumulative_before + p.this_year:g}, but {p.year:.0f} prints {p.cumulative:g}",
        "legacy", p.row, "cumulative", p.cumulative_before + p.this_year, p.cumulative,
        _origin(methods.get((p.report_id, p.row), []) + methods.get((p.report_id_before, p.row), [])))
        for p in pairs.sort_values(["report_id", "row"]).itertuples()]
    return _frame(records)


def _amounts(cells: pd.DataFrame) -> pd.DataFrame:
    """report_id, table, row, column, amount (blank = 0, na/text = NaN), method."""
    amount = cells["value"].where(cells["kind"] == "number", 0.0).where(cells["kind"].isin(["number", "blank"]))
    return cells[["report_id", "table", "row", "column", "method"]].assign(amount=amount.astype("float64"))


# ---------------------------------------------------------------- report.identical_tables, report.duplicate


def identical_tables(reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Tables identical to the same agency's in another year or another agency's in the same year."""
    tables = signatures(cells, ["report_id", "table"]).merge(_who(reports), on="report_id")
    tables = tables[(tables["distinct"] >= MIN_DISTINCT) & tables["agency_key"].notna() & tables["year"].notna()]
    records = []
    for (table, _), group in tables.groupby(["table", "signature"], sort=True):
        if len(group) < 2:
            continue
        for me in group.itertuples():
            partners = [o for o in group.itertuples() if o.report_id != me.report_id and (
                (o.agency_key == me.agency_key) != (o.year == me.year))]
            if partners:
                records.append(_record(me.report_id, me.year, "report.identical_tables", "warning",
                                       f"table {table} is identical, cell for cell, to that of " + _names(partners),
                                       table, origin="source"))
    return _frame(records)


def duplicates(reports: pd.DataFrame, cells: pd.DataFrame, manifest: pd.DataFrame | None = None) -> pd.DataFrame:
    """The same report twice: identical cells for one agency and year, or one file at several addresses."""
    whole = signatures(cells, ["report_id"]).merge(_who(reports), on="report_id")
    records = []
    for _, group in whole.groupby("signature", sort=True):
        for me in group.itertuples():
            partners = [o for o in group.itertuples() if o.report_id != me.report_id and _same_report(me, o)]
            if partners:
                records.append(_record(me.report_id, me.year, "report.duplicate", "warning",
                                       "every cell is identical to " + _names(partners), origin="source"))
    if manifest is not None and len(manifest):
        records += _same_file_elsewhere(reports, manifest)
    return _frame(records)


def _same_report(me, other) -> bool:
    """Same agency and year; or one of them unknown and enough numbers to tell."""
    if pd.notna(me.agency_key) and pd.notna(other.agency_key) and pd.notna(me.year) and pd.notna(other.year):
        return me.agency_key == other.agency_key and me.year == other.year
    return me.distinct >= MIN_DISTINCT


def _same_file_elsewhere(reports: pd.DataFrame, manifest: pd.DataFrame) -> list[dict]:
    fetched = manifest[manifest["sha256"].isin(reports["report_id"])]
    if "outcome" in fetched:
        fetched = fetched[fetched["outcome"].isin(["new", "unchanged", "not_modified"])]
    address = fetched["final_url"].fillna(fetched["url"])
    urls = fetched.assign(address=address).groupby("sha256")["address"].agg(lambda a: sorted(set(a.dropna())))
    years = dict(zip(reports["report_id"], reports["year"]))
    return [_record(sha, years.get(sha), "report.duplicate", "info",
                    f"the same file was published at {len(found)} addresses: " + ", ".join(found[:3])
                    + (" …" if len(found) > 3 else ""), origin="source")
            for sha, found in sorted(urls.items()) if len(found) > 1]


def signatures(cells: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """`by` + signature (every cell's key, kind and value, sorted) + distinct (distinct non-zero numbers)."""
    value = cells["value"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    key = cells["table"] + "|" + cells["row"] + "|" + cells["column"] + "|" + cells["kind"] + "|" + value
    nonzero = cells["value"].where((cells["kind"] == "number") & (cells["value"] != 0))
    frame = cells[by].assign(_key=key, _nonzero=nonzero)
    grouped = frame.sort_values(by + ["_key"]).groupby(by, sort=True)
    return pd.DataFrame({"signature": grouped["_key"].agg("\n".join),
                         "distinct": grouped["_nonzero"].nunique()}).reset_index()


def _who(reports: pd.DataFrame) -> pd.DataFrame:
    return reports[["report_id", "agency", "year"]].assign(agency_key=pairing_key(reports))


def _names(partners) -> str:
    names = [f"{o.agency or 'an unknown agency'} {_year_text(o.year)} (report {o.report_id[:12]})" for o in partners]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _year_text(year) -> str:
    return "year unknown" if pd.isna(year) else f"{int(year)}"


# ---------------------------------------------------------------- text.table_mismatch


def table_mismatch(reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """A number the prose states that no reading of the table matches (``stated_*`` columns)."""
    stated = [c for c in reports.columns if c.startswith(COLUMN_PREFIX) and c[len(COLUMN_PREFIX):] in FACTS]
    if not stated:
        return _frame([])
    said = reports[["report_id", "year", *stated]].melt(["report_id", "year"], var_name="fact", value_name="stated")
    said = said[said["stated"].notna()]
    if not len(said):
        return _frame([])
    table = _amounts(cells[cells["report_id"].isin(said["report_id"])])
    by_key = {(r, t, w, c): (a, m) for r, t, w, c, a, m in
              table[["report_id", "table", "row", "column", "amount", "method"]].itertuples(index=False)}
    records = []
    for report_id, year, column, value in said.sort_values(["report_id", "fact"]).itertuples(index=False):
        fact = column[len(COLUMN_PREFIX):]
        readings = [_reading(by_key, report_id, keys) for keys in FACTS[fact]]
        known = [r for r in readings if r is not None]
        if not known or any(abs(total - value) <= TOLERANCE for total, _ in known):
            continue
        total, methods = known[0]
        first = FACTS[fact][readings.index(known[0])][0]
        sums = " or ".join(f"{t:g}" for t, _ in known)
        records.append(_record(report_id, year, "text.table_mismatch", "warning",
                               f"the text states {value:g} {FACT_WORDS[fact]}, the table gives {sums}",
                               *first, total, float(value), _origin(methods)))
    return _frame(records)


def _reading(by_key: dict, report_id: str, keys) -> tuple[float, list[str]] | None:
    """The sum of `keys` in one report, with the methods that read them; None when not all numbers."""
    found = [by_key.get((report_id, *k)) for k in keys]
    if any(f is None or pd.isna(f[0]) for f in found):
        return None
    return sum(f[0] for f in found), [f[1] for f in found]


# ---------------------------------------------------------------- frames


def _origin(methods) -> str:
    methods = list(methods)
    if all(m in CLEAN_METHODS for m in methods):
        return "source"
    return "extraction" if any(m in LOSSY_METHODS for m in methods) else "unknown"


def _record(report_id, year, check, severity, message, table=None, row=None, column=None, expected=None,
            observed=None, origin="source") -> dict:
    """A row of the flags dataset: the report it is about and the one kind of finding."""
    finding = Finding(check, severity, message, table, row, column, expected, observed, origin)
    return {"report_id": report_id, "year": _year(year), **asdict(finding)}


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=FLAG_COLUMNS)
    return frame.astype({"expected": "float64", "observed": "float64"})


def _year(year) -> int | None:
    return None if year is None or pd.isna(year) else int(year)
