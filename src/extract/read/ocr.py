"""Scans → Document: the table grid from the ruling lines, then Tesseract cell by cell.

For images (PNG, JPEG, TIFF, also ``<img>`` tables of web pages) and PDF pages with no text layer.
A page is read in steps:

    prepare_page     Otsu threshold, and a laxer one for thin grey rulings; the page's tilt
                     measured on its long rulings (a least-squares fit) or, without rulings, as
                     the angle that makes the ink rows sharpest; turned level
    find_rulings     long horizontal and vertical runs of ink (a 1-D morphological opening)
    find_tables      rulings that touch and frame an area form a table: rows at the horizontal
                     rulings, columns wherever a vertical ruling crosses a whole row
    merge_cells      a base cell joins its neighbour where the ruling between them is missing
                     (a merged cell): one `OcrCell` at every position it covers, as `Document` wants
    read_cells       every inked cell cropped without rulings or dust, cut into text lines, the
                     lines of all cells stacked into one montage and read by Tesseract (chi_sim)
                     in one run; cells that may hold a number are read again by a digit reader
                     (``eng`` with a digit whitelist) and, where the two disagree, twice more;
                     the value most readings agree on wins
    read_lines       the text around the tables (titles, prose) as `Line`s, in reading order

Every OCR'd cell carries its confidence (0–1: Tesseract's lowest word confidence, the best of
the readings that agree, cut below the flag threshold when no two readings agree). A cell with
no ink is blank, never a zero; a cell whose ink could not be read keeps what Tesseract gave
(possibly nothing) and a low confidence, so the flag `cell.low_confidence` can say so. Nothing
is invented: the template's identities are for the checks to flag misreads, not for the reader
to fix them; the reader knows no template.

External programs run without a shell and with timeouts: ``tesseract`` (Debian ``tesseract-ocr``
and ``tesseract-ocr-chi-sim``; ``eng`` comes with it) and, for PDF pages, ``pdftoppm``
(poppler-utils). Tesseract runs as a command rather than through pytesseract: one process per
montage, TSV output for boxes and confidences, and the timeout in our hands.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from scipy import ndimage

from extract.model import Block, Cell, Document, Finding, Grid, Line, ReadError
from extract.values import parse_value

TESSERACT_TIMEOUT_S = 180.0
PDFTOPPM_TIMEOUT_S = 120.0
PDF_DPI = 200
MAX_PIXELS = 80_000_000  # a page image larger than this is refused (decompression bombs)
LOW_CONFIDENCE = 0.80  # below this a cell is flagged cell.low_confidence
DASH_CONFIDENCE = 0.9  # a lone level stroke, read by its shape
LANG_TEXT = "chi_sim"
MONTAGE_PSM = 6  # a uniform block: the montage is one column of lines
DIGITS = "0123456789.-/"
MAX_SKEW_DEG = 5.0
MAX_SIDE = 3600  # pixels: an A4 page at about 300 dpi
CELL_INSET = 5  # pixels along a cell's sides that belong to its rulings
RULED = 0.92  # share of a cell side that must be ink for a ruling: text never fills more than ~85 %

_TSV_FIELDS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num", "left", "top", "width",
               "height", "conf", "text")
#: glyphs chi_sim returns for others in these fonts: the angle bracket for a full-width parenthesis
_CONFUSIONS = str.maketrans({"〈": "（", "〉": "）"})
#: an opening bracket closed by a parenthesis (or the reverse): one of the two was misread
_MISMATCHED = re.compile(r"[《〈<（(]([^《》〈〉<>()（）]*)[)）》〉>]")
#: what chi_sim reads for digits of a serifed font: 1 as 工 | ] 】, 7 as 了, touching 12 as 卫
_DIGIT_LOOKALIKES = "工丨|]】[【了卫lIoO"
_VALUE_LIKE = re.compile(rf"^[0-9０-９.．,，/／\-－—–_一{re.escape(_DIGIT_LOOKALIKES)}]+件?$")
_UNITS = frozenset("件个项次份条宗起家元")
_STRAY = ":：;；'\"`‘’“”,，。·.、"  # what dust next to a number reads as
_DUST = " .,:;'`·\""  # what dust at the end of a line of a cell reads as


@dataclass(frozen=True, eq=False)
class OcrCell(Cell):
    """A cell read by OCR. `confidence` is None for a cell with no ink (blank by sight)."""

    confidence: float | None = None

    @property
    def low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE


# ---------------------------------------------------------------- entry points


def read_image(data: bytes, filename: str | None = None) -> Document:
    """An image file (every frame of a multi-page TIFF) as lines and OCR grids."""
    frames = load_images(data)
    blocks: list[Block] = []
    for number, frame in enumerate(frames, start=1):
        blocks.extend(ocr_page(frame, number))
    return Document("image", blocks, pages=len(frames), findings=ocr_findings(blocks))


def read_scanned_pdf(data: bytes, filename: str | None = None, dpi: int = PDF_DPI) -> Document:
    """A PDF whose pages are images only, every page OCR'd (format stays ``pdf``)."""
    pages = render_pdf_pages(data, None, dpi)
    blocks = [b for number, image in pages for b in ocr_page(image, number)]
    return Document("pdf", blocks, pages=len(pages), findings=ocr_findings(blocks))


