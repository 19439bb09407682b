"""The template's arithmetic and presence checks → flags.

Each identity of spec/template.md is a function from a report's cells to findings. A blank cell
counts as 0 in an identity (the published table still asserts it), a `na` or `text` cell makes
the identity unverifiable, and a failed identity says where the fault most likely lies:
`source` when every cell in it was read cleanly from a structured table (the published numbers
themselves disagree), `extraction` when a cell came from a lossy method (OCR, fused text), else
`unknown`.

A blank printed where a total belongs is not read as 0 when the cells it totals are not all zero:
it gets its own `total.blank` finding (info), and every identity it takes part in is unverifiable.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from extract import template as tpl
from extract.model import CellRead, Finding
from extract.template.identities import BALANCE, ROW_IDENTITIES, Identity, outcomes_sum

CLEAN_METHODS = frozenset({"html", "pdf-grid", "pdf-words", "docx", "doc", "text"})
TOLERANCE = 0.011  # amounts printed to 2 decimals


class CellIndex:
    """A report's cells by key, with the arithmetic value of each (blank = 0, na/text = None)."""

    def __init__(self, cells: Iterable[CellRead]):
        self.by_key = {(c.table, c.row, c.column): c for c in cells}
        self.blank_totals: dict[tuple[str, str, str], float] = {}  # blank total → what its parts add up to
        self.blank_totals = find_blank_totals(self)

    def get(self, table: str, row: str, column: str) -> CellRead | None:
        return self.by_key.get((table, row, column))

    def rows(self, table: str) -> set[str]:
        return {r for t, r, _ in self.by_key if t == table}

    def columns(self, table: str) -> set[str]:
        return {c for t, _, c in self.by_key if t == table}

    def has_table(self, table: str) -> bool:
        return any(t == table for t, _, _ in self.by_key)


def _term(cells: CellIndex, key: tuple[str, str, str]) -> tuple[float | None, CellRead | None]:
    cell = cells.get(*key)
    if cell is None:
        return None, None
    if cell.kind == "number":
        return cell.value, cell
    return (0.0, cell) if cell.kind == "blank" and key not in cells.blank_totals else (None, cell)


def total_terms(cells: CellIndex) -> Iterator[tuple[tuple[str, str, str], list[tuple[str, str, str]]]]:
    """(total, parts) of every identity whose total is one printed cell: the row totals of tables
    三 and 四, 法人或其他组织小计, and 办理结果总计 over the outcome rows."""
    for ident in ROW_IDENTITIES:
        for row in sorted(cells.rows(ident.table)):
            yield (ident.table, row, ident.at), [(ident.table, row, c) for c in ident.expected_keys]
    outcomes = outcomes_sum(cells.rows("requests"))
    if outcomes:
        for col in sorted(cells.columns("requests")):
            yield ("requests", outcomes.at, col), [("requests", r, col) for r in outcomes.expected_keys]


def find_blank_totals(cells: CellIndex) -> dict[tuple[str, str, str], float]:
    """Blank totals over parts that add up to more than 0: the blank cannot be the printed 0."""
    found = {}
    for total, parts in total_terms(cells):
        cell = cells.get(*total)
        if cell is None or cell.kind != "blank":
            continue
        amounts = [_term(cells, k)[0] for k in parts if cells.get(*k) is not None]
        numbers = [v for v in amounts if v is not None]
        if numbers and sum(numbers) > TOLERANCE:
            found[total] = sum(numbers)
    return found


def blank_total(cells: CellIndex) -> Iterator[Finding]:
    for (table, row, col), parts in sorted(cells.blank_totals.items()):
        yield Finding("total.blank", "info",
                   f"{table}.{row}.{col} is printed blank though the cells it totals add up to {parts:g}: "
                   "left blank, not read as 0, and the identities it closes are not checked",
                   table, row, col, parts, None, "source")


def identity(cells: CellIndex, check: str, total: tuple[str, str, str], parts: list[tuple[str, str, str]],
             where: str) -> Iterator[Finding]:
    """Flag when `total` ≠ Σ `parts`; silent when any term is missing or not a number."""
    expected_terms = [_term(cells, k) for k in parts]
    observed, total_cell = _term(cells, total)
    if observed is None or not parts or any(v is None for v, _ in expected_terms):
        return
    expected = sum(v for v, _ in expected_terms)
    if abs(expected - observed) <= TOLERANCE:
        return
    used = [c for _, c in expected_terms] + [total_cell]
    yield Finding(check, "error", f"{where}: {check} expects {expected:g}, the table prints {observed:g}",
               total[0], total[1], total[2], expected, observed, origin_of(used))


