"""DOCX → Document.

Word files as agencies attach them: prose, then each table after its section heading; merged
cells (``w:gridSpan`` across, ``w:vMerge`` down), headers split over several paragraphs of one
cell, layout tables wrapping the data tables. The body is walked in order: a paragraph becomes a
`Line`, a table that holds no table becomes a `Grid`, and a table that does hold tables is a
layout table whose cells are walked like the body.

python-docx repeats a merged cell in every grid position it covers, as a new proxy object each
time; the grid here is built from the XML itself so that a merge is one `Cell` at every position
it covers, as `Document` requires.

Hostile archives are refused before any XML is parsed: too many members, an oversized member, too
much data in total, a compression ratio only a zip bomb has, or a DTD (entity expansion).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from extract.model import Cell, Document, Grid, Line, ReadError

MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one uncompressed member
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # the whole archive, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for members large enough to matter
RATIO_FLOOR_BYTES = 1024 * 1024  # below this size any ratio is harmless
MAX_SPAN = 200

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_DTD_MARKS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_SPACE = re.compile(r"[ \t\u00a0\u3000\u200b\ufeff]+")


def w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = w("p"), w("tbl"), w("tr"), w("tc"), w("sdt"), w("sdtContent")
_CONTAINERS = frozenset({_SDT, _SDT_CONTENT, w("customXml"), w("smartTag"), w("ins"), w("moveTo")})


def read_docx(data: bytes, filename: str | None = None) -> Document:
    """A Word 2007+ document as lines and grids in reading order."""
    archive = open_archive(data)
    check_archive(archive)
    refuse_dtds(archive)
    word = load_word(data)
    body = word.element.body
    title = (word.core_properties.title or "").strip() or None
    return Document("docx", body_to_blocks(body), title=title)


# ---------------------------------------------------------------- guards


def open_archive(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ReadError(f"not a readable DOCX (ZIP) archive: {exc}", check="docx.corrupt") from exc
    if "word/document.xml" not in archive.namelist() and not any(
            n.lower().endswith("document.xml") for n in archive.namelist()):
        raise ReadError("ZIP archive without a Word document part (word/document.xml)", check="docx.corrupt")
    return archive


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs from the central directory alone (Python's zipfile never inflates a
    member past its declared size, so the declared sizes bound the work)."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ReadError(f"DOCX archive with {len(members)} members (limit {MAX_MEMBERS})", check="docx.hostile")
    total = 0
    for info in members:
        if info.file_size > MAX_MEMBER_BYTES:
            raise ReadError(f"DOCX member {info.filename} inflates to {info.file_size:,} bytes "
                            f"(limit {MAX_MEMBER_BYTES:,})", check="docx.hostile")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise ReadError(f"DOCX member {info.filename} has a compression ratio of {ratio:.0f}:1, "
                            f"a zip bomb (limit {MAX_RATIO}:1)", check="docx.hostile")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ReadError(f"DOCX archive inflates to {total:,} bytes (limit {MAX_TOTAL_BYTES:,})", check="docx.hostile")


def refuse_dtds(archive: zipfile.ZipFile) -> None:
    """Word never writes a DTD; one in an XML part can only be there to expand entities."""
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        try:
            head = archive.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise ReadError(f"DOCX member {info.filename} cannot be read: {exc}", check="docx.corrupt") from exc
        if any(mark in head for mark in _DTD_MARKS):
            raise ReadError(f"DOCX member {info.filename} declares a DTD or entities; refused",
                            check="docx.hostile")


def load_word(data: bytes):
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, LxmlError, KeyError, ValueError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ReadError(f"not a readable Word document: {type(exc).__name__}: {exc}", check="docx.corrupt") from exc


# ---------------------------------------------------------------- body → blocks


def body_to_blocks(container) -> list[Line | Grid]:
    """Paragraphs and tables of a body (or a layout table's cell) in reading order."""
    blocks: list[Line | Grid] = []
    for child in container:
        if child.tag == _P:
            blocks.extend(Line(text) for text in paragraph_lines(child))
        elif child.tag == _TBL:
            if child.find(f".//{_TBL}") is None:
                blocks.append(table_to_grid(child))
            else:  # a layout table: its cells hold the content
                for tr in _rows(child):
                    for tc in _cells(tr):
                        blocks.extend(body_to_blocks(tc))
        elif child.tag in _CONTAINERS:
            blocks.extend(body_to_blocks(child))
    return blocks


def paragraph_lines(p) -> list[str]:
    """A paragraph's text split at its line breaks, padding removed, empty lines dropped."""
    lines = [_SPACE.sub(" ", line).strip() for line in paragraph_text(p).split("\n")]
    return [line for line in lines if line]


def paragraph_text(p) -> str:
    """Visible text: runs, tabs and breaks; deleted text, field codes and the preferred branch of
    alternate content (its fallback holds the same text) are skipped."""
    parts: list[str] = []
    _collect(p, parts)
    return "".join(parts)


def _collect(el, parts: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == w("t"):
            parts.append(child.text or "")
        elif tag in (w("tab"), w("ptab")):
            parts.append(" ")
        elif tag in (w("br"), w("cr")):
            parts.append("\n")
        elif tag == w("noBreakHyphen"):
            parts.append("-")
        elif tag in (_TBL, f"{{{_MC}}}Choice", w("del"), w("instrText"), w("delText")):
            continue
        else:
            _collect(child, parts)


# ---------------------------------------------------------------- tables


@dataclass(eq=False)
class _Region:
    """A merged area being built: its paragraphs, until it becomes one `Cell`."""

    lines: list[str] = field(default_factory=list)
    cell: Cell | None = None

    def freeze(self) -> Cell:
        if self.cell is None:
            self.cell = Cell("\n".join(self.lines))
        return self.cell


def table_to_grid(tbl) -> Grid:
    """Rows × grid columns, a merge (gridSpan across, vMerge down) one `Cell` at every position."""
    layout: list[list[_Region | None]] = []
    for tr in _rows(tbl):
        row: list[_Region | None] = [None] * _grid_before(tr)
        above = layout[-1] if layout else []
        for tc in _cells(tr):
            span = _grid_span(tc)
            col = len(row)
            region = None
            if _continues(tc, "vMerge") and col < len(above) and above[col] is not None:
                region = above[col]
            elif _continues(tc, "hMerge") and row and row[-1] is not None:
                region = row[-1]  # the legacy horizontal merge of converted Word 97 files
            if region is None:
                region = _Region()
            region.lines.extend(cell_lines(tc))
            row.extend([region] * span)
        layout.append(row)
    width = max((len(r) for r in layout), default=0)
    blank = Cell("")
    rows = [[region.freeze() if region else blank for region in row] + [blank] * (width - len(row))
            for row in layout]
    return Grid(rows, "docx")


def cell_lines(tc) -> list[str]:
    """A cell's paragraphs (a header split over paragraphs keeps one line each); nested tables'
    text belongs to those tables, not to the cell."""
    lines: list[str] = []
    for child in tc:
        if child.tag == _P:
            lines.extend(paragraph_lines(child))
        elif child.tag in _CONTAINERS:
            lines.extend(cell_lines(child))
    return lines


def _rows(tbl) -> list:
    out = []
    for child in tbl:
        if child.tag == _TR:
            out.append(child)
        elif child.tag in _CONTAINERS:
            out.extend(_rows(child))
    return out


def _cells(tr) -> list:
    out = []
    for child in tr:
        if child.tag == _TC:
            out.append(child)
        elif child.tag in _CONTAINERS:
            out.extend(_cells(child))
    return out


def _int_attr(el, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return int(found.get(w("val"), default))
    except ValueError:
        return default


def _grid_span(tc) -> int:
    return max(1, min(_int_attr(tc, f"{w('tcPr')}/{w('gridSpan')}", 1), MAX_SPAN))


def _grid_before(tr) -> int:
    return max(0, min(_int_attr(tr, f"{w('trPr')}/{w('gridBefore')}", 0), MAX_SPAN))


def _continues(tc, kind: str) -> bool:
    """The cell continues a merge (``w:vMerge`` down, ``w:hMerge`` across) rather than starts one."""
    merge = tc.find(f"{w('tcPr')}/{w(kind)}")
    return merge is not None and merge.get(w("val"), "continue") == "continue"
