"""The two engines: pdfium (opening a file, its characters, the ruling edges of its paths, the
printed box of a vertical glyph) and pdfplumber, the reference engine kept to compare with."""

from __future__ import annotations

import ctypes
from collections import Counter

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.model import Finding, ReadError
from extract.read.pdf.geometry import Char, PageGeometry
from extract.read.pdf.page_text import is_wide


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


def document_title(doc: pdfium.PdfDocument) -> str | None:
    try:
        title = (doc.get_metadata_dict() or {}).get("Title") or ""
    except Exception:  # broken metadata never stops a read
        return None
    title = title.strip()
    return title if any(is_wide(ch) for ch in title) else None




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


#: character codes pdfium reports that draw no glyph (line breaks, markers, nulls): never a Char
SKIPPED_CODES = {0x0A, 0x0D, 0xFFFE, 0x02, 0x00}


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
        if code in SKIPPED_CODES or is_generated(raw, i):
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




def plumber_geometry(page, number: int) -> tuple[PageGeometry, int]:
    """The same geometry from a pdfplumber page (slower; used to cross-check pdfium)."""
    deduped = page.dedupe_chars()
    chars = [Char(c["text"], c["x0"], c["x1"], c["top"], c["bottom"], c["bottom"] - c["top"]) for c in deduped.chars]
    unmapped = sum(1 for c in chars if c.text.startswith("(cid:"))
    edges = [{k: e[k] for k in ("x0", "x1", "top", "bottom", "width", "height", "orientation", "object_type")}
             for e in page.edges]
    return PageGeometry(number, float(page.width), float(page.height), chars, edges), unmapped