def origin_of(cells: list[CellRead]) -> str:
    if all(c.method in CLEAN_METHODS for c in cells):
        return "source"
    if any(c.method in ("ocr", "text-fused") for c in cells):
        return "extraction"
    return "unknown"


# ---------------------------------------------------------------- the identities


def requests_balance(cells: CellIndex) -> Iterator[Finding]:
    for col in sorted(cells.columns("requests")):
        left = [_term(cells, ("requests", r, col)) for r in BALANCE.expected_keys]
        right = [_term(cells, ("requests", r, col)) for r in BALANCE.observed_keys]
        terms = left + right
        if any(v is None for v, _ in terms):
            continue
        expected, observed = sum(v for v, _ in left), sum(v for v, _ in right)
        if abs(expected - observed) > TOLERANCE:
            yield Finding(BALANCE.name, "error",
                          f"column {col}: new + carried over = {expected:g} but handled + carried forward = {observed:g}",
                          BALANCE.table, BALANCE.at, col, expected, observed, origin_of([c for _, c in terms]))


def row_identity(cells: CellIndex, ident: Identity) -> Iterator[Finding]:
    """An identity across the columns, in every row of its table that prints its total column."""
    if ident.at not in cells.columns(ident.table):
        return
    for row in sorted(cells.rows(ident.table)):
        parts = [(ident.table, row, c) for c in ident.expected_keys]
        yield from identity(cells, ident.name, (ident.table, row, ident.at), parts, f"row {row}")


def request_row_identities(cells: CellIndex) -> Iterator[Finding]:
    for ident in ROW_IDENTITIES:
        if ident.table == "requests":
            yield from row_identity(cells, ident)


def review_row_identities(cells: CellIndex) -> Iterator[Finding]:
    for ident in ROW_IDENTITIES:
        if ident.table == "review_litigation":
            yield from row_identity(cells, ident)


def requests_outcomes_sum(cells: CellIndex) -> Iterator[Finding]:
    outcomes = outcomes_sum(cells.rows("requests"))
    if outcomes is None:
        return
    for col in sorted(cells.columns("requests")):
        parts = [("requests", r, col) for r in outcomes.expected_keys]
        yield from identity(cells, outcomes.name, ("requests", outcomes.at, col), parts, f"column {col}")


def non_negative(cells: CellIndex) -> Iterator[Finding]:
    for (table, row, col), cell in sorted(cells.by_key.items()):
        if cell.kind == "number" and cell.value < 0 and col != "items_change":
            yield Finding("values.non_negative", "error", f"{table}.{row}.{col} is {cell.value:g}, below zero",
                       table, row, col, None, cell.value, "source" if cell.method in CLEAN_METHODS else "unknown")


def unparsed(cells: CellIndex) -> Iterator[Finding]:
    for (table, row, col), cell in sorted(cells.by_key.items()):
        if cell.kind == "text":
            yield Finding("cell.unparsed", "warning", f"{table}.{row}.{col} holds text, not a number: {cell.raw!r}",
                       table, row, col, origin="source")


def presence(cells: CellIndex, template: str) -> Iterator[Finding]:
    """table.missing / row.missing against the detected template."""
    if template not in tpl.BY_NAME:
        return
    for table in tpl.get(template).tables.values():
        if not cells.has_table(table.key):
            yield Finding("table.missing", "error", f"table {table.key} ({table.section}) not found", table.key)
            continue
        present = cells.rows(table.key)
        for row in expected_rows(table, present):
            yield Finding("row.missing", "warning", f"row {row} of {table.key} not found", table.key, row)
        yield from missing_cells(cells, table, present)


def missing_cells(cells: CellIndex, table: tpl.Table, present: set[str]) -> Iterator[Finding]:
    """cell.missing: a row was read but one of its template columns was not (a misread header
    would otherwise lose that cell without a word)."""
    keys = {r.key: r for r in table.rows}
    for row in sorted(present & keys.keys()):
        for column in table.columns_of(keys[row]):
            if cells.get(table.key, row, column) is None:
                yield Finding("cell.missing", "warning", f"{table.key}.{row}.{column} not found though its row was",
                           table.key, row, column)


