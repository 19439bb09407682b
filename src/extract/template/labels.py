"""Printed labels → canonical keys.

`normalise` folds the ways one label is printed (full-width forms, brackets, numbering, spaces and
line breaks, curly quotes, trailing notes in brackets) into one string. `match` finds the template
entry a label stands for: exactly, then by a unique longest contained label, then by a fuzzy ratio
that must be high *and* clearly ahead of the runner-up — a label it is unsure of maps to nothing,
never to the wrong row.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterable, Sequence, TypeVar


T = TypeVar("T")

FUZZY_MIN = 0.8  # lowest similarity a fuzzy match may have
FUZZY_MARGIN = 0.12  # how far ahead of the runner-up it must be
CONTAIN_MIN = 4  # shortest label that may be found inside a longer printed text

_CIRCLED = {chr(0x2460 + i): f"({i + 1})" for i in range(20)}  # ①..⑳
_CIRCLED.update({chr(0x2474 + i): f"({i + 1})" for i in range(20)})  # ⑴..⒇
_CIRCLED_TABLE = str.maketrans(_CIRCLED)
_HAS_CIRCLED = re.compile("[\u2460-\u249b]")
_HAS_BRACKETS = re.compile("[〔〕【】\\[\\]﹙﹚]")
_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(
    rf"^(?:第?[{_CN_NUM}]+[、.．]|\([{_CN_NUM}\d]+\)[、.]?|\d+(?:[.、．](?!\d)|\)|、)|[{_CN_NUM}]+\))"
)
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_DROP = re.compile(r"[\s\"'“”‘’「」『』《》<>:：,，;；。·・\-—_*※]+")
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")", "﹙": "(", "﹚": ")"})
#: where a printed label holds several parts: a group heading and its item (（三）不予公开 1.属于国家秘密)
_PART_BOUNDARY = re.compile(rf"(?=[（(][{_CN_NUM}]{{1,2}}[)）])|(?<=[^\d.．\s])\s*(?=\d{{1,2}}[.、．](?!\d))")


def fold(text: str) -> str:
    """Unicode-fold without dropping anything: circled numbers, full-width forms, brackets."""
    if _HAS_CIRCLED.search(text):
        text = text.translate(_CIRCLED_TABLE)
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_BRACKETS) if _HAS_BRACKETS.search(text) else text


#: labels remembered by the label helpers: the template's few hundred recur in every report, the rest
#: (numbers, prose, one report's own spellings) seldom, so a bigger cache would only grow with the run
#: (at 65,536: +13 MB over 30,000 reports, for no speed)
LABEL_CACHE = 8192


@lru_cache(maxsize=LABEL_CACHE)
def normalise(label: str) -> str:
    """The comparable form of a printed label (numbering, notes, spaces, quotes removed)."""
    text = _DROP.sub("", fold(label))
    while True:
        stripped = _NUMBERING.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    while len(text) > 2:
        stripped = _TRAILING_NOTE.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    return text.replace("(", "").replace(")", "")


@lru_cache(maxsize=LABEL_CACHE)
def is_numbered(label: str) -> bool:
    """A label printed with an item number (一、 （二） 3. ⑷): a row's label, never a column's."""
    text = _DROP.sub("", fold(label or ""))
    return bool(text) and _NUMBERING.match(text) is not None


def split_parts(label: str) -> list[str]:
    """A printed label split where a new numbered part starts (group heading, then item)."""
    parts = [p.strip() for p in _PART_BOUNDARY.split(label or "")]
    return [p for p in parts if p]


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def match(label: str, candidates: Sequence[T], labels_of=None) -> T | None:
    """The candidate whose label `label` stands for, or None when unsure.

    Tiers: exact (normalised) match; the unique longest candidate label contained in the printed
    text; a fuzzy match at least FUZZY_MIN similar and FUZZY_MARGIN ahead of any other candidate.
    Candidates are template entries (with `.labels`) or, with `labels_of`, anything.
    """
    text = normalise(label)
    if not text:
        return None
    if labels_of is None:
        return _match_cached(text, tuple(candidates))
    return _match_text(text, _index(candidates, labels_of))


@lru_cache(maxsize=LABEL_CACHE)
def _match_cached(text: str, candidates: tuple) -> object | None:
    return _match_text(text, _index_cached(candidates))


@lru_cache(maxsize=256)
def _index_cached(candidates: tuple) -> list:
    return _index(candidates, lambda c: c.labels)


def _match_text(text: str, index: list[tuple[str, T]]) -> T | None:
    exact = {id(c): c for norm, c in index if norm == text}
    if len(exact) == 1:
        return next(iter(exact.values()))
    if exact:
        return None
    return _contained(text, index) or _fuzzy(text, index)


def _index(candidates: Iterable[T], labels_of) -> list[tuple[str, T]]:
    return [(normalise(lbl), c) for c in candidates for lbl in labels_of(c) if normalise(lbl)]


def _contained(text: str, index: list[tuple[str, T]]) -> T | None:
    found = sorted(((len(norm), id(c), c) for norm, c in index if len(norm) >= CONTAIN_MIN and norm in text),
                   key=lambda t: -t[0])
    if not found:
        return None
    longest = found[0][0]
    winners = {cid: c for n, cid, c in found if n == longest}
    # the contained label must cover most of the text, or it is a different, longer label
    if len(winners) == 1 and longest >= 0.6 * len(text):
        return next(iter(winners.values()))
    return None


def _fuzzy(text: str, index: list[tuple[str, T]]) -> T | None:
    best: dict[int, tuple[float, T]] = {}
    for norm, c in index:
        if text in norm:  # a shorter label inside a longer one is another label (a heading)
            continue
        score = similarity(text, norm)
        if score > best.get(id(c), (0.0, c))[0]:
            best[id(c)] = (score, c)
    ranked = sorted(best.values(), key=lambda t: -t[0])
    if not ranked or ranked[0][0] < FUZZY_MIN:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < FUZZY_MARGIN:
        return None
    return ranked[0][1]
