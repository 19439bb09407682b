"""The entry points: an image file, the pages of a scanned PDF, the pictures of a web page → blocks
and the findings of OCR."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from extract.model import Block, Document, Finding, Grid, ReadError
from extract.read.ocr.lines import read_lines
from extract.read.ocr.page import prepare_page
from extract.read.ocr.rulings import find_rulings, find_tables
from extract.read.ocr.table import read_table
from extract.read.ocr.tesseract import run_tool
from extract.read.ocr.tuning import LOW_CONFIDENCE, MAX_PIXELS, PDFTOPPM_TIMEOUT_S, PDF_DPI


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
    cells = {id(c): c for g in grids for row in g.rows for c in row}
    low = sum(c.confidence is not None and c.confidence < LOW_CONFIDENCE for c in cells.values())
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
            run_tool(command + [str(source), str(prefix)], PDFTOPPM_TIMEOUT_S, "pdftoppm")
            for path in sorted(Path(tmp).glob(f"{prefix.name}-*.pgm"), key=_page_number):
                with Image.open(path) as image:
                    out.append((_page_number(path), image.convert("L")))
                path.unlink()
    return out


def _page_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])




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
