"""Forged reports as PDF, shaped like a WPS/Word export of the official template.

The tables come from `extract.forge.spans` (the same shapes as the HTML and DOCX forges) and the
running text from `extract.forge.prose`. Everything is drawn with reportlab's built-in CID font
STSong-Light (Unicode-encoded, so pdfplumber and pdfium extract the CJK text exactly) on A4 pages
with 公文-like typography: a centred two-line title, 2-em paragraph indents, justified lines,
``- N -`` page numbers, and ruled tables in small type.

`PdfLayout` chooses the shapes real exports take: table 三 split over two pages (by default before
row 2 of （四）, which cuts the merged label （四）无法提供 into （四）无 | 法提供, 16 + 12 rows) with or
without a repeated header, wrapped labels, the vertical 三、本年度办理结果, borderless tables,
landscape table pages, several pages of prose before the tables, fake-bold text (each glyph
drawn twice with a small offset), and the vertical header set in a real vertical font (Identity-V,
`extract.forge.vertical`) glyph by glyph, as WPS writes a cell whose text direction is vertical.

Helpers at the end make the bad PDFs the reader must fail on honestly: encrypted, scanned (an image
only), a CID font whose text cannot be decoded, and truncated files.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import io
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from extract import settings
from extract import template as tpl
from extract.forge.model import Report
from extract.forge.prose import Prose, write_prose
from extract.forge.spans import Sheet, Span, sheets
from extract.forge.vertical import VERTICAL_ORIGIN_Y, subset_glyphs, vertical_font

BUILTIN_FONT = "STSong-Light"  # reportlab's CID font: not embedded, Unicode-encoded
pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_FONT))
FONT_FAMILIES = ("embedded", "builtin")

_REQUEST_ROWS = frozenset(tpl.TEMPLATE_2021["requests"].row_keys) | frozenset(
    tpl.TEMPLATE_2019["requests"].row_keys)


@dataclass(frozen=True)
class PdfLayout:
    """How a forged report is laid out on PDF pages. Validates itself."""

    repeat_header: bool = False  # a table continued on the next page repeats its header rows
    split_before: str | None = "unavailable.needs_creation"  # table 三 row that starts a new page; None: natural
    borderless: bool = False  # no rulings at all (tables must be read from word positions)
    landscape: bool = False  # the pages holding the tables are landscape
    prose_pages: int = 0  # extra pages of prose before the tables
    fake_bold: bool = False  # title, headings and table text drawn twice, slightly offset
    bold_offset: float = 0.4  # points between the two copies of a fake-bold glyph
    font: str = "embedded"  # embedded: Noto CJK subsets, as WPS embeds its fonts; builtin: STSong-Light
    vertical_font: bool = False  # vertical headers in an Identity-V font (else stacked upright glyphs)

    def __post_init__(self) -> None:
        for name in ("repeat_header", "borderless", "landscape", "fake_bold", "vertical_font"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"PdfLayout.{name} must be a bool")
        if self.split_before is not None and self.split_before not in _REQUEST_ROWS:
            raise ValueError(f"PdfLayout.split_before: {self.split_before!r} is not a row of table 三")
        if not isinstance(self.prose_pages, int) or not 0 <= self.prose_pages <= 20:
            raise ValueError("PdfLayout.prose_pages must be an int between 0 and 20")
        if not 0 < self.bold_offset <= 1.5:
            raise ValueError("PdfLayout.bold_offset must be in (0, 1.5] points")
        if self.font not in FONT_FAMILIES:
            raise ValueError(f"PdfLayout.font must be one of {FONT_FAMILIES}")


#: the layouts tests and samples iterate over, by name
LAYOUTS: dict[str, PdfLayout] = {
    "wps": PdfLayout(),
    "repeat_header": PdfLayout(repeat_header=True),
    "natural_breaks": PdfLayout(split_before=None, prose_pages=1),
    "borderless": PdfLayout(borderless=True),
    "landscape": PdfLayout(landscape=True, split_before=None),
    "long_prose": PdfLayout(prose_pages=3, split_before=None),
    "fake_bold": PdfLayout(fake_bold=True),
    "builtin_font": PdfLayout(font="builtin", split_before="withheld.process_info"),
    "wps_vertical_font": PdfLayout(vertical_font=True),
}

# ---------------------------------------------------------------- fonts
#
# WPS and Word embed subsets of their fonts. reportlab embeds only TrueType outlines and Debian's
# Noto CJK fonts are CFF, so the forge converts a subset of them (every character the forge can
# print) to TrueType once and caches it. Without Noto CJK (or fontTools) it falls back to
# reportlab's built-in STSong-Light.

_NOTO = Path("/usr/share/fonts/opentype/noto")
_FACES = {"serif": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
          "sans-bold": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC")}


def _cache_dir() -> Path:
    path = settings.cache_dir() / "fonts"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return path
    except OSError:
        return Path(tempfile.gettempdir())


def forge_chars() -> str:
    """Every character the forge can print: the literals of its modules and of the template,
    ASCII, and full-width digits."""
    from extract.forge import legacy, model, prose, spans

    text = "".join(inspect.getsource(m) for m in (model, prose, spans, tpl, legacy)) + _EXTRA_CHARS
    chars = {c for c in text if ord(c) > 127} | {chr(c) for c in range(32, 127)}
    return "".join(sorted(chars))


_EXTRA_CHARS = "０１２３４５６７８９．－（）“”‘’、，。；：？！《》—…％／"


def _truetype_subset(face: str, chars: str, out: Path) -> None:
    """Subset a Noto CJK face to `chars` and convert its CFF outlines to TrueType."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTCollection, newTable
    from fontTools.ttLib import TTFont as FTFont

    filename, family = _FACES[face]
    path = _NOTO / filename
    names = [f["name"].getDebugName(1) for f in TTCollection(str(path), lazy=True).fonts]
    font = FTFont(str(path), fontNumber=names.index(family), lazy=False, recalcTimestamp=False)  # same bytes every build
    subset_glyphs(font, chars)
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = font.getGlyphOrder(), {}
    for name in glyf.glyphOrder:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(tmp))
    os.replace(tmp, out)  # atomic: parallel builders never see half a file


