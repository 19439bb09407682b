"""Find the template's three tables in a `Document` and map every cell to its canonical key.

The pipeline, format-agnostic:

    document_to_segments   grids → runs of rows belonging to one table (by header markers,
                           section titles, or as the continuation of the table before)
    segments_to_tables     stitch the runs of one table across pages
    header_to_columns      header rows → column position → key (by label, never by position)
    row_to_cells           data row → label (→ row key) and value cells (→ column keys)

Rows are mapped by their printed labels and columns by their headers. A row whose values cannot
be aligned with the header is flagged, never shifted: a blank cell yields no token in a text
export, and counting tokens would silently move numbers to the wrong column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.template import labels
from extract import template as tpl
from extract.model import Cell, CellRead, Document, Finding, Grid, Line
from extract.template.printed import UNION, ColumnRef, column_of, match_row, path_to_column, row_marker_texts, section_of
from extract.values import parse_value

_ROW_GROUP = tpl.OUTCOMES_HEADING
_GROUPS = {labels.normalise(g) for g in tpl.REQUEST_GROUPS}


@dataclass
class Extraction:
    cells: list[CellRead] = field(default_factory=list)
    issues: list[Finding] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)  # tables found, in document order
    #: (table, row) → (columns, splits) the fused-text solver left open (`extract.find.disambiguate`)
    alternatives: dict = field(default_factory=dict)

    def has(self, table: str, row: str | None = None) -> bool:
        return any(c.table == table and (row is None or c.row == row) for c in self.cells)


@dataclass
class Segment:
    """Consecutive rows of one grid that belong to one table."""

    table: str | None
    grid: Grid
    rows: list[list[Cell]]
    has_header: bool


# ---------------------------------------------------------------- step 1: segments


def row_marker(row: list[Cell]) -> str | None:
    """The table a header-like row announces, from its marker texts."""
    return row_marker_texts([c.text for c in _distinct(row)])


def document_to_segments(doc: Document) -> list[Segment]:
    """Split every grid into runs of rows, each attributed to a table (or None)."""
    segments: list[Segment] = []
    section: str | None = None
    for block in doc.blocks:
        if isinstance(block, Line):
            section = section_of(block.text) or section
            continue
        segments.extend(grid_to_segments(block, section))
    return segments


def grid_to_segments(grid: Grid, section: str | None) -> list[Segment]:
    """A new segment starts at every row whose markers announce another table."""
    out: list[Segment] = []
    current = Segment(section if section in tpl.TABLES else None, grid, [], False)
    for row in grid.rows:
        marker = row_marker(row)
        if marker and marker != current.table:
            if current.rows:
                out.append(current)
            current = Segment(marker, grid, [], True)
        current.has_header = current.has_header or marker is not None
        current.rows.append(row)
    if current.rows:
        out.append(current)
    return out


# ---------------------------------------------------------------- step 2: stitch


def segments_to_tables(segments: list[Segment]) -> dict[str, list[Segment]]:
    """Group segments by table. A segment with no table continues the one before it when its
    labels are that table's rows (a table split over pages without a repeated header)."""
    tables: dict[str, list[Segment]] = {}
    previous: str | None = None
    for seg in segments:
        key = seg.table
        if key is None and previous and _continues(seg, previous):
            key = previous
        if key is None:
            previous = None
            continue
        tables.setdefault(key, []).append(seg)
        previous = key
    return tables


def _continues(seg: Segment, table: str) -> bool:
    rows = UNION[table].rows
    for row in seg.rows:
        for cell in _distinct(row):
            if parse_value(cell.text).kind == "text" and labels.match(cell.text, rows):
                return True
    return False


# ---------------------------------------------------------------- step 3: headers


def is_header_row(row: list[Cell], table: str) -> bool:
    """A row of column labels: no numbers, and at least one cell naming a column of `table`."""
    cells = _distinct(row)
    if any(parse_value(c.text).kind == "number" or labels.is_numbered(c.text) for c in cells):
        return False  # a data row, if all blank (3.其他 is a row, not the 其他 column)
    cols = UNION[table].columns
    return any(column_of(c.text, cols) for c in cells if c.text.strip()) or row_marker(row) == table


def header_to_columns(header: list[list[Cell]], table: str) -> dict[int, ColumnRef]:
    """Column position → key, from the header rows' texts above each position."""
    mapping: dict[int, ColumnRef] = {}
    width = max((len(r) for r in header), default=0)
    for pos in range(width):
        path = _header_path(header, pos)
        ref = path_to_column(path, table)
        if ref:
            mapping[pos] = ref
    return mapping


