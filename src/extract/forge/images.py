"""Forged report pages whose tables are pictures: the county-portal habit of pasting a table into
the CMS editor as an image (a screenshot of the Word table) beside the page's own text.

    page, images = image_table_page(report)   # the HTML page and {url path: PNG bytes}

The pictures are the forged PDF's tables, rendered at `DPI` and cut out along their rulings, one
picture per table piece (table 三 breaks over a page, so it is two pictures, as a screenshot per
screen often is). The page itself is the CMS article with each table replaced by its pictures.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from extract.forge.html import Chrome, cms_article_body, cms_page
from extract.forge.model import Report

DPI = 150
MARGIN_PX = 14  # white kept around the rulings of a cut-out table
#: words that tell which table a cut-out shows (a piece without any continues the table before it)
TABLE_MARKS = {"active_disclosure": ("第二十条",), "requests": ("申请人情况", "本年新收"),
               "review_litigation": ("复议后起诉", "未经复议")}


@dataclass(frozen=True)
class TablePicture:
    table: str
    png: bytes


def table_pictures(report: Report, dpi: int = DPI) -> list[TablePicture]:
    """Every ruled table of the report's forged PDF as a PNG of that table alone, in print order."""
    import pypdfium2 as pdfium
    from PIL import Image

    from extract.forge.pdf import render_pdf
    from extract.read.ocr.rulings import find_rulings, find_tables
    from extract.read.ocr.page import prepare_page
    from extract.read.pdf.geometry import PDFIUM_LOCK  # pdfium is not thread-safe

    pictures: list[TablePicture] = []
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(render_pdf(report))
        try:
            for index in range(len(pdf)):
                page = pdf[index]
                height_pt = page.get_size()[1]
                image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
                text = page.get_textpage()
                shaped = prepare_page(image, None)
                for shape in find_tables(*find_rulings(shaped.line_ink), shaped.line_ink):
                    box = (max(0, shape.xs[0] - MARGIN_PX), max(0, shape.ys[0] - MARGIN_PX),
                           min(image.width, shape.xs[-1] + MARGIN_PX), min(image.height, shape.ys[-1] + MARGIN_PX))
                    to_pt = 72 / dpi
                    words = text.get_text_bounded(box[0] * to_pt, height_pt - box[3] * to_pt, box[2] * to_pt,
                                                  height_pt - box[1] * to_pt)
                    table = _which_table(words, pictures[-1].table if pictures else None)
                    if table is None:
                        continue
                    png = io.BytesIO()
                    Image.fromarray(shaped.grey).crop(box).save(png, format="PNG", optimize=True)
                    pictures.append(TablePicture(table, png.getvalue()))
                text.close()
                page.close()
        finally:
            pdf.close()
    return pictures


def _which_table(words: str, before: str | None) -> str | None:
    compact = "".join(words.split())
    for table, marks in TABLE_MARKS.items():
        if any(m in compact for m in marks):
            return table
    return before


def image_table_page(report: Report, folder: str = "/u/cms/www/202501/", chrome: Chrome | None = None,
                     pictures: list[TablePicture] | None = None) -> tuple[bytes, dict[str, bytes]]:
    """The report as a CMS article whose tables are `<img>`s: (page bytes, {image path: PNG})."""
    pictures = table_pictures(report) if pictures is None else pictures
    images: dict[str, bytes] = {}
    by_table: dict[str, list[str]] = {}
    for i, picture in enumerate(pictures, start=1):
        path = f"{folder}{report.seed:04d}{i:02d}.png"
        images[path] = picture.png
        by_table.setdefault(picture.table, []).append(path)

    def pictured(sheet) -> str:
        return "\n".join(f'<p style="text-align: center;"><img src="{path}" title="{i}" alt="" '
                         f'style="max-width: 100%;" /></p>' for i, path in enumerate(by_table.get(sheet.table, []), 1))

    body = cms_article_body(report, table_html=pictured)
    page = cms_page(report.title, body, chrome or Chrome(source=report.agency), published=report.published.isoformat())
    return page, images
