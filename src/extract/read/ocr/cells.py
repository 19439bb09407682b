"""The region of the page a cell is read from: its box, its crops and its reading."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class CellRegion:
    """A cell being read: its box on the page (merged cells: the union), crops and reading."""

    top: int
    left: int
    bottom: int
    right: int
    crop: np.ndarray | None = None  # cleaned grey, tight around the ink; None when blank
    digit_crop: np.ndarray | None = None  # the same without dust outside the glyphs' box
    text: str = ""
    confidence: float | None = None
