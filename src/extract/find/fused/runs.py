"""A run of fused digits: its symbols, where a cell must end (spaces, marks, units, a change of
digit width, a minus sign) and where it cannot (inside a decimal); `fill` enumerates its splits."""

from __future__ import annotations

import bisect
import re
from typing import Sequence

from extract.find.fused.rules import MAX_CANDIDATES
from extract.template.units import UNITS


#: digits as printed, half- and full-width
DIGITS = "0123456789０１２３４５６７８９"
_ASCII = dict(zip("０１２３４５６７８９", "0123456789"))
_MARKS = "-－−—–‒/／\\"
_MINUSES = frozenset("-－−")
SPACES = " \t\n\r\u3000\u00a0\u200b\ufeff"  # a cell boundary inside a run
_D = f"[{DIGITS}]"
#: a run of cells as printed: digits, marks, spaces, decimals between digits, units after digits
RUN = re.compile(
    rf"[{DIGITS}{re.escape(_MARKS)}]"
    rf"(?:[{DIGITS}{re.escape(_MARKS)}{SPACES}]|(?<={_D})[.．](?={_D})|(?<={_D})(?:{'|'.join(UNITS)}))*")


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
        if ch in SPACES:
            forced.add(len(chars))
            in_fraction, wide = False, None
            i += 1
        elif ch in DIGITS:
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
        elif ch in ".．" and chars and chars[-1].isdigit() and i + 1 < n and text[i + 1] in DIGITS \
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
            if signed and j == i + 1 and ch in _MINUSES and j < n and text[j] in DIGITS:
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


def cell_values(run: Run, bounds: tuple[int, ...]) -> tuple[int | float | None, ...]:
    """The values of the cells a split of `run` at `bounds` makes."""
    return tuple(run.value(a, b) for a, b in zip(bounds, bounds[1:]))


def symbol_count(run: str) -> int:
    """Digits and marks in a printed run (at most one cell each)."""
    return sum(ch in DIGITS or ch in _MARKS for ch in run)


class TooMany(Exception):
    """A run splits too many ways to search."""
