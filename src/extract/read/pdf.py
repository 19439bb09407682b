"""PDF → `Document`: pdfium finds the pages that hold tables, pdfplumber's table finder reads them.

Most pages of a report are prose, and a full pdfminer layout of a page costs ten times what pdfium
needs to extract its text. So, one page at a time, nothing of a page kept once it is read:

    open_pdf              pdfium document (empty password first); encrypted, corrupt → ReadError
    is_picture_page       a page that is a picture (a scan, a table pasted as a screenshot): read
                          by OCR (`extract.read.ocr`) once the text pages are read
    is_table_page         pdfium text: section titles, header labels or rows of numbers on the page?
    page_lines            running text of other pages, in reading order, as `Line`s
    page_geometry         chars and ruling edges of a table page (pdfium by default; or pdfplumber)
    find_ruled_tables     pdfplumber's `TableFinder` (lines strategy) over those edges
    cells_to_grid         cell bboxes → `Grid`, a merged cell being one `Cell` at every position it
                          covers; each char goes to the cell holding its centre; the lines of a
                          cell are joined without spaces in CJK (wrapped and vertical labels)
    words_to_grids        no rulings (borderless tables): rows from lines of numbers, columns from
                          their alignment, labels and headers placed by position
    join_continued_grids  a table cut by a page break becomes one `Grid`: a repeated header is
                          dropped and a merged label cut in two (（四）无 | 法提供) is joined again

Doubled glyphs of fake-bold text are removed (`dedupe_chars`); glyphs of a vertical (Identity-V)
font, which pdfium measures before the text matrix, get their printed box (`vertical_box`). A
file that cannot be read raises `ReadError` with check ``pdf.encrypted``, ``pdf.corrupt``,
``pdf.no_text`` or ``pdf.cid_font``;
a file read in part gets a `Finding` with the same checks.
"""

from __future__ import annotations

import ctypes
import io
import re
import threading
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import TableFinder

from extract import template as tpl
from extract.model import Cell, Document, Finding, Grid, Line, ReadError

ENGINES = ("pdfium", "pdfplumber")

#: pdfium is not thread-safe: every use of it in the process goes through this lock (Prefect runs
#: tasks in threads). Parsing stays parallel across processes.
PDFIUM_LOCK = threading.RLock()

#: pdfplumber table settings: ruled tables only (borderless ones are read from word positions)
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}


class Char(NamedTuple):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    vertical: bool = False  # a vertical font's glyph whose box pdfium left unscaled (re-measured)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class PageGeometry:
    """What the table finder needs of a page: its chars and its ruling edges (pdfplumber dicts)."""

    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    edges: list[dict]


@dataclass
class _CellGeom:
    """Where a cell's text sits, for telling a label cut by a page break from a whole one."""

    x1: float  # the cell's right edge
    last_line_x1: float  # right end of its last line of text (0 when empty)
    size: float


@dataclass
class _Placed:
    """A block of a page with its vertical position (and, for grids, its column layout)."""

    top: float
    block: Line | Grid
    xs: list[float] = field(default_factory=list)  # column boundaries of a grid
    geom: dict[int, _CellGeom] = field(default_factory=dict)  # id(cell) → geometry


# ---------------------------------------------------------------- text helpers


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


# ---------------------------------------------------------------- opening


def open_pdf(data: bytes) -> tuple[pdfium.PdfDocument, list[Finding]]:
    """The pdfium document (tried with the empty password), or ReadError naming the cause."""
    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        raise ReadError("not a PDF file (no %PDF header)", check="pdf.corrupt")
    try:
        doc = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ReadError("the PDF is encrypted and needs a password to open", check="pdf.encrypted") from exc
        raise ReadError(f"the PDF is damaged or truncated: {exc}", check="pdf.corrupt") from exc
    findings = []
    if pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1:
        findings.append(Finding("pdf.encrypted", "info", "encrypted with an empty user password; read without one"))
    if b"%%EOF" not in data[-2048:]:
        findings.append(Finding("pdf.corrupt", "warning", "the file does not end with %%EOF (truncated?)"))
    return doc, findings


def _title(doc: pdfium.PdfDocument) -> str | None:
    try:
        title = (doc.get_metadata_dict() or {}).get("Title") or ""
    except Exception:  # broken metadata never stops a read
        return None
    title = title.strip()
    return title if any(is_wide(ch) for ch in title) else None


# ---------------------------------------------------------------- pdfium geometry


