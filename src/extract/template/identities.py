"""The template's arithmetic as data: each identity is a set of keys with coefficients whose
weighted sum is 0 (spec/template.md), used by the checks (`extract.check.report`) to flag a report
and by the fused-digit solver (`extract.find.fused`) to choose among the splits of a digit run.

An identity either runs `across` a row (its keys are columns, it holds in every row of its table)
or `down` a column (its keys are rows, it holds in every column). The keys with coefficient +1
are what the table prints as the total side (`observed`), those with -1 the parts (`expected`);
`at` is the key a failure is reported at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from extract import template as tpl


@dataclass(frozen=True)
class Identity:
    name: str  # the check code
    terms: dict[str, int]  # key → coefficient: Σ coefficient × value = 0
    table: str
    along: str  # "across" (keys are columns) or "down" (keys are rows)
    at: str  # the key the failure is reported at

    @property
    def observed_keys(self) -> tuple[str, ...]:
        return tuple(k for k, c in self.terms.items() if c > 0)

    @property
    def expected_keys(self) -> tuple[str, ...]:
        return tuple(k for k, c in self.terms.items() if c < 0)


def _total_of(name: str, table: str, total: str, parts: Iterable[str]) -> Identity:
    return Identity(name, {total: 1, **{p: -1 for p in parts}}, table, "across", total)


#: identities across every row: 总计 = Σ applicants, 小计 = Σ organisations, 四's 总计 = Σ results
ROW_IDENTITIES = (
    _total_of("requests.row_total", "requests", "total", tpl.REQUEST_APPLICANTS),
    _total_of("requests.org_subtotal", "requests", "org_subtotal", tpl.REQUEST_ORGS),
    _total_of("review_litigation.total", "review_litigation", "total", tpl.REVIEW_PARTS),
)

#: new + carried over = handled + carried forward, in every column of table 三
BALANCE = Identity("requests.balance", {"new_received": -1, "carried_over": -1, "total_handled": 1,
                                        "carried_forward": 1}, "requests", "down", "carried_forward")


def outcome_rows(present: Iterable[str]) -> list[str] | None:
    """The rows of table 三 that add up to total_handled as printed: granted, partially granted
    and, of each outcome group, its one-line row or all of its item rows; None when one is missing."""
    present = set(present)
    out = list(tpl.OUTCOME_ROWS)
    if not set(out) <= present:
        return None
    for group in tpl.OUTCOME_GROUPS:
        items = [r.key for r in tpl.REQUESTS_2021.rows if r.key.startswith(group + ".")]
        if group in present:
            out.append(group)
        elif all(r in present for r in items):
            out += items
        else:
            return None
    return out


def outcomes_sum(present: Iterable[str]) -> Identity | None:
    """办理结果总计 = Σ of the outcome rows, over the rows present (None when it cannot be checked)."""
    present = set(present)
    rows = outcome_rows(present)
    if rows is None or "total_handled" not in present:
        return None
    return Identity("requests.outcomes_sum", {"total_handled": 1, **{r: -1 for r in rows}}, "requests", "down",
                    "total_handled")


def column_identities(present: Iterable[str]) -> list[Identity]:
    """The identities down the columns of table 三 that the rows present let one check."""
    present = set(present)
    found = [BALANCE] if set(BALANCE.terms) <= present else []
    outcomes = outcomes_sum(present)
    return found + ([outcomes] if outcomes else [])
