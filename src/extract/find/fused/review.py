"""Table 四: the 15-cell run read as three rows of five, each adding up."""

from __future__ import annotations

from extract import template as tpl
from extract.find.fused.decide import RowSplits, Solution, blanks_lost, lexmax_key, row_flags, settle, unsolved
from extract.find.fused.rows import Candidate, relaxed_candidates, row_candidates
from extract.find.fused.rules import MAX_CANDIDATES, RULE
from extract.find.fused.runs import Run, TooMany, parse_run


_ROWS = tpl.REVIEW_LITIGATION.row_keys  # table 四: one run of digits for its three rows
_REVIEW_ROLES = ("part", "part", "part", "part", "total")


def review_splits(run: Run, relax: bool) -> list[list[Candidate]]:
    """Every split of table 四's run into three rows of five whose totals hold (`relax`: a row
    with no such split may take any, each break counted in its cost)."""
    memo: dict[tuple[int, int], list[Candidate]] = {}
    n, size = len(_REVIEW_ROLES), len(run)
    out: list[list[Candidate]] = []

    def rows_at(a: int, b: int) -> list[Candidate]:
        if (a, b) not in memo:
            found = row_candidates(run, _REVIEW_ROLES, "review_litigation.total", a, b)
            if not found and relax:
                found = relaxed_candidates(run, _REVIEW_ROLES, "review_litigation.total", a, b)
            memo[(a, b)] = found
        return memo[(a, b)]

    def walk(a: int, k: int, acc: list[Candidate]) -> None:
        if k == 3:
            out.append(list(acc))
            if len(out) > MAX_CANDIDATES:
                raise TooMany(MAX_CANDIDATES)
            return
        ends = [size] if k == 2 else range(a + n, size - n * (2 - k) + 1)
        for b in ends:
            for cand in rows_at(a, b):
                acc.append(cand)
                walk(b, k + 1, acc)
                acc.pop()

    walk(0, 0, [])
    return out


def solve_review(run_text: str) -> Solution:
    """Table 四's 15 fused cells as three rows of five, each row's total holding."""
    out = Solution()
    run = parse_run(run_text)
    cells = 3 * len(_REVIEW_ROLES)
    if run is None:
        return out
    if len(run) < cells:
        out.issues += [unsolved("review_litigation", None, run_text, cells), blanks_lost("review_litigation", ["all"])]
        return out
    try:
        splits = review_splits(run, relax=False) or review_splits(run, relax=True)
    except TooMany:
        splits = []
    if not splits:
        out.issues.append(unsolved("review_litigation", None, run_text, cells, many=True))
        return out
    low = min(sum(c.cost for c in s) for s in splits)
    solutions = [dict(zip(tpl.REVIEW_LITIGATION.row_keys, s)) for s in splits if sum(c.cost for c in s) == low]
    solutions.sort(key=lexmax_key(_ROWS))
    rows = {k: RowSplits(k, run, tpl.REVIEW_COLUMNS_KEYS, [], relaxed=low > 0) for k in _ROWS}
    kept = settle("review_litigation", rows, solutions, RULE["review_litigation"], out)
    out.issues += row_flags("review_litigation", rows, kept)
    return out
