"""Forged reports as Word documents (python-docx).

Prose paragraphs first, each table after its section heading, with real merged cells: the
vertical 三、本年度办理结果 and the （三）…（六） group labels are vertical merges, the 第二十条 block
headings and the 申请人情况 / 法人或其他组织 / 行政诉讼 headers horizontal ones, exactly where the
official template merges them. Two-line headers (商业 / 企业) are two paragraphs in one cell.
"""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from extract.forge.model import Report
from extract.forge.prose import write_prose
from extract.forge.spans import Sheet, Span, sheets

BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"


def render_docx(report: Report) -> bytes:
    """The report as a DOCX file."""
    prose = write_prose(report)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as every Chinese office prints
    section.left_margin = section.right_margin = Cm(2.8)
    _east_asian_font(doc.styles["Normal"].element, BODY_FONT)
    doc.styles["Normal"].font.size = Pt(16)
    doc.core_properties.title = report.title
    doc.core_properties.author = report.agency
    _paragraph(doc, prose.title, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for text in prose.preface:
        _paragraph(doc, text)
    laid_out = sheets(report)
    after = {"二": "active_disclosure", "三": "requests", "四": "review_litigation"}
    for heading, paragraphs in prose.sections:
        _paragraph(doc, heading, bold=True)
        for text in paragraphs:
            _paragraph(doc, text)
        table = after.get(heading[0])
        if table in laid_out:
            _table(doc, laid_out[table])
    _paragraph(doc, prose.signature, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(doc, prose.date_line, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    out = io.BytesIO()
    doc.save(out)
    return _fixed_timestamps(out.getvalue())


def _fixed_timestamps(data: bytes) -> bytes:
    """Same report, same bytes: zip entries dated 1980-01-01 rather than the time of saving."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _east_asian_font(element, name: str) -> None:
    """Set the East Asian font of a style or run (python-docx only sets the Latin one)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(doc, text: str, *, size: float | None = None, bold: bool = False, align=None, indent: bool = True):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)
    run = p.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    return p


def _table(doc, sheet: Sheet) -> None:
    grid = sheet.dense()
    table = doc.add_table(rows=len(grid), cols=sheet.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # every cell fetched once: table.cell() rescans the whole table on each call. Merged regions are
    # disjoint, so the corner cells of one merge survive the merges before it.
    flat = table._cells
    cells = [flat[r * sheet.width:(r + 1) * sheet.width] for r in range(len(grid))]
    widths = _column_widths(sheet)
    for column, width in zip(table.columns, widths):
        column.width = width  # the grid LibreOffice lays out by
    for row in cells:
        for cell, width in zip(row, widths):
            cell.width = width
    for r, row in enumerate(sheet.origins()):
        for c, span in row:
            cell = cells[r][c]
            if span.rowspan > 1 or span.colspan > 1:
                cell = cell.merge(cells[r + span.rowspan - 1][c + span.colspan - 1])
            _fill(cell, span)
    doc.add_paragraph()


def _column_widths(sheet: Sheet) -> list[Cm]:
    if sheet.table == "active_disclosure":
        return [Cm(4.2), Cm(3.4), Cm(3.4), Cm(3.4)]
    if sheet.table == "requests":
        data = 7.7 / (sheet.width - 3)
        return [Cm(0.9), Cm(1.8), Cm(4.4), *[Cm(data)] * (sheet.width - 3)]
    return [Cm(14.6 / sheet.width)] * sheet.width


def _fill(cell, span: Span) -> None:
    size = Pt(9 if span.role != "title" else 10.5)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for i, line in enumerate(span.lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT if span.role in ("label", "title", "extra") else WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        if line:
            run = p.add_run(line)
            run.font.size = size
            run.bold = span.role in ("head", "title") or None
            _east_asian_font(run._element, TABLE_FONT)
    for extra in cell.paragraphs[len(span.lines):]:  # empty paragraphs left by merging
        extra._element.getparent().remove(extra._element)
    if span.vertical:
        direction = OxmlElement("w:textDirection")
        direction.set(qn("w:val"), "tbRlV")
        cell._tc.get_or_add_tcPr().append(direction)