def _header_path(header: list[list[Cell]], pos: int) -> list[str]:
    path, seen = [], set()
    for row in header:
        if pos < len(row) and id(row[pos]) not in seen:
            seen.add(id(row[pos]))
            if row[pos].text.strip():
                path.append(row[pos].text)
    return path


def ordered_keys(mapping: dict[int, ColumnRef], table: str) -> list[ColumnRef]:
    """The value columns in printed order, for rows read by order rather than position."""
    refs = list(dict.fromkeys(mapping[p] for p in sorted(mapping)))
    if table == "review_litigation" and any(r.row is None for r in refs):
        return [ColumnRef(c, r.key) for r in UNION[table].rows for c in tpl.REVIEW_COLUMNS_KEYS]
    if table == "requests":
        totals = [r for r in refs if r.column == "total"]
        refs = [r for r in refs if r.column != "total"] + totals
    return refs


# ---------------------------------------------------------------- step 4: rows


@dataclass
class _RowState:
    group: str | None = None
    extra: int = 0
    columns: dict[int, ColumnRef] = field(default_factory=dict)
    order: list[ColumnRef] = field(default_factory=list)
    aligned: bool = True
    starts: list[tuple[float, ColumnRef]] = field(default_factory=list)  # header x → column


def table_to_cells(table: str, segments: list[Segment], out: Extraction) -> None:
    """Map every data row of one (stitched) table."""
    state = _RowState()
    seen: set[tuple[str, str]] = set()
    for seg in segments:
        header: list[list[Cell]] = []
        state.aligned = seg.grid.aligned
        for row in seg.rows:
            if is_header_row(row, table):
                header.append(row)
                continue
            if header:
                _use_header(state, header, table)
                header = []
            if tpl.ACTIVE_BLOCK in labels.normalise(_first_text(row)) or not any(c.text.strip() for c in row):
                continue
            for cell in row_to_cells(row, table, state, seg.grid, out):
                if (cell.row, cell.column) not in seen:
                    seen.add((cell.row, cell.column))
                    out.cells.append(cell)
        if header:
            _use_header(state, header, table)


def _use_header(state: _RowState, header: list[list[Cell]], table: str) -> None:
    if state.aligned:
        columns = header_to_columns(_fill_spans(header), table)
    else:
        found = [(c, ref) for row in header for c in _distinct(row) for ref in [path_to_column([c.text], table)] if ref]
        state.starts = column_starts(found, _row_starts(header, table))
        order = printed_order(list(dict.fromkeys(ref for _, ref in found)), table)
        if {ref for _, ref in state.starts} == set(order):  # the layout tells the printed order
            order = [ref for _, ref in state.starts]
        columns = dict(enumerate(order))
    if columns:
        state.columns = columns
        state.order = ordered_keys(columns, table)


def column_starts(found: list[tuple[Cell, ColumnRef]],
                  row_starts: list[tuple[float, str]] = ()) -> list[tuple[float, ColumnRef]]:
    """Where each column starts, from the header cells that name it (rows without rulings).
    In table 四 a column's row is the row heading (行政复议, 复议后起诉 …) that starts left of it."""
    starts: dict[ColumnRef, float] = {}
    for cell, ref in found:
        if cell.x is None:
            continue
        if row_starts:
            rows = [key for x, key in row_starts if x <= cell.x + 1]
            if not rows:
                continue
            ref = ColumnRef(ref.column, rows[-1])
        starts[ref] = min(cell.x, starts.get(ref, cell.x))
    return sorted(((x, ref) for ref, x in starts.items()), key=lambda item: item[0])


def _row_starts(header: list[list[Cell]], table: str) -> list[tuple[float, str]]:
    if table != "review_litigation":
        return []
    found = [(c.x, row.key) for r in header for c in _distinct(r) if c.x is not None
             for row in [labels.match(c.text, UNION[table].rows)] if row]
    return sorted(found, key=lambda item: item[0])


def printed_order(refs: list[ColumnRef], table: str) -> list[ColumnRef]:
    """Columns of a header whose cells lost their positions (text split on spaces): the
    template's order for tables 三 and 四 (their headers span several lines), as printed for 二."""
    if table == "requests":
        keys = [*tpl.REQUEST_APPLICANTS, "total"]
        if any(r.column == "org_subtotal" for r in refs):
            keys.insert(len(tpl.REQUEST_APPLICANTS), "org_subtotal")
        return [ColumnRef(k) for k in keys]
    if table == "review_litigation":
        return [ColumnRef(c, r.key) for r in UNION[table].rows for c in tpl.REVIEW_COLUMNS_KEYS]
    return refs


