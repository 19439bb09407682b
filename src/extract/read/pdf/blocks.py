"""One table page → blocks in reading order: its ruled tables, its borderless ones, its lines."""

from __future__ import annotations


from extract.model import Grid, Line
from extract.read.pdf.geometry import Char, PageGeometry, Placed
from extract.read.pdf.page_text import is_page_number, tidy
from extract.read.pdf.ruled import cells_to_grid, chars_to_lines, find_ruled_tables, line_text
from extract.read.pdf.words import words_to_grids


def page_blocks(geom: PageGeometry, body_size: float) -> list[Placed]:
    """A table page as Lines and Grids in reading order."""
    tables = [t for t in find_ruled_tables(geom) if t]
    placed: list[Placed] = []
    used = [False] * len(geom.chars)
    for cells in tables:
        grid = cells_to_grid(cells, geom.chars, geom.number)
        x0, x1 = grid.xs[0], grid.xs[-1]
        top = grid.top
        bottom = max(c[3] for c in cells)
        for i, ch in enumerate(geom.chars):
            if x0 <= ch.cx <= x1 and top <= ch.cy <= bottom:
                used[i] = True
        if grid.block.width <= 1:  # a boxed paragraph, not a table
            placed.extend(_grid_as_lines(grid))
        else:
            placed.append(grid)
    rest = [ch for ch, u in zip(geom.chars, used) if not u]
    if not any(isinstance(p.block, Grid) for p in placed):
        grids, rest = words_to_grids(rest, geom.number, body_size)
        placed.extend(grids)
    placed.extend(_lines_of(rest, geom.number))
    placed.sort(key=lambda p: p.top)
    return placed


def _grid_as_lines(grid: Placed) -> list[Placed]:
    out = []
    for k, row in enumerate(grid.block.rows):
        text = row[0].text if row else ""
        if text:
            out.append(Placed(grid.top + k * 0.01, Line(text, grid.block.page)))
    return out


def _lines_of(chars: list[Char], page: int) -> list[Placed]:
    out = []
    for line in chars_to_lines(chars):
        text = line_text(line)
        if text and not is_page_number(text):
            out.append(Placed(min(c.top for c in line), Line(text, page)))
    return out


def page_lines(text: str, page: int) -> list[Line]:
    """Running text of a page from pdfium's extraction, page numbers left out."""
    out = []
    for raw in text.splitlines():
        line = tidy(raw)
        if line and not is_page_number(line):
            out.append(Line(line, page))
    return out
