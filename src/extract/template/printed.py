"""Printed texts → template keys: which table a section title or a header row announces, which
column a header path names, which row a label stands for. Both templates' rows and columns are
known at once (`UNION`), so a report is read before its template is known; used by the table
finder and by the text reader (which tells a table row from running text by its labels).
"""

from __future__ import annotations

from dataclasses import dataclass

from extract import template as tpl
from extract.template import labels


def _union(table: str) -> tpl.Table:
    """Rows and columns of both formats, so a report is read before its format is known."""
    a, b = tpl.TEMPLATE_2021[table], tpl.TEMPLATE_2019[table]
    rows = {r.key: r for r in (*a.rows, *b.rows)}
    cols = {c.key: c for c in (*a.columns, *b.columns)}
    return tpl.Table(a.key, a.section, a.section_aliases, tuple(rows.values()), tuple(cols.values()), a.markers)


UNION = {key: _union(key) for key in tpl.TABLES}


@dataclass(frozen=True)
class ColumnRef:
    column: str
    row: str | None = None  # review_litigation: the row is in the header (行政复议 / 复议后起诉)


def section_of(line: str) -> str | None:
    """The table whose section title `line` is, if it is one (二/三/四 titles)."""
    text = labels.normalise(line)
    if not text or len(text) > 40:
        return None
    for key in tpl.TABLES:
        table = UNION[key]
        for title in (table.section, *table.section_aliases):
            if labels.normalise(title) in text:
                return key
    for _, title in tpl.SECTIONS:
        if title in text and len(text) <= len(title) + 6:
            return "other"
    return None


def row_marker_texts(cells: list[str]) -> str | None:
    texts = [labels.normalise(t) for t in cells]
    joined = "".join(texts)
    if tpl.REQUEST_NOTE in joined or "申请人情况" in joined or ("自然人" in texts and "法人或其他组织" in joined):
        return "requests"
    if any(mark in joined for mark in tpl.REVIEW_ROW_MARKS) \
            or ("行政复议" in texts and tpl.LITIGATION_HEADING in joined):
        return "review_litigation"
    if joined.startswith(tpl.ACTIVE_BLOCK) or "信息内容" in texts:
        return "active_disclosure"
    return None


def path_to_column(path: list[str], table: str) -> ColumnRef | None:
    """The column a header path (outer → inner labels) names; for table 四 also its row."""
    spec = UNION[table]
    column = None
    for k in range(1, min(3, len(path)) + 1):  # last label, then labels split over rows joined
        column = column_of("".join(path[-k:]), spec.columns)
        if column:
            break
    if not column:
        return None
    if table != "review_litigation":
        return ColumnRef(column.key)
    row = next((r for p in path for r in [labels.match(p, spec.rows)] if r), None)
    return ColumnRef(column.key, row.key if row else None)


def column_of(text: str, columns) -> tpl.Column | None:
    norm = labels.normalise(text)
    if not norm or len(norm) > 30:
        return None
    return labels.match(text, columns)


def match_row(label: str, table: str, group: str | None) -> tpl.Row | None:
    rows = UNION[table].rows
    in_group = [r for r in rows if (labels.normalise(r.group) if r.group else None) in (group, None)]
    row = labels.match(label, in_group)
    if row is None:
        row = labels.match(label, [r for r in rows if len(labels.normalise(r.label)) >= 4])
    return row
