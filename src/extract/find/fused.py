"""Tables flattened into running text: labels followed by runs of fused digits.

Web archives, search-engine caches and copy-paste keep a report page's words but lose its table
markup, so the cells of a row run together: ``一、本年新收政府信息公开申请数量713000074`` is
71 | 3 | 0 | 0 | 0 | 0 | 74. The template's arithmetic recovers them.

    find_regions       numbered section titles (or header markers) → the text span of each table
    text_to_pieces     a span → label text and runs (a digit before ``2.`` is the next item's number)
    locate_*           each run → the row whose label ends the text before it (tolerant, group-aware)
    parse_run          a run → symbols, with where a cell must end (spaces, marks, units, a change
                       of digit width, a minus sign) and where it cannot (inside a decimal)
    row_candidates     every split of a run into the row's cells that keeps the row's identity
    solve_requests     one split per row of table 三 so that balance and outcomes sum hold in every
                       column (branch and bound over the rows with several splits)
    solve_review       table 四: the 15-cell run as three rows of five, each adding up
    solve_active       table 二: no identity binds it; the numbers the report's prose states narrow
                       its splits (`extract.find.disambiguate`), then a documented plausibility rule
                       chooses; the splits left open travel with the cells (`alternatives`), for
                       the agency's other years to narrow at curation

Honesty. A split never gives a number a leading zero (``05``). When several splits satisfy every
identity that applies, the choice follows `RULE` and each cell whose value depends on it is
flagged `cell.ambiguous` with the other splits. When no split keeps a row's identity, the
column identities choose among all its splits, and each identity the kept split still breaks
is flagged with origin ``source`` (the printed digits themselves disagree); a row that several
splits fit equally badly is left out (`fused.unsolved`). Blank cells leave no digit behind:
a row with fewer digits than cells is left out, the table gets `fused.blanks_lost`, and no
failure in that export is blamed on the source.

Entry points: `read_fused(doc, tables)` and `read_fused_text(text, tables)` → `Extraction`
(cells with method ``text-fused``, issues as `Finding`); `locate(text)` gives the rows found
before solving.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from extract.template import labels
from extract import template as tpl
from extract.model import CellRead, Document, Finding, Line
from extract.find.tables import Extraction
from extract.template.printed import UNION
from extract.template.identities import Identity, column_identities
from extract.template.units import UNITS

METHOD = "text-fused"

#: the tie-break among splits that satisfy every identity, quoted in the `cell.ambiguous` flags
RULE = {
    "requests": "the largest values in the earliest columns (natural persons ask most)",
    "review_litigation": "the largest values in the earliest columns (most cases are upheld)",
    "active_disclosure": "the stock at least each yearly count, a change no larger than its items, an amount at "
                         "least its projects; a dash before digits a minus sign; 本年新公开数量 nearest 本年新制作数量 "
                         "(the documents made this year are the ones published); the smallest change (本年增/减 is "
                         "mostly 0); the fewest digits in the longest cell; repealed no more than issued; then the "
                         "largest values in the "
                         "earliest columns",
}
MAX_CANDIDATES = 5000  # splits of one row kept before the row is given up as unsolvable
MAX_RELAXED = 500  # splits kept of a row none of whose splits keeps its identity
MAX_RELAXED_ROWS = 2  # such rows decided jointly by the column identities; more are left out
SEARCH_BUDGET = 200_000  # nodes of the joint search before the table is given up
MAX_SOLUTIONS = 256  # tied solutions kept to tell which cells are ambiguous
SHOWN_ALTERNATIVES = 4  # alternatives quoted in a flag message


# ---------------------------------------------------------------- characters


_DIGITS = "0123456789０１２３４５６７８９"
_ASCII = dict(zip("０１２３４５６７８９", "0123456789"))
_MARKS = "-－−—–‒/／\\"
_MINUSES = frozenset("-－−")
_SPACES = " \t\n\r\u3000\u00a0\u200b\ufeff"
_NUMBERING_END = frozenset(".．、")
_QUOTES = re.compile(r"[\s\"'“”‘’「」『』《》<>:：,，;；。·・_*※]+")
_D = f"[{_DIGITS}]"
#: a run of cells as printed: digits, marks, spaces, decimals between digits, units after digits
_RUN = re.compile(
    rf"[{_DIGITS}{re.escape(_MARKS)}]"
    rf"(?:[{_DIGITS}{re.escape(_MARKS)}{_SPACES}]|(?<={_D})[.．](?={_D})|(?<={_D})(?:{'|'.join(UNITS)}))*")


# ---------------------------------------------------------------- runs


class Run:
    """A run of fused cells: one symbol per printed character (``0-9 . -``, ``x`` for a
    not-applicable mark such as / or —), and where the printed text forces or forbids a cut.

    A cut at position p ends a cell between symbols p-1 and p. `ends[a]` lists where a cell
    starting at symbol a may end (no leading zero, no cut inside a decimal or past a forced cut).
    """

    __slots__ = ("chars", "raws", "forced", "blocked", "text", "ends", "_values")

    def __init__(self, chars: str, raws: tuple[str, ...], forced: tuple[int, ...], blocked: frozenset[int],
                 text: str):
        self.chars, self.raws, self.forced, self.blocked, self.text = chars, raws, forced, blocked, text
        self._values: dict[tuple[int, int], int | float | None] = {}
        self.ends = [_cell_ends(chars, a, self.next_forced(a), blocked) for a in range(len(chars))]

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"Run({self.text!r})"

    def next_forced(self, pos: int) -> int:
        i = bisect.bisect_right(self.forced, pos)
        return self.forced[i] if i < len(self.forced) else len(self.chars)

    def forced_between(self, a: int, b: int) -> int:
        """Forced cuts strictly inside (a, b)."""
        return bisect.bisect_left(self.forced, b) - bisect.bisect_right(self.forced, a)

    def value(self, a: int, b: int) -> int | float | None:
        key = (a, b)
        if key not in self._values:
            self._values[key] = cell_value(self.chars[a:b])
        return self._values[key]

    def raw(self, a: int, b: int) -> str:
        return "".join(self.raws[a:b])


def parse_run(text: str, signed: bool = False) -> Run | None:
    """The symbols of a printed run; None when it holds no cell at all.

    Spaces, not-applicable marks, units (件, 元 …) and a change between half- and full-width
    digits end a cell; a decimal point binds the digits around it. With `signed`, a minus sign
    before a digit starts a negative cell (the 2019 format's 本年增/减); otherwise it is a mark.
    """
    chars: list[str] = []
    raws: list[str] = []
    forced: set[int] = set()
    blocked: set[int] = set()
    in_fraction = False
    wide: bool | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACES:
            forced.add(len(chars))
            in_fraction, wide = False, None
            i += 1
        elif ch in _DIGITS:
            is_wide = ord(ch) > 0x7F
            if wide is not None and is_wide != wide:
                forced.add(len(chars))
                in_fraction = False
            if in_fraction:
                blocked.add(len(chars))
            wide = is_wide
            chars.append(_ASCII.get(ch, ch))
            raws.append(ch)
            i += 1
        elif ch in ".．" and chars and chars[-1].isdigit() and i + 1 < n and text[i + 1] in _DIGITS \
                and not in_fraction:
            blocked.update((len(chars), len(chars) + 1))
            chars.append(".")
            raws.append(ch)
            in_fraction = True
            i += 1
        elif ch in _MARKS:
            j = i
            while j < n and text[j] in _MARKS:
                j += 1
            forced.add(len(chars))
            if signed and j == i + 1 and ch in _MINUSES and j < n and text[j] in _DIGITS:
                blocked.add(len(chars) + 1)
                chars.append("-")
                raws.append(ch)
            else:  # one mark per character; the solver decides whether —— is one cell or two
                chars.extend("x" * (j - i))
                raws.extend(text[i:j])
                forced.add(len(chars))
            in_fraction, wide = False, None
            i = j
        else:
            unit = next((u for u in UNITS if text.startswith(u, i)), None)
            if not (unit and chars and chars[-1].isdigit()):
                raise ValueError(f"not a run character: {ch!r} in {text!r}")
            raws[-1] += unit
            forced.add(len(chars))
            in_fraction, wide = False, None
            i += len(unit)
    if not any(c.isdigit() or c == "x" for c in chars):
        return None
    cuts = tuple(sorted(p for p in forced if 0 < p < len(chars)))
    return Run("".join(chars), tuple(raws), cuts, frozenset(blocked - set(cuts)), text)


def cell_value(symbols: str) -> int | float | None:
    """The number a cell's symbols spell; None for a mark."""
    if symbols[0] == "x":
        return None
    return float(symbols) if "." in symbols else int(symbols)


def _cell_ends(chars: str, a: int, limit: int, blocked: frozenset[int]) -> list[int]:
    """Where one cell starting at symbol `a` may end (at most `limit`, the next forced cut): a
    mark alone; a sign only in front; no leading zero (``05``, ``-05``, ``-0``); never inside a
    decimal."""
    first = chars[a]
    if first == "x":
        return list(range(a + 1, limit + 1))
    lead = a + 1 if first == "-" else a
    if lead >= limit or not chars[lead].isdigit():
        return []
    if chars[lead] == "0" and not (lead + 1 < limit and chars[lead + 1] == "."):
        return [] if first == "-" else [a + 1]
    size = len(chars)
    return [e for e in range(lead + 1, limit + 1) if e == size or e not in blocked]


def fill(run: Run, a: int, b: int, n: int, total: int | None = None,
         summands: Sequence[bool] = (), cap: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Every way to cut symbols [a, b) into `n` cells, as boundary tuples (a, …, b).

    With `total`, only the cuts whose `summands` cells add up to it (every cell at most `total`,
    which prunes hard). More than `cap` splits raises `TooMany`."""
    if b - a < n or run.forced_between(a, b) > n - 1 or (0 < a and a in run.blocked) \
            or (b < len(run) and b in run.blocked):
        return []
    out: list[tuple[int, ...]] = []
    width = len(str(total)) if total is not None else 0
    cuts = [a]
    ends, chars, value = run.ends, run.chars, run.value

    def walk(pos: int, left: int, acc: int) -> None:
        if left == 1:
            if b not in ends[pos]:
                return
            if total is not None:
                v = value(pos, b)
                if v is not None:
                    if summands[n - 1]:
                        if acc + v != total:
                            return
                    elif v > total:
                        return
                elif summands[n - 1] and acc != total:
                    return
            out.append((*cuts, b))
            if len(out) > cap:
                raise TooMany(cap)
            return
        for e in ends[pos]:
            rest = b - e
            if rest < left - 1:
                break
            add = 0
            if total is not None:
                if chars[pos] != "x":
                    if e - pos > width:
                        break
                    v = value(pos, e)
                    if v > total:
                        break
                    if summands[n - left]:
                        add = v
                if acc + add > total or rest > (left - 1) * width:
                    continue
            cuts.append(e)
            walk(e, left - 1, acc + add)
            cuts.pop()

    walk(a, n, 0)
    return out


class TooMany(Exception):
    """A run splits too many ways to search."""


# ---------------------------------------------------------------- rows with an identity


@dataclass(frozen=True)
class Candidate:
    """One split of a row: its values, the symbol boundaries, and the identities it breaks."""

    values: tuple[int | float | None, ...]
    bounds: tuple[int, ...]
    broken: tuple[str, ...] = ()  # identity keys of the row itself that this split breaks
    run: Run | None = field(default=None, compare=False)  # when not the row's own run (table 二)

    @property
    def cost(self) -> int:
        return len(self.broken)


def _values(run: Run, bounds: tuple[int, ...]) -> tuple[int | float | None, ...]:
    return tuple(run.value(a, b) for a, b in zip(bounds, bounds[1:]))


def _row_breaks(values: Sequence, roles: Sequence[str], check: str) -> tuple[str, ...]:
    """The identities among `values` that do not hold: total = Σ parts, subtotal = Σ orgs."""
    broken = []
    total = next((v for v, r in zip(values, roles) if r == "total"), None)
    parts = [v for v, r in zip(values, roles) if r in ("part", "org")]
    if total is not None and None not in parts and abs(sum(parts) - total) > 1e-9:
        broken.append(check)
    if "sub" in roles:
        sub = values[roles.index("sub")]
        orgs = [v for v, r in zip(values, roles) if r == "org"]
        if sub is not None and None not in orgs and sum(orgs) != sub:
            broken.append("requests.org_subtotal")
    return tuple(broken)


def row_candidates(run: Run, roles: Sequence[str], check: str, a: int = 0, b: int | None = None) -> list[Candidate]:
    """Splits of symbols [a, b) into cells with `roles` that keep the row's identity: ``part``
    and ``org`` cells add up to the last cell, ``total``; ``sub`` is the orgs' subtotal. A mark
    in the total leaves the identity unchecked."""
    b = len(run) if b is None else b
    n = len(roles)
    summands = [r in ("part", "org") for r in roles[:-1]]
    out: list[Candidate] = []
    for start in range(b - 1, a, -1):  # the total is the last cell
        if start in run.blocked or b not in run.ends[start]:
            continue
        total = run.value(start, b)
        if total is None:
            out += [Candidate(_values(run, (*bounds, b)), (*bounds, b)) for bounds in fill(run, a, start, n - 1)]
            continue
        if not isinstance(total, int) or start - a < n - 1:
            continue
        for bounds in fill(run, a, start, n - 1, total, summands):
            bounds = (*bounds, b)
            values = _values(run, bounds)
            if not _row_breaks(values, roles, check):
                out.append(Candidate(values, bounds))
        if len(out) > MAX_CANDIDATES:
            raise TooMany(MAX_CANDIDATES)
    return out


def relaxed_candidates(run: Run, roles: Sequence[str], check: str, a: int = 0, b: int | None = None) -> list[Candidate]:
    """Every split of symbols [a, b) into the row's cells, each with the identities it breaks
    (for a row none of whose splits keeps them); more than MAX_RELAXED raises `TooMany`."""
    b = len(run) if b is None else b
    return [Candidate(v, bounds, _row_breaks(v, roles, check))
            for bounds in fill(run, a, b, len(roles), cap=MAX_RELAXED) for v in [_values(run, bounds)]]


# ---------------------------------------------------------------- locating the tables


_CN = "一二三四五六七八九十"
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
    for m in _RUN.finditer(text, start, end):
        i, j = m.start(), m.end()
        run_end = j
        while run_end > i and text[run_end - 1] in _SPACES:
            run_end -= 1
        if run_end == j and j < end and text[j] in _NUMBERING_END and text[j - 1] in _DIGITS:
            run_end -= 1  # the next item's number
            while run_end > i and text[run_end - 1] in _SPACES:
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
    if "小计" in compact:
        sub = compact.find("小计")
        orgs = compact.find("商业")
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
    heads_2019 = ("本年新制作数量", "上一年项目数量", "采购项目数量", "对外公开总数量")
    if {"other_services", "procurement"} & keys or any(h in compact for h in heads_2019):
        return "2019"
    return "2021"


def locate_review(pieces: list[Piece]) -> str | None:
    """Table 四's 15 cells: the runs after its header, joined (labels between runs allowed)."""
    spec = UNION["review_litigation"]
    names = [labels.normalise(x) for r in spec.rows for x in r.labels] + \
            [labels.normalise(x) for c in spec.columns for x in c.labels] + ["行政诉讼"]
    out: list[str] = []
    pending = ""
    for piece in pieces:
        text = pending + piece.before
        if not out:
            if "复议后起诉" in _compact(text) or "未经复议" in _compact(text):
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


# ---------------------------------------------------------------- deciding


@dataclass
class RowSplits:
    """The splits of one row's run (`relaxed`: none keeps the row's identity, each breaks some)."""

    key: str
    run: Run
    columns: tuple[str, ...]
    candidates: list[Candidate]
    relaxed: bool = False


@dataclass
class Solution:
    """What the solver decided for one table: cell → (value, raw), and its flags."""

    values: dict[tuple[str, str], tuple[int | float | None, str]] = field(default_factory=dict)
    issues: list[Finding] = field(default_factory=list)
    #: row → (columns, splits still open: (values, raws) each, the chosen first), where ambiguous
    alternatives: dict[str, tuple[tuple[str, ...], list]] = field(default_factory=dict)

    def ambiguous(self) -> set[tuple[str, str]]:
        return {(i.row, i.column) for i in self.issues if i.check == "cell.ambiguous"}


Choice = dict[str, Candidate]


def lexmax_key(order: Sequence[str]):
    """Sort key of the tie-break for tables 三 and 四: the largest values in the earliest
    columns, rows in printed order (a mark counts below zero)."""
    def key(choice: Choice) -> tuple:
        return tuple(-(v if v is not None else -1) for r in order if r in choice for v in choice[r].values)
    return key


def settle(table: str, rows: dict[str, RowSplits], solutions: list[Choice], rule: str, out: Solution) -> Choice:
    """Record the first of `solutions` (sorted by the rule): its cells; `cell.ambiguous` for each
    cell another tied solution gives another value; a relaxed row the tied solutions disagree on
    is left out (no identity and no rule decides it). Returns what was kept."""
    chosen = dict(solutions[0])
    for key, cand in list(chosen.items()):
        row = rows[key]
        others = list(dict.fromkeys(s[key].values for s in solutions[1:] if s[key].values != cand.values))
        if others and row.relaxed:
            out.issues.append(Finding(
                "fused.unsolved", "error",
                f"{table}.{key}: no split of the fused digits {row.run.text!r} keeps the row's identity, and "
                f"{len(others) + 1} splits break equally few identities ({_show(cand.values)}; {_show(others[0])} …); "
                "the row is left out", table, key, origin="extraction"))
            del chosen[key]
            continue
        run = cand.run or row.run
        for j, col in enumerate(row.columns):
            out.values[(key, col)] = (cand.values[j], run.raw(cand.bounds[j], cand.bounds[j + 1]))
        if not others:
            continue
        shown = "; ".join(_show(o) for o in others[:SHOWN_ALTERNATIVES]) + (
            " …" if len(others) > SHOWN_ALTERNATIVES else "")
        for j, col in enumerate(row.columns):
            if any(o[j] != cand.values[j] for o in others):
                out.issues.append(Finding(
                    "cell.ambiguous", "warning",
                    f"{table}.{key}.{col}: the fused digits {row.run.text!r} split {len(others) + 1} ways that "
                    f"satisfy every identity that applies; chose {_show(cand.values)} by the rule: {rule}; "
                    f"other splits: {shown}", table, key, col, observed=_num(cand.values[j]), origin="extraction"))
    return chosen


def _show(values: Sequence) -> str:
    return "|".join("—" if v is None else f"{v:g}" for v in values)


def _num(v) -> float | None:
    return None if v is None else float(v)


def _source_flag(check: str, table: str, row: str, col: str, expected, observed, where: str) -> Finding:
    return Finding(
        check, "error",
        f"{where}: {check} fails for every split of the fused digits (expects {expected:g}, the table prints "
        f"{observed:g}): the published numbers do not add up", table, row, col, _num(expected), _num(observed), "source")


def row_flags(table: str, rows: dict[str, RowSplits], chosen: Choice) -> list[Finding]:
    """The row identities the kept split of a relaxed row breaks (origin source)."""
    out = []
    for key, cand in chosen.items():
        got = dict(zip(rows[key].columns, cand.values))
        for check in cand.broken:
            if check == "requests.org_subtotal":
                col, parts = "org_subtotal", [got[c] for c in tpl.REQUEST_ORGS]
            else:
                col = "total"
                parts = [got[c] for c in (tpl.REQUEST_APPLICANTS if table == "requests" else tpl.REVIEW_PARTS)]
            out.append(_source_flag(check, table, key, col, sum(parts), got[col], f"row {key}"))
    return out


# ---------------------------------------------------------------- solving table 三


def _violated(eq: dict[str, int], values: dict[str, tuple]) -> list[int]:
    """Columns where the equation does not hold (a column with a mark is skipped)."""
    width = len(next(iter(values.values())))
    bad = []
    for j in range(width):
        total = 0
        for row, coef in eq.items():
            v = values[row][j]
            if v is None:
                break
            total += coef * v
        else:
            if total:
                bad.append(j)
    return bad


class _Enough(Exception):
    """The search has found as many best solutions as it keeps."""


def joint_search(cands: dict[str, list[Candidate]], equations: list[Identity],
                 budget: int = SEARCH_BUDGET) -> tuple[int, list[Choice]]:
    """One candidate per row minimising broken identities (the rows' own and the equations');
    returns the best cost and the choices reaching it (at most MAX_SOLUTIONS).

    Branch and bound: rows with one candidate are fixed (their share of each equation summed
    once), the others tried fewest candidates first, and an equation is scored as soon as its
    last row is chosen. Raises `TooMany` past `budget` nodes."""
    fixed = {r: c[0] for r, c in cands.items() if len(c) == 1}
    free = _search_order([r for r, c in cands.items() if len(c) > 1], cands, equations)
    width = len(next(iter(cands.values()))[0].values) if cands else 0
    closing: dict[int, list[tuple[list, list[tuple[str, int]]]]] = {}
    for eq in (i.terms for i in equations):
        base: list[int | float | None] = [0] * width
        for row, coef in eq.items():
            if row in fixed:
                base = [None if t is None or v is None else t + coef * v for t, v in zip(base, fixed[row].values)]
        terms = [(row, coef) for row, coef in eq.items() if row not in fixed]
        depth = max((free.index(r) for r, _ in terms), default=-1)
        closing.setdefault(depth, []).append((base, terms))
    values = {r: c.values for r, c in fixed.items()}

    def broken(depth: int) -> int:
        bad = 0
        for base, terms in closing.get(depth, ()):
            for j, total in enumerate(base):
                if total is None:
                    continue
                for row, coef in terms:
                    v = values[row][j]
                    if v is None:
                        break
                    total += coef * v
                else:
                    bad += total != 0
        return bad

    ordered = {r: sorted(cands[r], key=lambda c: c.cost) for r in free}
    floor = sum(min(c.cost for c in cs) for cs in cands.values())
    best = [float("inf")]
    solutions: list[Choice] = []
    chosen: Choice = dict(fixed)
    nodes = [0]

    def walk(depth: int, cost: int) -> None:
        if cost > best[0]:
            return
        if depth == len(free):
            if cost < best[0]:
                best[0] = cost
                solutions.clear()
            solutions.append(dict(chosen))
            if len(solutions) >= MAX_SOLUTIONS and cost == floor:
                raise _Enough
            return
        row = free[depth]
        for cand in ordered[row]:
            if cost + cand.cost > best[0]:
                break
            nodes[0] += 1
            if nodes[0] > budget:
                raise TooMany(budget)
            chosen[row] = cand
            values[row] = cand.values
            walk(depth + 1, cost + cand.cost + broken(depth))
        chosen.pop(row, None)
        values.pop(row, None)

    try:
        walk(0, sum(c.cost for c in fixed.values()) + broken(-1))
    except _Enough:
        pass
    return int(best[0]), solutions[:MAX_SOLUTIONS]


def _search_order(free: list[str], cands: dict[str, list[Candidate]], equations) -> list[str]:
    """Rows to try in an order that completes an equation as early as possible (the one with the
    fewest open rows first), fewest candidates first within it: it is scored, and prunes, sooner."""
    order: list[str] = []
    open_eqs = [[r for r in i.terms if r in free] for i in equations]
    while True:
        open_eqs = [[r for r in rows if r not in order] for rows in open_eqs]
        open_eqs = [rows for rows in open_eqs if rows]
        if not open_eqs:
            break
        rows = min(open_eqs, key=lambda rs: (len(rs), sum(len(cands[r]) for r in rs)))
        order += sorted(rows, key=lambda r: len(cands[r]))
    return order + sorted((r for r in free if r not in order), key=lambda r: len(cands[r]))


def request_splits(located: list[LocatedRow], columns: Sequence[str], out: Solution) -> dict[str, RowSplits]:
    """Each row's splits that keep its identity, or (relaxed) all its splits when none does."""
    roles = request_roles(columns)
    rows: dict[str, RowSplits] = {}
    for row in located:
        run = parse_run(row.run)
        if run is None:
            continue
        if len(run) < len(columns):
            out.issues.append(_unsolved("requests", row.key, row.run, len(columns)))
            continue
        try:
            found = row_candidates(run, roles, "requests.row_total")
            relaxed = not found
            if relaxed:
                found = relaxed_candidates(run, roles, "requests.row_total")
        except TooMany:
            out.issues.append(_unsolved("requests", row.key, row.run, len(columns), many=True))
            continue
        if found:
            rows[row.key] = RowSplits(row.key, run, tuple(columns), found, relaxed)
    return rows


def solve_requests(located: list[LocatedRow], columns: Sequence[str]) -> Solution:
    """Split every row of table 三 so that its identities hold: each row's total, then jointly
    balance and outcomes sum in every column."""
    out = Solution()
    rows = request_splits(located, columns, out)
    order = [r.key for r in located if r.key in rows]
    lost = _short_rows(located, len(columns))
    if lost:  # blank cells vanished from some rows: a row that does not add up may have lost some too
        for key in [k for k in order if rows[k].relaxed]:
            out.issues.append(Finding(
                "fused.unsolved", "error",
                f"requests.{key}: no split of the fused digits {rows[key].run.text!r} keeps the row's identity, and "
                f"rows {', '.join(lost[:3])}{' …' if len(lost) > 3 else ''} lost cells in flattening: this one may "
                "have too; left out", "requests", key, origin="extraction"))
            del rows[key]
    order = [k for k in order if k in rows]
    # rows no column identity reaches are decided alone; at most MAX_RELAXED_ROWS relaxed rows join the search
    linked = {r for i in column_identities(rows) for r in i.terms}
    relaxed = [k for k in order if rows[k].relaxed and k in linked]
    for key in relaxed[MAX_RELAXED_ROWS:]:
        out.issues.append(_unsolved("requests", key, rows[key].run.text, len(columns), many=True))
        del rows[key]
    order = [k for k in order if k in rows]
    equations = column_identities(rows)
    linked = {r for i in equations for r in i.terms}
    rule = RULE["requests"]
    kept: Choice = {}
    for key in order:
        if key in rows and key not in linked:
            rank = lexmax_key([key])
            alone = sorted(({key: c} for c in rows[key].candidates), key=lambda ch: (ch[key].cost, rank(ch)))
            low = alone[0][key].cost
            kept.update(settle("requests", rows, [ch for ch in alone if ch[key].cost == low], rule, out))
    if linked:
        try:
            _, solutions = joint_search({k: rows[k].candidates for k in linked}, equations)
        except TooMany:
            out.issues.append(Finding("fused.unsolved", "error", "table 三: the fused rows split too many ways to "
                                      "search jointly; only rows with a single split are kept", "requests",
                                      origin="extraction"))
            single = {k: rows[k].candidates[0] for k in linked if len(rows[k].candidates) == 1}
            solutions = [single] if single else []
        if solutions:
            solutions.sort(key=lexmax_key(order))
            kept.update(settle("requests", rows, solutions, rule, out))
    out.issues += row_flags("requests", rows, kept) + equation_flags(kept, equations, columns)
    if lost:
        out.issues.append(blanks_lost("requests", lost))
    return out


def equation_flags(kept: Choice, equations: list[Identity], columns: Sequence[str]) -> list[Finding]:
    """The column identities the kept splits still break: no split of the printed digits
    satisfies them, so the published numbers disagree (origin source)."""
    out = []
    values = {r: c.values for r, c in kept.items()}
    for ident in equations:
        if not all(r in values for r in ident.terms):
            continue
        for j in _violated(ident.terms, values):
            col = columns[j]
            expected = sum(values[r][j] for r in ident.expected_keys)
            observed = sum(values[r][j] for r in ident.observed_keys)
            out.append(_source_flag(ident.name, ident.table, ident.at, col, expected, observed, f"column {col}"))
    return out


def _short_rows(located: list[LocatedRow], cells: int) -> list[str]:
    """Rows whose runs hold fewer cells than the row has: blank cells vanished in flattening."""
    return [r.key for r in located if 0 < _symbols(r.run) < cells]


def blanks_lost(table: str, rows: list[str]) -> Finding:
    return Finding("fused.blanks_lost", "warning",
                   f"{table}: rows {', '.join(rows[:4])}{' …' if len(rows) > 4 else ''} have fewer digits than "
                   "cells: blank cells vanished when the table was flattened, and the other rows are split "
                   "assuming none of theirs did", table, origin="extraction")


def _unsolved(table: str, row: str | None, run: str, cells: int, many: bool = False) -> Finding:
    why = ("no split of it keeps the row's identity and too many splits break it" if many else
           "fewer digits than cells: blank cells vanish when a table is flattened")
    return Finding("fused.unsolved", "error", f"{table}.{row or ''}: fused digits {run!r} cannot be split "
                   f"into {cells} cells ({why}); left out", table, row, origin="extraction")


# ---------------------------------------------------------------- solving table 四


_REVIEW_ROWS = ("review", "litigation_direct", "litigation_after_review")
_REVIEW_ROLES = ("part", "part", "part", "part", "total")


def review_splits(run: Run, relax: bool) -> list[list[Candidate]]:
    """Every split of table 四's run into three rows of five whose totals hold (`relax`: a row
    with no such split may take any, each break counted in its cost)."""
    memo: dict[tuple[int, int], list[Candidate]] = {}
    n, size = len(_REVIEW_ROLES), len(run)
    out: list[list[Candidate]] = []

    def rows_at(a: int, b: int) -> list[Candidate]:
        if (a, b) not in memo:
            found = row_candidates(run, _REVIEW_ROLES, "review_litigation.total", a, b)
            if not found and relax:
                found = relaxed_candidates(run, _REVIEW_ROLES, "review_litigation.total", a, b)
            memo[(a, b)] = found
        return memo[(a, b)]

    def walk(a: int, k: int, acc: list[Candidate]) -> None:
        if k == 3:
            out.append(list(acc))
            if len(out) > MAX_CANDIDATES:
                raise TooMany(MAX_CANDIDATES)
            return
        ends = [size] if k == 2 else range(a + n, size - n * (2 - k) + 1)
        for b in ends:
            for cand in rows_at(a, b):
                acc.append(cand)
                walk(b, k + 1, acc)
                acc.pop()

    walk(0, 0, [])
    return out


def solve_review(run_text: str) -> Solution:
    """Table 四's 15 fused cells as three rows of five, each row's total holding."""
    out = Solution()
    run = parse_run(run_text)
    cells = 3 * len(_REVIEW_ROLES)
    if run is None:
        return out
    if len(run) < cells:
        out.issues += [_unsolved("review_litigation", None, run_text, cells), blanks_lost("review_litigation", ["all"])]
        return out
    try:
        splits = review_splits(run, relax=False) or review_splits(run, relax=True)
    except TooMany:
        splits = []
    if not splits:
        out.issues.append(_unsolved("review_litigation", None, run_text, cells, many=True))
        return out
    low = min(sum(c.cost for c in s) for s in splits)
    solutions = [dict(zip(_REVIEW_ROWS, s)) for s in splits if sum(c.cost for c in s) == low]
    solutions.sort(key=lexmax_key(_REVIEW_ROWS))
    rows = {k: RowSplits(k, run, tpl.REVIEW_COLUMNS_KEYS, [], relaxed=low > 0) for k in _REVIEW_ROWS}
    kept = settle("review_litigation", rows, solutions, RULE["review_litigation"], out)
    out.issues += row_flags("review_litigation", rows, kept)
    return out


# ---------------------------------------------------------------- solving table 二


_STOCK = {"in_force": ("issued", "repealed"), "total_published": ("newly_made", "newly_published")}


def plausible(columns: Sequence[str], values: Sequence) -> bool:
    """Table 二's soft order: the stock of documents is at least each yearly count; a year's
    change in items is no larger than the items it changes (or a single digit); a procurement
    amount is at least its number of projects."""
    got = dict(zip(columns, values))
    for stock, flows in _STOCK.items():
        if got.get(stock) is not None and any(got.get(f) is not None and got[f] > got[stock] for f in flows):
            return False
    if got.get("amount") is not None and got.get("projects") is not None and got["amount"] < got["projects"]:
        return False
    change, items = got.get("items_change"), got.get("items_last_year")
    return change is None or items is None or abs(change) <= max(items, 9)


def active_key(columns: Sequence[str], cand: Candidate) -> tuple:
    """The documented rule ordering table 二's splits (smaller first): plausible order; a dash
    before digits read as a minus sign rather than a mark; the smallest change (a year rarely
    changes its list of items); the fewest digits in the longest cell (decimals not counted);
    repealed no more than issued; the largest
    values in the earliest columns. The 2019 form's 本年新公开数量 counts the documents made this
    year that were published, so it is read as near 本年新制作数量 as the digits allow (`_count_gap`)."""
    got = dict(zip(columns, cand.values))
    change = got.get("items_change")
    flows = [got.get(c) for c in ("issued", "repealed") if c in got] or [got.get(c) for c in (
        "newly_made", "newly_published") if c in got]
    descending = len(flows) < 2 or None in flows or flows[0] >= flows[1]
    chars = cand.run.chars if cand.run else ""
    widths = [len(chars[a:b].split(".")[0].lstrip("-")) for a, b in zip(cand.bounds, cand.bounds[1:])]
    return (not plausible(columns, cand.values), sum(v is None for v in cand.values), _count_gap(got),
            abs(change) if change is not None else 0, max(widths), not descending,
            tuple(-(v if v is not None else -1) for v in cand.values))


def _count_gap(got: dict) -> float:
    """How far apart a 2019 row's 本年新制作数量 and 本年新公开数量 are, in orders of magnitude (0 when
    the row has no such pair)."""
    made, published = got.get("newly_made"), got.get("newly_published")
    if made is None or published is None:
        return 0.0
    return round(abs(math.log10(made + 1) - math.log10(published + 1)), 9)


def active_splits(row: LocatedRow, columns: Sequence[str]) -> list[Candidate]:
    """Every split of a table 二 row; in a row with 本年增/减 a dash before digits is read both
    as a minus sign and as a not-applicable mark."""
    out: dict[tuple, Candidate] = {}
    for signed in ((True, False) if "items_change" in columns else (False,)):
        run = parse_run(row.run, signed=signed)
        if run is None or len(run) < len(columns):
            continue
        for bounds in fill(run, 0, len(run), len(columns)):
            values = _values(run, bounds)
            if all(v is None or v >= 0 or c == "items_change" for c, v in zip(columns, values)):
                kinds = tuple(v is None for v in values)
                out.setdefault((values, kinds), Candidate(values, bounds, run=run))
    return list(out.values())


def solve_active(located: list[LocatedRow], template: str, stated: dict | None = None) -> Solution:
    """Each row of table 二 on its own (no identity binds them): all splits without a leading
    zero, those agreeing with what the prose `stated` (`disambiguate.stated_active`) kept, chosen
    by `active_key`, every cell that depends on the choice flagged."""
    from extract.find.disambiguate import narrow, varying

    out = Solution()
    spec = tpl.get(template)["active_disclosure"]
    known = {r.key: r for r in spec.rows}
    for row in located:
        base = known.get(row.key) or known.get(row.group or "")
        if base is None:
            continue
        columns = base.columns
        try:
            cands = active_splits(row, columns)
        except TooMany:
            cands = []
        if not cands:
            run = parse_run(row.run)
            if run is not None:
                out.issues.append(_unsolved("active_disclosure", row.key, row.run, len(columns),
                                            many=len(run) >= len(columns)))
            continue
        cands.sort(key=lambda c: active_key(columns, c))
        said = (stated or {}).get(row.key, [])
        if said and len(cands) > 1:
            splits = [(c.values, c) for c in cands]
            kept = narrow(columns, splits, said)
            out.issues += _settled_by_text(row.key, columns, splits, kept, said)
            cands = [c for _, c in kept]
        rows = {row.key: RowSplits(row.key, cands[0].run, columns, cands)}
        settle("active_disclosure", rows, [{row.key: c} for c in cands], RULE["active_disclosure"], out)
        if varying(columns, [(c.values, ()) for c in cands]):
            out.alternatives[row.key] = (tuple(columns), [
                (c.values, tuple((c.run or run).raw(c.bounds[j], c.bounds[j + 1]) for j in range(len(columns))))
                for c in cands[:MAX_SOLUTIONS] for run in [cands[0].run]])
    lost = [r.key for r in located if r.key in known and 0 < _symbols(r.run) < len(known[r.key].columns)]
    if lost:
        out.issues.append(blanks_lost("active_disclosure", lost))
    return out


def _settled_by_text(key: str, columns: Sequence[str], splits: list, kept: list, said) -> list[Finding]:
    """`cell.settled` for each cell the prose's numbers decided among the row's splits."""
    from extract.find.disambiguate import varying

    if len(kept) == len(splits):
        return []
    decided = varying(columns, splits) - varying(columns, kept)
    why = "; ".join(dict.fromkeys(c.source for c in said))
    return [Finding("cell.settled", "info",
                    f"active_disclosure.{key}.{col}: of the {len(splits)} splits of the fused digits, only those "
                    f"agreeing with {why} were kept; they all give {_show((kept[0][0][j],))}", "active_disclosure",
                    key, col, observed=_num(kept[0][0][j]), origin="extraction")
            for j, col in enumerate(columns) if col in decided]


# ---------------------------------------------------------------- all together


@dataclass
class FusedTables:
    """The fused rows found in a text, before solving (what a baseline can be run on too)."""

    active: list[LocatedRow] = field(default_factory=list)
    active_template: str = "2021"
    requests: list[LocatedRow] = field(default_factory=list)
    request_columns: list[str] = field(default_factory=list)
    review: str | None = None


MIN_REQUEST_ROWS = 4  # rows of table 三 with a full run before the text counts as a fused table


def _symbols(run: str) -> int:
    """Digits and marks in a printed run (at most one cell each)."""
    return sum(ch in _DIGITS or ch in _MARKS for ch in run)


def locate(text: str, tables: Iterable[str] = tpl.TABLES) -> FusedTables:
    """The fused rows of each wanted table in `text` (flattened text of a report)."""
    wanted = set(tables)
    out = FusedTables()
    for key, (start, end) in find_regions(text).items():
        if key not in wanted:
            continue
        pieces = text_to_pieces(text, start, end)
        if key == "requests":
            rows, header = locate_requests(pieces)
            if sum(_symbols(r.run) >= len(tpl.REQUEST_APPLICANTS) + 1 for r in rows) >= MIN_REQUEST_ROWS:
                out.requests, out.request_columns = rows, request_columns(header)
        elif key == "active_disclosure":
            out.active, out.active_template = locate_active(pieces)
        else:
            out.review = locate_review(pieces)
    return out


def read_fused_text(text: str, tables: Iterable[str] = tpl.TABLES, page: int | None = None) -> Extraction:
    """Template cells recovered from tables flattened into `text`, with the solver's flags."""
    found = locate(text, tables)
    out = Extraction()
    if found.active:
        from extract.find.disambiguate import stated_active

        solution = solve_active(found.active, found.active_template, stated_active(text))
        _emit(out, "active_disclosure", solution, {r.key: r.label for r in found.active}, page)
    if found.requests:
        solution = solve_requests(found.requests, found.request_columns)
        _emit(out, "requests", solution, {r.key: r.label for r in found.requests}, page)
    if found.review:
        solution = solve_review(found.review)
        _emit(out, "review_litigation", solution, {r: labels.normalise(UNION["review_litigation"].row(r).label)
                                                    for r in _REVIEW_ROWS}, page)
    if any(i.check == "fused.blanks_lost" for i in out.issues):
        out.issues = [_lossy(i) for i in out.issues]
    return out


def _lossy(issue: Finding) -> Finding:
    """A broken identity in an export that lost blank cells: the lost digits may be the cause."""
    if issue.origin != "source":
        return issue
    return replace(issue, origin="extraction", message=issue.message.replace(
        "the published numbers do not add up", "the published numbers do not add up, or digits vanished with "
        "blank cells elsewhere in this export"))


def _emit(out: Extraction, table: str, solution: Solution, labels_of: dict[str, str], page: int | None) -> None:
    for (row, col), (value, raw) in solution.values.items():
        kind = "na" if value is None else "number"
        out.cells.append(CellRead(table, row, col, raw, kind, None if value is None else float(value),
                                  labels_of.get(row, ""), page, METHOD))
    out.issues.extend(solution.issues)
    out.alternatives.update({(table, row): alt for row, alt in solution.alternatives.items()})
    if solution.values:
        out.tables.append(table)


def read_fused(doc: Document, tables: Iterable[str] = tpl.TABLES) -> Extraction:
    """Template cells of the wanted `tables` recovered from the document's running text, for
    tables that no grid held (a web page's text export with its table markup lost)."""
    text = "\n".join(block.text for block in doc.blocks if isinstance(block, Line))
    return read_fused_text(text, tables)