@lru_cache(maxsize=None)
def fonts(family: str = "embedded") -> tuple[str, str]:
    """(text font, heading font) names registered with reportlab for `family`."""
    if family == "builtin" or not all((_NOTO / f).exists() for f, _ in _FACES.values()):
        return BUILTIN_FONT, BUILTIN_FONT
    if importlib.util.find_spec("fontTools") is None:
        return BUILTIN_FONT, BUILTIN_FONT
    names = []
    for face in ("serif", "sans-bold"):
        path = _font_file(face)
        name = f"OgiForge-{face}"
        pdfmetrics.registerFont(TTFont(name, str(path)))
        names.append(name)
    return names[0], names[1]


def _font_file(face: str) -> Path:
    """The cached TrueType subset of `face` (built on first use)."""
    chars = forge_chars()
    digest = hashlib.sha256(chars.encode()).hexdigest()[:12]
    path = _cache_dir() / f"forge-{face}-{digest}.ttf"
    if not path.exists():
        _truetype_subset(face, chars, path)
    return path


_BUILTIN_VERTICAL = BUILTIN_FONT + "-V"


def vertical_font_for(family: str, chars: str) -> str:
    """The reportlab name of a vertical font holding `chars`: an embedded Identity-V subset of the
    text face, or STSong-Light with the vertical UniGB-UCS2-V CMap when the family is builtin."""
    text_font, _ = fonts(family)
    if text_font != BUILTIN_FONT:
        return vertical_font(str(_font_file("serif")), chars)
    if _BUILTIN_VERTICAL not in pdfmetrics.getRegisteredFontNames():
        font = UnicodeCIDFont(BUILTIN_FONT, isVertical=True)
        font.name = font.fontName = _BUILTIN_VERTICAL
        pdfmetrics.registerFont(font)
    return _BUILTIN_VERTICAL


# ---------------------------------------------------------------- typography

_MARGIN = dict(left=79.0, right=74.0, top=78.0, bottom=80.0)
_BODY = 15.5  # 三号-ish running text
_BODY_LEADING = 28.0
_TITLE = 21.0
_CLOSING = set("，。、；：？！）》」』”’％,.;:?!)%")
_PAGE_NUMBER = 14.0
_WPS_SIZE_FACTOR = 20  # WPS sets fonts at 20 × their size in a text matrix scaled by 0.05
_PORTRAIT_WIDTH = A4[0] - _MARGIN["left"] - _MARGIN["right"]


@dataclass(frozen=True)
class _TableStyle:
    size: float
    min_height: float
    widths: tuple[float, ...] | None  # points at portrait width; None: equal columns
    align: str  # left or center for labels
    pad_x: float = 3.0
    pad_y: float = 3.0

    @property
    def leading(self) -> float:
        return round(self.size * 1.32, 2)


_STYLES = {
    "active_disclosure": _TableStyle(10.5, 25.0, (150.0, 98.0, 98.0, 96.0), "left", pad_x=5.0),
    "requests": _TableStyle(8.0, 17.5, (21.0, 38.0, 124.0), "left"),
    "review_litigation": _TableStyle(8.5, 19.0, None, "center", pad_x=2.0),
    "legacy": _TableStyle(9.0, 18.0, (200.0, 40.0), "left"),  # extract.forge.legacy: indicator, unit, figures
}