def ocr_pdf_pages(data: bytes, pages: list[int], dpi: int = PDF_DPI) -> list[Block]:
    """Blocks of the given (1-based) pages of a PDF, read by OCR, in page order: for the PDF
    reader, on pages without a text layer."""
    return [b for number, image in render_pdf_pages(data, pages, dpi) for b in ocr_page(image, number)]


def ocr_image_blocks(data: bytes, page: int | None = None) -> list[Block]:
    """Blocks of one embedded image (an ``<img>`` table of a web page); [] when it cannot be
    decoded, so one broken image never fails the page around it."""
    try:
        frames = load_images(data)
    except ReadError:
        return []
    return [b for frame in frames for b in ocr_page(frame, page)]


def ocr_findings(blocks: list[Block]) -> list[Finding]:
    """A note of what OCR did, so a reader of the flags knows the cells came from a scan."""
    grids = [b for b in blocks if isinstance(b, Grid) and b.method == "ocr"]
    cells = {id(c): c for g in grids for row in g.rows for c in row if isinstance(c, OcrCell)}
    low = sum(c.low_confidence for c in cells.values())
    if not grids:
        return [Finding("ocr.no_table", "warning", "OCR found no ruled table in the scanned page(s)")]
    return [Finding("ocr.used", "info", f"{len(grids)} table(s) read by OCR from scanned page(s); "
                                        f"{low} of {len(cells)} cells read with low confidence")]


def load_images(data: bytes) -> list[Image.Image]:
    """Every frame of an image file as greyscale, EXIF rotation applied; `ReadError` when the
    bytes are not an image or too large to be a page."""
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ReadError(f"image of {image.width}×{image.height} pixels is too large to be a page "
                            f"(limit {MAX_PIXELS:,} pixels)", check="image.too_large")
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(ImageOps.exif_transpose(image).convert("L"))
        return frames
    except Image.DecompressionBombError as exc:
        raise ReadError(f"image too large to be a page: {exc}", check="image.too_large") from exc
    except (UnidentifiedImageError, OSError, ValueError, EOFError) as exc:
        raise ReadError(f"not a readable image: {exc}", check="image.corrupt") from exc


def render_pdf_pages(data: bytes, pages: list[int] | None, dpi: int = PDF_DPI) -> list[tuple[int, Image.Image]]:
    """(page number, greyscale image) for the given pages (all when None), by pdftoppm."""
    if shutil.which("pdftoppm") is None:
        raise ReadError("pdftoppm (Debian poppler-utils) is not installed, so scanned PDF pages cannot be "
                        "rendered for OCR", check="ocr.unavailable")
    out: list[tuple[int, Image.Image]] = []
    with tempfile.TemporaryDirectory(prefix="ogi-ocr-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        ranges = [(p, p) for p in sorted(set(pages))] if pages is not None else [(None, None)]
        for first, last in ranges:
            command = ["pdftoppm", "-r", str(dpi), "-gray"]
            if first is not None:
                command += ["-f", str(first), "-l", str(last)]
            prefix = Path(tmp) / f"p{first or 0}"
            _run(command + [str(source), str(prefix)], PDFTOPPM_TIMEOUT_S, "pdftoppm")
            for path in sorted(Path(tmp).glob(f"{prefix.name}-*.pgm"), key=_page_number):
                with Image.open(path) as image:
                    out.append((_page_number(path), image.convert("L")))
                path.unlink()
    return out


def _page_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


# ---------------------------------------------------------------- one page


@dataclass
class Page:
    """A page being read: the deskewed grey image and its ink."""

    grey: np.ndarray  # uint8, 255 = paper
    ink: np.ndarray  # bool, text and rulings (Otsu)
    line_ink: np.ndarray  # bool, a laxer threshold for thin rulings
    number: int | None


def ocr_page(image: Image.Image, number: int | None = None) -> list[Block]:
    """One page: its tables as OCR grids and the text around them as lines, top to bottom."""
    page = prepare_page(image, number)
    horizontal, vertical = find_rulings(page.line_ink)
    tables = find_tables(horizontal, vertical, page.line_ink)
    placed: list[tuple[float, float, Block]] = []
    for table in tables:
        placed.append((table.top, table.left, read_table(page, table, horizontal | vertical)))
    for top, left, line in read_lines(page, tables):
        placed.append((top, left, line))
    placed.sort(key=lambda item: (item[0], item[1]))
    return [block for _, _, block in placed]


def prepare_page(image: Image.Image, number: int | None) -> Page:
    """The page in grey, level, with its ink at two thresholds. A scan finer than about 300 dpi
    is reduced first: more pixels only cost time."""
    image = image.convert("L")
    if max(image.size) > MAX_SIDE:
        factor = MAX_SIDE / max(image.size)
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.LANCZOS)
    grey = np.asarray(image)
    threshold = otsu_threshold(grey)
    angle = skew_angle(grey < threshold, _lax(grey, threshold))
    if abs(angle) > 0.01:
        grey = np.asarray(Image.fromarray(grey).rotate(-angle, resample=Image.BICUBIC, fillcolor=255))
    threshold = otsu_threshold(grey)
    return Page(grey, grey < threshold, _lax(grey, threshold), number)