def _matrix(obj) -> tuple[float, ...]:
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def pdfium_edges(page: pdfium.PdfPage, height: float) -> list[dict]:
    """Horizontal and vertical segments of every path on the page (forms included), as
    pdfplumber edge dicts in top-down coordinates, each distinct edge once (a border drawn by
    both cells it separates is one ruling)."""
    points_of = _path_points
    edges: list[dict] = []
    seen: set[tuple] = set()

    def walk(count: int, get, outer: tuple[float, ...]) -> None:
        for i in range(count):
            obj = get(i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                for edge in path_edges(points_of(obj, _compose(_matrix(obj), outer), height)):
                    key = (edge["orientation"], round(edge["x0"], 1), round(edge["top"], 1),
                           round(edge["x1"], 1), round(edge["bottom"], 1))
                    if key not in seen:
                        seen.add(key)
                        edges.append(edge)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                m = _compose(_matrix(obj), outer)
                walk(pdfium_c.FPDFFormObj_CountObjects(obj), lambda j, o=obj: pdfium_c.FPDFFormObj_GetObject(o, j), m)

    raw = page.raw
    walk(pdfium_c.FPDFPage_CountObjects(raw), lambda j: pdfium_c.FPDFPage_GetObject(raw, j), _IDENTITY)
    return edges


_X, _Y = ctypes.c_float(), ctypes.c_float()


def _path_points(obj, m: tuple[float, ...], height: float) -> list[tuple[int, float, float, bool]]:
    """A path's points in page coordinates (top-down): (segment type, x, top, closes)."""
    get_segment, get_point = pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint
    get_type, get_close = pdfium_c.FPDFPathSegment_GetType, pdfium_c.FPDFPathSegment_GetClose
    x, y = _X, _Y
    a, b, c, d, e, f = m
    points = []
    for k in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = get_segment(obj, k)
        get_point(seg, x, y)
        px, py = x.value, y.value
        points.append((get_type(seg), a * px + c * py + e, height - (b * px + d * py + f), bool(get_close(seg))))
    return points


def path_edges(points: list[tuple[int, float, float, bool]], tolerance: float = 0.5) -> list[dict]:
    """Axis-parallel segments of a path given as (segment type, x, top, closes) points."""
    out: list[dict] = []
    start = prev = None
    for kind, px, py, closes in points:
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = prev = (px, py)
            continue
        if prev is not None:
            _segment_edge(prev, (px, py), tolerance, out)
        prev = (px, py)
        if closes and start is not None:
            _segment_edge(prev, start, tolerance, out)
            prev = start
    return out


def _segment_edge(p: tuple[float, float], q: tuple[float, float], tol: float, out: list[dict]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(x0 - x1) <= tol and abs(y0 - y1) > tol:
        top, bottom = min(y0, y1), max(y0, y1)
        out.append({"x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0.0, "height": bottom - top,
                    "orientation": "v", "object_type": "line"})
    elif abs(y0 - y1) <= tol and abs(x0 - x1) > tol:
        left, right = min(x0, x1), max(x0, x1)
        out.append({"x0": left, "x1": right, "top": y0, "bottom": y0, "width": right - left, "height": 0.0,
                    "orientation": "h", "object_type": "line"})


_SKIP = {0x0A, 0x0D, 0xFFFE, 0x02, 0x00}


def pdfium_chars(textpage: pdfium.PdfTextPage, height: float) -> tuple[list[Char], int]:
    """The page's printed chars (generated spaces and line breaks left out) and how many of
    them pdfium could not map to Unicode. A char's box is pdfium's loose box (font ascent to
    descent): its bottom is steady along a line and its height is the printed size. A glyph of
    a vertical font gets the box `vertical_box` gives it."""
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()
    get_unicode, is_generated = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_IsGenerated
    map_error, loose_box = pdfium_c.FPDFText_HasUnicodeMapError, pdfium_c.FPDFText_GetLooseCharBox
    font_size = pdfium_c.FPDFText_GetFontSize
    chars: list[Char] = []
    unmapped = 0
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = get_unicode(raw, i)
        if code in _SKIP or is_generated(raw, i):
            continue
        if map_error(raw, i):
            unmapped += 1
        loose_box(raw, i, rect)
        left, right, low, high = rect.left, rect.right, rect.bottom, rect.top
        em = font_size(raw, i)
        vertical = False
        if em > 0 and abs((right - left) - em) <= em * 0.01:  # an em wide: maybe an unscaled vertical box
            fixed = vertical_box(raw, i, (left, right, low, high))
            if fixed is not None:
                (left, right, low, high), vertical = fixed, True
        bottom = height - low
        size = high - low
        chars.append(Char(chr(code), left, right, bottom - size, bottom, size, vertical))
    return chars, unmapped


_MATRIX = pdfium_c.FS_MATRIX()
_OX, _OY = ctypes.c_double(), ctypes.c_double()


Box = tuple[float, float, float, float]  # left, right, bottom, top in PDF coordinates


def vertical_box(raw, index: int, box: Box) -> Box | None:
    """The true box of a glyph of a vertical font, or None for any other glyph.

    pdfium measures a glyph of a vertical (Identity-V) font as one em of the font size *before*
    the text matrix: WPS sets such a glyph at 20× its size in a matrix scaled by 1/20, so its
    box comes out 20 times too large and far into the cells beside it (its glyphs then read in
    among the row label next to it). A horizontal glyph's box is always scaled, so a box exactly
    one unscaled em wide while the matrix scales is a vertical glyph: its box is scaled about
    the glyph's origin, as pdfium does for horizontal glyphs."""
    if not pdfium_c.FPDFText_GetMatrix(raw, index, _MATRIX):
        return None
    m = _MATRIX
    scale = abs(m.a * m.d - m.b * m.c) ** 0.5
    if abs(scale - 1.0) <= 0.02 or scale == 0.0:
        return None  # unscaled: pdfium's box is right (or not a vertical glyph at all)
    pdfium_c.FPDFText_GetCharOrigin(raw, index, _OX, _OY)
    ox, oy = _OX.value, _OY.value
    left, right, low, high = box
    return (ox + (left - ox) * scale, ox + (right - ox) * scale, oy + (low - oy) * scale, oy + (high - oy) * scale)


def dedupe_chars(chars: list[Char], tolerance: float = 1.0) -> list[Char]:
    """Drop the second copy of a glyph printed twice at (almost) the same place (fake bold)."""
    if not _has_doubles(chars, tolerance):
        return chars
    out: list[Char] = []
    seen: dict[tuple[str, int], list[Char]] = {}
    for ch in chars:
        key = (ch.text, round(ch.top))
        near = [c for k in ((ch.text, round(ch.top) - 1), key, (ch.text, round(ch.top) + 1)) for c in seen.get(k, ())]
        if any(abs(c.x0 - ch.x0) <= tolerance and abs(c.top - ch.top) <= tolerance for c in near):
            continue
        seen.setdefault(key, []).append(ch)
        out.append(ch)
    return out


def _has_doubles(chars: list[Char], tolerance: float) -> bool:
    for a, b in zip(chars, chars[1:]):
        if a.text == b.text and not a.text.isspace() and abs(a.x0 - b.x0) <= tolerance and abs(a.top - b.top) <= tolerance:
            return True
    by_pos = Counter((c.text, round(c.x0), round(c.top)) for c in chars if not c.text.isspace())
    return any(n > 1 for n in by_pos.values())


# ---------------------------------------------------------------- pdfplumber geometry (the reference engine)


def plumber_geometry(page, number: int) -> tuple[PageGeometry, int]:
    """The same geometry from a pdfplumber page (slower; used to cross-check pdfium)."""
    deduped = page.dedupe_chars()
    chars = [Char(c["text"], c["x0"], c["x1"], c["top"], c["bottom"], c["bottom"] - c["top"]) for c in deduped.chars]
    unmapped = sum(1 for c in chars if c.text.startswith("(cid:"))
    edges = [{k: e[k] for k in ("x0", "x1", "top", "bottom", "width", "height", "orientation", "object_type")}
             for e in page.edges]
    return PageGeometry(number, float(page.width), float(page.height), chars, edges), unmapped


# ---------------------------------------------------------------- ruled tables


@dataclass
class _Rulings:
    """The part of a pdfplumber page `TableFinder` looks at in the lines strategy."""

    edges: list[dict]
    bbox: tuple[float, float, float, float]


def find_ruled_tables(geom: PageGeometry) -> list[list[tuple[float, float, float, float]]]:
    """Cell bboxes of every ruled table on the page (pdfplumber's lines strategy)."""
    if len(geom.edges) < 4:
        return []
    finder = TableFinder(_Rulings(geom.edges, (0, 0, geom.width, geom.height)), TABLE_SETTINGS)
    return [t.cells for t in finder.tables]


def cluster_positions(values: Iterable[float], tolerance: float = 2.0) -> list[float]:
    """Sorted distinct positions, values closer than `tolerance` counted as one (their mean)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _index(bounds: list[float], value: float) -> int:
    """Index of the boundary `value` stands for (boundaries were clustered within 2 points)."""
    i = bisect_right(bounds, value + 2.0) - 1
    return max(0, min(i, len(bounds) - 1))


def cells_to_grid(cells: list[tuple[float, float, float, float]], chars: list[Char], page: int) -> _Placed:
    """A ruled table as a Grid: spans expanded by identity, every char in the cell holding its centre."""
    xs = cluster_positions([v for c in cells for v in (c[0], c[2])])
    ys = cluster_positions([v for c in cells for v in (c[1], c[3])])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    slots: list[list[int | None]] = [[None] * n_cols for _ in range(n_rows)]
    boxes: list[tuple[float, float, float, float]] = []
    for bbox in sorted(cells, key=lambda b: (b[1], b[0])):
        c0, c1 = _index(xs, bbox[0]), _index(xs, bbox[2])
        r0, r1 = _index(ys, bbox[1]), _index(ys, bbox[3])
        k = len(boxes)
        boxes.append(bbox)
        for r in range(r0, max(r1, r0 + 1)):
            for c in range(c0, max(c1, c0 + 1)):
                if r < n_rows and c < n_cols and slots[r][c] is None:
                    slots[r][c] = k
    for r in range(n_rows):  # holes in the ruling: an empty cell each
        for c in range(n_cols):
            if slots[r][c] is None:
                slots[r][c] = len(boxes)
                boxes.append((xs[c], ys[r], xs[c + 1], ys[r + 1]))
    members: list[list[Char]] = [[] for _ in boxes]
    left, top, right, bottom = xs[0], ys[0], xs[-1], ys[-1]
    for ch in chars:
        cx, cy = ch.cx, ch.cy
        if left <= cx <= right and top <= cy <= bottom:
            c = min(bisect_right(xs, cx) - 1, n_cols - 1)
            r = min(bisect_right(ys, cy) - 1, n_rows - 1)
            members[slots[r][c]].append(ch)
    made: list[Cell] = []
    geom: dict[int, _CellGeom] = {}
    for k, bbox in enumerate(boxes):
        lines = chars_to_lines(members[k])
        cell = Cell(join_lines(line_text(line) for line in lines), page)
        made.append(cell)
        size = max((ch.size for ch in members[k]), default=0.0)
        geom[id(cell)] = _CellGeom(bbox[2], max((ch.x1 for ch in lines[-1]), default=0.0) if lines else 0.0, size)
    rows = [[made[k] for k in row] for row in slots]
    return _Placed(top, Grid(rows, "pdf-grid", page), xs, geom)


def chars_to_lines(chars: list[Char]) -> list[list[Char]]:
    """Chars grouped into visual lines, top to bottom, each line left to right."""
    lines: list[list[Char]] = []
    bounds: list[tuple[float, float]] = []
    for ch in sorted(chars, key=lambda c: (c.top, c.x0)):
        cy = ch.cy
        if bounds and bounds[-1][0] <= cy <= bounds[-1][1]:
            lines[-1].append(ch)
        else:
            lines.append([ch])
            bounds.append((ch.top, ch.bottom))
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def line_text(line: list[Char], gap: float = 0.35) -> str:
    """A visual line's text: a space where the gap between glyphs is wide, then `tidy`."""
    out = []
    prev = None
    for ch in line:
        if prev is not None and ch.x0 - prev.x1 > gap * max(ch.size, prev.size, 1.0):
            out.append(" ")
        out.append(ch.text)
        prev = ch
    return tidy("".join(out))


# ---------------------------------------------------------------- page → blocks


def page_blocks(geom: PageGeometry, body_size: float) -> list[_Placed]:
    """A table page as Lines and Grids in reading order."""
    tables = [t for t in find_ruled_tables(geom) if t]
    placed: list[_Placed] = []
    used = [False] * len(geom.chars)
    for cells in tables:
        grid = cells_to_grid(cells, geom.chars, geom.number)
        x0, x1 = grid.xs[0], grid.xs[-1]
        top = grid.top
        bottom = max(c[3] for c in cells)
        for i, ch in enumerate(geom.chars):
            if x0 <= ch.cx <= x1 and top <= ch.cy <= bottom:
                used[i] = True
        if grid.block.width <= 1:  # a boxed paragraph, not a table
            placed.extend(_grid_as_lines(grid))
        else:
            placed.append(grid)
    rest = [ch for ch, u in zip(geom.chars, used) if not u]
    if not any(isinstance(p.block, Grid) for p in placed):
        grids, rest = words_to_grids(rest, geom.number, body_size)
        placed.extend(grids)
    placed.extend(_lines_of(rest, geom.number))
    placed.sort(key=lambda p: p.top)
    return placed


def _grid_as_lines(grid: _Placed) -> list[_Placed]:
    out = []
    for k, row in enumerate(grid.block.rows):
        text = row[0].text if row else ""
        if text:
            out.append(_Placed(grid.top + k * 0.01, Line(text, grid.block.page)))
    return out


def _lines_of(chars: list[Char], page: int) -> list[_Placed]:
    out = []
    for line in chars_to_lines(chars):
        text = line_text(line)
        if text and not is_page_number(text):
            out.append(_Placed(min(c.top for c in line), Line(text, page)))
    return out


def page_lines(text: str, page: int) -> list[Line]:
    """Running text of a page from pdfium's extraction, page numbers left out."""
    out = []
    for raw in text.splitlines():
        line = tidy(raw)
        if line and not is_page_number(line):
            out.append(Line(line, page))
    return out


# ---------------------------------------------------------------- borderless tables (word positions)


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


def words_to_grids(chars: list[Char], page: int, body_size: float) -> tuple[list[_Placed], list[Char]]:
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
    out, used = [], set()
    for region in regions:
        placed = region_to_grid(region, page)
        if placed is None:
            continue
        out.append(placed)
        used.update(id(ch) for ln in region for ch in ln)
    rest = [ch for ch in chars if id(ch) not in used]
    return out, rest


def _line_size(line: list[Char]) -> float:
    sizes = Counter(round(c.size, 1) for c in line if not c.text.isspace())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def region_to_grid(region: list[list[Char]], page: int) -> _Placed | None:
    """One borderless table. Data rows are the lines holding numbers and the value columns are
    where those numbers line up (left edges or centres, whichever agree better). Label columns
    are the left edges of the labels beside them. A further line of a wrapped label joins the
    nearest data row; other lines (block titles, headers) are rows of their own, a heading
    wrapped over lines being joined first."""
    frag_lines = [line_fragments(ln) for ln in region]
    data = [i for i, frags in enumerate(frag_lines) if any(f.numeric for f in frags)]
    if not data:
        return None
    leaves = header_leaves(frag_lines, data)
    if len(data) < 2 and sum(f.numeric for f in frag_lines[data[0]]) < 5 and len(leaves) < 3:
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
    return _Placed(top, Grid(grid, "pdf-words", page), column_bounds(label_cols, value_cols, pitch, aligned_left), geom)


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
                        centred: bool = True) -> tuple[list[list[Cell]], dict[int, _CellGeom]]:
    """Cells from placed fragments, then the spans word positions imply: a label running into
    the next label columns, a vertical label over the rows it stands beside, a group label over
    its numbered items, a header over the value columns it is centred on."""
    texts: list[list[str]] = [[join_lines(f.text for f in sorted(r.get(c, []), key=lambda f: (f.top, f.x0)))
                               for c in range(width)] for r in rows]
    cells: list[list[Cell | None]] = [[None] * width for _ in rows]
    geom: dict[int, _CellGeom] = {}
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
            geom[id(cell)] = _CellGeom(frags[-1].x1 + frags[-1].size, max(f.x1 for f in frags), frags[-1].size)
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


# ---------------------------------------------------------------- tables cut by a page break


_ENUM_START = re.compile(r"^\s*(（\s*[一二三四五六七八九十\d]+\s*）|\(\s*[一二三四五六七八九十\d]+\s*\)"
                         r"|[一二三四五六七八九十]+\s*、|[0-9０-９]+\s*[.、．])")


def join_continued_grids(pages: list[list[_Placed]]) -> list[_Placed]:
    """All blocks in order, a grid that ends one page and a grid that starts the next with the
    same columns being one table: the second's repeated header rows are dropped and a merged
    cell cut by the break is joined (its text and its identity)."""
    out: list[_Placed] = []
    for blocks in pages:
        if out and blocks and _continues(out[-1], blocks[0]):
            _append_rows(out[-1], blocks[0])
            out.extend(blocks[1:])
        else:
            out.extend(blocks)
    return out


def _continues(a: _Placed, b: _Placed) -> bool:
    """Same table on both sides of the break: both grids, read the same way, with the same outer
    edges and column boundaries that fit together (a part may lack a boundary no row of it uses)."""
    if not (isinstance(a.block, Grid) and isinstance(b.block, Grid)) or a.block.method != b.block.method:
        return False
    if len(a.xs) < 2 or len(b.xs) < 2 or abs(a.xs[-1] - b.xs[-1]) > 4.0:
        return False
    if abs(a.xs[0] - b.xs[0]) > 4.0 and a.block.method != "pdf-words":
        return False  # (a part without labels in its first column starts further right)
    union = cluster_positions([*a.xs, *b.xs], 3.0)
    return len(union) - len(a.xs) <= 3 and len(union) - len(b.xs) <= 3


def refine_columns(placed: _Placed, xs: list[float]) -> None:
    """Re-cut a grid's columns at boundaries `xs`: a column split in two repeats its cells (the
    same objects, so the split reads as a span); a column left of the grid gets empty cells."""
    if len(xs) == len(placed.xs):
        placed.xs = xs
        return
    mids = [(lo + hi) / 2 for lo, hi in zip(xs, xs[1:])]
    source = [min(bisect_right(placed.xs, m) - 1, len(placed.xs) - 2) if m >= placed.xs[0] - 1 else None
              for m in mids]
    placed.block.rows[:] = [[(row[k] if k < len(row) else row[-1]) if k is not None else Cell("", row[0].page)
                             for k in source] for row in placed.block.rows]
    placed.xs = xs


def _append_rows(a: _Placed, b: _Placed) -> None:
    union = cluster_positions([*a.xs, *b.xs], 3.0)
    refine_columns(a, union)
    refine_columns(b, union)
    top, bottom = a.block, b.block
    rows = bottom.rows[_repeated_header(top, bottom):]
    if not rows:
        return
    last, first = top.rows[-1], rows[0]
    swap: dict[int, Cell] = {}
    for c in range(min(len(last), len(first))):
        upper, lower = last[c], first[c]
        if id(upper) in swap or id(lower) in swap:
            continue
        if _cut_pair(top.rows, rows, c, a.geom.get(id(upper))):
            joined = Cell(join_lines([upper.text, lower.text]), upper.page)
            swap[id(upper)] = swap[id(lower)] = joined
            if bottom.method == "pdf-words" and not lower.text:
                _continue_down(rows, c, lower, swap)
    top.rows.extend(rows)
    if swap:
        top.rows[:] = [[swap.get(id(cell), cell) for cell in row] for row in top.rows]
    a.geom.update(b.geom)


def _continue_down(rows: list[list[Cell]], c: int, first: Cell, swap: dict[int, Cell]) -> None:
    """Word positions give no span below a page break: a label continued there also covers the
    empty one-column cells under it, down to the next text in its column."""
    for row in rows[1:]:
        cell = row[c]
        if cell.text or cell is first or (c > 0 and row[c - 1] is cell) or (c + 1 < len(row) and row[c + 1] is cell):
            break
        swap[id(cell)] = swap[id(first)]


def _repeated_header(top: Grid, bottom: Grid) -> int:
    """How many leading rows of `bottom` repeat the first rows of `top`."""
    k = 0
    while k < min(len(top.rows), len(bottom.rows)) - 1 and \
            [c.text for c in top.rows[k]] == [c.text for c in bottom.rows[k]] and any(c.text for c in top.rows[k]):
        k += 1
    return k


def _cut_pair(upper_rows: list[list[Cell]], lower_rows: list[list[Cell]], c: int, geom: _CellGeom | None) -> bool:
    """Is the cell ending the upper page at column `c` the same merged cell as the one starting
    the lower page? Both must cover the same columns and be labels (not numbers); one side must
    span several rows; and either one side is empty (the text stayed on the other page) or the
    upper text fills its cell's width (it wraps on) and the lower does not start a new item."""
    upper, lower = upper_rows[-1][c], lower_rows[0][c]
    cols_u = [k for k, cell in enumerate(upper_rows[-1]) if cell is upper]
    cols_l = [k for k, cell in enumerate(lower_rows[0]) if cell is lower]
    if cols_u != cols_l:
        return False
    if is_number_token(upper.text) or is_number_token(lower.text) or not (upper.text or lower.text):
        return False
    span_u = sum(1 for row in upper_rows if c < len(row) and row[c] is upper)
    span_l = sum(1 for row in lower_rows if c < len(row) and row[c] is lower)
    if span_u < 2 and span_l < 2:
        return False
    if not upper.text or not lower.text:
        return True
    if _ENUM_START.match(lower.text) or geom is None:
        return False
    return geom.last_line_x1 + 1.2 * geom.size >= geom.x1 - 1.0


# ---------------------------------------------------------------- the reader


_COMMON = set("的一是在不了有和人这中大为上个国以要时到作地于出就分对成会可主发年动同工也能下过子产种面而方后多定行学"
              "法所民得经十三之进等部度家力里如化高自二理起小物现实加量都两体制机当使点从业本去把性好应开合还因由其些"
              "然前外天四日那社义事平形相全表间样与关各重新线内数正心反明看原又利比或但质气第向道命此变条只没结解问意"
              "建月公无系情者最立代想已通并提直题程展五果料象员位入常文总次品式活设及管特件长求基资边流路级少图统接知"
              "较将组见计别期根论运指几区强放决被做必先回则任取据处给即保治规领七导志世金增争济思术极交受联认六共权收"
              "证改清己再采转更单切务具万每目至达积示议报完类八名确才信节话整元况今集传许步群需段研界律且究观织影算持"
              "众书布复容须际商非验连断深难近周委素技备半办省列习响约支般史感便团往历市何除消构府称准值号率维划选标写"
              "存效院查型按格易置派层片始专状育识适属包住调满县局照参细引听该价严政息申请公开予不提供政府信息申请年度")


def garbled_share(chars: Iterable[Char]) -> tuple[int, float]:
    """(CJK chars, share of them among common report characters): decoded Chinese is mostly
    common characters; codes misread through a wrong font map are not."""
    cjk = [c.text for c in chars if "\u4e00" <= c.text <= "\u9fff"]
    if not cjk:
        return 0, 1.0
    return len(cjk), sum(ch in _COMMON for ch in cjk) / len(cjk)


def read_pdf(data: bytes, filename: str | None = None, *, engine: str = "pdfium", ocr: bool = True) -> Document:
    """The PDF's running text and tables, page by page, in reading order.

    `engine` chooses where table pages' chars and rulings come from: ``pdfium`` (fast, the
    default) or ``pdfplumber`` (pdfminer's layout; slower, kept to cross-check). Pages that are
    pictures (a mixed PDF: tables pasted as images, prose as text) are read by OCR when `ocr`
    and Tesseract allow; a PDF of pictures only raises ``pdf.no_text`` (the scan path reads it)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    with PDFIUM_LOCK:
        doc, findings = open_pdf(data)
        stats = _Stats()
        pages: list[list[_Placed]] = []
        body_size = 0.0
        try:
            n_pages = len(doc)
            title = _title(doc)
            for i in range(n_pages):
                page = doc[i]
                try:
                    blocks, body_size = _read_page(page, i + 1, engine, data, stats, body_size)
                finally:
                    page.close()
                pages.append(blocks)
        finally:
            doc.close()
            stats.close()
    if ocr and stats.chars and (stats.imageonly or stats.pictured):
        _ocr_picture_pages(data, pages, stats)
    findings.extend(stats.findings())
    blocks = join_continued_grids(pages)
    return Document("pdf", [p.block for p in blocks], n_pages, title, findings)


@dataclass
class _Stats:
    """What the pages said about the text layer, for the honest-failure findings."""

    chars: int = 0
    cjk: int = 0
    common: float = 0.0
    unmapped: int = 0
    imageonly: list[int] = field(default_factory=list)
    pictured: list[int] = field(default_factory=list)  # pages of text with a large picture, no table in text
    textless: list[int] = field(default_factory=list)
    plumber: object | None = None
    ocr_read: bool = False  # the picture pages were read by OCR
    ocr: list[Finding] = field(default_factory=list)  # what OCR of them said

    def add(self, chars: list[Char], unmapped: int) -> None:
        self.chars += len(chars)
        self.unmapped += unmapped
        n, share = garbled_share(chars)
        self.common += n * share
        self.cjk += n

    def close(self) -> None:
        if self.plumber is not None:
            self.plumber.close()
            self.plumber = None

    def findings(self) -> list[Finding]:
        out = []
        if self.chars == 0:
            if self.imageonly:
                raise ReadError("no text layer: the pages are images (a scan); OCR is needed", check="pdf.no_text")
            raise ReadError("the PDF holds no text", check="pdf.no_text")
        # decoded Chinese prose is ~80% common characters; codes read through a wrong map ~30%
        garbled = self.unmapped > self.chars * 0.1 or (self.cjk >= 50 and self.common / self.cjk < 0.5)
        if garbled:
            raise ReadError("the text cannot be decoded: fonts without a Unicode map ((cid:N) glyph codes)",
                            check="pdf.cid_font")
        if self.unmapped:
            out.append(Finding("pdf.cid_font", "warning", f"{self.unmapped} glyphs have no Unicode mapping"))
        if self.imageonly:
            listed = ("pages " if len(self.imageonly) > 1 else "page ") + ", ".join(map(str, self.imageonly))
            if self.ocr_read:
                out.append(Finding("pdf.no_text", "info",
                                   f"{listed}: no text layer (images only); read by OCR"))
            else:
                out.append(Finding("pdf.no_text", "warning",
                                   f"{listed}: no text layer (images only); what they hold needs OCR"))
            out.extend(self.ocr)
        return out


def _sample_size(textpage: pdfium.PdfTextPage, count: int) -> float:
    """The most common text size on a page (sampled, measured like `pdfium_chars`): the body size."""
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()
    sizes: Counter = Counter()
    for i in range(0, count, max(1, count // 200)):
        if pdfium_c.FPDFText_GetUnicode(raw, i) in _SKIP or pdfium_c.FPDFText_IsGenerated(raw, i):
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect)
        sizes[round(rect.top - rect.bottom, 1)] += 1
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _read_page(page: pdfium.PdfPage, number: int, engine: str, data: bytes, stats: _Stats,
               body_size: float) -> tuple[list[_Placed], float]:
    """One page's blocks (and the body text size, learnt from the first prose page)."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        if is_picture_page(page, text):
            stats.imageonly.append(number)
            return [], body_size
        if not text.strip():
            return [], body_size
        height = page.get_height()
        if not body_size:
            body_size = _sample_size(textpage, count)
        if not is_table_page(text):
            chars, unmapped = _sampled_chars(textpage)
            stats.add(chars, unmapped)
            if image_share(page) >= PICTURE_SHARE:  # prose around a picture: maybe a table pasted as one
                stats.pictured.append(number)
            return [_Placed(k, line) for k, line in enumerate(page_lines(text, number))], body_size
        if engine == "pdfplumber":
            geom, unmapped = _plumber_page(stats, data, number)
        else:
            chars, unmapped = pdfium_chars(textpage, height)
            geom = PageGeometry(number, page.get_width(), height, dedupe_chars(chars), pdfium_edges(page, height))
        stats.add(geom.chars, unmapped)
        return page_blocks(geom, body_size), body_size
    finally:
        textpage.close()


def _sampled_chars(textpage: pdfium.PdfTextPage) -> tuple[list[Char], int]:
    """A prose page's chars for the text-layer checks: every char's code only (cheap)."""
    raw = textpage.raw
    out, unmapped = [], 0
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in _SKIP:
            continue
        if pdfium_c.FPDFText_HasUnicodeMapError(raw, i):
            unmapped += 1
        out.append(Char(chr(code), 0, 0, 0, 0, 0))
    return out, unmapped


def _has_images(page: pdfium.PdfPage) -> bool:
    raw = page.raw
    return any(pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(raw, i)) == pdfium_c.FPDF_PAGEOBJ_IMAGE
               for i in range(pdfium_c.FPDFPage_CountObjects(raw)))


