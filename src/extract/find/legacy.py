"""The statistics table of a pre-2019 report (spec/legacy.md) → cells of table ``legacy``.

Reports of 2008–2018 end with a 政府信息公开情况统计表: an indicator per row (指标名称 / 统计指标), its
unit (计量单位 / 单位), the year's figure (本年度, 2016年度, 统计数) and often the running total
(历年累计). The rows are the template's data (`template.LEGACY`); this module finds them.

    read_legacy_grid   a real table (HTML, DOCX, PDF, tab-separated text): columns by their header
    read_legacy_text   the table flattened into text: label, unit, then the figures separated by
                       spaces or fused into one digit run (``主动公开文件数条346085376``)
    run_splits         every reading of a run; fused, every split into 本年度 | 历年累计 with
                       cumulative ≥ this year
    choose_splits      a figure the prose states, then the channel, answer and refusal sums
                       choose among them; a split they cannot decide is taken by `RULE` and
                       flagged ``cell.ambiguous``, never silently
    prose_cells        the prose keys stated in sentences about 政府信息公开 requests, for a report
                       whose table lacks them (``method = "prose"``)

A duplicated label (被依法纠错数, 其他情形数) is decided by the section it sits in: the rows after
行政复议数量 belong to the review, those after 行政诉讼数量 to litigation. An indicator the template
lacks is kept as ``extra.<n>`` with its label, never dropped.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from extract.template import labels
from extract import template as tpl
from extract.model import Cell, CellRead, Document, Finding, Grid
from extract.find.fused.runs import Run, TooMany, fill, parse_run
from extract.find.fused.locate import match_tail, text_to_pieces
from extract.find.tables import Extraction
from extract.template.units import LEGACY_UNITS
from extract.values import parse_value

TABLE = tpl.LEGACY_TABLE
SPEC = tpl.LEGACY
FUSED_METHOD = "text-fused"
TEXT_METHOD = "text"
PROSE_METHOD = "prose"
#: the tie-break among fused splits that no sum decides, quoted in `cell.ambiguous`
RULE = "the largest 本年度 figure whose 历年累计 is at least as large (the most even split)"
HEAD_WORDS = tpl.LEGACY_LABEL_HEADS[:2]  # 指标名称, 统计指标: a document without them has no legacy table
MIN_ROWS = 3  # template rows a table must have for the report to be read as legacy
MAX_COMBINATIONS = 20000  # joint splits of one sum's rows tried before the sum is given up
_LABEL_PREFIX = re.compile(r"^(?:其中[:：]?\s*)")
_YEAR_HEAD = re.compile(r"^\d{4}年度?$")
_SP = r"[\s\u3000]*"


def _spaced(word: str) -> str:
    return _SP.join(map(re.escape, word))


_VALUE_HEAD = "|".join([r"\d{4}" + _SP + "年" + _SP + "度?", _spaced("本年度"), _spaced("本年"),
                        r"[\u4e00-\u9fff]{0,8}" + _spaced("统计数"), _spaced("历年累计"), _spaced("累计")])
#: the header of a flattened table: 指标名称 计量单位 2016年度 历年累计 (spaces anywhere)
HEADER = re.compile("(?:" + "|".join(_spaced(h) for h in ("序号",)) + ")?" + _SP
                    + "(?:" + "|".join(_spaced(h) for h in tpl.LEGACY_LABEL_HEADS[:2]) + ")" + _SP
                    + "(?:" + "|".join(_spaced(h) for h in tpl.LEGACY_UNIT_HEADS) + ")?" + _SP
                    + "((?:(?:" + _VALUE_HEAD + ")" + _SP + ")+)")
_HEAD_PART = re.compile(_VALUE_HEAD)


# ---------------------------------------------------------------- columns


def column_key(header: str, taken: list[str]) -> str:
    """The column a value header names: this_year, cumulative, or extra_col.<n> for a further
    figure column (区直单位统计数 beside 区政府统计数)."""
    text = labels.normalise(header)
    if labels.match(text, [SPEC.column("cumulative")]) and "cumulative" not in taken:
        return "cumulative"
    if "this_year" not in taken:
        return "this_year"
    return f"extra_col.{sum(k.startswith('extra_col.') for k in taken) + 1}"


def _is_value_head(text: str) -> bool:
    norm = labels.normalise(text)
    return bool(norm) and (bool(_YEAR_HEAD.match(norm)) or norm.endswith("统计数") or norm.endswith("年度")
                           or labels.match(norm, SPEC.columns) is not None)


def header_roles(texts: list[str]) -> list[str] | None:
    """Roles of a header row's positions (label, unit, number, a column key, or skip); None
    when the row is not a legacy header."""
    roles, taken = [], []
    for text in texts:
        norm = labels.normalise(text)
        if norm in tpl.LEGACY_LABEL_HEADS:
            roles.append("label")
        elif norm in tpl.LEGACY_UNIT_HEADS:
            roles.append("unit")
        elif norm in tpl.LEGACY_NUMBER_HEADS:
            roles.append("number")
        elif _is_value_head(text):
            key = column_key(text, taken)
            taken.append(key)
            roles.append(key)
        else:
            roles.append("skip")
    if "label" not in roles or "this_year" not in roles:
        return None
    return roles


# ---------------------------------------------------------------- rows


@dataclass
class RowResolver:
    """Printed labels → row keys, in reading order (the section decides duplicated labels)."""

    section: str | None = None
    extra: int = 0
    seen: set[str] = field(default_factory=set)

    def candidates(self) -> list[tpl.Row]:
        return [r for r in SPEC.rows if r.group in (None, self.section)]

    def resolve(self, label: str) -> str | None:
        """The row key of `label`; None when it is no indicator at all (a heading)."""
        text = _LABEL_PREFIX.sub("", labels.fold(label).strip())
        row = labels.match(text, self.candidates())
        if row is None:
            hit = match_tail(text, self.candidates(), fuzzy=False)
            row = hit[0] if hit else None
        return self.use(row)

    def open_section(self, label: str) -> None:
        """Follow a row without figures: it opens its section but is no cell (and no row seen)."""
        text = _LABEL_PREFIX.sub("", labels.fold(label).strip())
        row = labels.match(text, self.candidates())
        if row is not None and row.key in tpl.LEGACY_SECTIONS:
            self.section = tpl.LEGACY_SECTIONS[row.key]

    def resolve_tail(self, before: str) -> tuple[str | None, str]:
        """(row key, printed label) of the label that ends `before` (the text before a run)."""
        text, unit = strip_unit(before)
        for candidate in ((text, unit), (before.strip(), "")) if unit else ((text, unit),):
            hit = match_tail(candidate[0], self.candidates(), fuzzy=False)
            if hit:
                return self.use(hit[0]), hit[1]
        return None, text

    def use(self, row: tpl.Row | None) -> str | None:
        if row is None:
            return None
        if row.key in tpl.LEGACY_SECTIONS:
            self.section = tpl.LEGACY_SECTIONS[row.key]
        elif row.group is None:
            self.section = None
        if row.key in self.seen:  # the same indicator twice: the second is a local row
            return self.new_extra()
        self.seen.add(row.key)
        return row.key

    def new_extra(self) -> str:
        self.extra += 1
        return f"extra.{self.extra}"


def strip_unit(text: str) -> tuple[str, str]:
    """(label, unit) of a label printed with its unit after it (主动公开文件数 条)."""
    body = text.rstrip(" \t\u3000")
    for unit in LEGACY_UNITS:
        if body.endswith(unit) and len(body) > len(unit):
            return body[: -len(unit)].rstrip(" \t\u3000"), unit
    return body, ""


def _printed(label: str, unit: str) -> str:
    label = re.sub(r"\s+", " ", label).strip()
    return f"{label}（{unit}）" if unit else label


def convert(row: str, value: float | None, unit: str) -> float | None:
    """The value in the row's unit: money printed in 元 into 万元, nothing else converted."""
    if value is None or row not in tpl.LEGACY_MONEY or unit != "元":
        return value
    return round(value / 10000, 6)


