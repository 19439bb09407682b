"""HTML → Document.

Web pages as CMS editors and Word/WPS "save as web page" write them: inline styles, `<p>` and
`<span>` inside cells, `&nbsp;` padding, rowspans over 20 rows, layout tables around the content.
Every innermost `<table>` becomes a `Grid` with its spans expanded; the rest of the page becomes
`Line`s in reading order, so section titles stand before the tables they head.

A bare fragment (what a CMS stores: no ``<html>``/``<body>``, it starts with ``<p style=…>``) reads
like a page. A JSON answer of a CMS API is unwrapped first: its longest string holding markup is
the article (``content``), and its ``title`` the title.
"""

from __future__ import annotations

import json
import re

import lxml.etree
import lxml.html

from extract.model import Cell, Document, Grid, Line, ReadError
from extract.read.encoding import decode

MAX_SPAN = 200
_BLOCK_TAGS = frozenset("p div h1 h2 h3 h4 h5 h6 li tr table title section article header footer ul ol dd dt "
                        "blockquote pre center".split())
_DROP_TAGS = ("script", "style", "noscript", "template", "head")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_MARK = "\ue000GRID{}\ue000"
_MARK_RE = re.compile("\ue000GRID(\\d+)\ue000")
_LINE_TAGS = tuple(sorted(_BLOCK_TAGS | {"td", "th", "br"}))


def read_html(data: bytes, filename: str | None = None, charset: str | None = None) -> Document:
    text, _ = decode(data, charset)
    text, json_title = unwrap_json(text)
    root = parse_html(text.replace("\r", " ").replace("\n", " "))  # a newline in the source is a space
    title = _title(root) or json_title
    page_meta = _page_meta(root)
    for el in list(root.iter(*_DROP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    mark_line_breaks(root)
    grids = [table_to_grid(t) for t in leaf_tables(root)]
    return Document("html", tree_to_blocks(root, grids), title=title, page_meta=page_meta)


_MARKUP = re.compile(r"<(?:p|div|table|span|br|font)[\s>/]", re.I)
_TITLE_KEYS = ("title", "docTitle", "articleTitle", "name")


def unwrap_json(text: str) -> tuple[str, str | None]:
    """(the article's markup, its title) when `text` is a JSON document holding the article as a
    string; else (`text`, None)."""
    if not text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return text, None
    try:
        value = json.loads(text.lstrip("\ufeff"))
    except ValueError:
        return text, None
    strings = list(_json_strings(value))
    markup = [s for _, s in strings if _MARKUP.search(s)]
    if not markup:
        return text, None
    title = next((s.strip() for key, s in strings if key in _TITLE_KEYS and s.strip() and not _MARKUP.search(s)), None)
    return max(markup, key=len), title


def _json_strings(value, key: str | None = None):
    """(key, string) of every string in a JSON value, depth first."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v, key)


def mark_line_breaks(root) -> None:
    """Newlines where the page breaks lines — around every block element and after every <br> —
    so that lxml's text_content() keeps paragraphs and breaks as lines without a tree walk."""
    for el in root.iter(*_LINE_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")


def parse_html(text: str) -> lxml.html.HtmlElement:
    try:
        root = lxml.html.document_fromstring(_XML_DECL.sub("", text) or "<html></html>")
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ReadError(f"not an HTML document: {exc}", check="html.unparseable") from exc
    return root


def _title(root) -> str | None:
    found = root.find(".//title")
    text = found.text_content().strip() if found is not None else ""
    return text or None


def _page_meta(root) -> dict[str, str]:
    """The CMS's <meta name=… content=…> tags (ArticleTitle, PubDate, ContentSource …), by name."""
    found = {}
    for meta in root.iter("meta"):
        name, content = (meta.get("name") or "").strip(), (meta.get("content") or "").strip()
        if name and content and name not in found:
            found[name] = content
    return found


def leaf_tables(root) -> list:
    """Tables that hold no table: the data tables (layout tables only wrap them)."""
    return [t for t in root.iter("table") if t.find(".//table") is None]


def table_to_grid(table) -> Grid:
    """Expand rowspan/colspan: a spanned cell is the same `Cell` at every covered position."""
    rows = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
    grid: list[list[Cell | None]] = [[] for _ in rows]
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            cell = Cell(cell_text(td))
            rowspan = _span(td.get("rowspan"), len(rows) - r)
            colspan = _span(td.get("colspan"), MAX_SPAN)
            for dr in range(rowspan):
                target = grid[r + dr]
                target.extend([None] * (c + colspan - len(target)))
                for dc in range(colspan):
                    target[c + dc] = cell
            c += colspan
    width = max((len(r) for r in grid), default=0)
    blank = Cell("")
    return Grid([[cell or blank for cell in row] + [blank] * (width - len(row)) for row in grid], "html")


def _owner_table(tr):
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None, limit: int) -> int:
    try:
        span = int(str(value).strip().rstrip(";")) if value else 1
    except ValueError:
        return 1
    return limit if span == 0 else max(1, min(span, limit))


def cell_text(td) -> str:
    """A cell's text with its paragraphs and line breaks as newlines, padding removed."""
    return _clean_lines(td.text_content())


def _clean_lines(text: str) -> str:
    """Lines with runs of spaces (&nbsp; and ideographic ones too) collapsed; empty lines dropped."""
    if "\n" not in text:
        return " ".join(text.replace("\u200b", "").split())
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", "").replace("\ufeff", "")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def tree_to_blocks(root, grids: list[Grid]) -> list[Line | Grid]:
    """The page as text lines in reading order, each grid in its place."""
    for i, table in enumerate(leaf_tables(root)):
        marker = lxml.html.Element("p")
        marker.text = _MARK.format(i)
        marker.tail = table.tail
        table.getparent().replace(table, marker)
    body = root.find("body")
    blocks: list[Line | Grid] = []
    for line in (body if body is not None else root).text_content().split("\n"):
        for j, piece in enumerate(_MARK_RE.split(line)):
            if j % 2:  # the captured grid number between two markers
                blocks.append(grids[int(piece)])
                continue
            text = " ".join(piece.split())
            if text:
                blocks.append(Line(text))
    return blocks
