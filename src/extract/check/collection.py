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
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc

from extract.agencies import pairing_key, year_pairs
from extract.model import Finding
from extract.check.report import CLEAN_METHODS, TOLERANCE
from extract.store.datasets import FLAGS, curated_lock, migrate_layout, read_dataset, replace_rows, to_table
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
    flags = cross_checks(read_dataset(root, "reports"), read_dataset(root, "cells"), manifest)
    write_cross_flags(root, flags)
    return flags


def write_cross_flags(root: Path, flags: pd.DataFrame) -> None:
    """Replace the cross-report rows of every flags partition by `flags` (one atomic write each),
    holding the curated folder's lock (a pipeline run may be committing to the same folder)."""
    with curated_lock(Path(root)):
        migrate_layout(Path(root))
        _replace_cross_flags(Path(root), flags)


def _replace_cross_flags(root: Path, flags: pd.DataFrame) -> None:
    replace_rows(root, "flags", to_table("flags", flags), replaces=pc.field("check").isin(sorted(CROSS_CHECKS)))


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