def _cell(row: str, column: str, raw: str, label: str, unit: str, page, method: str,
          confidence=None) -> CellRead:
    kind, value = parse_value(raw)
    return CellRead(TABLE, row, column, raw.strip(), kind, convert(row, value, unit), label, page, method,
                    confidence)


# ---------------------------------------------------------------- grids


def read_legacy_grid(grid: Grid, out: Extraction) -> int:
    """Cells of a legacy table held in `grid`; the number of template rows read (0: not one)."""
    rows = [_distinct_texts(r) for r in grid.rows]
    start = next((i for i, r in enumerate(rows) if header_roles([t for _, t in r])), None)
    if start is None:
        return 0
    roles = header_roles([t for _, t in rows[start]])
    headers = {role: text for role, (_, text) in zip(roles, rows[start])}
    resolver = RowResolver()
    found = 0
    for row in grid.rows[start + 1:]:
        by_role = _row_by_role(row, _positions(grid.rows[start], roles))
        label, unit = by_role.get("label", ""), by_role.get("unit", "").strip()
        if not label.strip():
            continue
        if not unit:
            label, unit = strip_unit(label)
        values = {k: v for k, v in by_role.items() if k == "this_year" or k == "cumulative" or k.startswith("extra_col.")}
        if not any(parse_value(v).kind == "number" for v in values.values()):
            resolver.open_section(label)  # a heading (or a row printed blank) still opens its section
            continue
        key = resolver.resolve(label) or resolver.new_extra()
        found += not key.startswith("extra.")
        printed = _printed(label, unit)
        page = next((c.page for c in row if c.page is not None), grid.page)
        for column, raw in values.items():
            shown = printed if not column.startswith("extra_col.") else f"{printed} [{headers[column]}]"
            out.cells.append(_cell(key, column, raw, shown, unit, page, grid.method))
    return found


