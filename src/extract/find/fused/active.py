"""Table 二: no identity binds it; the numbers the report's prose states narrow its splits, then
a documented plausibility rule chooses."""

from __future__ import annotations

import math
from typing import Sequence

from extract import template as tpl
from extract.find.fused.decide import RowSplits, Solution, as_float, blanks_lost, settle, show_split, unsolved
from extract.find.fused.locate import LocatedRow
from extract.find.fused.rows import Candidate
from extract.find.fused.rules import MAX_SOLUTIONS, RULE
from extract.find.fused.runs import TooMany, cell_values, fill, parse_run, symbol_count
from extract.model import Finding


_STOCK = {"in_force": ("issued", "repealed"), "total_published": ("newly_made", "newly_published")}


def plausible(columns: Sequence[str], values: Sequence) -> bool:
    """Table 二's soft order: the stock of documents is at least each yearly count; a year's
    change in items is no larger than the items it changes (or a single digit); a procurement
    amount is at least its number of projects."""
    got = dict(zip(columns, values))
    for stock, flows in _STOCK.items():
        if got.get(stock) is not None and any(got.get(f) is not None and got[f] > got[stock] for f in flows):
            return False
    if got.get("amount") is not None and got.get("projects") is not None and got["amount"] < got["projects"]:
        return False
    change, items = got.get("items_change"), got.get("items_last_year")
    return change is None or items is None or abs(change) <= max(items, 9)


def active_key(columns: Sequence[str], cand: Candidate) -> tuple:
    """The documented rule ordering table 二's splits (smaller first): plausible order; a dash
    before digits read as a minus sign rather than a mark; the smallest change (a year rarely
    changes its list of items); the fewest digits in the longest cell (decimals not counted);
    repealed no more than issued; the largest
    values in the earliest columns. The 2019 form's 本年新公开数量 counts the documents made this
    year that were published, so it is read as near 本年新制作数量 as the digits allow (`_count_gap`)."""
    got = dict(zip(columns, cand.values))
    change = got.get("items_change")
    flows = [got.get(c) for c in ("issued", "repealed") if c in got] or [got.get(c) for c in (
        "newly_made", "newly_published") if c in got]
    descending = len(flows) < 2 or None in flows or flows[0] >= flows[1]
    chars = cand.run.chars if cand.run else ""
    widths = [len(chars[a:b].split(".")[0].lstrip("-")) for a, b in zip(cand.bounds, cand.bounds[1:])]
    return (not plausible(columns, cand.values), sum(v is None for v in cand.values), _count_gap(got),
            abs(change) if change is not None else 0, max(widths), not descending,
            tuple(-(v if v is not None else -1) for v in cand.values))


def _count_gap(got: dict) -> float:
    """How far apart a 2019 row's 本年新制作数量 and 本年新公开数量 are, in orders of magnitude (0 when
    the row has no such pair)."""
    made, published = got.get("newly_made"), got.get("newly_published")
    if made is None or published is None:
        return 0.0
    return round(abs(math.log10(made + 1) - math.log10(published + 1)), 9)


def active_splits(row: LocatedRow, columns: Sequence[str]) -> list[Candidate]:
    """Every split of a table 二 row; in a row with 本年增/减 a dash before digits is read both
    as a minus sign and as a not-applicable mark."""
    out: dict[tuple, Candidate] = {}
    for signed in ((True, False) if "items_change" in columns else (False,)):
        run = parse_run(row.run, signed=signed)
        if run is None or len(run) < len(columns):
            continue
        for bounds in fill(run, 0, len(run), len(columns)):
            values = cell_values(run, bounds)
            if all(v is None or v >= 0 or c == "items_change" for c, v in zip(columns, values)):
                kinds = tuple(v is None for v in values)
                out.setdefault((values, kinds), Candidate(values, bounds, run=run))
    return list(out.values())


def solve_active(located: list[LocatedRow], template: str, stated: dict | None = None) -> Solution:
    """Each row of table 二 on its own (no identity binds them): all splits without a leading
    zero, those agreeing with what the prose `stated` (`disambiguate.stated_active`) kept, chosen
    by `active_key`, every cell that depends on the choice flagged."""
    from extract.find.disambiguate import narrow, varying

    out = Solution()
    spec = tpl.get(template)["active_disclosure"]
    known = {r.key: r for r in spec.rows}
    for row in located:
        base = known.get(row.key) or known.get(row.group or "")
        if base is None:
            continue
        columns = base.columns
        try:
            cands = active_splits(row, columns)
        except TooMany:
            cands = []
        if not cands:
            run = parse_run(row.run)
            if run is not None:
                out.issues.append(unsolved("active_disclosure", row.key, row.run, len(columns),
                                            many=len(run) >= len(columns)))
            continue
        cands.sort(key=lambda c: active_key(columns, c))
        said = (stated or {}).get(row.key, [])
        if said and len(cands) > 1:
            splits = [(c.values, c) for c in cands]
            kept = narrow(columns, splits, said)
            out.issues += _settled_by_text(row.key, columns, splits, kept, said)
            cands = [c for _, c in kept]
        rows = {row.key: RowSplits(row.key, cands[0].run, columns, cands)}
        settle("active_disclosure", rows, [{row.key: c} for c in cands], RULE["active_disclosure"], out)
        if varying(columns, [(c.values, ()) for c in cands]):
            out.alternatives[row.key] = (tuple(columns), [
                (c.values, tuple((c.run or run).raw(c.bounds[j], c.bounds[j + 1]) for j in range(len(columns))))
                for c in cands[:MAX_SOLUTIONS] for run in [cands[0].run]])
    lost = [r.key for r in located if r.key in known and 0 < symbol_count(r.run) < len(known[r.key].columns)]
    if lost:
        out.issues.append(blanks_lost("active_disclosure", lost))
    return out


def _settled_by_text(key: str, columns: Sequence[str], splits: list, kept: list, said) -> list[Finding]:
    """`cell.settled` for each cell the prose's numbers decided among the row's splits."""
    from extract.find.disambiguate import varying

    if len(kept) == len(splits):
        return []
    decided = varying(columns, splits) - varying(columns, kept)
    why = "; ".join(dict.fromkeys(c.source for c in said))
    return [Finding("cell.settled", "info",
                    f"active_disclosure.{key}.{col}: of the {len(splits)} splits of the fused digits, only those "
                    f"agreeing with {why} were kept; they all give {show_split((kept[0][0][j],))}", "active_disclosure",
                    key, col, observed=as_float(kept[0][0][j]), origin="extraction")
            for j, col in enumerate(columns) if col in decided]
