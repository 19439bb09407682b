"""Settling the splits of fused table 二 that no identity inside the table decides.

A 2019-format table 二 flattened into text (``行政许可1523-312450``) has no identity of its own, so
the fused-text solver (`extract.fused.solve_active`) can only rank its splits and flag every cell
that depends on the choice (`cell.ambiguous`). Two other sources know some of those numbers:

- the report's own prose, which often repeats a few of them (``作出行政许可决定2450件``,
  ``新制作规范性文件12件``): `stated_active` reads them, one `Constraint` each;
- the same agency's reports of the neighbouring years: 上一年项目数量 this year is last year's
  上一年项目数量 plus its 本年增/减 (`year_constraints`), when both reports are in the same run or
  already curated. Reports are paired exactly as ``carry.cross_year`` pairs them
  (`extract.research.crossreport.year_pairs`).

`narrow` keeps the splits that agree with every constraint (all of them when none does: then the
other source is what disagrees, and nothing is settled by it). A cell every kept split gives the
same value is settled: its `cell.ambiguous` flag gives way to a `cell.settled` (info) that says by
what; a cell the kept splits still disagree on keeps its `cell.ambiguous` flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd
import pyarrow.parquet as pq

#: one split of a row: its values (None for a mark) and each cell's printed text
Split = tuple[tuple, tuple]


@dataclass(frozen=True)
class Constraint:
    """Σ coefficient × cell = value over some columns of one row, and where it comes from."""

    terms: tuple[tuple[str, int], ...]  # (column, coefficient)
    value: float
    source: str  # a readable origin for the flag message

    def holds(self, got: dict[str, float | None]) -> bool:
        if any(got.get(c) is None and c in got for c, _ in self.terms):
            return False
        if any(c not in got for c, _ in self.terms):
            return True  # the row has no such column: the statement is about another form
        return abs(sum(k * got[c] for c, k in self.terms) - self.value) < 0.005


# ---------------------------------------------------------------- what the prose states

_N = r"(\d+(?:\.\d+)?)"
#: (row, column) → phrases stating that cell (the number in group 1); the template as data
STATED_PHRASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("regulations", "newly_made"): (r"新制作规章" + _N + "件",),
    ("regulations", "issued"): (r"制发规章" + _N + "件",),
    ("normative_documents", "newly_made"): (r"新制作(?:行政)?规范性文件" + _N + "件",),
    ("normative_documents", "newly_published"): (r"新公开(?:行政)?规范性文件" + _N + "件",),
    ("normative_documents", "issued"): (r"制发(?:行政)?规范性文件" + _N + "件",),
    ("normative_documents", "repealed"): (r"废止(?:行政)?规范性文件" + _N + "件",),
    ("licensing", "decisions"): (r"行政许可(?:处理)?决定" + _N + "件", r"办理行政许可(?:事项)?" + _N + "件"),
    ("other_services", "decisions"): (r"其他对外管理服务事项(?:处理)?决定" + _N + "件",),
    ("penalty", "decisions"): (r"行政处罚(?:处理)?决定" + _N + "件", r"作出行政处罚" + _N + "件"),
    ("coercion", "decisions"): (r"行政强制(?:处理)?决定" + _N + "件", r"作出行政强制" + _N + "件"),
    ("procurement", "projects"): (r"政府集中采购项目" + _N + "个",),
    ("procurement", "amount"): (r"采购总金额" + _N + "万元",),
}
_COMPILED = {key: tuple(re.compile(p) for p in phrases) for key, phrases in STATED_PHRASES.items()}
_CLAUSE = re.compile(r"[，,；;。！？]")
_COMPARISON = re.compile(r"同比|较上年|比上年|较去年|比去年|上一年|去年|增长|下降|增加|减少|累计|%|％")


def stated_active(text: str) -> dict[str, list[Constraint]]:
    """Row → the cells of table 二 the text states, clause by clause (comparisons skipped)."""
    found: dict[str, list[Constraint]] = {}
    for clause in _CLAUSE.split(text):
        if not clause or _COMPARISON.search(clause):
            continue
        for (row, column), patterns in _COMPILED.items():
            for pattern in patterns:
                match = pattern.search(clause)
                if match:
                    found.setdefault(row, []).append(Constraint(
                        ((column, 1),), float(match.group(1)), f"the report's text ({match.group(0)})"))
                    break
    return found


# ---------------------------------------------------------------- narrowing a row's splits


def narrow(columns: Sequence[str], splits: Sequence[Split], constraints: Iterable[Constraint]) -> list[Split]:
    """The splits that satisfy every constraint, in their order; all of them when none does."""
    constraints = list(constraints)
    kept = [s for s in splits if all(c.holds(dict(zip(columns, s[0]))) for c in constraints)]
    return kept or list(splits)


def varying(columns: Sequence[str], splits: Sequence[Split]) -> set[str]:
    """Columns whose value differs between the splits."""
    return {c for j, c in enumerate(columns) if len({s[0][j] for s in splits}) > 1}


# ---------------------------------------------------------------- the neighbouring years

_LAST, _CHANGE = "items_last_year", "items_change"


def year_constraints(row: str, before: dict[str, float] | None, after: dict[str, float] | None) -> list[Constraint]:
    """What the agency's report of the year before and of the year after say about `row` of this
    year: items_last_year = last year's items_last_year + items_change, and next year's
    items_last_year = this year's items_last_year + items_change (each from settled cells only)."""
    out = []
    if before and before.get(_LAST) is not None and before.get(_CHANGE) is not None:
        out.append(Constraint(((_LAST, 1),), before[_LAST] + before[_CHANGE],
                              "the previous year's report (上一年项目数量 + 本年增/减)"))
    if after and after.get(_LAST) is not None:
        out.append(Constraint(((_LAST, 1), (_CHANGE, 1)), after[_LAST], "the next year's report (上一年项目数量)"))
    return out