#: a page whose text, page numbers aside, is shorter than this and whose images cover at least
#: `PICTURE_SHARE` of it is a picture (a scanned page, a table pasted as a screenshot)
PICTURE_TEXT = 20
PICTURE_SHARE = 0.25


def is_picture_page(page: pdfium.PdfPage, text: str) -> bool:
    """Is the page's content a picture: no text beyond furniture (a page number) and images
    over a good part of it?"""
    if len(text) > 10 * PICTURE_TEXT or sum(len(line.text) for line in page_lines(text, 0)) >= PICTURE_TEXT:
        return False
    if not text.strip():
        return _has_images(page)
    return image_share(page) >= PICTURE_SHARE


def image_share(page: pdfium.PdfPage) -> float:
    """The share of the page's area under image objects (their bounding boxes, capped at 1)."""
    raw = page.raw
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    area = 0.0
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_IMAGE and \
                pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            area += max(right.value - left.value, 0.0) * max(top.value - bottom.value, 0.0)
    page_area = page.get_width() * page.get_height()
    return min(area / page_area, 1.0) if page_area else 0.0


def _ocr_picture_pages(data: bytes, pages: list[list[_Placed]], stats: _Stats) -> None:
    """Read the pictures of a mixed PDF by OCR: a picture page gives all its blocks, a page of
    text with a large picture only the tables OCR finds in it (its text layer is exact), after
    the page's lines. Without Tesseract (or when it fails) the findings say why."""
    from extract.read.ocr import ocr_findings, ocr_pdf_pages

    try:
        blocks = ocr_pdf_pages(data, sorted({*stats.imageonly, *stats.pictured}))
    except ReadError as exc:
        if stats.imageonly:
            stats.ocr = [Finding(exc.check, "warning", f"the picture pages could not be read by OCR: {exc}")]
        return
    kept = [b for b in blocks if b.page in stats.imageonly or (b.page in stats.pictured and isinstance(b, Grid))]
    for k, block in enumerate(kept):
        if block.page is not None and 1 <= block.page <= len(pages):
            pages[block.page - 1].append(_Placed(len(pages[block.page - 1]) + k, block))
    if stats.imageonly or any(isinstance(b, Grid) for b in kept):
        stats.ocr, stats.ocr_read = ocr_findings(kept), bool(stats.imageonly)


def _plumber_page(stats: _Stats, data: bytes, number: int) -> tuple[PageGeometry, int]:
    import pdfplumber

    if stats.plumber is None:
        stats.plumber = pdfplumber.open(io.BytesIO(data), password="")
    page = stats.plumber.pages[number - 1]
    try:
        return plumber_geometry(page, number)
    finally:
        page.close()
