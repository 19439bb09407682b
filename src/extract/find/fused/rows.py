"""The splits of one row that keep the row's own identity (total = Σ parts, 小计 = Σ organisations),
or, relaxed, every split with the identities it breaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from extract.find.fused.rules import MAX_CANDIDATES, MAX_RELAXED
from extract.find.fused.runs import Run, TooMany, cell_values, fill


@dataclass(frozen=True)
class Candidate:
    """One split of a row: its values, the symbol boundaries, and the identities it breaks."""

    values: tuple[int | float | None, ...]
    bounds: tuple[int, ...]
    broken: tuple[str, ...] = ()  # identity keys of the row itself that this split breaks
    run: Run | None = field(default=None, compare=False)  # when not the row's own run (table 二)

    @property
    def cost(self) -> int:
        return len(self.broken)


def _row_breaks(values: Sequence, roles: Sequence[str], check: str) -> tuple[str, ...]:
    """The identities among `values` that do not hold: total = Σ parts, subtotal = Σ orgs."""
    broken = []
    total = next((v for v, r in zip(values, roles) if r == "total"), None)
    parts = [v for v, r in zip(values, roles) if r in ("part", "org")]
    if total is not None and None not in parts and abs(sum(parts) - total) > 1e-9:
        broken.append(check)
    if "sub" in roles:
        sub = values[roles.index("sub")]
        orgs = [v for v, r in zip(values, roles) if r == "org"]
        if sub is not None and None not in orgs and sum(orgs) != sub:
            broken.append("requests.org_subtotal")
    return tuple(broken)


def row_candidates(run: Run, roles: Sequence[str], check: str, a: int = 0, b: int | None = None) -> list[Candidate]:
    """Splits of symbols [a, b) into cells with `roles` that keep the row's identity: ``part``
    and ``org`` cells add up to the last cell, ``total``; ``sub`` is the orgs' subtotal. A mark
    in the total leaves the identity unchecked."""
    b = len(run) if b is None else b
    n = len(roles)
    summands = [r in ("part", "org") for r in roles[:-1]]
    out: list[Candidate] = []
    for start in range(b - 1, a, -1):  # the total is the last cell
        if start in run.blocked or b not in run.ends[start]:
            continue
        total = run.value(start, b)
        if total is None:
            out += [Candidate(cell_values(run, (*bounds, b)), (*bounds, b)) for bounds in fill(run, a, start, n - 1)]
            continue
        if not isinstance(total, int) or start - a < n - 1:
            continue
        for bounds in fill(run, a, start, n - 1, total, summands):
            bounds = (*bounds, b)
            values = cell_values(run, bounds)
            if not _row_breaks(values, roles, check):
                out.append(Candidate(values, bounds))
        if len(out) > MAX_CANDIDATES:
            raise TooMany(MAX_CANDIDATES)
    return out


def relaxed_candidates(run: Run, roles: Sequence[str], check: str, a: int = 0, b: int | None = None) -> list[Candidate]:
    """Every split of symbols [a, b) into the row's cells, each with the identities it breaks
    (for a row none of whose splits keeps them); more than MAX_RELAXED raises `TooMany`."""
    b = len(run) if b is None else b
    return [Candidate(v, bounds, _row_breaks(v, roles, check))
            for bounds in fill(run, a, b, len(roles), cap=MAX_RELAXED) for v in [cell_values(run, bounds)]]
