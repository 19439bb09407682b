"""Borderless tables from word positions: rows from lines of numbers, columns from their
alignment, labels and headers spanned where they are printed."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from extract.model import Cell, Grid, Line
from extract.read.pdf.geometry import Char, CellGeom, Placed
from extract.read.pdf.page_text import is_number_token, is_page_number, join_lines
from extract.read.pdf.ruled import chars_to_lines, cluster_positions, line_text


@dataclass
class _Fragment:
    """A run of glyphs on one line with no wide gap: the text of one cell on that line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    widest: int = 0  # glyphs on its longest line (0: one line, see `text`)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def numeric(self) -> bool:
        return is_number_token(self.text)

    @property
    def upright(self) -> bool:
        """Glyphs set one (or two, 三、) per line: vertical text."""
        return (self.widest or len(self.text)) <= 2

    def absorb(self, other: "_Fragment") -> None:
        """Take the line below into this fragment (a wrapped or vertical label)."""
        self.widest = max(self.widest or len(self.text), len(other.text))
        self.text = join_lines([self.text, other.text])
        self.x0, self.x1 = min(self.x0, other.x0), max(self.x1, other.x1)
        self.bottom = other.bottom


def line_fragments(line: list[Char], gap: float = 0.9) -> list[_Fragment]:
    """Split a visual line where glyphs are further apart than `gap` × their size."""
    out: list[list[Char]] = []
    for ch in line:
        if out and ch.x0 - out[-1][-1].x1 <= gap * max(ch.size, 1.0) and not (
                ch.text.isdigit() != out[-1][-1].text.isdigit() and ch.x0 - out[-1][-1].x1 > 0.3 * ch.size):
            out[-1].append(ch)
        else:
            out.append([ch])
    frags = []
    for run in out:
        text = line_text(run)
        if text:
            frags.append(_Fragment(text, run[0].x0, run[-1].x1, min(c.top for c in run), max(c.bottom for c in run),
                                   max(c.size for c in run)))
    return frags


def words_to_grids(chars: list[Char], page: int, body_size: float) -> tuple[list[Placed], list[Char]]:
    """Borderless tables on a page: runs of small-type lines holding rows of numbers.
    Returns the grids and the chars left for running text."""
    regions: list[list[list[Char]]] = []
    previous: list[Char] | None = None
    lines = chars_to_lines(chars)
    furniture = {id(ln) for ln in lines[:1] + lines[-1:] if is_page_number(line_text(ln))}  # - 3 -, not a lone 0
    for ln in lines:
        size = _line_size(ln)
        small = size <= body_size * 0.85 and id(ln) not in furniture
        if small and previous is not None and ln[0].top - previous[0].bottom <= size * 3:
            regions[-1].append(ln)
        elif small:
            regions.append([ln])
        previous = ln if small else None
    opening = [ln for ln in lines if id(ln) not in furniture][:1]
    out, used = [], set()
    for region in regions:
        placed = region_to_grid(region, page, opens_page=region[0] is next(iter(opening), None))
        if placed is None:
            continue
        out.append(placed)
        used.update(id(ch) for ln in region for ch in ln)
    rest = [ch for ch in chars if id(ch) not in used]
    return out, rest


