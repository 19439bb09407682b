"""`read_pdf`: the file read page by page, nothing of a page kept once read; picture pages handed
to OCR; what was noticed on the way (`_Stats`) becomes the document's findings."""

from __future__ import annotations

import ctypes
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.model import Document, Finding, Grid, ReadError
from extract.read.pdf.blocks import page_blocks, page_lines
from extract.read.pdf.continued import join_continued_grids
from extract.read.pdf.engines import (SKIPPED_CODES, dedupe_chars, document_title, open_pdf, pdfium_chars,
                                      pdfium_edges, plumber_geometry)
from extract.read.pdf.geometry import Char, ENGINES, PDFIUM_LOCK, PageGeometry, Placed
from extract.read.pdf.page_text import is_table_page


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
        pages: list[list[Placed]] = []
        body_size = 0.0
        try:
            n_pages = len(doc)
            title = document_title(doc)
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
        if pdfium_c.FPDFText_GetUnicode(raw, i) in SKIPPED_CODES or pdfium_c.FPDFText_IsGenerated(raw, i):
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect)
        sizes[round(rect.top - rect.bottom, 1)] += 1
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _read_page(page: pdfium.PdfPage, number: int, engine: str, data: bytes, stats: _Stats,
               body_size: float) -> tuple[list[Placed], float]:
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
            return [Placed(k, line) for k, line in enumerate(page_lines(text, number))], body_size
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
        if code in SKIPPED_CODES:
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


def _ocr_picture_pages(data: bytes, pages: list[list[Placed]], stats: _Stats) -> None:
    """Read the pictures of a mixed PDF by OCR: a picture page gives all its blocks, a page of
    text with a large picture only the tables OCR finds in it (its text layer is exact), after
    the page's lines. Without Tesseract (or when it fails) the findings say why."""
    from extract.read.ocr.reader import ocr_findings
    from extract.read.ocr import ocr_pdf_pages

    try:
        blocks = ocr_pdf_pages(data, sorted({*stats.imageonly, *stats.pictured}))
    except ReadError as exc:
        if stats.imageonly:
            stats.ocr = [Finding(exc.check, "warning", f"the picture pages could not be read by OCR: {exc}")]
        return
    kept = [b for b in blocks if b.page in stats.imageonly or (b.page in stats.pictured and isinstance(b, Grid))]
    for k, block in enumerate(kept):
        if block.page is not None and 1 <= block.page <= len(pages):
            pages[block.page - 1].append(Placed(len(pages[block.page - 1]) + k, block))
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
