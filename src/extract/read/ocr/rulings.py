"""The ruling lines of a page and the tables they enclose."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from extract.read.ocr.tuning import RULED


def find_rulings(line_ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) masks of ruling lines: runs of ink longer than any glyph stroke."""
    h, w = line_ink.shape
    across = max(25, w // 30)
    down = max(25, h // 45)
    thick_h = ndimage.maximum_filter1d(line_ink, 3, axis=0)  # bridge a one-pixel step of a tilted line
    thick_v = ndimage.maximum_filter1d(line_ink, 3, axis=1)
    return open_line(thick_h, across, axis=1), open_line(thick_v, down, axis=0)


def open_line(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Morphological opening by a 1-D line of `length` pixels along `axis`."""
    window = ndimage.uniform_filter1d(mask.astype(np.float32), length, axis=axis, mode="constant")
    core = window > 1 - 1e-4
    return ndimage.uniform_filter1d(core.astype(np.float32), length, axis=axis, mode="constant") > 1e-4


@dataclass
class TableShape:
    """One ruled table: its ruling positions and the base grid cells they make."""

    xs: list[int]  # vertical ruling positions, left to right
    ys: list[int]  # horizontal ruling positions, top to bottom
    tol: int

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def left(self) -> float:
        return self.xs[0]


def find_tables(horizontal: np.ndarray, vertical: np.ndarray, line_ink: np.ndarray) -> list[TableShape]:
    """Groups of rulings that touch, with a frame: some horizontal line runs across the whole
    group and some vertical line down all of it (the outline of a table; the flat sides of drawn
    shapes do not). Rows come from the horizontal rulings; columns from every vertical ruling
    that crosses a whole row, however short (a separator only one row tall is a column too)."""
    joined = ndimage.binary_dilation(horizontal | vertical, iterations=2)
    groups, count = ndimage.label(joined, structure=np.ones((3, 3)))
    tables = []
    for index, box in enumerate(ndimage.find_objects(groups), start=1):
        if box is None:
            continue
        inside = groups[box] == index
        across, down = horizontal[box] & inside, vertical[box] & inside
        ys = [y + box[0].start for y in _positions(across, axis=0)]
        if len(ys) < 2 or not (_spans(across, axis=1) and _spans(down, axis=0)):
            continue
        xs = column_rulings(line_ink, ys, box[1].start, box[1].stop)
        if len(xs) >= 2:
            tables.append(TableShape(xs, ys, tol=4))
    return tables


def _spans(lines: np.ndarray, axis: int, share: float = 0.9) -> bool:
    """Some single line of `lines` covers `share` of the group along `axis`."""
    labels, count = ndimage.label(lines)
    extents = [b[axis].stop - b[axis].start for b in ndimage.find_objects(labels) if b is not None]
    return bool(extents) and max(extents) >= share * lines.shape[axis]


def _positions(mask: np.ndarray, axis: int) -> list[int]:
    """Centres of the ruling lines in `mask` across `axis` (rows for horizontal lines)."""
    profile = mask.sum(axis=1 - axis)
    length = mask.shape[1 - axis]
    return _runs(profile >= max(10, 0.04 * length))


def _runs(present: np.ndarray) -> list[int]:
    positions, start = [], None
    for i, on in enumerate(np.append(present, False)):
        if on and start is None:
            start = i
        elif not on and start is not None:
            positions.append((start + i - 1) // 2)
            start = None
    return positions


def column_rulings(line_ink: np.ndarray, ys: list[int], left: int, right: int, tol: int = 4) -> list[int]:
    """x of every vertical ruling that crosses at least one row band from top to bottom (text
    never does: a line of text leaves the leading between lines white)."""
    found: list[int] = []
    for y0, y1 in zip(ys, ys[1:]):
        if y1 - y0 <= 2 * tol + 2:
            continue
        band = ndimage.maximum_filter1d(line_ink[y0 + tol:y1 - tol, left:right], 3, axis=1)
        found += [x + left for x in _runs(band.mean(axis=0) >= RULED)]
    xs: list[int] = []
    for x in sorted(found):
        if xs and x - xs[-1] <= tol:
            continue
        xs.append(x)
    return xs


def merge_cells(table: TableShape, line_ink: np.ndarray) -> list[list[int]]:
    """Base cell (r, c) → region number; neighbours with no ruling between them share a region."""
    rows, cols = len(table.ys) - 1, len(table.xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    t = table.tol
    for r in range(rows):
        y0, y1 = table.ys[r], table.ys[r + 1]
        for c in range(cols):
            x0, x1 = table.xs[c], table.xs[c + 1]
            if c + 1 < cols and not _ruled(line_ink[y0 + t:y1 - t, x1 - t:x1 + t + 1], axis=0):
                union(r * cols + c, r * cols + c + 1)
            if r + 1 < rows and not _ruled(line_ink[y1 - t:y1 + t + 1, x0 + t:x1 - t], axis=1):
                union(r * cols + c, (r + 1) * cols + c)
    return [[find(r * cols + c) for c in range(cols)] for r in range(rows)]


def _ruled(band: np.ndarray, axis: int) -> bool:
    """A ruling runs along the band (axis 0: down it, axis 1: across it): one line of pixels,
    give or take one for a slight tilt, is ink along nearly its whole length."""
    if band.size == 0:
        return True
    thick = ndimage.maximum_filter1d(band, 3, axis=1 - axis)
    return float(thick.mean(axis=axis).max()) >= RULED