def _line_size(line: list[Char]) -> float:
    sizes = Counter(round(c.size, 1) for c in line if not c.text.isspace())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def region_to_grid(region: list[list[Char]], page: int, opens_page: bool = False) -> Placed | None:
    """One borderless table. Data rows are the lines holding numbers and the value columns are
    where those numbers line up (left edges or centres, whichever agree better). Label columns
    are the left edges of the labels beside them. A further line of a wrapped label joins the
    nearest data row; other lines (block titles, headers) are rows of their own, a heading
    wrapped over lines being joined first.

    A line with a number or two and few headings is no table, unless it `opens_page`: then it may
    be the last rows of a table cut by the page break, and the grid is read on trust (its
    `fallback` holds the region as lines, for `join_continued_grids` to keep if it continues
    nothing)."""
    frag_lines = [line_fragments(ln) for ln in region]
    data = [i for i, frags in enumerate(frag_lines) if any(f.numeric for f in frags)]
    if not data:
        return None
    leaves = header_leaves(frag_lines, data)
    lone = len(data) < 2 and sum(f.numeric for f in frag_lines[data[0]]) < 5 and len(leaves) < 3
    if lone and not opens_page:
        return None  # one line with a number or two and no headings: not a table
    numbers = [f for i in data for f in frag_lines[i] if f.numeric]
    anchored = (*numbers, *leaves)  # left edges or centres: whichever line up in fewer columns
    aligned_left = len(cluster_positions((f.x0 for f in anchored), 4.0)) < len(
        cluster_positions((f.cx for f in anchored), 4.0))
    anchors = [f.x0 if aligned_left else f.cx for f in (*numbers, *leaves)]
    value_cols = cluster_positions(anchors, 4.0)
    first_value = min(f.x0 for f in (*numbers, *leaves))
    pitch = (value_cols[-1] - value_cols[0]) / (len(value_cols) - 1) if len(value_cols) > 1 else 40.0
    size = max(f.size for f in numbers)
    reach = size * 2.0
    centres = [sum(f.cy for f in frag_lines[i] if f.numeric) / sum(f.numeric for f in frag_lines[i]) for i in data]

    def in_labels(f: _Fragment) -> bool:
        return not f.numeric and (f.x1 <= first_value - 1 or f.cx < first_value - pitch * 0.5)

    def nearest(f: _Fragment) -> int:
        return min(range(len(data)), key=lambda k: abs(centres[k] - f.cy))

    # rows: data lines, then every other line's fragments that are not a label's further line
    placed: list[tuple[float, bool, list[_Fragment]]] = []
    attached: dict[int, list[_Fragment]] = {k: [] for k in range(len(data))}
    for i, frags in enumerate(frag_lines):
        if i in data:
            k = data.index(i)
            attached[k].extend(frags)
            continue
        free = []
        for f in frags:
            k = nearest(f)
            if in_labels(f) and abs(centres[k] - f.cy) <= reach and centres[0] - reach <= f.cy:
                attached[k].append(f)
            else:
                free.append(f)
        if free:
            placed.append((sum(f.cy for f in free) / len(free), False, free))
    for k in range(len(data)):
        placed.append((centres[k], True, attached[k]))
    placed.sort(key=lambda t: t[0])
    placed = _body_label_rows(placed, centres[0], in_labels, size)
    is_data = [d for _, d, _ in placed]
    fragments = [join_stacked([f for f in frags], size) for _, _, frags in placed]
    _join_header_lines(fragments, is_data, pitch, size)
    keep = [k for k, frags in enumerate(fragments) if frags]
    fragments = [fragments[k] for k in keep]
    is_data = [is_data[k] for k in keep]

    label_x = [f.x0 for frags, d in zip(fragments, is_data) if d for f in frags if in_labels(f)]
    label_cols = cluster_positions(label_x, max(size * 0.9, 4.0))
    n_labels = len(label_cols)
    anchor = (lambda f: f.x0) if aligned_left else (lambda f: f.cx)

    def column_of(f: _Fragment) -> int:
        if in_labels(f):
            return max(0, bisect_right(label_cols, f.x0 + size * 0.5) - 1)
        pos = anchor(f)
        return n_labels + min(range(len(value_cols)), key=lambda k: abs(value_cols[k] - pos))

    rows: list[dict[int, list[_Fragment]]] = []
    for frags in fragments:
        row: dict[int, list[_Fragment]] = {}
        for f in frags:
            row.setdefault(column_of(f), []).append(f)
        rows.append(row)
    width = n_labels + len(value_cols)
    grid, geom = _fragments_to_cells(rows, is_data, width, n_labels, value_cols, page, centred=not aligned_left)
    top = min(c.top for ln in region for c in ln)
    placed = Placed(top, Grid(grid, "pdf-words", page), column_bounds(label_cols, value_cols, pitch, aligned_left), geom)
    if lone:
        placed.fallback = [Placed(min(c.top for c in ln), Line(text, page)) for ln in region
                           for text in [line_text(ln)] if text]
    return placed


