"""Forged reports as plain-text exports (UTF-8), the three shapes found in the wild.

- ``"tsv"``: a spreadsheet-like export — one line per table row, cells separated by tabs, a
  spanned cell printed once at its top-left position and empty elsewhere (group labels sit in
  their own column), header lines such as 商业企业 joined.
- ``"spaces"``: what a PDF's text layer gives with its layout kept — cells padded with spaces
  to columns, a blank cell is just more space, long labels wrapped onto a second line, two-line
  headers (商业 / 企业) on two lines.
- ``"fused"``: a web page's text flattened — the whole body on one line, the cells of a table
  run together with no separator (``713000074`` for 71 3 0 0 0 0 74).
"""

from __future__ import annotations

import random
import unicodedata

from extract.forge.model import Report
from extract.forge.prose import Prose, write_prose
from extract.forge.spans import Sheet, Span, sheets

STYLES = ("tsv", "spaces", "fused")
WRAP_AT = 14  # characters of a label cell before a PDF wraps it


def render_text(report: Report, *, style: str = "tsv") -> bytes:
    """The report as a UTF-8 text export in one of `STYLES`."""
    if style not in STYLES:
        raise ValueError(f"unknown text style {style!r}; expected one of {STYLES}")
    prose = write_prose(report)
    tables = _tables_by_heading(report)
    if style == "fused":
        return _fused(report, prose, tables).encode("utf-8")
    draw = _tsv_lines if style == "tsv" else _spaced_lines
    lines = [prose.title, ""]
    for text in prose.preface:
        lines += [text, ""]
    for heading, paragraphs in prose.sections:
        lines += [heading, ""]
        for text in paragraphs:
            lines += [text, ""]
        if heading[0] in tables:
            lines += [*draw(tables[heading[0]]), ""]
    lines += [prose.signature, prose.date_line, ""]
    return "\n".join(lines).encode("utf-8")


def _tables_by_heading(report: Report) -> dict[str, Sheet]:
    laid_out = sheets(report)
    return {numeral: laid_out[table] for numeral, table in
            (("二", "active_disclosure"), ("三", "requests"), ("四", "review_litigation")) if table in laid_out}


# ---------------------------------------------------------------- tab-separated


def _tsv_lines(sheet: Sheet) -> list[str]:
    """Each row with a cell per column; a span's text at its origin, empty elsewhere."""
    lines = []
    for row in sheet.origins():
        texts = [""] * sheet.width
        for c, span in row:
            texts[c] = span.flat
        lines.append("\t".join(texts))
    return lines


# ---------------------------------------------------------------- PDF-like, space-aligned


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_lines(span: Span) -> list[str]:
    """A cell's printed lines: its own line breaks, then labels wrapped at `WRAP_AT`."""
    out = []
    for line in span.lines:
        if span.role in ("label", "head") and len(line) > WRAP_AT and span.colspan < 4:
            out += [line[i:i + WRAP_AT] for i in range(0, len(line), WRAP_AT)]
        else:
            out.append(line)
    return out


def _spaced_lines(sheet: Sheet) -> list[str]:
    """Rows padded to columns like ``pdftotext -layout``; wrapped lines follow their row."""
    origins = sheet.origins()
    widths = [1] * sheet.width
    for row in origins:  # single columns first, then make room for wider spans
        for c, span in row:
            if span.colspan == 1:
                widths[c] = max(widths[c], max(_width(t) for t in _cell_lines(span)))
    for row in origins:
        for c, span in row:
            need = max(_width(t) for t in _cell_lines(span))
            have = sum(widths[c:c + span.colspan]) + 2 * (span.colspan - 1)
            if need > have:
                widths[c + span.colspan - 1] += need - have
    lines = []
    for row in origins:
        texts = {c: _cell_lines(span) for c, span in row}
        depth = max((len(t) for t in texts.values()), default=1)
        for k in range(depth):
            out = ""
            for c, _ in row:
                cell = texts[c][k] if k < len(texts[c]) else ""
                start = sum(widths[:c]) + 2 * c
                out += " " * max(0, start - _width(out)) + cell
            lines.append(out.rstrip())
    return lines


# ---------------------------------------------------------------- fused


def _fused(report: Report, prose: Prose, tables: dict[str, Sheet]) -> str:
    rng = random.Random(f"fused-{report.seed}")
    body = [*prose.preface]
    for heading, paragraphs in prose.sections:
        text = heading + (" " if rng.random() < 0.5 else "") + " ".join(paragraphs)
        if heading[0] in tables:
            text = text.rstrip() + (" " if rng.random() < 0.5 else "") + _fused_table(tables[heading[0]], rng)
        body.append(text)
    body += [prose.signature, prose.date_line]
    return f"标题: {prose.title}\n发布时间: {report.published.isoformat()}\n" + " ".join(body) + "\n"


def _fused_table(sheet: Sheet, rng: random.Random) -> str:
    """Every cell in reading order, numbers run together; some labels keep a trailing space."""
    out = []
    for row in sheet.origins():
        for _, span in row:
            text = span.flat
            if span.role == "head":
                out.append(text + " ")
            elif span.role in ("label", "group", "title"):
                out.append(text + (" " if rng.random() < 0.5 else ""))
            else:
                out.append(text)
    return "".join(out).rstrip()
