"""The limits and thresholds of OCR: timeouts, resolution, the largest page, the confidence below
which a cell is flagged, and the character classes readings are judged by."""

from __future__ import annotations

import re

TESSERACT_TIMEOUT_S = 180.0
PDFTOPPM_TIMEOUT_S = 120.0
PDF_DPI = 200
MAX_PIXELS = 80_000_000  # a page image larger than this is refused (decompression bombs)
LOW_CONFIDENCE = 0.80  # below this a cell is flagged cell.low_confidence
DASH_CONFIDENCE = 0.9  # a lone level stroke, read by its shape
LANG_TEXT = "chi_sim"
MONTAGE_PSM = 6  # a uniform block: the montage is one column of lines
DIGITS = "0123456789.-/"
MAX_SKEW_DEG = 5.0
MAX_SIDE = 3600  # pixels: an A4 page at about 300 dpi
CELL_INSET = 5  # pixels along a cell's sides that belong to its rulings
RULED = 0.92  # share of a cell side that must be ink for a ruling: text never fills more than ~85 %

#: glyphs chi_sim returns for others in these fonts: the angle bracket for a full-width parenthesis
CONFUSIONS = str.maketrans({"〈": "（", "〉": "）"})
#: an opening bracket closed by a parenthesis (or the reverse): one of the two was misread
MISMATCHED = re.compile(r"[《〈<（(]([^《》〈〉<>()（）]*)[)）》〉>]")
#: what chi_sim reads for digits of a serifed font: 1 as 工 | ] 】, 7 as 了, touching 12 as 卫
DIGIT_LOOKALIKES = "工丨|]】[【了卫lIoO"
VALUE_LIKE = re.compile(rf"^[0-9０-９.．,，/／\-－—–_一{re.escape(DIGIT_LOOKALIKES)}]+件?$")
STRAY = ":：;；'\"`‘’“”,，。·.、"  # what dust next to a number reads as
DUST = " .,:;'`·\""  # what dust at the end of a line of a cell reads as