def column_bounds(label_cols: list[float], value_cols: list[float], pitch: float, aligned_left: bool) -> list[float]:
    """Column boundaries of a borderless grid: label columns start at their labels' left edge;
    value columns are cut halfway between centres (or at the left edges they align on)."""
    if aligned_left:
        values = [*value_cols, value_cols[-1] + pitch]
    else:
        mids = [(a + b) / 2 for a, b in zip(value_cols, value_cols[1:])]
        values = [value_cols[0] - pitch / 2, *mids, value_cols[-1] + pitch / 2]
    return [*(x for x in label_cols if x < values[0] - 1), *values]


def _body_label_rows(placed: list[tuple[float, bool, list[_Fragment]]], first_data: float, in_labels,
                     size: float) -> list[tuple[float, bool, list[_Fragment]]]:
    """Below the first row of numbers, a line holding only labels is a row whose values are all
    blank (or a block title); a label wrapped onto the next line stays in that row."""
    out: list[tuple[float, bool, list[_Fragment]]] = []
    for cy, is_data, frags in placed:
        labels_only = not is_data and cy > first_data and all(in_labels(f) for f in frags)
        if labels_only and out and not out[-1][1] is False and out[-1][2] and _continues_label(out[-1][2], frags, size):
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + frags)
            continue
        out.append((cy, is_data or labels_only, frags))
    return out


def _continues_label(above: list[_Fragment], below: list[_Fragment], size: float) -> bool:
    """Is `below` the next line of a label in `above` (a wrapped label of a blank row)?"""
    last = max(above, key=lambda f: f.bottom)
    return all(0 <= f.top - last.bottom <= size * 0.8 and abs(f.x0 - last.x0) <= size * 1.5 for f in below)


def header_leaves(frag_lines: list[list[_Fragment]], data: list[int]) -> list[_Fragment]:
    """The lowest headings over the value columns (no heading below them): each names one
    column, so they fix the columns that blank cells leave without numbers."""
    label_right = max((f.x1 for i in data for f in frag_lines[i] if not f.numeric), default=float("-inf"))
    first_data = min(frag_lines[i][0].top for i in data)
    heads = [f for i, frags in enumerate(frag_lines) if i not in data for f in frags
             if not f.numeric and f.x0 > label_right - 1 and f.bottom <= first_data]
    return [f for f in heads if not any(g is not f and g.top >= f.bottom - 1 and min(f.x1, g.x1) - max(f.x0, g.x0) > 0
                                        for g in heads)]


def join_stacked(frags: list[_Fragment], size: float) -> list[_Fragment]:
    """Fragments of one row that continue each other downwards (a label wrapped in its cell)
    become one, their lines joined; a stack of single glyphs (vertical text) likewise."""
    out: list[_Fragment] = []
    for f in sorted(frags, key=lambda f: (f.top, f.x0)):
        host = next((g for g in reversed(out) if 0 <= f.top - g.bottom <= size * 0.8
                     and min(f.x1, g.x1) - max(f.x0, g.x0) > -size * 0.5
                     and abs(f.x0 - g.x0) <= max(size * 1.5, (g.x1 - g.x0))), None)
        if host is None:
            out.append(f)
        else:
            host.absorb(f)
    return out


def _join_header_lines(fragments: list[list[_Fragment]], is_data: list[bool], pitch: float, size: float) -> None:
    """A heading wrapped over two header rows (商业 / 企业, 结果 / 维持) is one heading: the lower
    part moves up into the row of the upper part."""
    for r in range(len(fragments) - 1, 0, -1):
        if is_data[r]:
            continue
        for f in list(fragments[r]):
            for r2 in range(r - 1, max(r - 3, -1), -1):
                if is_data[r2]:
                    break
                host = next((g for g in fragments[r2] if 0 <= f.top - g.bottom <= size * 0.8
                             and abs(f.cx - g.cx) <= max(pitch * 0.5, size)
                             and (g.x1 - g.x0) <= pitch * 1.2 and (f.x1 - f.x0) <= pitch * 1.2), None)
                if host is not None:
                    host.absorb(f)
                    fragments[r].remove(f)
                    break


