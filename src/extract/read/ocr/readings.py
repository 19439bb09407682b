"""What a reading of a cell is (`Reading`: text and confidence) and how readings are judged:
the core of a number, its unit, whether it is one, and which of several readings to keep."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from extract.read.ocr.tuning import DIGIT_LOOKALIKES, LOW_CONFIDENCE, STRAY, VALUE_LIKE
from extract.template.units import UNIT_CHARS
from extract.values import parse_value


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float | None




_UNIT_AFTER_DIGITS = re.compile(r"^[^\u3400-\u9fff]*\d[^\u3400-\u9fff]*([\u3400-\u9fff])$")


def core(text: str) -> str:
    """A reading without spaces and without the stray marks dust adds at either end (a dash
    only at the end: before the digits it is a minus sign)."""
    return re.sub(r"\s+", "", text).strip(STRAY).rstrip(STRAY + "-－—_~")


def unit_of(text: str) -> str:
    """The one CJK character printed after a number (件), as the free reading saw it (a digit
    look-alike such as 工 is a misread digit, not a unit)."""
    found = _UNIT_AFTER_DIGITS.match(core(text))
    return found.group(1) if found and found.group(1) not in DIGIT_LOOKALIKES else ""


def without_unit(crop: np.ndarray, free_text: str) -> np.ndarray:
    """The crop with a trailing unit character cut off (an em: the crop's height), so that a
    digit reader does not read 件 as a digit."""
    if not unit_of(free_text):
        return crop
    cut = crop.shape[1] - int(round(crop.shape[0] * 0.95))
    return crop[:, :cut] if cut > crop.shape[0] * 0.3 else crop


def looks_numeric(text: str) -> bool:
    compact = core(text)
    return bool(compact) and (parse_value(compact).kind in ("number", "na") or bool(VALUE_LIKE.match(compact)))


def is_value_cell(free: Reading, digits: Reading, crop: np.ndarray) -> bool:
    """A cell that holds a number or a dash: the free reading says so, saw nothing, saw only a
    few Latin letters and signs (chi_sim reads -5 as -D), or a glyph or two that the confident
    digit reader sees as a number (chi_sim reads a serifed 1 as 工 or |, a 7 as 了)."""
    if parse_value(digits.text).kind not in ("number", "na"):
        return looks_numeric(free.text)
    compact = core(free.text)
    wide = sum(1 for ch in compact if "\u3400" <= ch <= "\u9fff")  # a CJK character is about an em wide
    too_narrow = wide > 0 and crop.shape[1] < 0.75 * wide * crop.shape[0]
    return (looks_numeric(compact) or not compact or too_narrow or (compact.isascii() and len(compact) <= 8)
            or (len(compact) <= 3 and (digits.confidence or 0) >= 0.85))


def agree(a: Reading, b: Reading) -> bool:
    return parse_value(a.text) == parse_value(b.text)


def decide(free: Reading, digit_readings: list[Reading], unit: str = "") -> Reading:
    """The value most readings agree on, with the best confidence among them. Without a clear
    majority (two readings at least, and twice as many as any other value) the confidence is
    cut below the flag threshold."""
    votes = [r for r in digit_readings if parse_value(r.text).kind in ("number", "na")]
    if looks_numeric(free.text):
        compact = core(free.text)
        votes.append(Reading(compact[:-1] if unit else compact, free.confidence))
    if not votes:
        return Reading(free.text, min(free.confidence or 0.0, LOW_CONFIDENCE / 2))
    groups: dict[tuple, list[Reading]] = {}
    for reading in votes:
        groups.setdefault(tuple(parse_value(reading.text)), []).append(reading)
    ranked = sorted(groups.values(), key=lambda g: (len(g), max(r.confidence or 0.0 for r in g)), reverse=True)
    best, runner_up = ranked[0], (len(ranked[1]) if len(ranked) > 1 else 0)
    top = max(best, key=lambda r: r.confidence or 0.0)
    confidence = top.confidence or 0.0
    if len(votes) > 1 and (len(best) < 2 or len(best) < 2 * runner_up):  # no clear majority
        confidence = min(confidence, LOW_CONFIDENCE / 2)
    if unit and unit not in UNIT_CHARS:  # a unit glyph read as something else: keep the number, say so
        return Reading(top.text, min(confidence, LOW_CONFIDENCE / 2))
    return Reading(top.text + unit, confidence)
