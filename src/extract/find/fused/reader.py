"""All together: the tables located in a document's text and solved, as an `Extraction`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

from extract import template as tpl
from extract.find.fused.active import solve_active
from extract.find.fused.decide import Solution
from extract.find.fused.locate import LocatedRow, find_regions, locate_active, locate_requests, locate_review, request_columns, text_to_pieces
from extract.find.fused.requests import solve_requests
from extract.find.fused.review import solve_review
from extract.find.fused.rules import METHOD
from extract.find.fused.runs import symbol_count
from extract.find.tables import Extraction
from extract.model import CellRead, Document, Finding, Line
from extract.template import labels
from extract.template.printed import UNION


@dataclass
class FusedTables:
    """The fused rows found in a text, before solving (what a baseline can be run on too)."""

    active: list[LocatedRow] = field(default_factory=list)
    active_template: str = "2021"
    requests: list[LocatedRow] = field(default_factory=list)
    request_columns: list[str] = field(default_factory=list)
    review: str | None = None


MIN_REQUEST_ROWS = 4  # rows of table 三 with a full run before the text counts as a fused table


def locate(text: str, tables: Iterable[str] = tpl.TABLES) -> FusedTables:
    """The fused rows of each wanted table in `text` (flattened text of a report)."""
    wanted = set(tables)
    out = FusedTables()
    for key, (start, end) in find_regions(text).items():
        if key not in wanted:
            continue
        pieces = text_to_pieces(text, start, end)
        if key == "requests":
            rows, header = locate_requests(pieces)
            if sum(symbol_count(r.run) >= len(tpl.REQUEST_APPLICANTS) + 1 for r in rows) >= MIN_REQUEST_ROWS:
                out.requests, out.request_columns = rows, request_columns(header)
        elif key == "active_disclosure":
            out.active, out.active_template = locate_active(pieces)
        else:
            out.review = locate_review(pieces)
    return out


def read_fused_text(text: str, tables: Iterable[str] = tpl.TABLES, page: int | None = None) -> Extraction:
    """Template cells recovered from tables flattened into `text`, with the solver's flags."""
    found = locate(text, tables)
    out = Extraction()
    if found.active:
        from extract.find.disambiguate import stated_active

        solution = solve_active(found.active, found.active_template, stated_active(text))
        _emit(out, "active_disclosure", solution, {r.key: r.label for r in found.active}, page)
    if found.requests:
        solution = solve_requests(found.requests, found.request_columns)
        _emit(out, "requests", solution, {r.key: r.label for r in found.requests}, page)
    if found.review:
        solution = solve_review(found.review)
        _emit(out, "review_litigation", solution, {r: labels.normalise(UNION["review_litigation"].row(r).label)
                                                    for r in tpl.REVIEW_LITIGATION.row_keys}, page)
    if any(i.check == "fused.blanks_lost" for i in out.issues):
        out.issues = [_lossy(i) for i in out.issues]
    return out


def _lossy(issue: Finding) -> Finding:
    """A broken identity in an export that lost blank cells: the lost digits may be the cause."""
    if issue.origin != "source":
        return issue
    return replace(issue, origin="extraction", message=issue.message.replace(
        "the published numbers do not add up", "the published numbers do not add up, or digits vanished with "
        "blank cells elsewhere in this export"))


def _emit(out: Extraction, table: str, solution: Solution, labels_of: dict[str, str], page: int | None) -> None:
    for (row, col), (value, raw) in solution.values.items():
        kind = "na" if value is None else "number"
        out.cells.append(CellRead(table, row, col, raw, kind, None if value is None else float(value),
                                  labels_of.get(row, ""), page, METHOD))
    out.issues.extend(solution.issues)
    out.alternatives.update({(table, row): alt for row, alt in solution.alternatives.items()})
    if solution.values:
        out.tables.append(table)


def read_fused(doc: Document, tables: Iterable[str] = tpl.TABLES) -> Extraction:
    """Template cells of the wanted `tables` recovered from the document's running text, for
    tables that no grid held (a web page's text export with its table markup lost)."""
    text = "\n".join(block.text for block in doc.blocks if isinstance(block, Line))
    return read_fused_text(text, tables)
