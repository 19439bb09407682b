"""The model every stage shares: the document a reader produces, the template cell read out of
it, and the one kind of finding every stage reports (with the registry of every check code).

A `Document` is the report's content in reading order: blocks that are either a `Line` of text
or a `Grid` (a table expanded into rows and columns). Readers know formats and fill this model;
`find` reads the template out of it and knows nothing of formats.

Spans are expanded: a cell that spans several rows or columns is the *same* `Cell` object at
every grid position it covers, so `grid.is_continuation(r, c)` can tell a merged label from a
repeated one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union


@dataclass(frozen=True, eq=False)
class Cell:
    """One printed cell. Identity matters: a spanned cell is one object in many positions."""

    text: str
    page: int | None = None
    x: float | None = None  # left edge where known (text columns, PDF points); aligns unruled rows
    confidence: float | None = None  # OCR's (0–1) for a cell read from an image; None otherwise or with no ink

    @property
    def stripped(self) -> str:
        return self.text.strip()


@dataclass(eq=False)
class Grid:
    """A table as a dense matrix of cells (spans expanded by identity)."""

    rows: list[list[Cell]]
    method: str  # how the reader got it: html, pdf-grid, pdf-words, docx, text, ocr, ...
    page: int | None = None  # page where the grid starts
    aligned: bool = True  # columns line up across rows; False for text split on spaces

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def is_continuation(self, r: int, c: int) -> bool:
        """True when (r, c) repeats the cell above or to the left (a span)."""
        cell = self.rows[r][c]
        return (r > 0 and c < len(self.rows[r - 1]) and self.rows[r - 1][c] is cell) or (
            c > 0 and self.rows[r][c - 1] is cell
        )

    def texts(self) -> list[list[str]]:
        return [[cell.text for cell in row] for row in self.rows]

    @classmethod
    def from_texts(cls, rows: list[list[str]], method: str, page: int | None = None,
                   aligned: bool = True) -> "Grid":
        """A grid with no spans, one cell per string (text exports, tests)."""
        return cls([[Cell(t, page) for t in row] for row in rows], method, page, aligned)


@dataclass(frozen=True)
class Line:
    """A line (or paragraph) of running text."""

    text: str
    page: int | None = None


Block = Union[Line, Grid]


@dataclass(frozen=True)
class CellRead:
    """One template cell as read from a document (a row of the cells dataset)."""

    table: str
    row: str
    column: str
    raw: str
    kind: str
    value: float | None
    label: str
    page: int | None
    method: str
    confidence: float | None = None  # OCR's, where a cell was read from an image


@dataclass(frozen=True)
class Finding:
    """Something a stage noticed (a row of the flags dataset): a reader about the file, the finder
    about a table it could not read cleanly, a check about numbers that do not add up.

    `check` is a code of `CHECKS`; `origin` says whose fault it most likely is: `source` (the file
    or its published numbers), `extraction` (we may have misread), `unknown`."""

    check: str
    severity: str  # error, warning, info
    message: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    expected: float | None = None
    observed: float | None = None
    origin: str = "unknown"


@dataclass(frozen=True)
class Check:
    """A check code as the flags dataset carries it, with its usual severity and what it finds."""

    code: str
    severity: str  # the usual one; a few codes vary (see the doc)
    doc: str


def _registry(*checks: Check) -> dict[str, Check]:
    return {c.code: c for c in checks}


#: every check code any stage writes to `flags.check`, by the stage that writes it
CHECKS: dict[str, Check] = _registry(
    # readers: the file itself
    Check("file.unreadable", "error", "the file cannot be read as a document at all"),
    Check("file.unsupported", "error", "no reader for the file's format, or its reader is not installed"),
    Check("pdf.corrupt", "error", "not a PDF, or damaged or truncated (warning when only the %%EOF is missing)"),
    Check("pdf.encrypted", "error", "encrypted and needs a password (info when an empty password opened it)"),
    Check("pdf.no_text", "error", "pages without a text layer (images only): read by OCR where possible"),
    Check("pdf.cid_font", "warning", "glyphs without a Unicode mapping"),
    Check("html.unparseable", "error", "not an HTML document"),
    Check("html.image_tables", "info", "the page's markup holds no table: its pictures were read by OCR"),
    Check("docx.corrupt", "error", "not a readable DOCX archive or Word document"),
    Check("docx.hostile", "error", "a DOCX archive too large or with too many members to open safely"),
    Check("doc.unconvertible", "error", "LibreOffice could not convert the DOC/WPS file"),
    Check("doc.converter_missing", "error", "LibreOffice is not installed or could not be started"),
    Check("doc.timeout", "error", "LibreOffice did not convert the file in time"),
    Check("image.corrupt", "error", "not a readable image"),
    Check("image.too_large", "error", "an image too large to be a page"),
    Check("ocr.used", "info", "tables read by OCR from scanned pages"),
    Check("ocr.no_table", "warning", "OCR found no ruled table in the scanned pages"),
    Check("ocr.timeout", "error", "the OCR engine did not finish in time"),
    Check("ocr.unavailable", "error", "the OCR engine could not be started"),
    Check("ocr.failed", "error", "the OCR engine stopped with an error"),
    Check("reader.crashed", "error", "a bug of the parser while reading the file (caught by the guard)"),
    Check("parse.crashed", "error", "a bug of the parser after reading (finding tables, splitting, checks)"),
    # finding the tables
    Check("table.missing", "error", "a table of the template not found"),
    Check("row.missing", "warning", "a row of the template not found"),
    Check("cell.missing", "warning", "a cell not found though its row was"),
    Check("row.unaligned", "warning", "a row whose values do not line up with the header"),
    Check("cell.unparsed", "warning", "a cell holding text, not a number"),
    Check("cell.low_confidence", "warning", "a cell read by OCR with low confidence"),
    Check("cell.ambiguous", "warning", "fused digits that split several ways satisfying every identity"),
    Check("cell.settled", "info", "an ambiguous split decided by the report's prose or a neighbouring year"),
    Check("fused.unsolved", "error", "fused digits no split of which reads as the row's cells"),
    Check("fused.blanks_lost", "warning", "rows with fewer digits than cells: blanks vanished in flattening"),
    Check("region.ambiguous", "warning", "the agency's area name is shared by several divisions"),
    Check("region.unresolved", "info", "no division found for the agency (kept as `region_note`, not flagged today)"),
    # the template's arithmetic
    Check("total.blank", "info", "a total printed blank over parts that add up to more than 0"),
    Check("requests.balance", "error", "new + carried over = handled + carried forward, per column"),
    Check("requests.row_total", "error", "总计 = Σ of the applicant columns, per row of table 三"),
    Check("requests.org_subtotal", "error", "法人或其他组织小计 = Σ of the organisation columns"),
    Check("requests.outcomes_sum", "error", "办理结果总计 = Σ of the outcome rows, per column"),
    Check("review_litigation.total", "error", "总计 = 维持 + 纠正 + 其他 + 尚未审结, per row of table 四"),
    Check("values.non_negative", "error", "a count below zero"),
    Check("legacy.channels", "warning", "before 2019: requests.received = Σ of the channel rows printed"),
    Check("legacy.answers", "warning", "before 2019: requests.answered ≥ Σ of the answer rows printed"),
    Check("legacy.refusals", "warning", "before 2019: requests.refused = Σ requests.refused.* printed"),
    Check("legacy.proactive_channels", "info", "before 2019: proactive.items ≥ website + gazette"),
    Check("legacy.cumulative", "error", "before 2019: 历年累计 ≥ 本年度 (warning where read cleanly)"),
    # across reports (ogi check)
    Check("carry.cross_year", "warning", "carried_forward of year N ≠ carried_over of year N+1"),
    Check("report.identical_tables", "warning", "a table identical to another report's (copied)"),
    Check("report.duplicate", "warning", "every cell identical to another report of the same agency and year"),
    Check("text.table_mismatch", "warning", "a number the report's text states that no reading of its table matches"),
    Check("legacy.carry", "warning", "before 2019: 历年累计 of N+1 ≠ 历年累计 of N + 本年度 of N+1"),
)


class ReadError(Exception):
    """The file cannot be read as a document at all; `check` names the cause for the flags."""

    def __init__(self, message: str, check: str = "file.unreadable"):
        super().__init__(message)
        self.check = check


@dataclass
class Document:
    format: str  # pdf, html, docx, doc, wps, txt, image
    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    title: str | None = None
    findings: list[Finding] = field(default_factory=list)
    #: what the page around the report says of it (CMS meta tags ArticleTitle, PubDate, ContentSource …)
    page_meta: dict[str, str] = field(default_factory=dict)

    @property
    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]

    @property
    def lines(self) -> list[Line]:
        return [b for b in self.blocks if isinstance(b, Line)]

    def text(self) -> str:
        """All running text, one block per line (grids contribute their cells, tab-separated)."""
        return "\n".join(_block_text(b) for b in self.blocks)

    def iter_text(self) -> Iterator[str]:
        for block in self.blocks:
            yield _block_text(block)


def _block_text(block: Block) -> str:
    if isinstance(block, Line):
        return block.text
    out, seen = [], set()
    for row in block.rows:
        texts = []
        for cell in row:
            if id(cell) not in seen:
                seen.add(id(cell))
                texts.append(cell.text)
        out.append("\t".join(texts))
    return "\n".join(out)