def _positions(header: list[Cell], roles: list[str]) -> list[str]:
    """Roles per physical column: a header cell spanning columns gives its role to each."""
    out, seen, k = [], {}, -1
    for cell in header:
        if id(cell) not in seen:
            k += 1
            seen[id(cell)] = roles[k] if k < len(roles) else "skip"
        out.append(seen[id(cell)])
    return out


def _distinct_texts(row: list[Cell]) -> list[tuple[Cell, str]]:
    out, seen = [], set()
    for cell in row:
        if id(cell) not in seen:
            seen.add(id(cell))
            out.append((cell, cell.text))
    return out


def _row_by_role(row: list[Cell], roles: list[str]) -> dict[str, str]:
    """A data row's texts by the role of the header column above each; a spanned cell counts
    once (a label merged over the unit column is still one label)."""
    out: dict[str, str] = {}
    used: set[int] = set()
    for pos, role in enumerate(roles):
        if pos >= len(row) or role in ("skip", "number") or id(row[pos]) in used:
            continue
        used.add(id(row[pos]))
        text = row[pos].text
        if role in out and role != "label":
            continue
        out[role] = f"{out[role]} {text}".strip() if role == "label" and role in out else text
    return out


def read_legacy_grids(doc: Document) -> Extraction:
    out = Extraction()
    found = 0
    for grid in doc.grids:
        if grid.aligned:
            found += read_legacy_grid(grid, out)
    if found < MIN_ROWS:
        return Extraction()
    out.tables.append(TABLE)
    return out


# ---------------------------------------------------------------- text


@dataclass
class TextRow:
    key: str
    label: str
    unit: str
    run: Run
    run_text: str
    splits: list[tuple[float | None, ...]]  # candidate values, one per value column


def header_columns(head: str) -> list[str]:
    taken: list[str] = []
    for part in _HEAD_PART.finditer(head):
        taken.append(column_key(part.group(0), taken))
    return taken


