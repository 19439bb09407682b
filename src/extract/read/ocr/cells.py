"""The OCR'd cell (`OcrCell`: text and confidence) and the region of the page one is read from."""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np
from extract.model import Cell

from extract.read.ocr.tuning import LOW_CONFIDENCE


@dataclass(frozen=True, eq=False)
class OcrCell(Cell):
    """A cell read by OCR. `confidence` is None for a cell with no ink (blank by sight)."""

    confidence: float | None = None

    @property
    def low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE




@dataclass
class _Region:
    """A cell being read: its box on the page (merged cells: the union), crops and reading."""

    top: int
    left: int
    bottom: int
    right: int
    crop: np.ndarray | None = None  # cleaned grey, tight around the ink; None when blank
    digit_crop: np.ndarray | None = None  # the same without dust outside the glyphs' box
    text: str = ""
    confidence: float | None = None
