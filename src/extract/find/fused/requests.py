"""Table 三: one split per row so that the column identities (balance, outcomes sum) hold in
every column, by branch and bound over the rows with several splits."""

from __future__ import annotations

from typing import Sequence

from extract.find.fused.decide import (Choice, RowSplits, Solution, blanks_lost, lexmax_key, row_flags, settle, source_flag,
                                      unsolved)
from extract.find.fused.locate import LocatedRow, request_roles
from extract.find.fused.rows import Candidate, relaxed_candidates, row_candidates
from extract.find.fused.rules import MAX_RELAXED_ROWS, MAX_SOLUTIONS, RULE, SEARCH_BUDGET
from extract.find.fused.runs import TooMany, parse_run, symbol_count
from extract.model import Finding
from extract.template.identities import Identity, column_identities


def _violated(eq: dict[str, int], values: dict[str, tuple]) -> list[int]:
    """Columns where the equation does not hold (a column with a mark is skipped)."""
    width = len(next(iter(values.values())))
    bad = []
    for j in range(width):
        total = 0
        for row, coef in eq.items():
            v = values[row][j]
            if v is None:
                break
            total += coef * v
        else:
            if total:
                bad.append(j)
    return bad


class _Enough(Exception):
    """The search has found as many best solutions as it keeps."""


def joint_search(cands: dict[str, list[Candidate]], equations: list[Identity],
                 budget: int = SEARCH_BUDGET) -> tuple[int, list[Choice]]:
    """One candidate per row minimising broken identities (the rows' own and the equations');
    returns the best cost and the choices reaching it (at most MAX_SOLUTIONS).

    Branch and bound: rows with one candidate are fixed (their share of each equation summed
    once), the others tried fewest candidates first, and an equation is scored as soon as its
    last row is chosen. Raises `TooMany` past `budget` nodes."""
    fixed = {r: c[0] for r, c in cands.items() if len(c) == 1}
    free = _search_order([r for r, c in cands.items() if len(c) > 1], cands, equations)
    width = len(next(iter(cands.values()))[0].values) if cands else 0
    closing: dict[int, list[tuple[list, list[tuple[str, int]]]]] = {}
    for eq in (i.terms for i in equations):
        base: list[int | float | None] = [0] * width
        for row, coef in eq.items():
            if row in fixed:
                base = [None if t is None or v is None else t + coef * v for t, v in zip(base, fixed[row].values)]
        terms = [(row, coef) for row, coef in eq.items() if row not in fixed]
        depth = max((free.index(r) for r, _ in terms), default=-1)
        closing.setdefault(depth, []).append((base, terms))
    values = {r: c.values for r, c in fixed.items()}

    def broken(depth: int) -> int:
        bad = 0
        for base, terms in closing.get(depth, ()):
            for j, total in enumerate(base):
                if total is None:
                    continue
                for row, coef in terms:
                    v = values[row][j]
                    if v is None:
                        break
                    total += coef * v
                else:
                    bad += total != 0
        return bad

    ordered = {r: sorted(cands[r], key=lambda c: c.cost) for r in free}
    floor = sum(min(c.cost for c in cs) for cs in cands.values())
    best = [float("inf")]
    solutions: list[Choice] = []
    chosen: Choice = dict(fixed)
    nodes = [0]

    def walk(depth: int, cost: int) -> None:
        if cost > best[0]:
            return
        if depth == len(free):
            if cost < best[0]:
                best[0] = cost
                solutions.clear()
            solutions.append(dict(chosen))
            if len(solutions) >= MAX_SOLUTIONS and cost == floor:
                raise _Enough
            return
        row = free[depth]
        for cand in ordered[row]:
            if cost + cand.cost > best[0]:
                break
            nodes[0] += 1
            if nodes[0] > budget:
                raise TooMany(budget)
            chosen[row] = cand
            values[row] = cand.values
            walk(depth + 1, cost + cand.cost + broken(depth))
        chosen.pop(row, None)
        values.pop(row, None)

    try:
        walk(0, sum(c.cost for c in fixed.values()) + broken(-1))
    except _Enough:
        pass
    return int(best[0]), solutions[:MAX_SOLUTIONS]


def _search_order(free: list[str], cands: dict[str, list[Candidate]], equations) -> list[str]:
    """Rows to try in an order that completes an equation as early as possible (the one with the
    fewest open rows first), fewest candidates first within it: it is scored, and prunes, sooner."""
    order: list[str] = []
    open_eqs = [[r for r in i.terms if r in free] for i in equations]
    while True:
        open_eqs = [[r for r in rows if r not in order] for rows in open_eqs]
        open_eqs = [rows for rows in open_eqs if rows]
        if not open_eqs:
            break
        rows = min(open_eqs, key=lambda rs: (len(rs), sum(len(cands[r]) for r in rs)))
        order += sorted(rows, key=lambda r: len(cands[r]))
    return order + sorted((r for r in free if r not in order), key=lambda r: len(cands[r]))