def read_legacy_text(text: str, page: int | None = None) -> Extraction:
    """Cells of a legacy table flattened into `text` (spaces between the figures, or none).
    A figure the report's prose states (主动公开政府信息2026条) settles a fused row it fits."""
    out = Extraction()
    header = HEADER.search(text)
    if header is None:
        return out
    columns = header_columns(header.group(1))
    numbered = "序" in header.group(0)[:4]  # a 序号 column: each row's number follows the row before
    resolver = RowResolver()
    rows: list[TextRow] = []
    carried = ""  # label text with a figure inside its note (（不同渠道和方式公开相同信息计1条）)
    for piece in text_to_pieces(text, header.end()):
        before = carried + piece.before
        end = piece.start + len(piece.run_text)
        if _open_note(before):
            carried = before + piece.run_text
            continue
        carried = ""
        if text[end:end + 1] in _DATE_UNITS:
            break  # a date (2017年3月14日): the table has ended
        key, label = resolver.resolve_tail(before)
        _, unit = strip_unit(before)
        if key is None:
            if _is_prose(label):
                break  # the table has ended: running text (a date line, the next section)
            if numbered and not re.search(r"\s", piece.run_text.strip()):
                continue  # the 序号 of the row that follows a heading
            key = resolver.new_extra()
        try:
            run = parse_run(piece.run_text)
        except ValueError:
            continue
        if run is None:
            continue
        rows.append(TextRow(key, _printed(label, unit), unit, run, piece.run_text,
                            run_splits(run, len(columns), numbered)))
    if sum(not r.key.startswith("extra.") for r in rows) < MIN_ROWS:
        return Extraction()
    from extract.find.statements import legacy_statements

    stated = {row: st.value for row, st in legacy_statements(text[:header.start()]).items()}
    chosen = choose_splits(rows, columns, out, stated)
    for row in rows:
        values = chosen.get(row.key)
        if values is None:
            continue
        printed = sum(raw is not None for raw, _ in values)
        method = FUSED_METHOD if len(row.run.forced) + 1 < printed else TEXT_METHOD
        for column, (raw, value) in zip(columns, values):
            if raw is None:
                continue
            kind, _ = parse_value(raw)
            out.cells.append(CellRead(TABLE, row.key, column, raw, kind, convert(row.key, value, row.unit),
                                      row.label, page, method))
    out.tables.append(TABLE)
    return out


_DATE_UNITS = frozenset("年月日")


def _open_note(text: str) -> bool:
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _is_prose(label: str) -> bool:
    text = labels.normalise(label)
    return len(text) > 40 or any(p in label for p in "。，；！？")


Split = tuple[tuple[str | None, float | None], ...]  # (raw, value) per column; raw None: not printed


def run_splits(run: Run, n: int, numbered: bool = False) -> list[Split]:
    """Every reading of a run as the row's `n` figures. Spaces decide where they show; a fused
    run is cut every way with cumulative ≥ this year (the first two columns). In a table with a
    序号 column the last spaced number is the next row's, not a figure."""
    cells = len(run.forced) + 1
    if cells >= n:
        bounds = (0, *run.forced, len(run))
        if cells == n + 1 and numbered:
            bounds, cells = bounds[:-1], n
        if cells > n:
            return []
        return [tuple((run.raw(a, b), _num(run.value(a, b))) for a, b in zip(bounds, bounds[1:]))]
    out: list[Split] = []
    try:
        cuts = fill(run, 0, len(run), n)
    except TooMany:
        return []  # too many readings to choose among: left out, flagged fused.unsolved
    for bounds in cuts:
        values = tuple((run.raw(a, b), _num(run.value(a, b))) for a, b in zip(bounds, bounds[1:]))
        if n >= 2 and values[0][1] is not None and values[1][1] is not None and values[1][1] < values[0][1]:
            continue
        out.append(values)
    if not out and cells == 1 and n >= 2:  # one figure printed, the cumulative left blank
        return [((run.raw(0, len(run)), _num(run.value(0, len(run)))),) + ((None, None),) * (n - 1)]
    return out


def _num(v) -> float | None:
    return None if v is None else float(v)


def _rank(split: Split) -> tuple:
    """`RULE`: the largest this-year figure (a more even split), then the smaller cumulative."""
    first = split[0][1] if split[0][1] is not None else -1
    return (-first, *(v if v is not None else 0 for _, v in split[1:]))


def choose_splits(rows: list[TextRow], columns: list[str], out: Extraction,
                  stated: dict[str, float] | None = None) -> dict[str, Split]:
    """One split per row: unique splits as they are; a figure the prose states, then the sums
    (channels = received, answers ≤ answered) narrow the others; what is still open is taken by
    `RULE` and flagged."""
    by_key = {r.key: r for r in rows}
    options: dict[str, list[Split]] = {r.key: sorted(r.splits, key=_rank) for r in rows}
    for key, value in (stated or {}).items():
        fitting = [s for s in options.get(key, []) if s[0][1] == value]
        if fitting:
            options[key] = fitting
    for key, row in by_key.items():
        if not row.splits:
            out.issues.append(Finding("fused.unsolved", "warning", f"row {row.label!r}: the figures {row.run_text!r} "
                                      f"do not read as {len(columns)} column(s)", TABLE, key, origin="extraction"))
    for total, parts, equal in _sums(by_key):
        _narrow(options, total, parts, equal, len(columns))
    chosen: dict[str, Split] = {}
    for key, splits in options.items():
        if not splits:
            continue
        chosen[key] = splits[0]
        if len(splits) > 1:
            _flag_ambiguous(out, by_key[key], columns, splits)
    return chosen


