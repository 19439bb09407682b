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
from extract.document import CellRead, Finding

CLEAN_METHODS = frozenset({"html", "pdf-grid", "pdf-words", "docx", "doc", "text"})
TOLERANCE = 0.011  # amounts printed to 2 decimals


class Cells:
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


def _term(cells: Cells, key: tuple[str, str, str]) -> tuple[float | None, CellRead | None]:
    cell = cells.get(*key)
    if cell is None:
        return None, None
    if cell.kind == "number":
        return cell.value, cell
    return (0.0, cell) if cell.kind == "blank" and key not in cells.blank_totals else (None, cell)


def total_terms(cells: Cells) -> Iterator[tuple[tuple[str, str, str], list[tuple[str, str, str]]]]:
    """(total, parts) of every identity whose total is one printed cell: the row totals of tables
    三 and 四, 法人或其他组织小计, and 办理结果总计 over the outcome rows."""
    requests = cells.rows("requests")
    for row in sorted(requests):
        yield ("requests", row, "total"), [("requests", row, c) for c in tpl.REQUEST_APPLICANTS]
        yield ("requests", row, "org_subtotal"), [("requests", row, c) for c in tpl.REQUEST_ORGS]
    if "total_handled" in requests and _outcomes_complete(requests):
        rows = outcome_rows(requests)
        for col in sorted(cells.columns("requests")):
            yield ("requests", "total_handled", col), [("requests", r, col) for r in rows]
    for row in sorted(cells.rows("review_litigation")):
        yield ("review_litigation", row, "total"), [("review_litigation", row, c) for c in tpl.REVIEW_PARTS]


def find_blank_totals(cells: Cells) -> dict[tuple[str, str, str], float]:
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


def blank_total(cells: Cells) -> Iterator[Finding]:
    for (table, row, col), parts in sorted(cells.blank_totals.items()):
        yield Finding("total.blank", "info",
                   f"{table}.{row}.{col} is printed blank though the cells it totals add up to {parts:g}: "
                   "left blank, not read as 0, and the identities it closes are not checked",
                   table, row, col, parts, None, "source")


