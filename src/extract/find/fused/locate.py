"""Locating the tables in flattened text: section titles and markers → spans, spans → labels and
runs, each run → the template row whose label ends the text before it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from extract import template as tpl
from extract.find.fused.runs import DIGITS, RUN, SPACES
from extract.template import labels
from extract.template.printed import UNION


_CN = "一二三四五六七八九十"
_NUMBERING_END = frozenset(".．、")  # after a digit ending a run: the next item's number (2.)
#: what surrounds or separates a label's words and is no part of them
_QUOTES = re.compile(r"[\s\"'“”‘’「」『』《》<>:：,，;；。·・_*※]+")
_TITLE_NUMBER = re.compile(rf"(?:[（(](?:[{_CN}]{{1,2}}|\d)[)）]|(?:[{_CN}]{{1,2}}|\d)\s*[、.．])\s*$")
_GROUP_HEADINGS = {g: labels.normalise(g) for g in tpl.GROUP_OF_HEADING}


def _section_titles() -> list[tuple[str, str]]:
    out = []
    for key, title in tpl.SECTIONS:
        table = UNION.get(key)
        titles = (title, *table.section_aliases) if table else (title,)
        out += [(key, t) for t in titles]
    return out


_TITLES = _section_titles()


def find_regions(text: str) -> dict[str, tuple[int, int]]:
    """Table key → (start, end) of the text holding it: from its numbered section title (二、…)
    to the next numbered title. Of several such titles (a table of contents, a preface) the
    first whose span holds the table's header marker wins; a table without a title starts at
    its marker."""
    starts = sorted((m.start(), key) for key, title in _TITLES for m in re.finditer(re.escape(title), text)
                    if _TITLE_NUMBER.search(text[max(0, m.start() - 4):m.start()]))
    bounds = sorted({pos for pos, _ in starts} | {len(text)})
    chosen: dict[str, tuple[int, bool]] = {}  # key → (start, its span holds a marker)
    for pos, key in starts:
        if key not in UNION or (key in chosen and chosen[key][1]):
            continue
        span = text[pos:next(b for b in bounds if b > pos)]
        marked = any(m in span for m in tpl.TEXT_MARKERS[key])
        if key not in chosen or marked:
            chosen[key] = (pos, marked)
    regions = {key: pos for key, (pos, _) in chosen.items()}
    for key, markers in tpl.TEXT_MARKERS.items():
        hits = [text.find(m) for m in markers if m in text]
        if key not in regions and hits:
            regions[key] = min(hits)
    ends = sorted(set(bounds) | set(regions.values()))
    return {key: (pos, next((b for b in ends if b > pos), len(text))) for key, pos in regions.items()}


@dataclass
class Piece:
    """A run of cells in the text, with the label text before it."""

    before: str  # text since the previous run
    run_text: str
    start: int  # offset of the run in the text


def text_to_pieces(text: str, start: int = 0, end: int | None = None) -> list[Piece]:
    """Alternate label text and runs of numbers (digits, spaces, marks, units) in text[start:end].

    A digit right before ``.``/``、`` and a label (``…0000002.重复申请``) is the next item's
    numbering, not a cell: it goes back to the text."""
    end = len(text) if end is None else end
    pieces: list[Piece] = []
    label_from = start
    for m in RUN.finditer(text, start, end):
        i, j = m.start(), m.end()
        run_end = j
        while run_end > i and text[run_end - 1] in SPACES:
            run_end -= 1
        if run_end == j and j < end and text[j] in _NUMBERING_END and text[j - 1] in DIGITS:
            run_end -= 1  # the next item's number
            while run_end > i and text[run_end - 1] in SPACES:
                run_end -= 1
        if run_end > i:
            pieces.append(Piece(text[label_from:i], text[i:run_end], i))
            label_from = run_end
    return pieces


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _compact(text: str) -> str:
    """Folded text without spaces, quotes and punctuation, trailing bracketed notes removed."""
    return _QUOTES.sub("", labels.fold(_strip_note(text.rstrip())))


def _strip_note(text: str) -> str:
    """`text` without the bracketed notes that end it (部分公开（区分处理的，…）)."""
    while text and text[-1] in ")）":
        depth, k = 0, len(text) - 1
        while k >= 0:
            depth += 1 if text[k] in ")）" else -1 if text[k] in "(（" else 0
            if depth == 0:
                break
            k -= 1
        if k <= 0:
            break
        text = text[:k].rstrip()
    return text


@dataclass
class LocatedRow:
    key: str
    label: str  # as printed (the matched tail of the text)
    run: str  # the run as printed
    group: str | None = None  # extra rows of table 二: the row whose columns they share


_VARIANTS: dict[str, list[str]] = {}


def _label_variants(row: tpl.Row) -> list[str]:
    if row.key not in _VARIANTS:
        _VARIANTS[row.key] = [v for v in dict.fromkeys(labels.normalise(lbl) for lbl in row.labels) if v]
    return _VARIANTS[row.key]


def match_tail(text: str, rows: Sequence[tpl.Row], fuzzy: bool = True) -> tuple[tpl.Row, str] | None:
    """The row whose label ends `text` (the text before a run), with the printed label.

    Exact first (the longest label that ends the text); then, for labels of four characters or
    more, the tail most similar to a label, at least `labels.FUZZY_MIN` similar and
    `labels.FUZZY_MARGIN` ahead of any other row."""
    tail = _compact(text)
    if not tail:
        return None
    best: tuple[int, tpl.Row] | None = None
    for row in rows:
        for norm in _label_variants(row):
            if tail.endswith(norm) and (best is None or len(norm) > best[0]):
                best = (len(norm), row)
    if best:
        return best[1], _printed_tail(text, best[0])
    if not fuzzy:
        return None
    scores: dict[str, tuple[float, tpl.Row, int]] = {}
    for row in rows:
        for norm in _label_variants(row):
            if len(norm) < labels.CONTAIN_MIN:
                continue
            for k in range(max(2, len(norm) - 4), len(norm) + 4):
                score = labels.similarity(tail[-k:], norm)
                if score > scores.get(row.key, (0.0,))[0]:
                    scores[row.key] = (score, row, k)
    ranked = sorted(scores.values(), key=lambda s: -s[0])
    if not ranked or ranked[0][0] < labels.FUZZY_MIN:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < labels.FUZZY_MARGIN:
        return None
    return ranked[0][1], _printed_tail(text, ranked[0][2])


def _printed_tail(text: str, chars: int) -> str:
    """The end of `text` spelling `chars` compact characters, with its bracketed note: the label
    as printed."""
    body = _strip_note(text.rstrip())
    k, kept = len(body), 0
    while k > 0 and kept < chars:
        k -= 1
        kept += not _QUOTES.fullmatch(body[k])
    return text[k:].strip()


FUZZY_WINDOW = 4  # rows after the last one found that a fuzzy (misprinted) label may stand for


def locate_requests(pieces: list[Piece]) -> tuple[list[LocatedRow], str]:
    """Rows of table 三 (each label matched at the end of the text before its run), and the
    header text (before the first row). A group's short item (3.其他) is only taken inside its
    group (after （六）其他处理 or another of its items)."""
    rows = UNION["requests"].rows
    found: list[LocatedRow] = []
    done: set[str] = set()
    header = ""
    pending = ""
    group: str | None = None
    for piece in pieces:
        text = pending + piece.before
        group = _group_in(text) or group
        allowed = [r for r in rows if r.key not in done and _group_allows(r, group)]
        hit = match_tail(text, allowed, fuzzy=False) or match_tail(text, _window(rows, done))
        if hit is None:
            pending = text + piece.run_text
            continue
        row, printed = hit
        if not found:
            header = text
        found.append(LocatedRow(row.key, printed, piece.run_text))
        done.add(row.key)
        group = tpl.GROUP_OF_HEADING.get(row.group or "", group if row.key == "other_handling" else None)
        pending = ""
    return found, header


def _window(rows: Sequence[tpl.Row], done: set[str]) -> list[tpl.Row]:
    """The next rows of the template after the last one found (for fuzzy matching)."""
    last = max((i for i, r in enumerate(rows) if r.key in done), default=-1)
    return [r for r in rows[last + 1:] if r.key not in done][:FUZZY_WINDOW]


def _group_in(text: str) -> str | None:
    """The group whose heading (（三）不予公开 …) comes last in `text`, if any."""
    compact = _compact(text)
    hits = [(compact.rfind(norm), g) for g, norm in _GROUP_HEADINGS.items() if norm in compact]
    return tpl.GROUP_OF_HEADING[max(hits)[1]] if hits else None


def _group_allows(row: tpl.Row, group: str | None) -> bool:
    if row.group is None or len(_label_variants(row)[0]) >= labels.CONTAIN_MIN:
        return True
    return tpl.GROUP_OF_HEADING.get(row.group) == group


def request_columns(header: str) -> list[str]:
    """Table 三's columns in printed order, from its header: 法人或其他组织小计 (a local
    column) where it stands, total last."""
    compact = _compact(header)
    cols = list(tpl.REQUEST_APPLICANTS)
    if tpl.SUBTOTAL_WORD in compact:
        sub = compact.find(tpl.SUBTOTAL_WORD)
        orgs = compact.find(tpl.COMMERCIAL_WORD)
        cols.insert(1 if orgs < 0 or sub < orgs else len(cols), "org_subtotal")
    return [*cols, "total"]


def request_roles(columns: Sequence[str]) -> tuple[str, ...]:
    return tuple("total" if c == "total" else "sub" if c == "org_subtotal" else "part"
                 if c == "natural_person" else "org" for c in columns)


def locate_active(pieces: list[Piece]) -> tuple[list[LocatedRow], str]:
    """Rows of table 二 (and local extra rows inside its blocks), and its format (2021/2019)."""
    rows = UNION["active_disclosure"].rows
    found: list[LocatedRow] = []
    pending = ""
    seen_block = False
    for piece in pieces:
        text = pending + piece.before
        seen_block = seen_block or tpl.ACTIVE_BLOCK in text
        done = {f.key for f in found}
        allowed = [r for r in rows if r.key not in done]
        hit = (match_tail(text, allowed, fuzzy=False) or match_tail(text, _window(rows, done))) if seen_block else None
        if hit is None:
            label = _extra_label(text) if seen_block and found else None
            if label:
                found.append(LocatedRow(f"extra.{sum(f.key.startswith('extra.') for f in found) + 1}",
                                        label, piece.run_text, found[-1].key))
                pending = ""
            else:
                pending = text + piece.run_text
            continue
        row, printed = hit
        found.append(LocatedRow(row.key, printed, piece.run_text))
        pending = ""
    return found, active_format(" ".join(p.before for p in pieces), found)


def _extra_label(text: str) -> str | None:
    """A short label right before a run, inside table 二: a local row (其他主动公开文件)."""
    tail = text.strip()
    if not tail or len(tail) > 20 or any(ch in tail for ch in "。；;：:，,") or tpl.ACTIVE_BLOCK in tail:
        return None
    compact = _compact(tail)
    return tail if len(compact) >= 3 and all(_is_cjk(c) or c in "()（）、" for c in compact) else None


def active_format(text: str, rows: list[LocatedRow]) -> str:
    keys = {r.key for r in rows}
    compact = _compact(text)
    if {"other_services", "procurement"} & keys or any(h in compact for h in tpl.ACTIVE_2019_HEADS):
        return "2019"
    return "2021"


def locate_review(pieces: list[Piece]) -> str | None:
    """Table 四's 15 cells: the runs after its header, joined (labels between runs allowed)."""
    spec = UNION["review_litigation"]
    names = [labels.normalise(x) for r in spec.rows for x in r.labels] + \
            [labels.normalise(x) for c in spec.columns for x in c.labels] + [tpl.LITIGATION_HEADING]
    out: list[str] = []
    pending = ""
    for piece in pieces:
        text = pending + piece.before
        if not out:
            if any(mark in _compact(text) for mark in tpl.REVIEW_ROW_MARKS):
                out.append(piece.run_text)
            else:
                pending = text + piece.run_text
            continue
        between = _compact(piece.before)
        for name in sorted(names, key=len, reverse=True):
            between = between.replace(name, "")
        if between:
            break
        out.append(piece.run_text)
    return " ".join(out) if out else None
