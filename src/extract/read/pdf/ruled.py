"""Ruled tables: pdfplumber's `TableFinder` over the ruling edges, each cell's characters placed in
the `Grid` by their centre, a merged cell one `Cell` at every position it covers."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable

from pdfplumber.table import TableFinder

from extract.model import Cell, Grid
from extract.read.pdf.geometry import Char, PageGeometry, TABLE_SETTINGS, CellGeom, Placed
from extract.read.pdf.page_text import join_lines, tidy


@dataclass
class _Rulings:
    """The part of a pdfplumber page `TableFinder` looks at in the lines strategy."""

    edges: list[dict]
    bbox: tuple[float, float, float, float]


def find_ruled_tables(geom: PageGeometry) -> list[list[tuple[float, float, float, float]]]:
    """Cell bboxes of every ruled table on the page (pdfplumber's lines strategy)."""
    if len(geom.edges) < 4:
        return []
    finder = TableFinder(_Rulings(geom.edges, (0, 0, geom.width, geom.height)), TABLE_SETTINGS)
    return [t.cells for t in finder.tables]


def cluster_positions(values: Iterable[float], tolerance: float = 2.0) -> list[float]:
    """Sorted distinct positions, values closer than `tolerance` counted as one (their mean)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _index(bounds: list[float], value: float) -> int:
    """Index of the boundary `value` stands for (boundaries were clustered within 2 points)."""
    i = bisect_right(bounds, value + 2.0) - 1
    return max(0, min(i, len(bounds) - 1))


def cells_to_grid(cells: list[tuple[float, float, float, float]], chars: list[Char], page: int) -> Placed:
    """A ruled table as a Grid: spans expanded by identity, every char in the cell holding its centre."""
    xs = cluster_positions([v for c in cells for v in (c[0], c[2])])
    ys = cluster_positions([v for c in cells for v in (c[1], c[3])])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    slots: list[list[int | None]] = [[None] * n_cols for _ in range(n_rows)]
    boxes: list[tuple[float, float, float, float]] = []
    for bbox in sorted(cells, key=lambda b: (b[1], b[0])):
        c0, c1 = _index(xs, bbox[0]), _index(xs, bbox[2])
        r0, r1 = _index(ys, bbox[1]), _index(ys, bbox[3])
        k = len(boxes)
        boxes.append(bbox)
        for r in range(r0, max(r1, r0 + 1)):
            for c in range(c0, max(c1, c0 + 1)):
                if r < n_rows and c < n_cols and slots[r][c] is None:
                    slots[r][c] = k
    for r in range(n_rows):  # holes in the ruling: an empty cell each
        for c in range(n_cols):
            if slots[r][c] is None:
                slots[r][c] = len(boxes)
                boxes.append((xs[c], ys[r], xs[c + 1], ys[r + 1]))
    members: list[list[Char]] = [[] for _ in boxes]
    left, top, right, bottom = xs[0], ys[0], xs[-1], ys[-1]
    for ch in chars:
        cx, cy = ch.cx, ch.cy
        if left <= cx <= right and top <= cy <= bottom:
            c = min(bisect_right(xs, cx) - 1, n_cols - 1)
            r = min(bisect_right(ys, cy) - 1, n_rows - 1)
            members[slots[r][c]].append(ch)
    made: list[Cell] = []
    geom: dict[int, CellGeom] = {}
    for k, bbox in enumerate(boxes):
        lines = chars_to_lines(members[k])
        cell = Cell(join_lines(line_text(line) for line in lines), page)
        made.append(cell)
        size = max((ch.size for ch in members[k]), default=0.0)
        geom[id(cell)] = CellGeom(bbox[2], max((ch.x1 for ch in lines[-1]), default=0.0) if lines else 0.0, size)
    rows = [[made[k] for k in row] for row in slots]
    return Placed(top, Grid(rows, "pdf-grid", page), xs, geom)


def chars_to_lines(chars: list[Char]) -> list[list[Char]]:
    """Chars grouped into visual lines, top to bottom, each line left to right."""
    lines: list[list[Char]] = []
    bounds: list[tuple[float, float]] = []
    for ch in sorted(chars, key=lambda c: (c.top, c.x0)):
        cy = ch.cy
        if bounds and bounds[-1][0] <= cy <= bounds[-1][1]:
            lines[-1].append(ch)
        else:
            lines.append([ch])
            bounds.append((ch.top, ch.bottom))
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def line_text(line: list[Char], gap: float = 0.35) -> str:
    """A visual line's text: a space where the gap between glyphs is wide, then `tidy`."""
    out = []
    prev = None
    for ch in line:
        if prev is not None and ch.x0 - prev.x1 > gap * max(ch.size, prev.size, 1.0):
            out.append(" ")
        out.append(ch.text)
        prev = ch
    return tidy("".join(out))