def _fill_spans(header: list[list[Cell]]) -> list[list[Cell]]:
    """Header rows of a grid that lost its spans (a text export): an empty cell under which
    sub-headings stand belongs to the heading on its left, as the merged cell it was."""
    if _has_spans(header):
        return header
    filled = []
    for i, row in enumerate(header):
        out, last = [], None
        for pos, cell in enumerate(row):
            if cell.text.strip():
                last = cell
            elif last is not None and _has_text_below(header[i + 1:], pos):
                cell = last
            out.append(cell)
        filled.append(out)
    return filled


def _has_text_below(rows: list[list[Cell]], pos: int) -> bool:
    return any(pos < len(r) and r[pos].text.strip() for r in rows)


def _has_spans(rows: list[list[Cell]]) -> bool:
    return any(len(_distinct(r)) < len(r) for r in rows) or any(
        a is b for r1, r2 in zip(rows, rows[1:]) for a, b in zip(r1, r2))


def row_to_cells(row: list[Cell], table: str, state: _RowState, grid: Grid, out: Extraction) -> list[CellRead]:
    label_cells, values = split_row(row, state)
    if values is None:
        label = " ".join(c.text.strip() for c in label_cells)
        if any(parse_value(c.text).kind == "number" for c in row):
            out.issues.append(Finding("row.unaligned", "warning", f"row {label!r}: its values do not line up with the header",
                                      table, origin="extraction"))
        return []
    label, row_key = resolve_row(label_cells, table, state)
    if row_key is None:
        if table == "review_litigation" and all(ref.row for ref, _ in values):
            row_key = ""
        elif not any(parse_value(c.text).kind == "number" for _, c in values):
            return []  # a heading or note row
        else:
            state.extra += 1
            row_key = f"extra.{state.extra}"
    return [_cell_read(table, row_key or ref.row, ref.column, cell, label, grid)
            for ref, cell in values if row_key or ref.row]


def split_row(row: list[Cell], state: _RowState) -> tuple[list[Cell], list[tuple[ColumnRef, Cell]] | None]:
    """(label cells, [(column, value cell)]) or None for the values when they cannot be aligned."""
    if not state.columns:
        return _labels_of(row), None
    if state.aligned:
        labels_at = [row[p] for p in range(len(row)) if p not in state.columns]
        values = [(ref, row[p]) for p, ref in sorted(state.columns.items()) if p < len(row)]
        if not any(_is_label_like(c) for _, c in values):
            return _distinct(labels_at), _dedupe_values(values)
    labels_at, values = _by_order(row, state.order)
    if values is None and state.starts:
        values = _by_position(row, state.starts)
    return labels_at, values


def _by_position(row: list[Cell], starts: list[tuple[float, ColumnRef]]):
    """Values put under the header column they start in (a text layout with blank cells)."""
    cells = _distinct(row)
    last_label = max((i for i, c in enumerate(cells) if _is_label_like(c)), default=-1)
    values = [c for c in cells[last_label + 1:] if c.text.strip()]
    if any(c.x is None for c in values):
        return None
    placed: dict[ColumnRef, Cell] = {}
    for cell in values:
        under = [ref for x, ref in starts if x <= cell.x + 1]
        if not under or under[-1] in placed:
            return None
        placed[under[-1]] = cell
    page = row[0].page if row else None
    return [(ref, placed.get(ref) or Cell("", page)) for _, ref in starts]


def _by_order(row: list[Cell], order: list[ColumnRef]):
    """Values taken in printed order after the last label cell (rows whose columns shift)."""
    cells = _distinct(row)
    last_label = max((i for i, c in enumerate(cells) if _is_label_like(c)), default=-1)
    values = cells[last_label + 1:]
    while len(values) > len(order) and not values[-1].text.strip():
        values = values[:-1]
    while len(values) > len(order) and not values[0].text.strip():
        values = values[1:]
    label_cells = [c for c in cells[: last_label + 1] if c.text.strip()]
    if len(values) != len(order) or not order:
        return label_cells, None
    return label_cells, list(zip(order, values))


