"""What a PDF page is read into: its characters with their boxes (`Char`), its ruling edges
(`PageGeometry`), and a grid placed on the page (`Placed`), which the stages below pass on."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import NamedTuple


from extract.model import Grid, Line


ENGINES = ("pdfium", "pdfplumber")

#: pdfium is not thread-safe: every use of it in the process goes through this lock (Prefect runs
#: tasks in threads). Parsing stays parallel across processes.
PDFIUM_LOCK = threading.RLock()

#: pdfplumber table settings: ruled tables only (borderless ones are read from word positions)
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}


class Char(NamedTuple):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    vertical: bool = False  # a vertical font's glyph whose box pdfium left unscaled (re-measured)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class PageGeometry:
    """What the table finder needs of a page: its chars and its ruling edges (pdfplumber dicts)."""

    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    edges: list[dict]


@dataclass
class CellGeom:
    """Where a cell's text sits, for telling a label cut by a page break from a whole one."""

    x1: float  # the cell's right edge
    last_line_x1: float  # right end of its last line of text (0 when empty)
    size: float


@dataclass
class Placed:
    """A block of a page with its vertical position (and, for grids, its column layout)."""

    top: float
    block: Line | Grid
    xs: list[float] = field(default_factory=list)  # column boundaries of a grid
    geom: dict[int, CellGeom] = field(default_factory=dict)  # id(cell) → geometry
    #: a grid read on trust (a lone row of numbers opening a page): a table only if it continues
    #: the grid before the page break, else these lines of running text
    fallback: list["Placed"] | None = None
