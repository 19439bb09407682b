"""The text of a page without its layout: tidied lines, page numbers and number tokens told
apart, and the cues that a page holds one of the template's tables (`is_table_page`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from extract import template as tpl


def is_wide(ch: str) -> bool:
    """CJK ideographs and full-width forms: no spaces between them."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


_SPACES = re.compile(r"\s+")


def tidy(text: str) -> str:
    """Collapse whitespace; drop it next to wide characters (WPS spaces out CJK text)."""
    text = _SPACES.sub(" ", text).strip()
    if " " not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == " " and (is_wide(text[i - 1]) or is_wide(text[i + 1])):
            continue
        out.append(ch)
    return "".join(out)


def join_lines(lines: Iterable[str]) -> str:
    """Lines of one cell as one text: no separator where either side is CJK."""
    out = ""
    for line in lines:
        if not line:
            continue
        if out and not (is_wide(out[-1]) or is_wide(line[0])):
            out += " "
        out += line
    return out


_PAGE_NUMBER = re.compile(r"^[\s\-—–－]*(第\s*)?[0-9０-９]{1,3}(\s*页)?(\s*[/／共]\s*[0-9０-９]{1,3}\s*页?)?[\s\-—–－]*$")
_NUMBER_TOKEN = re.compile(r"^[\-—–－]?[0-9０-９][0-9０-９,，.．]*(件|万元|%)?$|^[/／—\-－–]$")


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text))


def is_number_token(text: str) -> bool:
    return bool(_NUMBER_TOKEN.match(text.strip()))


def _cues() -> tuple[str, ...]:
    """Header texts that announce a statistics table. Short ones (行政复议, 自然人, 第二十条) and
    section titles are left out: report prose uses them all the time."""
    out = set()
    for template in (tpl.TEMPLATE_2021, tpl.TEMPLATE_2019):
        for table in template.tables.values():
            out.update(m for m in table.markers if len(m) >= 5)
    return tuple(sorted(out))


CUES = _cues()


def is_table_page(text: str) -> bool:
    """Cheap test on a page's text: a row of numbers (a line ending in three numbers, or a short
    label and one number), or two of the tables' header texts."""
    for line in text.splitlines():
        tokens = line.split()
        if tokens and is_number_token(tokens[-1]) and not is_page_number(line) and (
                (len(tokens) >= 3 and all(is_number_token(t) for t in tokens[-3:]))
                or (len(tokens) == 2 and len(tokens[0]) <= 20 and not is_number_token(tokens[0]))):
            return True
    compact = _SPACES.sub("", text)
    return sum(cue in compact for cue in CUES) >= 2