def _fragments_to_cells(rows: list[dict[int, list[_Fragment]]], is_data: list[bool], width: int, n_labels: int,
                        value_cols: list[float], page: int,
                        centred: bool = True) -> tuple[list[list[Cell]], dict[int, CellGeom]]:
    """Cells from placed fragments, then the spans word positions imply: a label running into
    the next label columns, a vertical label over the rows it stands beside, a group label over
    its numbered items, a header over the value columns it is centred on."""
    texts: list[list[str]] = [[join_lines(f.text for f in sorted(r.get(c, []), key=lambda f: (f.top, f.x0)))
                               for c in range(width)] for r in rows]
    cells: list[list[Cell | None]] = [[None] * width for _ in rows]
    geom: dict[int, CellGeom] = {}
    # a label whose text runs over the following (empty) label columns spans them
    for r, row in enumerate(rows):
        for c in range(n_labels):
            frags = row.get(c)
            if not frags or cells[r][c] is not None:
                continue
            end = c + 1
            while end < n_labels and not texts[r][end] and _reaches(frags, end, rows):
                end += 1
            cell = Cell(texts[r][c], page)
            geom[id(cell)] = CellGeom(frags[-1].x1 + frags[-1].size, max(f.x1 for f in frags), frags[-1].size)
            for k in range(c, end):
                cells[r][k] = cell
    _span_vertical_labels(cells, texts, rows, is_data, n_labels, page)
    _span_groups(cells, texts, is_data, n_labels, page)
    if centred:  # a left-aligned heading gives no clue how far it reaches
        _span_headers(cells, rows, texts, is_data, n_labels, value_cols, page)
    for r in range(len(rows)):
        for c in range(width):
            if cells[r][c] is None:
                cells[r][c] = Cell(texts[r][c], page)
    return cells, geom  # type: ignore[return-value]


def _reaches(frags: list[_Fragment], column: int, rows) -> bool:
    """Does the label text extend over where label column `column` starts?"""
    starts = [f.x0 for row in rows for f in row.get(column, [])]
    return bool(starts) and max(f.x1 for f in frags) > min(starts) - 1


def _span_vertical_labels(cells, texts, rows, is_data, n_labels: int, page: int) -> None:
    """Glyphs stacked one per line in a label column are one vertical label (三、本年度办理结果),
    whatever rows their lines fell beside; it spans the data rows between the labels above and
    below it in that column."""
    def upright(r: int, c: int) -> bool:
        frags = rows[r].get(c, [])
        return bool(frags) and all(f.upright for f in frags) and _alone(cells, r, c)

    for c in range(n_labels):
        r = 0
        while r < len(cells):
            if not upright(r, c):
                r += 1
                continue
            end = r
            while end + 1 < len(cells) and (upright(end + 1, c) or (not texts[end + 1][c] and cells[end + 1][c] is None)):
                end += 1
            run = [k for k in range(r, end + 1) if texts[k][c]]
            if len(run) < 2 or sum(len(texts[k][c]) for k in run) < 3:
                r = end + 1
                continue
            start = r
            while start > 0 and not texts[start - 1][c] and cells[start - 1][c] is None and is_data[start - 1]:
                start -= 1
            while end > run[-1] and not is_data[end]:
                end -= 1
            cell = Cell("".join(texts[k][c] for k in run), page)
            for k in range(start, end + 1):
                cells[k][c] = cell
                texts[k][c] = cell.text
            r = end + 1


def _alone(cells, r: int, c: int) -> bool:
    cell = cells[r][c]
    return cell is None or all(cells[r][k] is not cell for k in range(c + 1, len(cells[r])))


_ENUM_FIRST = re.compile(r"^\s*[1１][.、．]")
_ENUMERATED = re.compile(r"^\s*[0-9０-９]+\s*[.、．]")