def _sums(rows: dict[str, TextRow]) -> list[tuple[str, list[str], bool]]:
    out = []
    channels = [k for k in tpl.LEGACY_CHANNELS if k in rows]
    if "requests.received" in rows and channels:
        out.append(("requests.received", channels, True))
    answers = [k for k in tpl.LEGACY_ANSWERS if k in rows]
    if "requests.answered" in rows and answers:
        out.append(("requests.answered", answers, False))
    refusals = [k for k in rows if k.startswith("requests.refused.")]
    if "requests.refused" in rows and refusals:
        out.append(("requests.refused", refusals, True))
    proactive = [k for k in tpl.LEGACY_PROACTIVE_CHANNELS if k in rows]
    if "proactive.items" in rows and proactive:
        out.append(("proactive.items", proactive, False))
    return out


def _narrow(options: dict[str, list[Split]], total: str, parts: list[str], equal: bool, n: int) -> None:
    """Keep only the splits of `total` and `parts` that some joint choice makes add up."""
    keys = [total, *parts]
    if any(not options[k] for k in keys):
        return
    sizes = 1
    for k in keys:
        sizes *= len(options[k])
    if sizes > MAX_COMBINATIONS or sizes == 1:
        return
    keep: dict[str, set[int]] = {k: set() for k in keys}
    for combo in itertools.product(*(range(len(options[k])) for k in keys)):
        picked = [options[k][i] for k, i in zip(keys, combo)]
        if _adds_up(picked[0], picked[1:], equal, n):
            for k, i in zip(keys, combo):
                keep[k].add(i)
    if all(keep.values()):
        for k in keys:
            options[k] = [s for i, s in enumerate(options[k]) if i in keep[k]]


def _adds_up(total: Split, parts: list[Split], equal: bool, n: int) -> bool:
    for col in range(n):
        t = total[col][1]
        vals = [p[col][1] for p in parts]
        if t is None or None in vals:
            continue
        s = sum(vals)
        if (equal and abs(s - t) > 1e-9) or (not equal and s > t + 1e-9):
            return False
    return True


def _flag_ambiguous(out: Extraction, row: TextRow, columns: list[str], splits: list[Split]) -> None:
    chosen = splits[0]
    for i, column in enumerate(columns):
        others = sorted({s[i][1] for s in splits[1:] if s[i][1] != chosen[i][1]} - {None})
        if not others:
            continue
        shown = ", ".join(" | ".join(raw or "" for raw, _ in s) for s in splits[1:5])
        out.issues.append(Finding("cell.ambiguous", "warning",
                                  f"{row.label}: {row.run_text!r} read as {' | '.join(r or '' for r, _ in chosen)} by "
                                  f"{RULE}; it also reads as {shown}", TABLE, row.key, column, observed=chosen[i][1],
                                  origin="extraction"))


# ---------------------------------------------------------------- the document


def looks_legacy(text: str) -> bool:
    """The text holds a legacy statistics-table header (cheap test before reading)."""
    return HEADER.search(text) is not None


def read_legacy(doc: Document) -> Extraction:
    """The legacy table of `doc`: from its grids, else from its text; empty when it has none."""
    out = read_legacy_grids(doc)
    if out.cells:
        return out
    return read_legacy_text(doc.text())


def prose_cells(lines, present: set[str]) -> list[CellRead]:
    """Cells for the prose keys the table lacks, from sentences about 政府信息公开 requests."""
    from extract.find.statements import legacy_statements

    out = []
    for row, statement in legacy_statements(lines).items():
        if row in present:
            continue
        value = statement.value / 10000 if row in tpl.LEGACY_MONEY and statement.unit == "元" else statement.value
        out.append(CellRead(TABLE, row, "this_year", statement.raw, "number", value, statement.clause, None,
                            PROSE_METHOD))
    return out