def expected_rows(table: tpl.Table, present: set[str]) -> list[str]:
    rows = [r.key for r in table.rows if r.key not in present]
    if table.key == "requests" and "other_handling" in present:  # a 2021 report printing 其他处理 as one row
        rows = [r for r in rows if not r.startswith("other_handling.")]
    if table.key == "requests" and any(r.startswith("other_handling.") for r in present):
        rows = [r for r in rows if r != "other_handling"]
    return rows


# ---------------------------------------------------------------- legacy (spec/legacy.md)


def _legacy_columns(cells: CellIndex) -> list[str]:
    return sorted(cells.columns(tpl.LEGACY_TABLE))


def legacy_sum(cells: CellIndex, check: str, total: str, parts: tuple[str, ...] | list[str], severity: str,
               at_least: bool = False) -> Iterator[Finding]:
    """`total` = Σ `parts` printed (or, `at_least`, `total` ≥ Σ), in every figure column."""
    table = tpl.LEGACY_TABLE
    present = [p for p in parts if p in cells.rows(table)]
    if total not in cells.rows(table) or not present:
        return
    for col in _legacy_columns(cells):
        terms = [_term(cells, (table, p, col)) for p in present if cells.get(table, p, col)]
        observed, total_cell = _term(cells, (table, total, col))
        if observed is None or not terms or any(v is None for v, _ in terms):
            continue
        expected = sum(v for v, _ in terms)
        if (observed + TOLERANCE >= expected) if at_least else abs(expected - observed) <= TOLERANCE:
            continue
        relation = "at least" if at_least else "equal to"
        yield Finding(check, severity, f"column {col}: {total} is {observed:g}, not {relation} the {expected:g} of "
                   f"{', '.join(present)}", table, total, col, expected, observed,
                   origin_of([c for _, c in terms] + [total_cell]))


def legacy_channels(cells: CellIndex) -> Iterator[Finding]:
    yield from legacy_sum(cells, "legacy.channels", "requests.received", tpl.LEGACY_CHANNELS, "warning")


def legacy_answers(cells: CellIndex) -> Iterator[Finding]:
    yield from legacy_sum(cells, "legacy.answers", "requests.answered", tpl.LEGACY_ANSWERS, "warning", at_least=True)


def legacy_refusals(cells: CellIndex) -> Iterator[Finding]:
    refusals = sorted(r for r in cells.rows(tpl.LEGACY_TABLE) if r.startswith("requests.refused."))
    yield from legacy_sum(cells, "legacy.refusals", "requests.refused", refusals, "warning")


def legacy_proactive_channels(cells: CellIndex) -> Iterator[Finding]:
    yield from legacy_sum(cells, "legacy.proactive_channels", "proactive.items", tpl.LEGACY_PROACTIVE_CHANNELS,
                          "info", at_least=True)


def legacy_cumulative(cells: CellIndex) -> Iterator[Finding]:
    """历年累计 ≥ 本年度 in every row with both: an error of reading where the text was fused or
    scanned, a warning about the published numbers where it was read cleanly."""
    table = tpl.LEGACY_TABLE
    for row in sorted(cells.rows(table)):
        year, year_cell = _term(cells, (table, row, "this_year"))
        total, total_cell = _term(cells, (table, row, "cumulative"))
        if year is None or total is None or total + TOLERANCE >= year:
            continue
        origin = origin_of([year_cell, total_cell])
        yield Finding("legacy.cumulative", "warning" if origin == "source" else "error",
                   f"row {row}: 历年累计 {total:g} is below 本年度 {year:g}", table, row, "cumulative", year, total,
                   origin)


IDENTITIES = (blank_total, requests_balance, request_row_identities, requests_outcomes_sum, review_row_identities,
              legacy_channels, legacy_answers, legacy_refusals, legacy_proactive_channels, legacy_cumulative,
              non_negative, unparsed)


def check_report(cells: Iterable[CellRead], template: str) -> list[Finding]:
    """Every check of spec/template.md over one report's cells."""
    indexed = CellIndex(cells)
    flags = [f for check in IDENTITIES for f in check(indexed)]
    return flags + list(presence(indexed, template))
