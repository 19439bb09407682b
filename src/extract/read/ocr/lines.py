"""The text around the tables: the page's lines outside every table, read as running text."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

from extract.model import Line
from extract.read.ocr.montage import join_words
from extract.read.ocr.page import Page
from extract.read.ocr.rulings import TableShape
from extract.read.ocr.tesseract import Word, tesseract_words


def read_lines(page: Page, tables: list[TableShape]) -> list[tuple[float, float, Line]]:
    """The page's text outside its tables as lines: (top, left, Line)."""
    ink = page.ink.copy()
    for table in tables:
        pad = 6
        ink[max(0, table.ys[0] - pad):table.ys[-1] + pad, max(0, table.xs[0] - pad):table.xs[-1] + pad] = False
    if ink.sum() < 30:
        return []
    ys, xs = np.nonzero(ink)
    top, left = int(ys.min()), int(xs.min())
    box = (slice(top, int(ys.max()) + 1), slice(left, int(xs.max()) + 1))
    keep = ndimage.binary_dilation(ink[box], iterations=1)
    grey = np.where(keep, page.grey[box], 255).astype(np.uint8)
    margin = 20
    image = ImageOps.expand(Image.fromarray(grey), border=margin, fill=255)
    words = tesseract_words(image, 3)
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    out = []
    for line_words in lines.values():
        text, _ = join_words(line_words)
        if text.strip():
            y = min(w.top for w in line_words) - margin + top
            x = min(w.left for w in line_words) - margin + left
            out.append((float(y), float(x), Line(text.strip(), page.number)))
    return out