def identity(cells: Cells, check: str, total: tuple[str, str, str], parts: list[tuple[str, str, str]],
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


def requests_balance(cells: Cells) -> Iterator[Finding]:
    for col in sorted(cells.columns("requests")):
        k = lambda row: ("requests", row, col)  # noqa: E731
        left = [_term(cells, k("new_received")), _term(cells, k("carried_over"))]
        yield from _balance(cells, col, left)


def _balance(cells: Cells, col: str, left) -> Iterator[Finding]:
    right = [_term(cells, ("requests", r, col)) for r in ("total_handled", "carried_forward")]
    terms = left + right
    if any(v is None for v, _ in terms):
        return
    expected, observed = left[0][0] + left[1][0], right[0][0] + right[1][0]
    if abs(expected - observed) > TOLERANCE:
        yield Finding("requests.balance", "error",
                   f"column {col}: new + carried over = {expected:g} but handled + carried forward = {observed:g}",
                   "requests", "carried_forward", col, expected, observed, origin_of([c for _, c in terms]))


def requests_row_total(cells: Cells) -> Iterator[Finding]:
    for row in sorted(cells.rows("requests")):
        parts = [("requests", row, c) for c in tpl.REQUEST_APPLICANTS]
        yield from identity(cells, "requests.row_total", ("requests", row, "total"), parts, f"row {row}")


def requests_org_subtotal(cells: Cells) -> Iterator[Finding]:
    if "org_subtotal" not in cells.columns("requests"):
        return
    for row in sorted(cells.rows("requests")):
        parts = [("requests", row, c) for c in tpl.REQUEST_ORGS]
        yield from identity(cells, "requests.org_subtotal", ("requests", row, "org_subtotal"), parts, f"row {row}")


def outcome_rows(present: set[str]) -> list[str]:
    """The rows that add up to total_handled, as printed (one-row 其他处理 or its items)."""
    out = [r for r in tpl.OUTCOME_ROWS if r in present]
    for group in tpl.OUTCOME_GROUPS:
        items = sorted(r for r in present if r.startswith(group + "."))
        out += items or ([group] if group in present else [])
    return out


def requests_outcomes_sum(cells: Cells) -> Iterator[Finding]:
    present = cells.rows("requests")
    rows = outcome_rows(present)
    if "total_handled" not in present or not _outcomes_complete(present):
        return
    for col in sorted(cells.columns("requests")):
        parts = [("requests", r, col) for r in rows]
        yield from identity(cells, "requests.outcomes_sum", ("requests", "total_handled", col), parts, f"column {col}")


def _outcomes_complete(present: set[str]) -> bool:
    need = {r for r in tpl.REQUESTS_2019.row_keys if r not in ("other_handling",)} - {
        "new_received", "carried_over", "total_handled", "carried_forward"}
    has_other = "other_handling" in present or any(r.startswith("other_handling.") for r in present)
    return need <= present and has_other


def review_total(cells: Cells) -> Iterator[Finding]:
    for row in sorted(cells.rows("review_litigation")):
        parts = [("review_litigation", row, c) for c in tpl.REVIEW_PARTS]
        yield from identity(cells, "review_litigation.total", ("review_litigation", row, "total"), parts, f"row {row}")


def non_negative(cells: Cells) -> Iterator[Finding]:
    for (table, row, col), cell in sorted(cells.by_key.items()):
        if cell.kind == "number" and cell.value < 0 and col != "items_change":
            yield Finding("values.non_negative", "error", f"{table}.{row}.{col} is {cell.value:g}, below zero",
                       table, row, col, None, cell.value, "source" if cell.method in CLEAN_METHODS else "unknown")


def unparsed(cells: Cells) -> Iterator[Finding]:
    for (table, row, col), cell in sorted(cells.by_key.items()):
        if cell.kind == "text":
            yield Finding("cell.unparsed", "warning", f"{table}.{row}.{col} holds text, not a number: {cell.raw!r}",
                       table, row, col, origin="source")


def presence(cells: Cells, template: str) -> Iterator[Finding]:
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


def missing_cells(cells: Cells, table: tpl.Table, present: set[str]) -> Iterator[Finding]:
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


def _legacy_columns(cells: Cells) -> list[str]:
    return sorted(cells.columns(tpl.LEGACY_TABLE))


def legacy_sum(cells: Cells, check: str, total: str, parts: tuple[str, ...] | list[str], severity: str,
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


def legacy_channels(cells: Cells) -> Iterator[Finding]:
    yield from legacy_sum(cells, "legacy.channels", "requests.received", tpl.LEGACY_CHANNELS, "warning")


def legacy_answers(cells: Cells) -> Iterator[Finding]:
    yield from legacy_sum(cells, "legacy.answers", "requests.answered", tpl.LEGACY_ANSWERS, "warning", at_least=True)


def legacy_refusals(cells: Cells) -> Iterator[Finding]:
    refusals = sorted(r for r in cells.rows(tpl.LEGACY_TABLE) if r.startswith("requests.refused."))
    yield from legacy_sum(cells, "legacy.refusals", "requests.refused", refusals, "warning")


def legacy_proactive_channels(cells: Cells) -> Iterator[Finding]:
    yield from legacy_sum(cells, "legacy.proactive_channels", "proactive.items", tpl.LEGACY_PROACTIVE_CHANNELS,
                          "info", at_least=True)


def legacy_cumulative(cells: Cells) -> Iterator[Finding]:
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


IDENTITIES = (blank_total, requests_balance, requests_row_total, requests_org_subtotal, requests_outcomes_sum, review_total,
              legacy_channels, legacy_answers, legacy_refusals, legacy_proactive_channels, legacy_cumulative,
              non_negative, unparsed)


def check_report(cells: Iterable[CellRead], template: str) -> list[Finding]:
    """Every check of spec/template.md over one report's cells."""
    indexed = Cells(cells)
    flags = [f for check in IDENTITIES for f in check(indexed)]
    return flags + list(presence(indexed, template))