@lru_cache(maxsize=8192)
def _width(text: str, size: float, font: str = BUILTIN_FONT) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def _tokens(text: str) -> list[str]:
    """Characters, except that runs of Latin letters and digits stay together."""
    return re.findall(r"[A-Za-z0-9.%/+\-]+|\s+|.", text)


def wrap(text: str, width: float, size: float, font: str = BUILTIN_FONT) -> list[str]:
    """Break `text` into lines no wider than `width` (CJK may break anywhere; closing
    punctuation never starts a line; explicit newlines are kept)."""
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for tok in _tokens(part):
            if line and _width(line + tok, size, font) > width and tok not in _CLOSING:
                lines.append(line)
                line = tok.lstrip()
            else:
                line += tok
        lines.append(line)
    return lines


def vertical_lines(text: str, glyph_per_line: bool = False) -> list[str]:
    """One glyph per line, punctuation kept with the glyph before it (三、 / 本 / 年 …); in a
    vertical font every glyph has its own place, punctuation too (三 / 、 / 本 …)."""
    out: list[str] = []
    for ch in text.replace("\n", ""):
        if out and ch in _CLOSING and not glyph_per_line:
            out[-1] += ch
        else:
            out.append(ch)
    return out


# ---------------------------------------------------------------- pages


class _Pager:
    """The canvas, the current page's size and the vertical cursor (distance from the top)."""

    def __init__(self, canvas: Canvas, layout: PdfLayout):
        self.c = canvas
        self.layout = layout
        self.font, self.heading_font = fonts(layout.font)
        self.landscape = False
        self.number = 0
        self.table_pages: set[int] = set()  # pages a table cell is drawn on
        self.y = 0.0
        self._start_page()

    @property
    def size(self) -> tuple[float, float]:
        w, h = A4
        return (h, w) if self.landscape else (w, h)

    @property
    def left(self) -> float:
        return _MARGIN["left"] if not self.landscape else _MARGIN["top"]

    @property
    def right(self) -> float:
        return self.size[0] - (_MARGIN["right"] if not self.landscape else _MARGIN["bottom"])

    @property
    def bottom(self) -> float:
        return self.size[1] - (_MARGIN["bottom"] if not self.landscape else _MARGIN["right"])

    @property
    def top(self) -> float:
        return _MARGIN["top"] if not self.landscape else _MARGIN["left"]

    @property
    def width(self) -> float:
        return self.right - self.left

    def space(self) -> float:
        return self.bottom - self.y

    def _start_page(self) -> None:
        self.number += 1
        self.c.setPageSize(self.size)
        self.y = self.top

    def new_page(self, landscape: bool | None = None) -> None:
        self._finish_page()
        self.c.showPage()
        if landscape is not None:
            self.landscape = landscape
        self._start_page()

    def ensure(self, height: float) -> None:
        if self.y > self.top + 0.1 and self.space() < height:
            self.new_page()

    def _finish_page(self) -> None:
        text = f"- {self.number} -"
        w, h = self.size
        x = self.right - _width(text, _PAGE_NUMBER, self.font) - 10 if self.number % 2 else self.left + 10
        self.text(x, h - 48, text, _PAGE_NUMBER)

    def close(self) -> None:
        self._finish_page()
        self.c.showPage()

    # drawing, in top-down coordinates (y is the baseline's distance from the top)

    def text(self, x: float, y: float, s: str, size: float, bold: bool = False, fake: bool = False,
             char_space: float = 0.0) -> None:
        """Draw `s`; `bold` text is stroked as well as filled (or doubled under fake_bold), and
        `fake` text (table cells) is doubled under fake_bold."""
        if not s:
            return
        doubled = (bold or fake) and self.layout.fake_bold
        font = self.heading_font if bold else self.font
        heavy = bold and not doubled and font == BUILTIN_FONT
        if heavy:
            self.c.saveState()  # the render mode outlives the text object; q/Q scopes it
            self.c.setLineWidth(size * 0.035)
        for dx in ((0.0, self.layout.bold_offset) if doubled else (0.0,)):
            t = self.c.beginText(x + dx, self.size[1] - y)
            t.setFont(font, size)
            if char_space:
                t.setCharSpace(char_space)
            if heavy:
                t.setTextRenderMode(2)  # fill and stroke: a heavier face without a second font
            t.textOut(s)
            self.c.drawText(t)
        if heavy:
            self.c.restoreState()

    def vertical_text(self, centre: float, tops: list[float], glyphs: list[str], size: float, font: str) -> None:
        """Glyphs of a vertical font, each at its own vertical origin (`centre`, top), as WPS
        writes them: the font set at 20 × the size and the text matrix scaled by 1/20."""
        scale = 1 / _WPS_SIZE_FACTOR
        for dx in ((0.0, self.layout.bold_offset) if self.layout.fake_bold else (0.0,)):
            t = self.c.beginText()
            t.setFont(font, size * _WPS_SIZE_FACTOR)
            for top, glyph in zip(tops, glyphs):
                t.setTextTransform(scale, 0, 0, scale, centre + dx, self.size[1] - top)
                t.textOut(glyph)
            self.c.drawText(t)

    def rect(self, x0: float, top: float, x1: float, bottom: float) -> None:
        h = self.size[1]
        self.c.setLineWidth(0.6)
        self.c.rect(x0, h - bottom, x1 - x0, bottom - top, stroke=1, fill=0)


