"""A table cut by a page break becomes one `Grid`: a repeated header is dropped and a merged
label cut in two (（四）无 | 法提供) is joined again."""

from __future__ import annotations

import re
from bisect import bisect_right

from extract.model import Cell, Grid
from extract.read.pdf.geometry import CellGeom, Placed
from extract.read.pdf.page_text import is_number_token, join_lines
from extract.read.pdf.ruled import cluster_positions


_ENUM_START = re.compile(r"^\s*(（\s*[一二三四五六七八九十\d]+\s*）|\(\s*[一二三四五六七八九十\d]+\s*\)"
                         r"|[一二三四五六七八九十]+\s*、|[0-9０-９]+\s*[.、．])")


def join_continued_grids(pages: list[list[Placed]]) -> list[Placed]:
    """All blocks in order, a grid that ends one page and a grid that starts the next with the
    same columns being one table: the second's repeated header rows are dropped and a merged
    cell cut by the break is joined (its text and its identity)."""
    out: list[Placed] = []
    for blocks in pages:
        if out and blocks and _continues(out[-1], blocks[0]):
            _append_rows(out[-1], blocks[0])
            blocks = blocks[1:]
        for placed in blocks:  # a grid read on trust that continues nothing is running text
            out.extend(placed.fallback if placed.fallback is not None else [placed])
    return out


def _continues(a: Placed, b: Placed) -> bool:
    """Same table on both sides of the break: both grids, read the same way, with the same outer
    edges and column boundaries that fit together (a part may lack a boundary no row of it uses)."""
    if not (isinstance(a.block, Grid) and isinstance(b.block, Grid)) or a.block.method != b.block.method:
        return False
    if len(a.xs) < 2 or len(b.xs) < 2:
        return False
    if abs(a.xs[-1] - b.xs[-1]) > 4.0 and not (a.block.method == "pdf-words" and _ends_on_boundary(a.xs, b.xs)):
        return False
    if abs(a.xs[0] - b.xs[0]) > 4.0 and a.block.method != "pdf-words":
        return False  # (a part without labels in its first column starts further right)
    union = cluster_positions([*a.xs, *b.xs], 3.0)
    return len(union) - len(a.xs) <= 3 and len(union) - len(b.xs) <= 3


def _ends_on_boundary(a: list[float], b: list[float]) -> bool:
    """Does the narrower of two borderless parts end on a column boundary of the wider (a block
    of fewer value columns, 政府集中采购's two under three, alone on its page)?"""
    narrow, wide = sorted((a, b), key=lambda xs: xs[-1])
    return any(abs(narrow[-1] - x) <= 4.0 for x in wide[1:-1])


def refine_columns(placed: Placed, xs: list[float]) -> None:
    """Re-cut a grid's columns at boundaries `xs`: a column split in two repeats its cells (the
    same objects, so the split reads as a span); a column left or right of the grid gets empty
    cells."""
    if len(xs) == len(placed.xs):
        placed.xs = xs
        return
    mids = [(lo + hi) / 2 for lo, hi in zip(xs, xs[1:])]
    source = [min(bisect_right(placed.xs, m) - 1, len(placed.xs) - 2) if placed.xs[0] - 1 <= m <= placed.xs[-1] + 4.0
              else None for m in mids]
    placed.block.rows[:] = [[(row[k] if k < len(row) else row[-1]) if k is not None else Cell("", row[0].page)
                             for k in source] for row in placed.block.rows]
    placed.xs = xs


def _append_rows(a: Placed, b: Placed) -> None:
    union = cluster_positions([*a.xs, *b.xs], 3.0)
    refine_columns(a, union)
    refine_columns(b, union)
    top, bottom = a.block, b.block
    rows = bottom.rows[_repeated_header(top, bottom):]
    if not rows:
        return
    last, first = top.rows[-1], rows[0]
    swap: dict[int, Cell] = {}
    for c in range(min(len(last), len(first))):
        upper, lower = last[c], first[c]
        if id(upper) in swap or id(lower) in swap:
            continue
        if _cut_pair(top.rows, rows, c, a.geom.get(id(upper))):
            joined = Cell(join_lines([upper.text, lower.text]), upper.page)
            swap[id(upper)] = swap[id(lower)] = joined
            if bottom.method == "pdf-words" and not lower.text:
                _continue_down(rows, c, lower, swap)
    top.rows.extend(rows)
    if swap:
        top.rows[:] = [[swap.get(id(cell), cell) for cell in row] for row in top.rows]
    a.geom.update(b.geom)


def _continue_down(rows: list[list[Cell]], c: int, first: Cell, swap: dict[int, Cell]) -> None:
    """Word positions give no span below a page break: a label continued there also covers the
    empty one-column cells under it, down to the next text in its column."""
    for row in rows[1:]:
        cell = row[c]
        if cell.text or cell is first or (c > 0 and row[c - 1] is cell) or (c + 1 < len(row) and row[c + 1] is cell):
            break
        swap[id(cell)] = swap[id(first)]


def _repeated_header(top: Grid, bottom: Grid) -> int:
    """How many leading rows of `bottom` repeat the first rows of `top`."""
    k = 0
    while k < min(len(top.rows), len(bottom.rows)) - 1 and \
            [c.text for c in top.rows[k]] == [c.text for c in bottom.rows[k]] and any(c.text for c in top.rows[k]):
        k += 1
    return k


def _cut_pair(upper_rows: list[list[Cell]], lower_rows: list[list[Cell]], c: int, geom: CellGeom | None) -> bool:
    """Is the cell ending the upper page at column `c` the same merged cell as the one starting
    the lower page? Both must cover the same columns and be labels (not numbers); one side must
    span several rows; and either one side is empty (the text stayed on the other page) or the
    upper text fills its cell's width (it wraps on) and the lower does not start a new item."""
    upper, lower = upper_rows[-1][c], lower_rows[0][c]
    cols_u = [k for k, cell in enumerate(upper_rows[-1]) if cell is upper]
    cols_l = [k for k, cell in enumerate(lower_rows[0]) if cell is lower]
    if cols_u != cols_l:
        return False
    if is_number_token(upper.text) or is_number_token(lower.text) or not (upper.text or lower.text):
        return False
    span_u = sum(1 for row in upper_rows if c < len(row) and row[c] is upper)
    span_l = sum(1 for row in lower_rows if c < len(row) and row[c] is lower)
    if span_u < 2 and span_l < 2:
        return False
    if not upper.text or not lower.text:
        return True
    if _ENUM_START.match(lower.text) or geom is None:
        return False
    return geom.last_line_x1 + 1.2 * geom.size >= geom.x1 - 1.0