def _dedupe_values(values: list[tuple[ColumnRef, Cell]]) -> list[tuple[ColumnRef, Cell]]:
    out, seen_refs, seen_cells = [], set(), set()
    for ref, cell in values:
        if ref in seen_refs or id(cell) in seen_cells:
            continue
        seen_refs.add(ref)
        seen_cells.add(id(cell))
        out.append((ref, cell))
    return out


def resolve_row(label_cells: list[Cell], table: str, state: _RowState) -> tuple[str, str | None]:
    """(printed label, row key) for a data row, tracking table 三's group headings."""
    parts = [p for c in label_cells for p in labels.split_parts(c.text)]
    item = None
    for part in parts:
        norm = labels.normalise(part)
        if not norm or _ROW_GROUP in norm:
            continue
        if norm in _GROUPS:
            state.group = norm
            continue
        item = part
    printed = " ".join(p.strip() for p in parts)
    if item is None:
        if table == "requests" and state.group == labels.normalise(tpl.OUTCOME_GROUP_HEADINGS["other_handling"]):
            return printed, "other_handling"
        return printed, None
    row = match_row(item, table, state.group)
    if row is not None and table == "requests":
        state.group = labels.normalise(row.group) if row.group else None
    return printed, row.key if row else None


def _cell_read(table: str, row: str, column: str, cell: Cell, label: str, grid: Grid) -> CellRead:
    kind, value = parse_value(cell.text)
    return CellRead(table, row, column, cell.text.strip(), kind, value, label, cell.page, grid.method,
                    cell.confidence)


def _is_label_like(cell: Cell) -> bool:
    text = labels.normalise(cell.text)
    return parse_value(cell.text).kind == "text" and len(text) >= 2 and not text.isascii()


def _labels_of(row: list[Cell]) -> list[Cell]:
    return [c for c in _distinct(row) if _is_label_like(c)]


def _distinct(row: list[Cell]) -> list[Cell]:
    out, seen = [], set()
    for cell in row:
        if id(cell) not in seen:
            seen.add(id(cell))
            out.append(cell)
    return out


def _first_text(row: list[Cell]) -> str:
    return next((c.text for c in row if c.text.strip()), "")


# ---------------------------------------------------------------- all together


def extract_tables(doc: Document) -> Extraction:
    """Every template cell the document holds, with what could not be read as issues."""
    legacy = _legacy_table(doc)
    if legacy is not None:
        return legacy
    out = Extraction()
    grouped = segments_to_tables(document_to_segments(doc))
    for table, segments in grouped.items():
        table_to_cells(table, segments, out)
        if out.has(table):
            out.tables.append(table)
    # --- fused text (issue 8, extract.find.fused): tables flattened into running text, their cells run together
    missing = [t for t in tpl.TABLES if t not in out.tables]
    if missing:
        from extract.find.fused import read_fused  # here, not at the top: extract.find.fused builds on this module
        fused = read_fused(doc, missing)
        out.cells += fused.cells
        out.issues += fused.issues
        out.tables += fused.tables
        out.alternatives.update(fused.alternatives)
    # --- end fused text
    return out


def _legacy_table(doc: Document) -> Extraction | None:
    """The pre-2019 statistics table (extract.find.legacy), when the document has one."""
    from extract.find import legacy  # here, not at the top: extract.find.legacy builds on this module

    text = doc.text()
    if not any(word in text for word in legacy.HEAD_WORDS):
        return None
    found = legacy.read_legacy(doc)
    return found if found.cells else None


def detect_template(extraction: Extraction, text: str, year: int | None) -> str:
    """`2021`, `2019`, `legacy` or `unknown`, from the rows and columns read, then the text."""
    if tpl.LEGACY_TABLE in extraction.tables:
        return "legacy"
    cols = {(c.table, c.column) for c in extraction.cells}
    rows = {(c.table, c.row) for c in extraction.cells}
    if any(r.startswith("other_handling.") for t, r in rows) or ("active_disclosure", "issued") in cols \
            or ("active_disclosure", "amount_10k_yuan") in cols:
        return "2021"
    if {("active_disclosure", "newly_made"), ("active_disclosure", "items_last_year")} & cols:
        return "2019"
    for template in tpl.TEMPLATES:
        if any(notice in text for notice in tpl.NOTICES[template]):
            return template
    if extraction.cells:
        return "2021" if (year or 0) >= 2021 else "2019"
    if year and year < 2019:
        return "legacy"
    return "unknown"
