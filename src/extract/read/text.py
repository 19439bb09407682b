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
import unicodedata
from functools import lru_cache

from extract.template import printed
from extract.model import Cell, Document, Grid, Line
from extract.read.encoding import decode
from extract.template.labels import normalise
from extract.values import is_value_like, parse_value

_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[①-⑳⑴-⒇])")
_SENTENCE_END = ("。", "；", "：")
TABLE_SECTIONS = frozenset(printed.UNION)


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
            rows = join_split_rows(pending)
            blocks.append(Grid([[c if isinstance(c, Cell) else Cell(c) for c in row] for row in rows],
                               "text", aligned=aligned))
            pending = []

    for raw in lines:
        line = raw.rstrip(" \r\n\u3000")
        heading = printed.section_of(line) if "\t" not in line else None
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


def split_spaced(line: str) -> list[Cell]:
    """`label words  v1 v2 …` → [label, v1, v2, …] as cells that keep their column (in display
    width, as a monospace layout shows them): trailing value-like tokens are cells."""
    tokens = [(m.group(0), _display_col(line, m.start())) for m in re.finditer(r"\S+", line)]
    cut = len(tokens)
    while cut > 0 and is_value_like(tokens[cut - 1][0]):
        cut -= 1
    if cut == len(tokens):  # no values: a header row, one cell per token
        return [Cell(t, x=x) for t, x in tokens]
    label = [Cell(" ".join(t for t, _ in tokens[:cut]), x=tokens[0][1])] if cut else []
    return label + [Cell(t, x=x) for t, x in tokens[cut:]]


def _display_col(line: str, index: int) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:index])


def join_split_rows(rows: list[list]) -> list[list]:
    """Put back together the rows a text export broke over lines: a label whose values come on
    the next line, and a long label wrapped before or after the line that carries its values."""
    out: list[list] = []
    for i, row in enumerate(rows):
        prev = out[-1] if out else None
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if prev is not None and _label_only(prev) and _values_only(row):
            out[-1] = [prev[0]] + [c for c in row if _text(c).strip()]
        elif prev is not None and _label_only(prev) and not _is_row_label(_text(prev[0])) and _continues_label(row) \
                and not _two_whole_labels(_text(prev[0]), _text(row[0])):
            out[-1] = [_joined(prev[0], row[0])] + row[1:]
        elif prev is not None and _label_only(row) and not _is_row_label(_text(row[0])) \
                and not _NUMBERED.match(_text(row[0])) \
                and _has_values(prev) and not (nxt and _continues_label(nxt)):
            head = next(j for j, c in enumerate(prev) if _text(c).strip())
            out[-1] = prev[:head] + [_joined(prev[head], row[0])] + prev[head + 1:]
        else:
            out.append(row)
    return out


def _text(cell) -> str:
    return cell.text if isinstance(cell, Cell) else cell


def _joined(first, second):
    text = _text(first).strip() + _text(second).strip()
    return Cell(text, x=first.x) if isinstance(first, Cell) else text


def _has_values(row: list) -> bool:
    return any(parse_value(_text(c)).kind == "number" for c in row)


def _label_only(row: list) -> bool:
    texts = [_text(c) for c in row]
    return len(row) == 1 and texts[0].strip() != "" and parse_value(texts[0]).kind == "text" \
        and not printed.row_marker_texts(texts) and printed.section_of(texts[0]) is None \
        and not _is_column_label(texts[0])


@lru_cache(maxsize=4096)
def _is_row_label(text: str) -> bool:
    """A whole label of the template on its own (a row whose cells are all blank)."""
    norm = normalise(text)
    return any(norm == normalise(label) for t in TABLE_SECTIONS for row in printed.UNION[t].rows
               for label in row.labels if len(normalise(label)) >= 4)


@lru_cache(maxsize=4096)
def _is_exact_label(text: str) -> bool:
    """`text` is one of the template's row labels exactly, however short (规章)."""
    norm = normalise(text)
    return bool(norm) and any(norm == normalise(label) for t in TABLE_SECTIONS for row in printed.UNION[t].rows
                              for label in row.labels)


def _two_whole_labels(first: str, second: str) -> bool:
    """Both lines are whole row labels (规章 above 规范性文件): two rows, the first all blank, not
    one label wrapped over two lines."""
    return _is_exact_label(first) and _is_exact_label(second)


def _is_column_label(text: str) -> bool:
    return any(printed.path_to_column([text], t) for t in TABLE_SECTIONS)


def _values_only(row: list) -> bool:
    cells = [_text(c) for c in row if _text(c).strip()]
    return bool(cells) and all(is_value_like(c) for c in cells)


def _continues_label(row: list) -> bool:
    """The row starts with the rest of a wrapped label (not a new numbered item) and has values."""
    head = _text(row[0]).strip() if row else ""
    if not head or _NUMBERED.match(head) or parse_value(head).kind != "text":
        return False
    return len(row) > 1 and _has_values(row)