def _span_groups(cells, texts, is_data, n_labels: int, page: int) -> None:
    """Items numbered 1., 2., … in the last label column form a group; the group's label in the
    column before spans all of them (its text was placed beside one of them)."""
    if n_labels < 2:
        return
    item, group = n_labels - 1, n_labels - 2
    r = 0
    while r < len(cells):
        if not (is_data[r] and _ENUMERATED.match(texts[r][item] or "")):
            r += 1
            continue
        end = r
        while end + 1 < len(cells) and is_data[end + 1] and _ENUMERATED.match(texts[end + 1][item] or "") \
                and not _ENUM_FIRST.match(texts[end + 1][item]) and not _owned_label(cells, end + 1, group):
            end += 1
        parts = [texts[k][group] for k in range(r, end + 1) if texts[k][group] and not _owned_label(cells, k, group)]
        cell = Cell(join_lines(parts), page)
        for k in range(r, end + 1):
            if cells[k][group] is None or not _owned_label(cells, k, group):
                cells[k][group] = cell
                texts[k][group] = cell.text
        r = end + 1


def _owned_label(cells, r: int, c: int) -> bool:
    """A label cell that runs on into the next column (its own row label, not a group's)."""
    cell = cells[r][c]
    return cell is not None and c + 1 < len(cells[r]) and cells[r][c + 1] is cell


def _span_headers(cells, rows, texts, is_data, n_labels: int, value_cols: list[float], page: int) -> None:
    """Header rows: a heading wider than one column spans the value columns it is centred on,
    as far as the headings beside it allow (行政诉讼 over ten, 复议后起诉 over five)."""
    width = len(value_cols)
    if width < 2:
        return
    pitch = (value_cols[-1] - value_cols[0]) / (width - 1)
    for r in range(len(rows)):
        if is_data[r]:
            continue
        wide = []
        for c in range(n_labels, n_labels + width):
            for f in rows[r].get(c, []):
                if f.x1 - f.x0 > pitch * 0.95:
                    wide.append(f)
        if not wide:
            continue
        claimed = _claimed_columns(rows, r, n_labels, width, pitch)
        ranges = _grow_ranges([(f.cx - value_cols[0]) / pitch for f in wide], width, claimed)
        for f, (lo, hi) in zip(wide, ranges):
            cell = Cell(f.text, page)
            for k in range(lo, hi + 1):
                if cells[r][n_labels + k] is None or texts[r][n_labels + k] == f.text:
                    cells[r][n_labels + k] = cell
                    texts[r][n_labels + k] = f.text


def _claimed_columns(rows, r: int, n_labels: int, width: int, pitch: float) -> set[int]:
    """Value columns a heading of row `r` may not reach: those with text of their own in the row.
    (A one-column heading beside it but centred lower, 自然人 beside 法人或其他组织, cannot be
    told from a child by position alone; taking it under the heading is harmless, since a column
    is named by its lowest heading.)"""
    mine = [f for c in range(n_labels, n_labels + width) for f in rows[r].get(c, []) if f.x1 - f.x0 > pitch * 0.95]
    return {c - n_labels for c in range(n_labels, n_labels + width) if any(f not in mine for f in rows[r].get(c, []))}


def _grow_ranges(centres: list[float], width: int, claimed: set[int]) -> list[tuple[int, int]]:
    """Column ranges centred on each heading, grown together until they meet each other, a
    claimed column or the table's edge."""
    ranges = []
    for c in centres:
        base = int(c // 1)
        frac = c - base
        lo = base + 1 if frac > 0.75 else base
        hi = base + 1 if 0.25 <= frac else base
        lo, hi = min(max(lo, 0), width - 1), min(max(hi, 0), width - 1)
        ranges.append([lo, hi, c])
    grown = True
    while grown:
        grown = False
        for k, (lo, hi, c) in enumerate(ranges):
            nlo, nhi = lo - 1, hi + 1
            if nlo < 0 or nhi >= width or abs((nlo + nhi) / 2 - c) > 0.51:
                continue
            others = [x for j, (a, b, _) in enumerate(ranges) if j != k for x in range(a, b + 1)]
            if nlo in claimed or nhi in claimed or nlo in others or nhi in others:
                continue
            ranges[k][0], ranges[k][1] = nlo, nhi
            grown = True
    return [(lo, hi) for lo, hi, _ in ranges]
