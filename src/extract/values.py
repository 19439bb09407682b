"""Cell text → (kind, value).

Real reports write zero as 0, ０, 零, 0件; leave cells blank; write /, -, —, 无, 不适用 for "not
applicable"; or put prose in a cell. Every spelling of a number is a `number` (zero included); an
empty cell is `blank`, never a guessed zero.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from extract.template.units import UNITS

KINDS = ("number", "blank", "na", "text")

_NA = frozenset({"/", "-", "—", "——", "–", "－", "／", "\\", "无", "不适用", "n/a", "na", "×", "…", "--", "---", "─"})
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_UNITS = re.compile(f"(?:{'|'.join(UNITS)})$")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_ZEROS = {"零": "0", "〇": "0"}


class Value(NamedTuple):
    kind: str
    value: float | None


def clean_text(text: str | None) -> str:
    """Cell text with layout whitespace (spaces, &nbsp;, ideographic spaces, line breaks) removed."""
    return _SPACES.sub("", text or "")


def parse_value(text: str | None) -> Value:
    """Classify a cell's printed text and read its number."""
    return _parse(text or "")


@lru_cache(maxsize=16384)
def _parse(text: str) -> Value:
    compact = clean_text(text)
    if not compact:
        return Value("blank", None)
    folded = unicodedata.normalize("NFKC", compact).replace("−", "-").replace("﹣", "-")
    if folded.lower() in _NA or compact in _NA:
        return Value("na", None)
    folded = _ZEROS.get(folded, folded)
    number = _UNITS.sub("", folded)
    if _NUMBER.fullmatch(number):
        return Value("number", float(number.replace(",", "")))
    return Value("text", None)


def is_number(text: str | None) -> bool:
    return parse_value(text).kind == "number"


def is_value_like(text: str | None) -> bool:
    """A cell that could stand in a value column: a number, blank or na mark."""
    return parse_value(text).kind != "text"