# ---------------------------------------------------------------- prose


def _paragraph(pager: _Pager, text: str, indent: float = 2.0, bold: bool = False, size: float = _BODY) -> None:
    first = indent * size
    font = pager.heading_font if bold else pager.font
    lines = wrap(text, pager.width - first, size, font)
    if len(lines) > 1:  # re-wrap the rest at full width
        rest = wrap(text[len(lines[0]):].lstrip(), pager.width, size, font)
        lines = [lines[0], *rest]
    for i, line in enumerate(lines):
        pager.ensure(_BODY_LEADING)
        x = pager.left + (first if i == 0 else 0.0)
        room = pager.right - x
        natural = _width(line, size, font)
        gaps = len(line) - 1
        spare = (room - natural) / gaps if gaps > 0 and i < len(lines) - 1 else 0.0
        pager.y += _BODY_LEADING
        pager.text(x, pager.y - 7, line, size, bold=bold, char_space=spare if 0 < spare < size * 0.3 else 0.0)


def _title(pager: _Pager, report: Report, prose: Prose) -> None:
    title = prose.title
    lines = [report.agency, title[len(report.agency):]] if title.startswith(report.agency) else wrap(
        title, pager.width, _TITLE, pager.heading_font)
    pager.y += 40
    for line in lines:
        pager.y += _TITLE * 1.55
        pager.text(pager.left + (pager.width - _width(line, _TITLE, pager.heading_font)) / 2, pager.y, line, _TITLE,
                   bold=True)
    pager.y += 30


def _closing(pager: _Pager, prose: Prose) -> None:
    pager.ensure(_BODY_LEADING * 4)
    pager.y += _BODY_LEADING
    for line in (prose.signature, prose.date_line):
        pager.y += _BODY_LEADING
        pager.text(pager.right - _width(line, _BODY, pager.font) - 2 * _BODY, pager.y - 7, line, _BODY)


def _extra_prose(prose: Prose, pages: int) -> list[str]:
    """About `pages` pages of further paragraphs for section 一 (the report's own sentences)."""
    pool = [p for _, paragraphs in prose.sections for p in paragraphs if len(p) > 30] or prose.preface
    per_page = 22 * 27  # lines × characters
    out, size, i = [], 0, 0
    while size < pages * per_page:
        out.append(pool[i % len(pool)])
        size += len(out[-1]) + 27
        i += 1
    return out


# ---------------------------------------------------------------- tables


@dataclass
class _Placed:
    """A span and where it sits in the table."""

    span: Span
    row: int
    col: int
    lines: list[str] = field(default_factory=list)

    @property
    def rows(self) -> range:
        return range(self.row, self.row + self.span.rowspan)


@dataclass
class _TableShape:
    sheet: Sheet
    style: _TableStyle
    xs: list[float]  # column boundaries, absolute
    heights: list[float]
    placed: list[_Placed]


def _column_widths(sheet: Sheet, style: _TableStyle, width: float) -> list[float]:
    if style.widths is None:
        return [width / sheet.width] * sheet.width
    fixed = list(style.widths)
    if len(fixed) < sheet.width:  # label columns fixed, value columns share the rest
        n = sheet.width - len(fixed)
        fixed += [max(_PORTRAIT_WIDTH - sum(fixed), 0) / n] * n
    scale = width / sum(fixed)
    return [w * scale for w in fixed]