def settle_across_years(results: list, known_reports: pd.DataFrame | None = None,
                        known_cells: pd.DataFrame | None = None, known_flags: pd.DataFrame | None = None,
                        passes: int = 3) -> list:
    """`results` (ParseResults of one run) with the table 二 splits they left open narrowed by the
    same agency's reports of the neighbouring years, among `results` and the `known_*` frames
    (curated datasets). A report settled in one pass can settle its neighbour in the next."""
    from extract.research.crossreport import year_pairs

    open_results = {r.report["report_id"]: r for r in results if getattr(r, "alternatives", None)}
    if not open_results:
        return results
    reports = pd.DataFrame.from_records([{**r.report} for r in results])
    if known_reports is not None and len(known_reports):
        reports = pd.concat([reports, known_reports[~known_reports["report_id"].isin(reports["report_id"])]],
                            ignore_index=True)
    pairs = year_pairs(reports)
    before = dict(zip(pairs["report_id"], pairs["report_id_before"]))
    after = dict(zip(pairs["report_id_before"], pairs["report_id"]))
    by_id = {r.report["report_id"]: r for r in results}
    for _ in range(passes):
        settled_any = False
        for report_id, result in open_results.items():
            for (table, row), (columns, splits) in list(result.alternatives.items()):
                constraints = year_constraints(row, _settled_row(before.get(report_id), row, by_id, known_cells,
                                                                 known_flags),
                                               _settled_row(after.get(report_id), row, by_id, known_cells, known_flags))
                kept = narrow(columns, splits, constraints)
                if len(kept) == len(splits):
                    continue
                apply_choice(result, table, row, columns, splits, kept, constraints)
                settled_any = True
        if not settled_any:
            break
    return results


def _settled_row(report_id: str | None, row: str, by_id: dict, cells: pd.DataFrame | None,
                 flags: pd.DataFrame | None) -> dict[str, float] | None:
    """The settled cells of `row` of table 二 of a report (blank = 0; an ambiguous cell left out)."""
    if report_id is None:
        return None
    if report_id in by_id:
        cells, flags = by_id[report_id].cells, by_id[report_id].flags
    elif cells is None or not len(cells):
        return None
    else:
        cells = cells[cells["report_id"] == report_id]
        flags = flags[flags["report_id"] == report_id] if flags is not None and len(flags) else None
    mine = cells[(cells["table"] == "active_disclosure") & (cells["row"] == row)]
    unsure = set()
    if flags is not None and len(flags):
        open_ = flags[(flags["check"] == "cell.ambiguous") & (flags["table"] == "active_disclosure")
                      & (flags["row"] == row)]
        unsure = set(open_["column"])
    out = {}
    for column, kind, value in zip(mine["column"], mine["kind"], mine["value"]):
        if column in unsure:
            continue
        out[column] = float(value) if kind == "number" else 0.0 if kind == "blank" else None
    return {k: v for k, v in out.items() if v is not None} or None