def request_splits(located: list[LocatedRow], columns: Sequence[str], out: Solution) -> dict[str, RowSplits]:
    """Each row's splits that keep its identity, or (relaxed) all its splits when none does."""
    roles = request_roles(columns)
    rows: dict[str, RowSplits] = {}
    for row in located:
        run = parse_run(row.run)
        if run is None:
            continue
        if len(run) < len(columns):
            out.issues.append(unsolved("requests", row.key, row.run, len(columns)))
            continue
        try:
            found = row_candidates(run, roles, "requests.row_total")
            relaxed = not found
            if relaxed:
                found = relaxed_candidates(run, roles, "requests.row_total")
        except TooMany:
            out.issues.append(unsolved("requests", row.key, row.run, len(columns), many=True))
            continue
        if found:
            rows[row.key] = RowSplits(row.key, run, tuple(columns), found, relaxed)
    return rows


def solve_requests(located: list[LocatedRow], columns: Sequence[str]) -> Solution:
    """Split every row of table 三 so that its identities hold: each row's total, then jointly
    balance and outcomes sum in every column."""
    out = Solution()
    rows = request_splits(located, columns, out)
    order = [r.key for r in located if r.key in rows]
    lost = _short_rows(located, len(columns))
    if lost:  # blank cells vanished from some rows: a row that does not add up may have lost some too
        for key in [k for k in order if rows[k].relaxed]:
            out.issues.append(Finding(
                "fused.unsolved", "error",
                f"requests.{key}: no split of the fused digits {rows[key].run.text!r} keeps the row's identity, and "
                f"rows {', '.join(lost[:3])}{' …' if len(lost) > 3 else ''} lost cells in flattening: this one may "
                "have too; left out", "requests", key, origin="extraction"))
            del rows[key]
    order = [k for k in order if k in rows]
    # rows no column identity reaches are decided alone; at most MAX_RELAXED_ROWS relaxed rows join the search
    linked = {r for i in column_identities(rows) for r in i.terms}
    relaxed = [k for k in order if rows[k].relaxed and k in linked]
    for key in relaxed[MAX_RELAXED_ROWS:]:
        out.issues.append(unsolved("requests", key, rows[key].run.text, len(columns), many=True))
        del rows[key]
    order = [k for k in order if k in rows]
    equations = column_identities(rows)
    linked = {r for i in equations for r in i.terms}
    rule = RULE["requests"]
    kept: Choice = {}
    for key in order:
        if key in rows and key not in linked:
            rank = lexmax_key([key])
            alone = sorted(({key: c} for c in rows[key].candidates), key=lambda ch: (ch[key].cost, rank(ch)))
            low = alone[0][key].cost
            kept.update(settle("requests", rows, [ch for ch in alone if ch[key].cost == low], rule, out))
    if linked:
        try:
            _, solutions = joint_search({k: rows[k].candidates for k in order if k in linked}, equations)
        except TooMany:
            out.issues.append(Finding("fused.unsolved", "error", "table 三: the fused rows split too many ways to "
                                      "search jointly; only rows with a single split are kept", "requests",
                                      origin="extraction"))
            single = {k: rows[k].candidates[0] for k in order if k in linked and len(rows[k].candidates) == 1}
            solutions = [single] if single else []
        if solutions:
            solutions.sort(key=lexmax_key(order))
            kept.update(settle("requests", rows, solutions, rule, out))
    out.issues += row_flags("requests", rows, kept) + equation_flags(kept, equations, columns)
    if lost:
        out.issues.append(blanks_lost("requests", lost))
    return out


def equation_flags(kept: Choice, equations: list[Identity], columns: Sequence[str]) -> list[Finding]:
    """The column identities the kept splits still break: no split of the printed digits
    satisfies them, so the published numbers disagree (origin source)."""
    out = []
    values = {r: c.values for r, c in kept.items()}
    for ident in equations:
        if not all(r in values for r in ident.terms):
            continue
        for j in _violated(ident.terms, values):
            col = columns[j]
            expected = sum(values[r][j] for r in ident.expected_keys)
            observed = sum(values[r][j] for r in ident.observed_keys)
            out.append(source_flag(ident.name, ident.table, ident.at, col, expected, observed, f"column {col}"))
    return out


def _short_rows(located: list[LocatedRow], cells: int) -> list[str]:
    """Rows whose runs hold fewer cells than the row has: blank cells vanished in flattening."""
    return [r.key for r in located if 0 < symbol_count(r.run) < cells]