def _shape(sheet: Sheet, left: float, width: float, font: str, vertical_font: bool = False) -> _TableShape:
    style = _STYLES[sheet.table]
    widths = _column_widths(sheet, style, width)
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    placed = [_Placed(span, r, c) for r, row in enumerate(sheet.origins()) for c, span in row]
    heights = [style.min_height] * len(sheet.rows)
    for p in placed:
        inner = xs[p.col + p.span.colspan] - xs[p.col] - 2 * style.pad_x
        p.lines = vertical_lines(p.span.text, vertical_font) if p.span.vertical else wrap(
            p.span.text, inner, style.size, font)
    for p in sorted(placed, key=lambda p: p.span.rowspan):
        need = len(p.lines) * style.leading + 2 * style.pad_y
        have = sum(heights[r] for r in p.rows)
        if need > have:
            heights[p.rows[-1]] += need - have
    return _TableShape(sheet, style, xs, heights, placed)


def _row_keys(sheet: Sheet) -> list[str | None]:
    out = []
    for row in sheet.rows:
        out.append(next((s.key[1] for s in row if s.key is not None), None))
    return out


def _paginate(shape: _TableShape, first_room: float, page_room: float, layout: PdfLayout) -> list[list[int]]:
    """Rows drawn on each page, repeated header rows included."""
    head = list(range(shape.sheet.header_rows))
    head_h = sum(shape.heights[r] for r in head)
    keys = _row_keys(shape.sheet)
    pages: list[list[int]] = [list(head)]
    room = first_room - head_h
    for r in range(len(head), len(shape.sheet.rows)):
        h = shape.heights[r]
        forced = shape.sheet.table == "requests" and layout.split_before is not None and keys[r] == layout.split_before
        if (h > room or forced) and len(pages[-1]) > len(head):
            repeat = head if layout.repeat_header else []
            pages.append(list(repeat))
            room = page_room - sum(shape.heights[x] for x in repeat)
        pages[-1].append(r)
        room -= h
    return pages


def _rows_until_split(shape: _TableShape, layout: PdfLayout) -> int:
    """How many rows must share the first page (all rows before the forced split, or three)."""
    keys = _row_keys(shape.sheet)
    if shape.sheet.table == "requests" and layout.split_before in keys:
        return keys.index(layout.split_before)
    return min(len(keys), shape.sheet.header_rows + 2)


def keep_height(sheet: Sheet, pager: "_Pager") -> float:
    """Height of the part of `sheet` that must stay on the page of its heading."""
    shape = _shape(sheet, pager.left, pager.width, pager.font, pager.layout.vertical_font)
    return sum(shape.heights[: _rows_until_split(shape, pager.layout)]) + 8


def _draw_table(pager: _Pager, sheet: Sheet) -> None:
    shape = _shape(sheet, pager.left, pager.width, pager.font, pager.layout.vertical_font)
    pager.y += 8
    if pager.space() < sum(shape.heights[: shape.sheet.header_rows + 1]):
        pager.new_page()  # never a header alone at the foot of a page
    pages = _paginate(shape, pager.space(), pager.bottom - pager.top, pager.layout)
    tops: list[dict[int, float]] = []
    for i, rows in enumerate(pages):
        y = pager.y if i == 0 else pager.top
        at = {}
        for r in rows:
            at[r] = y
            y += shape.heights[r]
        tops.append(at)
    parts = _cell_parts(shape, tops)
    for i, rows in enumerate(pages):
        if i:
            pager.new_page()
        for p, top, bottom, lines in parts.get(i, []):
            _paint_cell(pager, shape, p, top, bottom, lines)
        pager.y = tops[i][rows[-1]] + shape.heights[rows[-1]]
    pager.y += 12


