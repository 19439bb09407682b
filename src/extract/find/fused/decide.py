"""Deciding among the splits: the tie-break order, the choice kept, and the findings of what is
ambiguous or what the printed digits themselves break."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from extract import template as tpl
from extract.find.fused.rows import Candidate
from extract.find.fused.rules import SHOWN_ALTERNATIVES
from extract.find.fused.runs import Run
from extract.model import Finding


@dataclass
class RowSplits:
    """The splits of one row's run (`relaxed`: none keeps the row's identity, each breaks some)."""

    key: str
    run: Run
    columns: tuple[str, ...]
    candidates: list[Candidate]
    relaxed: bool = False


@dataclass
class Solution:
    """What the solver decided for one table: cell → (value, raw), and its flags."""

    values: dict[tuple[str, str], tuple[int | float | None, str]] = field(default_factory=dict)
    issues: list[Finding] = field(default_factory=list)
    #: row → (columns, splits still open: (values, raws) each, the chosen first), where ambiguous
    alternatives: dict[str, tuple[tuple[str, ...], list]] = field(default_factory=dict)

    def ambiguous(self) -> set[tuple[str, str]]:
        return {(i.row, i.column) for i in self.issues if i.check == "cell.ambiguous"}


Choice = dict[str, Candidate]


def lexmax_key(order: Sequence[str]):
    """Sort key of the tie-break for tables 三 and 四: the largest values in the earliest
    columns, rows in printed order (a mark counts below zero)."""
    def key(choice: Choice) -> tuple:
        return tuple(-(v if v is not None else -1) for r in order if r in choice for v in choice[r].values)
    return key


def settle(table: str, rows: dict[str, RowSplits], solutions: list[Choice], rule: str, out: Solution) -> Choice:
    """Record the first of `solutions` (sorted by the rule): its cells; `cell.ambiguous` for each
    cell another tied solution gives another value; a relaxed row the tied solutions disagree on
    is left out (no identity and no rule decides it). Returns what was kept."""
    chosen = dict(solutions[0])
    for key, cand in list(chosen.items()):
        row = rows[key]
        others = list(dict.fromkeys(s[key].values for s in solutions[1:] if s[key].values != cand.values))
        if others and row.relaxed:
            out.issues.append(Finding(
                "fused.unsolved", "error",
                f"{table}.{key}: no split of the fused digits {row.run.text!r} keeps the row's identity, and "
                f"{len(others) + 1} splits break equally few identities ({show_split(cand.values)}; {show_split(others[0])} …); "
                "the row is left out", table, key, origin="extraction"))
            del chosen[key]
            continue
        run = cand.run or row.run
        for j, col in enumerate(row.columns):
            out.values[(key, col)] = (cand.values[j], run.raw(cand.bounds[j], cand.bounds[j + 1]))
        if not others:
            continue
        shown = "; ".join(show_split(o) for o in others[:SHOWN_ALTERNATIVES]) + (
            " …" if len(others) > SHOWN_ALTERNATIVES else "")
        for j, col in enumerate(row.columns):
            if any(o[j] != cand.values[j] for o in others):
                out.issues.append(Finding(
                    "cell.ambiguous", "warning",
                    f"{table}.{key}.{col}: the fused digits {row.run.text!r} split {len(others) + 1} ways that "
                    f"satisfy every identity that applies; chose {show_split(cand.values)} by the rule: {rule}; "
                    f"other splits: {shown}", table, key, col, observed=as_float(cand.values[j]), origin="extraction"))
    return chosen


def show_split(values: Sequence) -> str:
    """A split as findings print it: 71|3|0, a blank cell as —."""
    return "|".join("—" if v is None else f"{v:g}" for v in values)


def as_float(v) -> float | None:
    """A cell's value as a finding's expected/observed number (None stays None)."""
    return None if v is None else float(v)


def blanks_lost(table: str, rows: list[str]) -> Finding:
    return Finding("fused.blanks_lost", "warning",
                   f"{table}: rows {', '.join(rows[:4])}{' …' if len(rows) > 4 else ''} have fewer digits than "
                   "cells: blank cells vanished when the table was flattened, and the other rows are split "
                   "assuming none of theirs did", table, origin="extraction")


def unsolved(table: str, row: str | None, run: str, cells: int, many: bool = False) -> Finding:
    """fused.unsolved: a run no split fits (too few digits, or `many` splits all breaking the row)."""
    why = ("no split of it keeps the row's identity and too many splits break it" if many else
           "fewer digits than cells: blank cells vanish when a table is flattened")
    return Finding("fused.unsolved", "error", f"{table}.{row or ''}: fused digits {run!r} cannot be split "
                   f"into {cells} cells ({why}); left out", table, row, origin="extraction")


def source_flag(check: str, table: str, row: str, col: str, expected, observed, where: str) -> Finding:
    """An identity every split breaks: the published numbers themselves do not add up (origin source)."""
    return Finding(
        check, "error",
        f"{where}: {check} fails for every split of the fused digits (expects {expected:g}, the table prints "
        f"{observed:g}): the published numbers do not add up", table, row, col, as_float(expected), as_float(observed), "source")


def row_flags(table: str, rows: dict[str, RowSplits], chosen: Choice) -> list[Finding]:
    """The row identities the kept split of a relaxed row breaks (origin source)."""
    out = []
    for key, cand in chosen.items():
        got = dict(zip(rows[key].columns, cand.values))
        for check in cand.broken:
            if check == "requests.org_subtotal":
                col, parts = "org_subtotal", [got[c] for c in tpl.REQUEST_ORGS]
            else:
                col = "total"
                parts = [got[c] for c in (tpl.REQUEST_APPLICANTS if table == "requests" else tpl.REVIEW_PARTS)]
            out.append(source_flag(check, table, key, col, sum(parts), got[col], f"row {key}"))
    return out