def _lax(grey: np.ndarray, threshold: int) -> np.ndarray:
    """Ink at a laxer threshold: thin rulings come out grey once scanned."""
    return grey < min(235, (threshold + 255) // 2)


def otsu_threshold(grey: np.ndarray) -> int:
    """The grey level that best splits ink from paper (Otsu's method)."""
    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1) * total
    return int(np.argmax(between[:-1])) + 1


def skew_angle(ink: np.ndarray, line_ink: np.ndarray, limit: float = MAX_SKEW_DEG) -> float:
    """Degrees the page is turned counter-clockwise. Long ruling lines, when the page has them,
    give the angle to a hundredth of a degree (a straight-line fit); otherwise the angle whose ink
    row profile is sharpest."""
    fitted = ruling_slope(line_ink)
    if fitted is not None:
        return fitted
    best = 0.0
    for pool, angles in ((4, np.arange(-limit, limit + 1e-9, 0.1)), (2, np.arange(-0.1, 0.1 + 1e-9, 0.01))):
        ys, xs = np.nonzero(_pool(ink, pool))
        if len(ys) < 50:
            return 0.0
        if len(ys) > 300_000:
            ys, xs = ys[:: len(ys) // 300_000 + 1], xs[:: len(xs) // 300_000 + 1]
        best = _sharpest(ys, xs, best + angles)
    return float(best)


def ruling_slope(line_ink: np.ndarray, max_deg: float = 2.0) -> float | None:
    """The page's angle from its long horizontal rulings (each fitted by least squares, the
    median taken), or None when it has fewer than two."""
    h, w = line_ink.shape
    tall = ndimage.maximum_filter1d(line_ink, 5, axis=0)  # a tilted line stays one run
    lines = _open_line(tall, max(25, w // 30), axis=1)
    labels, count = ndimage.label(lines)
    angles = []
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None or box[1].stop - box[1].start < w // 5 or box[0].stop - box[0].start > 0.04 * w:
            continue
        ys, xs = np.nonzero((labels[box] == index) & line_ink[box])
        if len(xs) < 50:
            continue
        slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
        angles.append(-np.degrees(np.arctan(slope)))
    if len(angles) < 2:
        return None
    angle = float(np.median(angles))
    return angle if abs(angle) <= max_deg else None


def _pool(mask: np.ndarray, k: int) -> np.ndarray:
    h, w = (mask.shape[0] // k) * k, (mask.shape[1] // k) * k
    return mask[:h, :w].reshape(h // k, k, w // k, k).any(axis=(1, 3))


def _sharpest(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> float:
    scores = []
    for angle in angles:
        rows = np.round(ys + xs * np.tan(np.radians(angle))).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        scores.append(float(np.dot(counts, counts)))
    return float(angles[int(np.argmax(scores))])


# ---------------------------------------------------------------- rulings and tables


def find_rulings(line_ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) masks of ruling lines: runs of ink longer than any glyph stroke."""
    h, w = line_ink.shape
    across = max(25, w // 30)
    down = max(25, h // 45)
    thick_h = ndimage.maximum_filter1d(line_ink, 3, axis=0)  # bridge a one-pixel step of a tilted line
    thick_v = ndimage.maximum_filter1d(line_ink, 3, axis=1)
    return _open_line(thick_h, across, axis=1), _open_line(thick_v, down, axis=0)


def _open_line(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Morphological opening by a 1-D line of `length` pixels along `axis`."""
    window = ndimage.uniform_filter1d(mask.astype(np.float32), length, axis=axis, mode="constant")
    core = window > 1 - 1e-4
    return ndimage.uniform_filter1d(core.astype(np.float32), length, axis=axis, mode="constant") > 1e-4


@dataclass
class TableShape:
    """One ruled table: its ruling positions and the base grid cells they make."""

    xs: list[int]  # vertical ruling positions, left to right
    ys: list[int]  # horizontal ruling positions, top to bottom
    tol: int

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def left(self) -> float:
        return self.xs[0]


def find_tables(horizontal: np.ndarray, vertical: np.ndarray, line_ink: np.ndarray) -> list[TableShape]:
    """Groups of rulings that touch, with a frame: some horizontal line runs across the whole
    group and some vertical line down all of it (the outline of a table; the flat sides of drawn
    shapes do not). Rows come from the horizontal rulings; columns from every vertical ruling
    that crosses a whole row, however short (a separator only one row tall is a column too)."""
    joined = ndimage.binary_dilation(horizontal | vertical, iterations=2)
    groups, count = ndimage.label(joined, structure=np.ones((3, 3)))
    tables = []
    for index, box in enumerate(ndimage.find_objects(groups), start=1):
        if box is None:
            continue
        inside = groups[box] == index
        across, down = horizontal[box] & inside, vertical[box] & inside
        ys = [y + box[0].start for y in _positions(across, axis=0)]
        if len(ys) < 2 or not (_spans(across, axis=1) and _spans(down, axis=0)):
            continue
        xs = column_rulings(line_ink, ys, box[1].start, box[1].stop)
        if len(xs) >= 2:
            tables.append(TableShape(xs, ys, tol=4))
    return tables


def _spans(lines: np.ndarray, axis: int, share: float = 0.9) -> bool:
    """Some single line of `lines` covers `share` of the group along `axis`."""
    labels, count = ndimage.label(lines)
    extents = [b[axis].stop - b[axis].start for b in ndimage.find_objects(labels) if b is not None]
    return bool(extents) and max(extents) >= share * lines.shape[axis]


def _positions(mask: np.ndarray, axis: int) -> list[int]:
    """Centres of the ruling lines in `mask` across `axis` (rows for horizontal lines)."""
    profile = mask.sum(axis=1 - axis)
    length = mask.shape[1 - axis]
    return _runs(profile >= max(10, 0.04 * length))


def _runs(present: np.ndarray) -> list[int]:
    positions, start = [], None
    for i, on in enumerate(np.append(present, False)):
        if on and start is None:
            start = i
        elif not on and start is not None:
            positions.append((start + i - 1) // 2)
            start = None
    return positions


def column_rulings(line_ink: np.ndarray, ys: list[int], left: int, right: int, tol: int = 4) -> list[int]:
    """x of every vertical ruling that crosses at least one row band from top to bottom (text
    never does: a line of text leaves the leading between lines white)."""
    found: list[int] = []
    for y0, y1 in zip(ys, ys[1:]):
        if y1 - y0 <= 2 * tol + 2:
            continue
        band = ndimage.maximum_filter1d(line_ink[y0 + tol:y1 - tol, left:right], 3, axis=1)
        found += [x + left for x in _runs(band.mean(axis=0) >= RULED)]
    xs: list[int] = []
    for x in sorted(found):
        if xs and x - xs[-1] <= tol:
            continue
        xs.append(x)
    return xs


def merge_cells(table: TableShape, line_ink: np.ndarray) -> list[list[int]]:
    """Base cell (r, c) → region number; neighbours with no ruling between them share a region."""
    rows, cols = len(table.ys) - 1, len(table.xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    t = table.tol
    for r in range(rows):
        y0, y1 = table.ys[r], table.ys[r + 1]
        for c in range(cols):
            x0, x1 = table.xs[c], table.xs[c + 1]
            if c + 1 < cols and not _ruled(line_ink[y0 + t:y1 - t, x1 - t:x1 + t + 1], axis=0):
                union(r * cols + c, r * cols + c + 1)
            if r + 1 < rows and not _ruled(line_ink[y1 - t:y1 + t + 1, x0 + t:x1 - t], axis=1):
                union(r * cols + c, (r + 1) * cols + c)
    return [[find(r * cols + c) for c in range(cols)] for r in range(rows)]


def _ruled(band: np.ndarray, axis: int) -> bool:
    """A ruling runs along the band (axis 0: down it, axis 1: across it): one line of pixels,
    give or take one for a slight tilt, is ink along nearly its whole length."""
    if band.size == 0:
        return True
    thick = ndimage.maximum_filter1d(band, 3, axis=1 - axis)
    return float(thick.mean(axis=axis).max()) >= RULED


# ---------------------------------------------------------------- cells


@dataclass
class _Region:
    """A cell being read: its box on the page (merged cells: the union), crops and reading."""

    top: int
    left: int
    bottom: int
    right: int
    crop: np.ndarray | None = None  # cleaned grey, tight around the ink; None when blank
    digit_crop: np.ndarray | None = None  # the same without dust outside the glyphs' box
    text: str = ""
    confidence: float | None = None


def read_table(page: Page, table: TableShape, rulings: np.ndarray) -> Grid:
    """The table as a grid of `OcrCell`s, merged cells one object at every position."""
    regions_of = merge_cells(table, page.line_ink)
    regions: dict[int, _Region] = {}
    for r, row in enumerate(regions_of):
        for c, key in enumerate(row):
            box = (table.ys[r], table.xs[c], table.ys[r + 1], table.xs[c + 1])
            found = regions.get(key)
            if found is None:
                regions[key] = _Region(*box)
            else:
                found.top, found.left = min(found.top, box[0]), min(found.left, box[1])
                found.bottom, found.right = max(found.bottom, box[2]), max(found.right, box[3])
    wide_rulings = ndimage.binary_dilation(rulings, iterations=2)
    found = {key: cell_glyphs(page, region, wide_rulings) for key, region in regions.items()}
    sizes = sorted(glyph_size(f[2]) for f in found.values() if f is not None)
    text_height = float(sizes[len(sizes) // 2]) if sizes else 0.0
    for key, region in regions.items():
        crops = cell_image(page, region, found[key], text_height) if found[key] is not None else None
        if crops is None:
            continue
        region.crop, region.digit_crop = crops
        dash = lone_dash(region.digit_crop, text_height)
        if dash:
            region.text, region.confidence, region.crop = dash, DASH_CONFIDENCE, None
    read_cells([r for r in regions.values() if r.crop is not None], text_height)
    cells = {key: OcrCell(region.text, page=page.number, confidence=region.confidence) for key, region in regions.items()}
    grid = Grid([[cells[key] for key in row] for row in regions_of], "ocr", page.number)
    return grid


def cell_glyphs(page: Page, region: _Region, rulings: np.ndarray) -> tuple[np.ndarray, np.ndarray, list] | None:
    """(ink, component labels, component boxes) of a cell, rulings removed; None when empty.
    Ink is taken at the lax threshold: a thin dash or slash in an 8 pt font comes out grey. A
    band along the sides is left out, where the cell's rulings run."""
    box = (slice(region.top, region.bottom), slice(region.left, region.right))
    ink = page.line_ink[box] & ~rulings[box]
    edge = CELL_INSET  # the cell's own rulings, short ones included, stay out
    ink[:edge, :] = ink[-edge:, :] = False
    ink[:, :edge] = ink[:, -edge:] = False
    labels, count = ndimage.label(ink, structure=np.ones((3, 3)))
    if count == 0:
        return None
    return ink, labels, ndimage.find_objects(labels)


def glyph_size(boxes: list) -> int:
    """The largest extent of the cell's largest component (its tallest or widest glyph)."""
    return max((max(b[0].stop - b[0].start, b[1].stop - b[1].start) for b in boxes if b is not None), default=0)


def cell_image(page: Page, region: _Region, found: tuple, text_height: float) -> tuple | None:
    """(text crop, digit crop) of the cell's ink on white, cropped tight; None when the cell
    holds no glyph.

    A component is a glyph when it spans at least a third of the table's text height (or is a
    level stroke a quarter of it long: a hyphen). The text
    crop keeps smaller components near the glyphs (the dots of 总 or 法 stand above or beside
    the body of the character); the digit crop keeps them only inside the glyphs' box (a
    decimal point) or a level stroke just before them (a minus sign) and drops the rest as
    dust, which a digit reader would read as a comma.
    """
    ink, labels, boxes = found
    minimum = max(3.0, 0.3 * text_height)
    glyphs = [i for i, b in enumerate(boxes, start=1) if b is not None and _is_glyph(b, minimum, text_height)]
    if not glyphs:
        return None
    top = min(boxes[i - 1][0].start for i in glyphs)
    bottom = max(boxes[i - 1][0].stop for i in glyphs)
    left = min(boxes[i - 1][1].start for i in glyphs)
    right = max(boxes[i - 1][1].stop for i in glyphs)
    reach = 0.25 * text_height
    near = np.zeros(len(boxes) + 1, dtype=bool)
    inside = np.zeros(len(boxes) + 1, dtype=bool)
    near[glyphs] = inside[glyphs] = True
    for i, b in enumerate(boxes, start=1):
        if b is None or near[i]:
            continue
        cy, cx = (b[0].start + b[0].stop) / 2, (b[1].start + b[1].stop) / 2
        height, width = b[0].stop - b[0].start, b[1].stop - b[1].start
        minus = width >= max(3, 2.5 * height) and left - reach < cx < left and top < cy < bottom
        inside[i] = (left < cx < right and top < cy < bottom) or minus
        near[i] = left - reach < cx < right + reach and top - reach < cy < bottom + reach
    box = (slice(region.top, region.bottom), slice(region.left, region.right))
    return _crop(page.grey[box], labels, near), _crop(page.grey[box], labels, inside)


def _is_glyph(box: tuple, minimum: float, text_height: float) -> bool:
    """Big enough to be a character, or a level stroke long enough to be a hyphen or dash."""
    height, width = box[0].stop - box[0].start, box[1].stop - box[1].start
    return max(height, width) >= minimum or (width >= 0.25 * text_height and width >= 2 * height)


def _crop(grey: np.ndarray, labels: np.ndarray, keep: np.ndarray) -> np.ndarray:
    mask = keep[labels] & (labels > 0)
    ys, xs = np.nonzero(mask)
    clean = np.where(ndimage.binary_dilation(mask, iterations=1), grey, 255).astype(np.uint8)
    return clean[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def lone_dash(crop: np.ndarray, text_height: float) -> str | None:
    """"—" or "-" when the cell holds one thin level stroke and nothing else (Tesseract drops a
    lone dash as a rule line); None otherwise."""
    height, width = crop.shape
    if height > max(2.0, 0.3 * text_height) or width < max(2 * height, 0.25 * text_height):
        return None
    _, count = ndimage.label(crop < 200, structure=np.ones((3, 3)))
    if count != 1:
        return None
    return "—" if width >= 0.6 * text_height else "-"


# ---------------------------------------------------------------- Tesseract


@dataclass(frozen=True)
class Word:
    top: int
    left: int
    height: int
    conf: float
    text: str
    line: tuple[int, int, int]  # block, paragraph, line


def tesseract_words(image: Image.Image, psm: int, whitelist: str | None = None,
                    lang: str = LANG_TEXT) -> list[Word]:
    """The words Tesseract reads in `image`, with boxes and confidences (TSV output)."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise ReadError("Tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-chi-sim), so scans "
                        "cannot be read", check="ocr.unavailable")
    command = [exe, "stdin", "stdout", "-l", lang, "--psm", str(psm), "--dpi", "300"]
    if whitelist:
        command += ["-c", f"tessedit_char_whitelist={whitelist}"]
    png = io.BytesIO()
    image.save(png, format="PNG")
    out = _run(command + ["tsv"], TESSERACT_TIMEOUT_S, "tesseract", png.getvalue())
    words = []
    for row in out.decode("utf-8", "replace").splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) != len(_TSV_FIELDS) or parts[0] != "5" or not parts[11].strip():
            continue
        fields = dict(zip(_TSV_FIELDS, parts))
        words.append(Word(int(fields["top"]), int(fields["left"]), int(fields["height"]),
                          max(0.0, float(fields["conf"])) / 100,
                          fields["text"].strip(), (int(fields["block_num"]), int(fields["par_num"]),
                                                   int(fields["line_num"]))))
    return words


def _run(command: list[str], timeout: float, name: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise ReadError(f"{name} did not finish within {timeout:g} s; stopped", check="ocr.timeout") from None
    except OSError as exc:
        raise ReadError(f"{name} could not be started: {exc}", check="ocr.unavailable") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadError(f"{name} failed (exit {done.returncode}): {(message or [''])[-1][:300]}",
                        check="ocr.failed")
    return done.stdout


# ---------------------------------------------------------------- montage: many cells, one Tesseract run


@dataclass
class _Montage:
    image: Image.Image
    slots: list[tuple[int, int]]  # (top, bottom) of each crop in the montage


def build_montage(crops: list[np.ndarray], scale: float) -> _Montage:
    """Crops stacked top to bottom on white, each scaled, with a blank band between them so that
    Tesseract never joins two cells in one line."""
    scaled = []
    for crop in crops:
        image = Image.fromarray(crop)
        if scale != 1:
            image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                                 Image.BICUBIC)
        scaled.append(image)
    gap = max(24, int(22 * scale))
    width = max(im.width for im in scaled) + 2 * gap
    height = sum(im.height for im in scaled) + gap * (len(scaled) + 1)
    canvas = Image.new("L", (width, height), 255)
    slots, y = [], gap
    for image in scaled:
        canvas.paste(image, (gap, y))
        slots.append((y, y + image.height))
        y += image.height + gap
    return _Montage(canvas, slots)


def words_by_slot(words: list[Word], slots: list[tuple[int, int]]) -> list[list[Word]]:
    """Each word goes to the crop its vertical centre falls in."""
    tops = np.array([s[0] for s in slots])
    out: list[list[Word]] = [[] for _ in slots]
    for word in words:
        centre = word.top + word.height / 2
        i = int(np.searchsorted(tops, centre, side="right")) - 1
        if 0 <= i < len(slots) and slots[i][0] - 4 <= centre <= slots[i][1] + 4:
            out[i].append(word)
    return out


def join_words(words: list[Word]) -> tuple[str, float | None]:
    """Tesseract lines → text (lines joined by newlines, words by nothing unless both sides are
    Latin letters or digits) and the lowest word confidence."""
    if not words:
        return "", None
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    texts = []
    for line in sorted(lines.values(), key=lambda ws: min(w.top for w in ws)):
        text = ""
        for word in sorted(line, key=lambda w: w.left):
            if text and text[-1].isascii() and text[-1].isalnum() and word.text[0].isascii() and word.text[0].isalnum():
                text += " "
            text += word.text
        texts.append(text)
    return tidy("\n".join(texts)), min(w.conf for w in words)


def tidy(text: str) -> str:
    """Undo the bracket confusions of chi_sim: 〈 for （, and a pair opened and closed by
    different kinds of bracket."""
    return _MISMATCHED.sub(r"（\1）", text.translate(_CONFUSIONS))


def _scale_for(crops: list[np.ndarray], target: float = 34.0) -> float:
    """How much to enlarge crops so that a line of table text is about `target` pixels tall."""
    heights = sorted(c.shape[0] for c in crops)
    typical = heights[len(heights) // 2] if heights else target
    return float(min(4.0, max(1.0, target / max(typical, 1))))


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float | None


def read_montage(crops: list[np.ndarray], scale: float, whitelist: str | None = None,
                 lang: str = LANG_TEXT) -> list[Reading]:
    """One Tesseract run over many crops; a reading per crop."""
    if not crops:
        return []
    montage = build_montage(crops, scale)
    words = tesseract_words(montage.image, MONTAGE_PSM, whitelist=whitelist, lang=lang)
    return [Reading(*join_words(found)) for found in words_by_slot(words, montage.slots)]


def read_cells(regions: list[_Region], text_height: float) -> None:
    """Read every inked cell, and every cell that may hold a number more than once.

    1. all cells in one chi_sim montage (labels, headers, numbers);
    2. every short one-line cell in an ``eng`` montage with a digit whitelist (a trailing unit
       such as 件 cut off first);
    3. the cells whose two readings disagree, four times more, their glyphs spaced apart
       (larger, and slightly blurred; ``eng`` and chi_sim, whitelisted); `decide` takes the
       value most readings agree on.
    """
    if not regions:
        return
    lines = [split_lines(r.crop, text_height) for r in regions]
    flat = [line for cell in lines for line in cell]
    scale = _scale_for(flat)
    read = iter(second_look(flat, read_montage(flat, scale), scale))
    free = [join_readings([next(read) for _ in cell]) for cell in lines]
    short = [i for i, cell in enumerate(lines) if len(cell) == 1 and cell[0].shape[1] <= 8 * cell[0].shape[0]]
    digit_crops = {i: without_unit(regions[i].digit_crop, free[i].text) for i in short}
    digits = dict(zip(short, read_montage([digit_crops[i] for i in short], scale, DIGITS, "eng")))
    disputed = [i for i in short if is_value_cell(free[i], digits[i], regions[i].digit_crop) and not agree(free[i], digits[i])]
    more: dict[int, list[Reading]] = {i: [] for i in disputed}
    spaced = {i: widen_gaps(digit_crops[i]) for i in disputed}
    softened = {i: np.asarray(Image.fromarray(spaced[i]).filter(ImageFilter.GaussianBlur(0.7))) for i in disputed}
    for crops_of, factor, lang in ((spaced, 1.5, "eng"), (spaced, 1.5, LANG_TEXT),
                                   (softened, 1.0, "eng"), (softened, 1.3, "eng")):
        for i, reading in zip(disputed, read_montage([crops_of[i] for i in disputed], scale * factor, DIGITS, lang)):
            more[i].append(reading)
    for i, region in enumerate(regions):
        reading = free[i]
        if i in digits and is_value_cell(free[i], digits[i], regions[i].digit_crop):
            reading = decide(free[i], [digits[i], *more.get(i, [])], unit_of(free[i].text))
        region.text, region.confidence = reading.text, (reading.confidence or 0.0)


def second_look(lines: list[np.ndarray], readings: list[Reading], scale: float,
                doubt: float = LOW_CONFIDENCE, alone: int = 12) -> list[Reading]:
    """Lines read with little confidence read twice more, at other scales and among other
    neighbours (Tesseract's reading of a line depends on both): a text two readings agree on
    wins, else the surest reading. A line still read as nothing is read on its own as a single
    line, slightly blurred (up to `alone` such lines)."""
    unsure = [i for i, r in enumerate(readings) if (r.confidence or 0.0) < doubt]
    others = [read_montage([lines[i] for i in unsure], scale * factor) for factor in (1.4, 0.8)]
    out = list(readings)
    for k, i in enumerate(unsure):
        out[i] = consensus([readings[i], *(other[k] for other in others)])
    for i in [i for i, r in enumerate(out) if not r.text][:alone]:
        softened = np.asarray(Image.fromarray(lines[i]).filter(ImageFilter.GaussianBlur(0.7)))
        for size in (1.0, 2.0):  # Tesseract misses some hard-edged lines that it reads once softened
            out[i] = Reading(*join_words(tesseract_words(build_montage([softened], size).image, 7)))
            if out[i].text:
                break
    return out


def consensus(readings: list[Reading]) -> Reading:
    """The text most readings give (ties: the surest), with the best confidence among them."""
    groups: dict[str, list[Reading]] = {}
    for reading in readings:
        if reading.text:
            groups.setdefault(reading.text, []).append(reading)
    if not groups:
        return readings[0]
    best = max(groups.values(), key=lambda g: (len(g), max(r.confidence or 0.0 for r in g)))
    return max(best, key=lambda r: r.confidence or 0.0)


def widen_gaps(crop: np.ndarray, extra: float = 0.2) -> np.ndarray:
    """The crop with every blank column gap between glyphs widened by `extra` of its height:
    the narrow serifed 1 of 11 is otherwise read once."""
    blank = (crop >= 200).all(axis=0)
    pad = np.full((crop.shape[0], max(1, int(round(extra * crop.shape[0])))), 255, np.uint8)
    pieces = []
    for x in range(crop.shape[1]):
        pieces.append(crop[:, x:x + 1])
        if blank[x] and x + 1 < crop.shape[1] and not blank[x + 1]:
            pieces.append(pad)
    return np.hstack(pieces)


def split_lines(crop: np.ndarray, text_height: float) -> list[np.ndarray]:
    """A cell's crop cut into its text lines at blank pixel rows. A piece lower than half the
    text height (a stroke of 三, a lone 、) joins the neighbour it is closer to, so lines are
    never cut through a character."""
    inked = (crop < 200).any(axis=1)
    runs, start = [], None
    for y, on in enumerate(np.append(inked, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            runs.append([start, y])
            start = None
    low = 0.5 * text_height
    while len(runs) > 1:
        small = [i for i, (a, b) in enumerate(runs) if b - a < low]
        if not small:
            break
        i = small[0]
        gap_up = runs[i][0] - runs[i - 1][1] if i > 0 else None
        gap_down = runs[i + 1][0] - runs[i][1] if i + 1 < len(runs) else None
        j = i - 1 if gap_down is None or (gap_up is not None and gap_up <= gap_down) else i + 1
        a, b = min(i, j), max(i, j)
        runs[a:b + 1] = [[runs[a][0], runs[b][1]]]
    return [_trim(crop[a:b]) for a, b in runs] or [crop]


def _trim(line: np.ndarray) -> np.ndarray:
    cols = np.nonzero((line < 200).any(axis=0))[0]
    return line[:, cols.min():cols.max() + 1] if len(cols) else line


def join_readings(readings: list[Reading]) -> Reading:
    """A multi-line cell's reading: its lines' texts, one per line, without the dots and ticks
    dust adds at their ends, and the lowest confidence (an inked line read as nothing counts as
    none at all)."""
    texts = [t for t in (r.text.strip(_DUST) for r in readings) if t]
    confidences = [r.confidence if r.text and r.confidence is not None else 0.0 for r in readings]
    return Reading(tidy("\n".join(texts)), min(confidences) if texts else None)


_UNIT_AFTER_DIGITS = re.compile(r"^[^\u3400-\u9fff]*\d[^\u3400-\u9fff]*([\u3400-\u9fff])$")


def core(text: str) -> str:
    """A reading without spaces and without the stray marks dust adds at either end (a dash
    only at the end: before the digits it is a minus sign)."""
    return re.sub(r"\s+", "", text).strip(_STRAY).rstrip(_STRAY + "-－—_~")


def unit_of(text: str) -> str:
    """The one CJK character printed after a number (件), as the free reading saw it (a digit
    look-alike such as 工 is a misread digit, not a unit)."""
    found = _UNIT_AFTER_DIGITS.match(core(text))
    return found.group(1) if found and found.group(1) not in _DIGIT_LOOKALIKES else ""


def without_unit(crop: np.ndarray, free_text: str) -> np.ndarray:
    """The crop with a trailing unit character cut off (an em: the crop's height), so that a
    digit reader does not read 件 as a digit."""
    if not unit_of(free_text):
        return crop
    cut = crop.shape[1] - int(round(crop.shape[0] * 0.95))
    return crop[:, :cut] if cut > crop.shape[0] * 0.3 else crop


def looks_numeric(text: str) -> bool:
    compact = core(text)
    return bool(compact) and (parse_value(compact).kind in ("number", "na") or bool(_VALUE_LIKE.match(compact)))


def is_value_cell(free: Reading, digits: Reading, crop: np.ndarray) -> bool:
    """A cell that holds a number or a dash: the free reading says so, saw nothing, saw only a
    few Latin letters and signs (chi_sim reads -5 as -D), or a glyph or two that the confident
    digit reader sees as a number (chi_sim reads a serifed 1 as 工 or |, a 7 as 了)."""
    if parse_value(digits.text).kind not in ("number", "na"):
        return looks_numeric(free.text)
    compact = core(free.text)
    wide = sum(1 for ch in compact if "\u3400" <= ch <= "\u9fff")  # a CJK character is about an em wide
    too_narrow = wide > 0 and crop.shape[1] < 0.75 * wide * crop.shape[0]
    return (looks_numeric(compact) or not compact or too_narrow or (compact.isascii() and len(compact) <= 8)
            or (len(compact) <= 3 and (digits.confidence or 0) >= 0.85))


def agree(a: Reading, b: Reading) -> bool:
    return parse_value(a.text) == parse_value(b.text)


def decide(free: Reading, digit_readings: list[Reading], unit: str = "") -> Reading:
    """The value most readings agree on, with the best confidence among them. Without a clear
    majority (two readings at least, and twice as many as any other value) the confidence is
    cut below the flag threshold."""
    votes = [r for r in digit_readings if parse_value(r.text).kind in ("number", "na")]
    if looks_numeric(free.text):
        compact = core(free.text)
        votes.append(Reading(compact[:-1] if unit else compact, free.confidence))
    if not votes:
        return Reading(free.text, min(free.confidence or 0.0, LOW_CONFIDENCE / 2))
    groups: dict[tuple, list[Reading]] = {}
    for reading in votes:
        groups.setdefault(tuple(parse_value(reading.text)), []).append(reading)
    ranked = sorted(groups.values(), key=lambda g: (len(g), max(r.confidence or 0.0 for r in g)), reverse=True)
    best, runner_up = ranked[0], (len(ranked[1]) if len(ranked) > 1 else 0)
    top = max(best, key=lambda r: r.confidence or 0.0)
    confidence = top.confidence or 0.0
    if len(votes) > 1 and (len(best) < 2 or len(best) < 2 * runner_up):  # no clear majority
        confidence = min(confidence, LOW_CONFIDENCE / 2)
    if unit and unit not in _UNITS:  # a unit glyph read as something else: keep the number, say so
        return Reading(top.text, min(confidence, LOW_CONFIDENCE / 2))
    return Reading(top.text + unit, confidence)


# ---------------------------------------------------------------- text around the tables


def read_lines(page: Page, tables: list[TableShape]) -> list[tuple[float, float, Line]]:
    """The page's text outside its tables as lines: (top, left, Line)."""
    ink = page.ink.copy()
    for table in tables:
        pad = 6
        ink[max(0, table.ys[0] - pad):table.ys[-1] + pad, max(0, table.xs[0] - pad):table.xs[-1] + pad] = False
    if ink.sum() < 30:
        return []
    ys, xs = np.nonzero(ink)
    top, left = int(ys.min()), int(xs.min())
    box = (slice(top, int(ys.max()) + 1), slice(left, int(xs.max()) + 1))
    keep = ndimage.binary_dilation(ink[box], iterations=1)
    grey = np.where(keep, page.grey[box], 255).astype(np.uint8)
    margin = 20
    image = ImageOps.expand(Image.fromarray(grey), border=margin, fill=255)
    words = tesseract_words(image, 3)
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    out = []
    for line_words in lines.values():
        text, _ = join_words(line_words)
        if text.strip():
            y = min(w.top for w in line_words) - margin + top
            x = min(w.left for w in line_words) - margin + left
            out.append((float(y), float(x), Line(text.strip(), page.number)))
    return out