def _cell_parts(shape: _TableShape, tops: list[dict[int, float]]) -> dict[int, list]:
    """Each span's part on each page it reaches. A span cut by a page break gives the part
    before the break as many of its lines as fit there, the rest go on (（四）无 | 法提供)."""
    style = shape.style
    out: dict[int, list] = {}
    for p in shape.placed:
        parts = []
        for i, at in enumerate(tops):
            rows = [r for r in p.rows if r in at]
            if rows:
                parts.append((i, at[rows[0]], at[rows[0]] + sum(shape.heights[r] for r in rows)))
        lines = list(p.lines)
        repeated = p.row + p.span.rowspan <= shape.sheet.header_rows  # a header drawn again in full
        for j, (i, top, bottom) in enumerate(parts):
            if repeated:
                mine = lines
            elif j == len(parts) - 1:
                mine, lines = lines, []
            else:
                fits = max(int((bottom - top - 2 * style.pad_y) // style.leading), 0)
                mine, lines = lines[:fits], lines[fits:]
            out.setdefault(i, []).append((p, top, bottom, mine))
    return out


def _paint_cell(pager: _Pager, shape: _TableShape, p: _Placed, top: float, bottom: float, lines: list[str]) -> None:
    style = shape.style
    x0, x1 = shape.xs[p.col], shape.xs[p.col + p.span.colspan]
    pager.table_pages.add(pager.number)
    if not pager.layout.borderless:
        pager.rect(x0, top, x1, bottom)
    if not lines:
        return
    block = len(lines) * style.leading
    y = top + (bottom - top - block) / 2
    align = "center" if p.span.role in ("head", "group", "value", "extra") or p.span.vertical else style.align
    if shape.sheet.table == "active_disclosure":
        align = "left"
    if p.span.vertical and pager.layout.vertical_font:
        _paint_vertical(pager, p.span.text, (x0 + x1) / 2, y, lines, style)
        return
    for line in lines:
        y += style.leading
        baseline = y - (style.leading - style.size) / 2 - style.size * 0.12
        w = _width(line, style.size, pager.font)
        x = x0 + style.pad_x if align == "left" else x0 + (x1 - x0 - w) / 2
        pager.text(x, baseline, line, style.size, fake=True)


def _paint_vertical(pager: _Pager, text: str, centre: float, y: float, glyphs: list[str], style: _TableStyle) -> None:
    """A vertical header in a vertical font, one glyph per place down the cell, each placed by
    its vertical origin (the top centre of its em square)."""
    font = vertical_font_for(pager.layout.font, text)
    tops = []
    for _ in glyphs:
        y += style.leading
        baseline = y - (style.leading - style.size) / 2 - style.size * 0.12
        tops.append(baseline - style.size * VERTICAL_ORIGIN_Y / 1000)
    pager.vertical_text(centre, tops, glyphs, style.size, font)


# ---------------------------------------------------------------- the document

_TABLE_AFTER = {1: "active_disclosure", 2: "requests", 3: "review_litigation"}  # section index → table


def render_pdf(report: Report, layout: PdfLayout = PdfLayout()) -> bytes:
    """The report as a PDF file (deterministic for the report and layout)."""
    return _render(report, layout)[0]


def _render(report: Report, layout: PdfLayout,
            encrypt: pdfencrypt.StandardEncryption | None = None) -> tuple[bytes, frozenset[int]]:
    """The PDF and the (1-based) pages its tables are drawn on."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1, encrypt=encrypt, pageCompression=1)
    prose = write_prose(report)
    canvas.setTitle(prose.title)
    canvas.setAuthor(report.agency)
    canvas.setCreator("WPS 文字")
    pager = _Pager(canvas, layout)
    tables = sheets(report)
    _title(pager, report, prose)
    for text in prose.preface:
        _paragraph(pager, text)
    last_table = max((i for i, t in _TABLE_AFTER.items() if t in tables), default=None)
    for i, (heading, paragraphs) in enumerate(prose.sections):
        sheet = tables.get(_TABLE_AFTER.get(i, ""))
        if layout.landscape and i == 1:
            pager.new_page(landscape=True)
        if layout.landscape and last_table is not None and i == last_table + 1:
            pager.new_page(landscape=False)
        if sheet is not None:
            intro = sum(len(wrap(p, pager.width - 2 * _BODY, _BODY, pager.font)) for p in paragraphs) * _BODY_LEADING
            pager.ensure(_BODY_LEADING * 1.4 + intro + keep_height(sheet, pager))
        else:
            pager.ensure(_BODY_LEADING * 3)
        pager.y += _BODY_LEADING * 0.4
        _paragraph(pager, heading, bold=True)
        body = paragraphs + (_extra_prose(prose, layout.prose_pages) if i == 0 and layout.prose_pages else [])
        for text in body:
            _paragraph(pager, text)
        if sheet is not None:
            _draw_table(pager, sheet)
    _closing(pager, prose)
    pager.close()
    canvas.save()
    return buf.getvalue(), frozenset(pager.table_pages)


# ---------------------------------------------------------------- real-world shapes, for accuracy runs

#: the WPS layouts a vertical-font report comes in; a seed picks one
_VERTICAL_FONT_LAYOUTS = (PdfLayout(vertical_font=True), PdfLayout(vertical_font=True, repeat_header=True),
                          PdfLayout(vertical_font=True, split_before=None, prose_pages=1),
                          PdfLayout(vertical_font=True, borderless=True))


def render_wps_vertical_font(report: Report, seed: int = 0) -> tuple[bytes, str]:
    """Shape ``wps_vertical_font``: a WPS export whose 三、本年度办理结果 is set in an Identity-V
    font (the seed picks split, repeated header, natural breaks or no rulings). (bytes, filename)"""
    layout = _VERTICAL_FONT_LAYOUTS[seed % len(_VERTICAL_FONT_LAYOUTS)]
    return render_pdf(report, layout), f"report-{seed}.pdf"


def render_mixed_pdf(report: Report, seed: int = 0) -> tuple[bytes, str]:
    """Shape ``mixed_pdf``: text pages with the tables as pictures; by seed, every table page as
    a picture, only the page where table 三 starts, or each table cut out as a picture with the
    prose around it left as text. (bytes, filename)"""
    variant = seed % 3
    if variant == 2:
        return mixed_pdf(report, PdfLayout(), tables_only=True), f"report-{seed}.pdf"
    pages = None
    if variant == 1:
        table_pages = sorted(_render(report, PdfLayout())[1])
        pages = [table_pages[1] if len(table_pages) > 1 else table_pages[0]]
    return mixed_pdf(report, PdfLayout(), pages=pages), f"report-{seed}.pdf"


#: real-world PDF shapes by name: (forged report, seed) → (bytes, filename)
SHAPES = {"wps_vertical_font": render_wps_vertical_font, "mixed_pdf": render_mixed_pdf}


def expected_texts(sheet: Sheet) -> list[list[str]]:
    """The table as a reader must return it: every position holds its cell's text, line breaks
    removed (a merged cell's text at every position it covers)."""
    return [[span.flat if span is not None else "" for span in row] for row in sheet.dense()]


# ---------------------------------------------------------------- bad PDFs, for tests


def encrypted_pdf(report: Report, layout: PdfLayout = PdfLayout(), user_password: str = "",
                  owner_password: str = "owner-secret") -> bytes:
    """The report encrypted (RC4 128). With an empty user password any reader may open it, as
    many portals' PDFs are; with a user password it cannot be read without it."""
    enc = pdfencrypt.StandardEncryption(user_password, owner_password, canPrint=1, canModify=0, canCopy=0,
                                        canAnnotate=0, strength=128)
    return _render(report, layout, encrypt=enc)[0]


def scanned_pdf(report: Report, layout: PdfLayout = PdfLayout(), dpi: int = 100,
                pages: Iterable[int] | None = None) -> bytes:
    """The report as a scan: pages turned into greyscale images with no text layer. `pages`
    (1-based) scans only those, as when the tables were pasted into the report as pictures."""
    import pypdfium2 as pdfium

    from extract.read.pdf.geometry import PDFIUM_LOCK  # pdfium is not thread-safe

    source_bytes = render_pdf(report, layout)
    with PDFIUM_LOCK:
        return _scan(pdfium.PdfDocument(source_bytes), layout, dpi, pages)


def _scan(source, layout: PdfLayout, dpi: int, pages: Iterable[int] | None) -> bytes:
    """Each chosen page of `source` rendered to a JPEG and placed as the whole page."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    canvas.setCreator("Scanner")
    chosen = set(pages) if pages is not None else None
    try:
        for i in range(len(source)):
            if chosen is not None and i + 1 not in chosen:
                _copy_page_text(canvas, source, i, fonts(layout.font)[0])
                continue
            page = source[i]
            w, h = page.get_size()
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            page.close()
            jpeg = io.BytesIO()
            image.save(jpeg, format="JPEG", quality=70)
            canvas.setPageSize((w, h))
            canvas.drawImage(ImageReader(io.BytesIO(jpeg.getvalue())), 0, 0, width=w, height=h)
            canvas.showPage()
    finally:
        source.close()
    canvas.save()
    return buf.getvalue()


def _copy_page_text(canvas: Canvas, source, index: int, font: str) -> None:
    """Re-typeset a page's text line by line (the unscanned pages of a partly scanned file)."""
    page = source[index]
    w, h = page.get_size()
    textpage = page.get_textpage()
    canvas.setPageSize((w, h))
    y = h - _MARGIN["top"]
    for line in textpage.get_text_range().splitlines():
        if line.strip():
            canvas.setFont(font, _BODY)
            canvas.drawString(_MARGIN["left"], y, line.strip())
            y -= _BODY_LEADING
    textpage.close()
    page.close()
    canvas.showPage()


def mixed_pdf(report: Report, layout: PdfLayout = PdfLayout(), dpi: int = 200,
              pages: Iterable[int] | None = None, tables_only: bool | Iterable[int] = False) -> bytes:
    """The report with its table pages turned into pictures and its other pages left as text, as
    when a Word report with tables pasted as screenshots is exported: each table page (or each
    of `pages`, 1-based) becomes one greyscale JPEG of the whole page, with only its page number
    kept as text; every other page is untouched. With `tables_only` (True, or the pages it
    applies to), only each ruled table becomes a picture, cut to its rulings, and the prose
    around it stays text."""
    import pypdfium2 as pdfium

    from extract.read.pdf.geometry import PDFIUM_LOCK  # pdfium is not thread-safe

    if tables_only:  # pdfium rewrites the text it keeps, which only a Unicode-encoded CID font survives
        layout = replace(layout, font="builtin")
    source, table_pages = _render(report, layout)
    chosen = sorted(set(pages) if pages is not None else table_pages)
    cut = set(chosen) if tables_only is True else set(tables_only or ())
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(source)
        try:
            for number in chosen:
                _picture_page(doc, number - 1, dpi, number in cut)
            out = io.BytesIO()
            doc.save(out)
        finally:
            doc.close()
    return out.getvalue()


def _picture_page(doc, index: int, dpi: int, tables_only: bool = False) -> None:
    """Replace what page `index` draws by a picture of it, keeping its page number's text (or,
    `tables_only`, replace each ruled table by a picture of it, keeping the text around)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    page = doc[index]
    try:
        width, height = page.get_size()
        scale = dpi / 72
        picture = page.render(scale=scale, grayscale=True).to_pil()
        objects = list(page.get_objects(max_depth=1))
        regions = _ruled_regions(objects) if tables_only else []
        if not regions:
            regions = [(0.0, 0.0, width, height)]
        textpage = page.get_textpage()
        for obj in objects:
            if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT and _is_page_number_object(obj, textpage):
                continue
            left, bottom, right, top = obj.get_bounds()
            cx, cy = (left + right) / 2, (bottom + top) / 2
            if any(x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1 for x0, y0, x1, y1 in regions):
                page.remove_obj(obj)
        textpage.close()
        for x0, y0, x1, y1 in regions:
            crop = picture.crop((int(x0 * scale), int((height - y1) * scale),
                                 int(round(x1 * scale)), int(round((height - y0) * scale))))
            jpeg = io.BytesIO()
            crop.save(jpeg, format="JPEG", quality=80)
            image = pdfium.PdfImage.new(doc)
            image.load_jpeg(io.BytesIO(jpeg.getvalue()), inline=False)
            image.set_matrix(pdfium.PdfMatrix().scale(x1 - x0, y1 - y0).translate(x0, y0))
            page.insert_obj(image)
        page.gen_content()
    finally:
        page.close()


def _ruled_regions(objects, pad: float = 1.5) -> list[tuple[float, float, float, float]]:
    """Boxes (PDF coordinates) of the ruled tables on a page: path objects whose boxes touch,
    merged, each padded a little."""
    import pypdfium2.raw as pdfium_c

    boxes = sorted((o.get_bounds() for o in objects if o.type == pdfium_c.FPDF_PAGEOBJ_PATH), key=lambda b: -b[3])
    regions: list[list[float]] = []
    for left, bottom, right, top in boxes:
        if regions and top >= regions[-1][1] - 2.0:  # touches the region above (sorted by top, downwards)
            r = regions[-1]
            r[0], r[1], r[2], r[3] = min(r[0], left), min(r[1], bottom), max(r[2], right), max(r[3], top)
        else:
            regions.append([left, bottom, right, top])
    return [(r[0] - pad, r[1] - pad, r[2] + pad, r[3] + pad) for r in regions]


def _is_page_number_object(obj, textpage) -> bool:
    import ctypes

    import pypdfium2.raw as pdfium_c

    n = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    buf = ctypes.create_string_buffer(n)
    pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), n)
    text = buf.raw.decode("utf-16-le", errors="ignore").rstrip("\x00").strip()
    return bool(re.fullmatch(r"-\s*\d+\s*-", text))  # the footer's - N -


def cid_font_pdf(report: Report, layout: PdfLayout = PdfLayout()) -> bytes:
    """The report with a CID font whose codes cannot be turned back into text: Identity-H
    encoding, an unknown character collection and no ToUnicode map. pdfminer prints ``(cid:N)``,
    pdfium invents unrelated characters. (Glyphs render wrongly too: the point is the text layer.)"""
    data = render_pdf(report, replace(layout, font="builtin"))
    # same-length substitutions keep every byte offset of the cross-reference table valid
    data = data.replace(b"/Registry (Adobe)", b"/Registry (Xdobe)")
    return data.replace(b"/Encoding /UniGB-UCS2-H", b"/Encoding /Identity-H  ")


def truncated_pdf(data: bytes, keep: float = 0.6) -> bytes:
    """The first `keep` share of a PDF file, as an interrupted download leaves it."""
    if not 0 < keep < 1:
        raise ValueError("keep must be between 0 and 1")
    return data[: int(len(data) * keep)]
