"""Many cells, one Tesseract run: the short cells of a table pasted into one image, read with a
digit whitelist, each reading checked against the free reading of its cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from extract.read.ocr.cells import CellRegion
from extract.read.ocr.readings import Reading, agree, decide, is_value_cell, unit_of, without_unit
from extract.read.ocr.tesseract import Word, tesseract_words
from extract.read.ocr.tuning import CONFUSIONS, DIGITS, DUST, LANG_TEXT, LOW_CONFIDENCE, MISMATCHED, MONTAGE_PSM


@dataclass
class _Montage:
    image: Image.Image
    slots: list[tuple[int, int]]  # (top, bottom) of each crop in the montage


def build_montage(crops: list[np.ndarray], scale: float) -> _Montage:
    """Crops stacked top to bottom on white, each scaled, with a blank band between them so that
    Tesseract never joins two cells in one line."""
    scaled = []
    for crop in crops:
        image = Image.fromarray(crop)
        if scale != 1:
            image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                                 Image.BICUBIC)
        scaled.append(image)
    gap = max(24, int(22 * scale))
    width = max(im.width for im in scaled) + 2 * gap
    height = sum(im.height for im in scaled) + gap * (len(scaled) + 1)
    canvas = Image.new("L", (width, height), 255)
    slots, y = [], gap
    for image in scaled:
        canvas.paste(image, (gap, y))
        slots.append((y, y + image.height))
        y += image.height + gap
    return _Montage(canvas, slots)


def words_by_slot(words: list[Word], slots: list[tuple[int, int]]) -> list[list[Word]]:
    """Each word goes to the crop its vertical centre falls in."""
    tops = np.array([s[0] for s in slots])
    out: list[list[Word]] = [[] for _ in slots]
    for word in words:
        centre = word.top + word.height / 2
        i = int(np.searchsorted(tops, centre, side="right")) - 1
        if 0 <= i < len(slots) and slots[i][0] - 4 <= centre <= slots[i][1] + 4:
            out[i].append(word)
    return out


def join_words(words: list[Word]) -> tuple[str, float | None]:
    """Tesseract lines → text (lines joined by newlines, words by nothing unless both sides are
    Latin letters or digits) and the lowest word confidence."""
    if not words:
        return "", None
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    texts = []
    for line in sorted(lines.values(), key=lambda ws: min(w.top for w in ws)):
        text = ""
        for word in sorted(line, key=lambda w: w.left):
            if text and text[-1].isascii() and text[-1].isalnum() and word.text[0].isascii() and word.text[0].isalnum():
                text += " "
            text += word.text
        texts.append(text)
    return tidy("\n".join(texts)), min(w.conf for w in words)


def tidy(text: str) -> str:
    """Undo the bracket confusions of chi_sim: 〈 for （, and a pair opened and closed by
    different kinds of bracket."""
    return MISMATCHED.sub(r"（\1）", text.translate(CONFUSIONS))


def _scale_for(crops: list[np.ndarray], target: float = 34.0) -> float:
    """How much to enlarge crops so that a line of table text is about `target` pixels tall."""
    heights = sorted(c.shape[0] for c in crops)
    typical = heights[len(heights) // 2] if heights else target
    return float(min(4.0, max(1.0, target / max(typical, 1))))




def read_montage(crops: list[np.ndarray], scale: float, whitelist: str | None = None,
                 lang: str = LANG_TEXT) -> list[Reading]:
    """One Tesseract run over many crops; a reading per crop."""
    if not crops:
        return []
    montage = build_montage(crops, scale)
    words = tesseract_words(montage.image, MONTAGE_PSM, whitelist=whitelist, lang=lang)
    return [Reading(*join_words(found)) for found in words_by_slot(words, montage.slots)]


def read_cells(regions: list[CellRegion], text_height: float) -> None:
    """Read every inked cell, and every cell that may hold a number more than once.

    1. all cells in one chi_sim montage (labels, headers, numbers);
    2. every short one-line cell in an ``eng`` montage with a digit whitelist (a trailing unit
       such as 件 cut off first);
    3. the cells whose two readings disagree, four times more, their glyphs spaced apart
       (larger, and slightly blurred; ``eng`` and chi_sim, whitelisted); `decide` takes the
       value most readings agree on.
    """
    if not regions:
        return
    lines = [split_lines(r.crop, text_height) for r in regions]
    flat = [line for cell in lines for line in cell]
    scale = _scale_for(flat)
    read = iter(second_look(flat, read_montage(flat, scale), scale))
    free = [join_readings([next(read) for _ in cell]) for cell in lines]
    short = [i for i, cell in enumerate(lines) if len(cell) == 1 and cell[0].shape[1] <= 8 * cell[0].shape[0]]
    digit_crops = {i: without_unit(regions[i].digit_crop, free[i].text) for i in short}
    digits = dict(zip(short, read_montage([digit_crops[i] for i in short], scale, DIGITS, "eng")))
    disputed = [i for i in short if is_value_cell(free[i], digits[i], regions[i].digit_crop) and not agree(free[i], digits[i])]
    more: dict[int, list[Reading]] = {i: [] for i in disputed}
    spaced = {i: widen_gaps(digit_crops[i]) for i in disputed}
    softened = {i: np.asarray(Image.fromarray(spaced[i]).filter(ImageFilter.GaussianBlur(0.7))) for i in disputed}
    for crops_of, factor, lang in ((spaced, 1.5, "eng"), (spaced, 1.5, LANG_TEXT),
                                   (softened, 1.0, "eng"), (softened, 1.3, "eng")):
        for i, reading in zip(disputed, read_montage([crops_of[i] for i in disputed], scale * factor, DIGITS, lang)):
            more[i].append(reading)
    for i, region in enumerate(regions):
        reading = free[i]
        if i in digits and is_value_cell(free[i], digits[i], regions[i].digit_crop):
            reading = decide(free[i], [digits[i], *more.get(i, [])], unit_of(free[i].text))
        region.text, region.confidence = reading.text, (reading.confidence or 0.0)


def second_look(lines: list[np.ndarray], readings: list[Reading], scale: float,
                doubt: float = LOW_CONFIDENCE, alone: int = 12) -> list[Reading]:
    """Lines read with little confidence read twice more, at other scales and among other
    neighbours (Tesseract's reading of a line depends on both): a text two readings agree on
    wins, else the surest reading. A line still read as nothing is read on its own as a single
    line, slightly blurred (up to `alone` such lines)."""
    unsure = [i for i, r in enumerate(readings) if (r.confidence or 0.0) < doubt]
    others = [read_montage([lines[i] for i in unsure], scale * factor) for factor in (1.4, 0.8)]
    out = list(readings)
    for k, i in enumerate(unsure):
        out[i] = consensus([readings[i], *(other[k] for other in others)])
    for i in [i for i, r in enumerate(out) if not r.text][:alone]:
        softened = np.asarray(Image.fromarray(lines[i]).filter(ImageFilter.GaussianBlur(0.7)))
        for size in (1.0, 2.0):  # Tesseract misses some hard-edged lines that it reads once softened
            out[i] = Reading(*join_words(tesseract_words(build_montage([softened], size).image, 7)))
            if out[i].text:
                break
    return out


def consensus(readings: list[Reading]) -> Reading:
    """The text most readings give (ties: the surest), with the best confidence among them."""
    groups: dict[str, list[Reading]] = {}
    for reading in readings:
        if reading.text:
            groups.setdefault(reading.text, []).append(reading)
    if not groups:
        return readings[0]
    best = max(groups.values(), key=lambda g: (len(g), max(r.confidence or 0.0 for r in g)))
    return max(best, key=lambda r: r.confidence or 0.0)


def widen_gaps(crop: np.ndarray, extra: float = 0.2) -> np.ndarray:
    """The crop with every blank column gap between glyphs widened by `extra` of its height:
    the narrow serifed 1 of 11 is otherwise read once."""
    blank = (crop >= 200).all(axis=0)
    pad = np.full((crop.shape[0], max(1, int(round(extra * crop.shape[0])))), 255, np.uint8)
    pieces = []
    for x in range(crop.shape[1]):
        pieces.append(crop[:, x:x + 1])
        if blank[x] and x + 1 < crop.shape[1] and not blank[x + 1]:
            pieces.append(pad)
    return np.hstack(pieces)


def split_lines(crop: np.ndarray, text_height: float) -> list[np.ndarray]:
    """A cell's crop cut into its text lines at blank pixel rows. A piece lower than half the
    text height (a stroke of 三, a lone 、) joins the neighbour it is closer to, so lines are
    never cut through a character."""
    inked = (crop < 200).any(axis=1)
    runs, start = [], None
    for y, on in enumerate(np.append(inked, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            runs.append([start, y])
            start = None
    low = 0.5 * text_height
    while len(runs) > 1:
        small = [i for i, (a, b) in enumerate(runs) if b - a < low]
        if not small:
            break
        i = small[0]
        gap_up = runs[i][0] - runs[i - 1][1] if i > 0 else None
        gap_down = runs[i + 1][0] - runs[i][1] if i + 1 < len(runs) else None
        j = i - 1 if gap_down is None or (gap_up is not None and gap_up <= gap_down) else i + 1
        a, b = min(i, j), max(i, j)
        runs[a:b + 1] = [[runs[a][0], runs[b][1]]]
    return [_trim(crop[a:b]) for a, b in runs] or [crop]


def _trim(line: np.ndarray) -> np.ndarray:
    cols = np.nonzero((line < 200).any(axis=0))[0]
    return line[:, cols.min():cols.max() + 1] if len(cols) else line


def join_readings(readings: list[Reading]) -> Reading:
    """A multi-line cell's reading: its lines' texts, one per line, without the dots and ticks
    dust adds at their ends, and the lowest confidence (an inked line read as nothing counts as
    none at all)."""
    texts = [t for t in (r.text.strip(DUST) for r in readings) if t]
    confidences = [r.confidence if r.text and r.confidence is not None else 0.0 for r in readings]
    return Reading(tidy("\n".join(texts)), min(confidences) if texts else None)
