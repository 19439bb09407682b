"""Plain text → Document.

Two shapes of table survive in text exports:
- tab-separated rows (a copy of a Word or web table): each run of tab lines is a grid, aligned by
  position; a label and its value that the export put on separate lines are joined again;
- space-separated rows (a PDF text layer): inside the sections of the three tables, a line
  `label v1 v2 …` is a row; labels wrapped over lines are joined; positions carry no meaning
  (`Grid.aligned = False`), so the finder reads values in printed order and flags rows whose
  count does not fit.
"""

from __future__ import annotations

import re

from extract import tables
from extract.document import Document, Grid, Line
from extract.encoding import decode
from extract.labels import normalise
from extract.values import is_value_like, parse_value

_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[①-⑳⑴-⒇])")
_SENTENCE_END = ("。", "；", "：")
TABLE_SECTIONS = frozenset(tables.UNION)


def read_text(data: bytes, filename: str | None = None) -> Document:
    text, _ = decode(data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = lines_to_blocks(lines)
    title = next((b.text.strip("# ").strip() for b in blocks if isinstance(b, Line) and b.text.strip()), None)
    return Document("txt", blocks, title=title)


def lines_to_blocks(lines: list[str]) -> list[Line | Grid]:
    blocks: list[Line | Grid] = []
    section: str | None = None
    pending: list[list[str]] = []  # rows of the grid being collected
    aligned = True

    def flush() -> None:
        nonlocal pending
        if pending:
            blocks.append(Grid.from_texts(join_split_rows(pending), "text", aligned=aligned))
            pending = []

    for raw in lines:
        line = raw.rstrip(" \r\n\u3000")
        heading = tables.section_of(line) if "\t" not in line else None
        if heading:
            flush()
            section = heading
            blocks.append(Line(line.strip()))
            continue
        if "\t" in line:
            if pending and not aligned:
                flush()
            aligned = True
            pending.append(line.split("\t"))
        elif pending and aligned and _fits_tab_grid(line):
            if line.strip():
                pending.append([line.strip()])
        elif section in TABLE_SECTIONS and _is_table_line(line):
            if pending and aligned:
                flush()
            aligned = False
            pending.append(split_spaced(line))
        else:
            flush()
            if line.strip():
                blocks.append(Line(line.strip()))
    flush()
    return blocks


def _fits_tab_grid(line: str) -> bool:
    """A short line inside a run of tab rows: a label or a value the export broke off its row."""
    text = line.strip()
    return not text or is_value_like(text) or (len(text) <= 40 and not text.endswith(_SENTENCE_END))


def _is_table_line(line: str) -> bool:
    text = line.strip()
    return bool(text) and len(text) <= 160 and not text.endswith(_SENTENCE_END)


def split_spaced(line: str) -> list[str]:
    """`label words  v1 v2 …` → [label, v1, v2, …]: trailing value-like tokens are cells."""
    tokens = line.split()
    cut = len(tokens)
    while cut > 0 and is_value_like(tokens[cut - 1]):
        cut -= 1
    label = " ".join(tokens[:cut])
    if cut == len(tokens):  # no values: a header row, one cell per token
        return tokens
    return ([label] if label else []) + tokens[cut:]


def join_split_rows(rows: list[list[str]]) -> list[list[str]]:
    """Put back together the rows a text export broke over lines: a label whose values come on
    the next line, and a long label wrapped before or after the line that carries its values."""
    out: list[list[str]] = []
    for i, row in enumerate(rows):
        prev = out[-1] if out else None
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if prev is not None and _label_only(prev) and _values_only(row):
            out[-1] = [prev[0].strip()] + [c for c in row if c.strip()]
        elif prev is not None and _label_only(prev) and _continues_label(row):
            out[-1] = [prev[0].strip() + row[0].strip()] + row[1:]
        elif prev is not None and _label_only(row) and not _NUMBERED.match(row[0]) \
                and _has_values(prev) and not (nxt and _continues_label(nxt)):
            head = next(j for j, c in enumerate(prev) if c.strip())
            out[-1] = prev[:head] + [prev[head].strip() + row[0].strip()] + prev[head + 1:]
        else:
            out.append(row)
    return out


def _has_values(row: list[str]) -> bool:
    return any(parse_value(c).kind == "number" for c in row)


def _label_only(row: list[str]) -> bool:
    cells = [c for c in row if c.strip()]
    return len(row) == 1 and len(cells) == 1 and parse_value(cells[0]).kind == "text" and not tables.row_marker_texts(cells) \
        and tables.section_of(cells[0]) is None and not _is_column_label(cells[0])


def _is_column_label(text: str) -> bool:
    return any(tables.path_to_column([text], t) for t in TABLE_SECTIONS)


def _values_only(row: list[str]) -> bool:
    cells = [c for c in row if c.strip()]
    return bool(cells) and all(is_value_like(c) for c in cells)


def _continues_label(row: list[str]) -> bool:
    """The row starts with the rest of a wrapped label (not a new numbered item) and has values."""
    head = row[0].strip() if row else ""
    if not head or _NUMBERED.match(head) or parse_value(head).kind != "text":
        return False
    return len(row) > 1 and _has_values(row)
