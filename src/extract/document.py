"""The one model every reader produces.

A `Document` is the report's content in reading order: blocks that are either a `Line` of text
or a `Grid` (a table expanded into rows and columns). Readers know formats and fill this model;
`tables` reads the template out of it and knows nothing of formats.

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
class Finding:
    """Something a reader noticed about the file itself (encryption, missing text layer, ...)."""

    check: str  # e.g. pdf.no_text, pdf.cid_font, pdf.encrypted, pdf.corrupt, html.encoding
    severity: str  # error, warning, info
    message: str


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