def apply_choice(result, table: str, row: str, columns: Sequence[str], splits: Sequence[Split],
                 kept: Sequence[Split], constraints: Sequence[Constraint]) -> None:
    """Put the first kept split into `result`'s cells; `cell.settled` for each cell now decided,
    `cell.ambiguous` kept for the others; the row's open splits narrowed to `kept`."""
    from extract.checks import Flag

    values, raws = kept[0]
    cells = result.cells
    at = (cells["table"] == table) & (cells["row"] == row)
    for column, value, raw in zip(columns, values, raws):
        here = at & (cells["column"] == column)
        cells.loc[here, "value"] = None if value is None else float(value)
        cells.loc[here, "kind"] = "na" if value is None else "number"
        cells.loc[here, "raw"] = raw
    still = varying(columns, kept)
    decided = varying(columns, splits) - still
    flags = result.flags
    drop = (flags["check"] == "cell.ambiguous") & (flags["table"] == table) & (flags["row"] == row) \
        & flags["column"].isin(decided)
    why = "; ".join(dict.fromkeys(c.source for c in constraints))
    new = [Flag("cell.settled", "info",
                f"{table}.{row}.{column}: of the {len(splits)} splits of the fused digits that satisfy every "
                f"identity, only those agreeing with {why} were kept; they all give {_show(v)}",
                table, row, column, None, None if v is None else float(v), "extraction")
           for column, v in zip(columns, values) if column in decided]
    records = [{"report_id": result.report["report_id"], "year": result.report.get("year"), **vars(f)} for f in new]
    result.flags = pd.concat([flags[~drop], pd.DataFrame.from_records(records, columns=flags.columns)],
                             ignore_index=True) if records else flags[~drop].reset_index(drop=True)
    if still:
        result.alternatives[(table, row)] = (tuple(columns), list(kept))
    else:
        del result.alternatives[(table, row)]


def _show(value) -> str:
    return "—" if value is None else f"{value:g}"


def curated_neighbours(root: Path, years: Iterable[int], agencies: Iterable[str] | None = None
                       ) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """The curated reports of `years` (and the years either side), with the table 二 cells and
    open-split flags (`cell.ambiguous`) of those reports. With `agencies` (pairing keys,
    `extract.agencies.pairing_key`), only those agencies' reports: the cells and flags are then
    read with a filter, so memory holds a few reports' rows, not the partitions'."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from extract.agencies import pairing_key
    from extract.datasets import PART_FILE, partition_dir, read_partition

    wanted = sorted({y + d for y in years for d in (-1, 0, 1)})
    if agencies is None:
        parts = [read_partition(partition_dir(root, "reports", y), "reports").assign(year=y) for y in wanted]
    else:
        agencies = set(agencies)
        parts = [_agency_reports(partition_dir(root, "reports", y) / PART_FILE, agencies).assign(year=y)
                 for y in wanted if (partition_dir(root, "reports", y) / PART_FILE).exists()]
    parts = [p for p in parts if len(p)]
    reports = pd.concat(parts, ignore_index=True) if parts else None
    if reports is not None and agencies is not None:
        reports = reports[pairing_key(reports).isin(agencies)].reset_index(drop=True)
    if reports is None or not len(reports):
        return reports, None, None
    ids = pa.array(sorted(set(reports["report_id"])), pa.string())
    mine = pc.field("report_id").isin(ids) & (pc.field("table") == "active_disclosure")
    filters = {"cells": mine, "flags": mine & (pc.field("check") == "cell.ambiguous")}
    frames = {}
    for name, where in filters.items():
        files = [(y, partition_dir(root, name, y) / PART_FILE) for y in wanted]
        read = [pq.read_table(f, filters=where).to_pandas().assign(year=y) for y, f in files if f.exists()]
        read = [r for r in read if len(r)]
        frames[name] = pd.concat(read, ignore_index=True) if read else None
    return reports, frames["cells"], frames["flags"]


def _agency_reports(file: Path, agencies: set[str]) -> pd.DataFrame:
    """The rows of one reports partition whose agency_id, or agency name (a pairing key
    ``name:…``), is one of `agencies`, read with a filter (a superset of the pairing keys' rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = pa.array(sorted(k.removeprefix("name:") for k in agencies if k.startswith("name:")), pa.string())
    ids = pa.array(sorted(k for k in agencies if not k.startswith("name:")), pa.string())
    where = pc.field("agency").isin(names)
    if "agency_id" in pq.read_schema(file).names:
        where = where | pc.field("agency_id").isin(ids)
    return pq.read_table(file, filters=where).to_pandas()
