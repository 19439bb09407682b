"""A ruled table read: each cell's glyphs found inside its rulings, cut out and read (by montage),
the cells placed in a `Grid`."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from extract.model import Cell, Grid
from extract.read.ocr.cells import CellRegion
from extract.read.ocr.montage import read_cells
from extract.read.ocr.page import Page
from extract.read.ocr.rulings import TableShape, merge_cells
from extract.read.ocr.tuning import CELL_INSET, DASH_CONFIDENCE


def read_table(page: Page, table: TableShape, rulings: np.ndarray) -> Grid:
    """The table as a grid of cells with their OCR confidence, merged cells one object at every position."""
    regions_of = merge_cells(table, page.line_ink)
    regions: dict[int, CellRegion] = {}
    for r, row in enumerate(regions_of):
        for c, key in enumerate(row):
            box = (table.ys[r], table.xs[c], table.ys[r + 1], table.xs[c + 1])
            found = regions.get(key)
            if found is None:
                regions[key] = CellRegion(*box)
            else:
                found.top, found.left = min(found.top, box[0]), min(found.left, box[1])
                found.bottom, found.right = max(found.bottom, box[2]), max(found.right, box[3])
    wide_rulings = ndimage.binary_dilation(rulings, iterations=2)
    found = {key: cell_glyphs(page, region, wide_rulings) for key, region in regions.items()}
    sizes = sorted(glyph_size(f[2]) for f in found.values() if f is not None)
    text_height = float(sizes[len(sizes) // 2]) if sizes else 0.0
    for key, region in regions.items():
        crops = cell_image(page, region, found[key], text_height) if found[key] is not None else None
        if crops is None:
            continue
        region.crop, region.digit_crop = crops
        dash = lone_dash(region.digit_crop, text_height)
        if dash:
            region.text, region.confidence, region.crop = dash, DASH_CONFIDENCE, None
    read_cells([r for r in regions.values() if r.crop is not None], text_height)
    cells = {key: Cell(region.text, page=page.number, confidence=region.confidence) for key, region in regions.items()}
    grid = Grid([[cells[key] for key in row] for row in regions_of], "ocr", page.number)
    return grid


def cell_glyphs(page: Page, region: CellRegion, rulings: np.ndarray) -> tuple[np.ndarray, np.ndarray, list] | None:
    """(ink, component labels, component boxes) of a cell, rulings removed; None when empty.
    Ink is taken at the lax threshold: a thin dash or slash in an 8 pt font comes out grey. A
    band along the sides is left out, where the cell's rulings run."""
    box = (slice(region.top, region.bottom), slice(region.left, region.right))
    ink = page.line_ink[box] & ~rulings[box]
    edge = CELL_INSET  # the cell's own rulings, short ones included, stay out
    ink[:edge, :] = ink[-edge:, :] = False
    ink[:, :edge] = ink[:, -edge:] = False
    labels, count = ndimage.label(ink, structure=np.ones((3, 3)))
    if count == 0:
        return None
    return ink, labels, ndimage.find_objects(labels)


def glyph_size(boxes: list) -> int:
    """The largest extent of the cell's largest component (its tallest or widest glyph)."""
    return max((max(b[0].stop - b[0].start, b[1].stop - b[1].start) for b in boxes if b is not None), default=0)


def cell_image(page: Page, region: CellRegion, found: tuple, text_height: float) -> tuple | None:
    """(text crop, digit crop) of the cell's ink on white, cropped tight; None when the cell
    holds no glyph.

    A component is a glyph when it spans at least a third of the table's text height (or is a
    level stroke a quarter of it long: a hyphen). The text
    crop keeps smaller components near the glyphs (the dots of 总 or 法 stand above or beside
    the body of the character); the digit crop keeps them only inside the glyphs' box (a
    decimal point) or a level stroke just before them (a minus sign) and drops the rest as
    dust, which a digit reader would read as a comma.
    """
    ink, labels, boxes = found
    minimum = max(3.0, 0.3 * text_height)
    glyphs = [i for i, b in enumerate(boxes, start=1) if b is not None and _is_glyph(b, minimum, text_height)]
    if not glyphs:
        return None
    top = min(boxes[i - 1][0].start for i in glyphs)
    bottom = max(boxes[i - 1][0].stop for i in glyphs)
    left = min(boxes[i - 1][1].start for i in glyphs)
    right = max(boxes[i - 1][1].stop for i in glyphs)
    reach = 0.25 * text_height
    near = np.zeros(len(boxes) + 1, dtype=bool)
    inside = np.zeros(len(boxes) + 1, dtype=bool)
    near[glyphs] = inside[glyphs] = True
    for i, b in enumerate(boxes, start=1):
        if b is None or near[i]:
            continue
        cy, cx = (b[0].start + b[0].stop) / 2, (b[1].start + b[1].stop) / 2
        height, width = b[0].stop - b[0].start, b[1].stop - b[1].start
        minus = width >= max(3, 2.5 * height) and left - reach < cx < left and top < cy < bottom
        inside[i] = (left < cx < right and top < cy < bottom) or minus
        near[i] = left - reach < cx < right + reach and top - reach < cy < bottom + reach
    box = (slice(region.top, region.bottom), slice(region.left, region.right))
    return _crop(page.grey[box], labels, near), _crop(page.grey[box], labels, inside)


def _is_glyph(box: tuple, minimum: float, text_height: float) -> bool:
    """Big enough to be a character, or a level stroke long enough to be a hyphen or dash."""
    height, width = box[0].stop - box[0].start, box[1].stop - box[1].start
    return max(height, width) >= minimum or (width >= 0.25 * text_height and width >= 2 * height)


def _crop(grey: np.ndarray, labels: np.ndarray, keep: np.ndarray) -> np.ndarray:
    mask = keep[labels] & (labels > 0)
    ys, xs = np.nonzero(mask)
    clean = np.where(ndimage.binary_dilation(mask, iterations=1), grey, 255).astype(np.uint8)
    return clean[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def lone_dash(crop: np.ndarray, text_height: float) -> str | None:
    """"—" or "-" when the cell holds one thin level stroke and nothing else (Tesseract drops a
    lone dash as a rule line); None otherwise."""
    height, width = crop.shape
    if height > max(2.0, 0.3 * text_height) or width < max(2 * height, 0.25 * text_height):
        return None
    _, count = ndimage.label(crop < 200, structure=np.ones((3, 3)))
    if count != 1:
        return None
    return "—" if width >= 0.6 * text_height else "-"
