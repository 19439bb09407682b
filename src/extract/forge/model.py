"""A report as numbers: what the forge renders and what the parser must give back.

`generate(seed, ...)` draws a report whose tables obey every identity of the template (unless an
anomaly is asked for) and records each cell exactly as it will be printed, so the truth of any
forged file is known to the last cell.

The numbers look like real ones: most requests are granted, a few refused or unanswerable,
townships often report nothing at all, and a city issues more documents than a department.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from extract import template as tpl

CellKey = tuple[str, str, str]  # (table, row, column)

AGENCIES = (
    # (agency, level, province, city, county)
    ("江南省人民政府办公厅", "department", "江南省", None, None),
    ("江南省清河市人民政府", "city", "江南省", "清河市", None),
    ("清河市安平县人民政府", "county", "江南省", "清河市", "安平县"),
    ("清河市生态环境局", "department", "江南省", "清河市", None),
    ("安平县柳林镇人民政府", "township", "江南省", "清河市", "安平县"),
    ("清河市河东区人民政府", "county", "江南省", "清河市", "河东区"),
    ("江南省教育厅", "department", "江南省", None, None),
    ("清河市河东区望江街道办事处", "township", "江南省", "清河市", "河东区"),
)

FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")

#: how busy each level is with requests: (chance of a quiet year with no request at all, typical count)
_REQUEST_ACTIVITY = {"city": (0.0, 120), "county": (0.1, 40), "department": (0.25, 15), "township": (0.6, 3)}
#: share of handled requests per outcome row (before noise); 予以公开 dominates as in real reports
_OUTCOME_WEIGHTS = {
    "granted": 10.0, "partially_granted": 1.6, "unavailable.not_held": 2.5, "unavailable.needs_creation": 0.4,
    "unavailable.unclear": 0.5, "not_processed.complaint": 0.6, "not_processed.repeated": 0.5,
    "not_processed.publication": 0.1, "not_processed.excessive": 0.2, "not_processed.confirm_existing": 0.2,
    "other_handling.no_correction": 0.4, "other_handling.fee_unpaid": 0.05, "other_handling.other": 0.5,
    "other_handling": 0.8,
}
_WITHHELD_WEIGHT = 0.12  # each of the eight 不予公开 items
#: who asks: share of requests per applicant column (natural persons ask most)
_APPLICANT_WEIGHTS = {"natural_person": 0.82, "commercial": 0.1, "research": 0.01, "public_interest": 0.01,
                      "legal_services": 0.04, "other_org": 0.02}


@dataclass(frozen=True)
class Printed:
    """A cell as printed and as it must be read back."""

    raw: str  # the text in the cell ("" when blank)
    value: float | None  # the number, None unless kind == "number"
    kind: str  # number, blank, na, text


@dataclass(frozen=True)
class Mess:
    """Real-world untidiness to put into a forged report, all off by default."""

    blank_zeros: float = 0.0  # share of zero cells printed blank
    na_cells: int = 0  # cells of tables 二 and 四 printed as "/", "—" or "-" (na)
    unit_suffix: float = 0.0  # share of counts printed with 件
    fullwidth: float = 0.0  # share of numbers printed with full-width digits
    org_subtotal: bool = False  # extra 法人或其他组织小计 column in table 三
    org_subtotal_place: str = "after_orgs"  # or "after_natural": right after the 自然人 column
    extra_row: bool = False  # an extra local row in table 二 (其他主动公开文件)
    label_typo: bool = False  # 其他法律行政止公开 for 其他法律行政法规禁止公开
    other_handling_one_row: bool = False  # 2021 report printing （六）其他处理 as one row
    anomaly: bool = False  # break requests.balance in the total column (a source anomaly)
    truncate_after: str | None = None  # table 三 stops after this row; table 四 absent
    blank_total: str | None = None  # this row of table 三 prints its 总计 blank (its parts stay printed)


#: the messy cases every renderer must handle, by name (tests and samples iterate over these)
MESSES: dict[str, Mess] = {
    "clean": Mess(),
    "blank_zeros": Mess(blank_zeros=0.6),
    "na_cells": Mess(na_cells=4),
    "unit_suffix": Mess(unit_suffix=0.5),
    "fullwidth": Mess(fullwidth=0.5),
    "org_subtotal": Mess(org_subtotal=True),
    "org_subtotal_after_natural": Mess(org_subtotal=True, org_subtotal_place="after_natural"),
    "extra_row": Mess(extra_row=True),
    "label_typo": Mess(label_typo=True),
    "other_handling_one_row": Mess(other_handling_one_row=True),
    "anomaly": Mess(anomaly=True),
    "truncated": Mess(truncate_after="unavailable.not_held"),
}


@dataclass
class Report:
    agency: str
    year: int
    template: str  # 2021 or 2019
    level: str
    province: str | None
    city: str | None
    county: str | None
    published: date
    cells: dict[CellKey, Printed]
    mess: Mess = field(default_factory=Mess)
    extra_rows: dict[str, dict[str, Printed]] = field(default_factory=dict)  # label -> column -> cell
    seed: int = 0

    @property
    def publisher(self) -> tuple:
        """Its agency whole, as `AGENCIES` gives one: (agency, level, province, city, county)."""
        return (self.agency, self.level, self.province, self.city, self.county)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(t for t in tpl.TABLES if any(k[0] == t for k in self.cells))

    def rows(self, table: str) -> list[str]:
        """Row keys present in `table`, in template order (extra rows excluded)."""
        present = {k[1] for k in self.cells if k[0] == table}
        return [r for r in self.template_rows(table) if r in present]

    def template_rows(self, table: str) -> list[str]:
        keys = list(tpl.get(self.template)[table].row_keys)
        if table == "requests" and self.mess.other_handling_one_row and self.template == "2021":
            at = keys.index("other_handling.no_correction")
            keys = [k for k in keys if not k.startswith("other_handling.")]
            keys.insert(at, "other_handling")
        return keys

    def request_columns(self) -> list[str]:
        """Applicant columns of table 三 in printed order (org_subtotal where the mess puts it)."""
        cols = list(tpl.REQUEST_APPLICANTS)
        if self.mess.org_subtotal:
            cols.insert(1 if self.mess.org_subtotal_place == "after_natural" else len(cols), "org_subtotal")
        return [*cols, "total"]

    def columns(self, table: str, row: str) -> list[str]:
        return [k[2] for k in self.cells if k[0] == table and k[1] == row]

    def cell(self, table: str, row: str, column: str) -> Printed | None:
        return self.cells.get((table, row, column))

    def value(self, table: str, row: str, column: str) -> float | None:
        cell = self.cells.get((table, row, column))
        return cell.value if cell else None

    def truth(self) -> pd.DataFrame:
        """Every template cell the document contains: table, row, column, value, kind, raw."""
        records = [
            {"table": t, "row": r, "column": c, "value": p.value, "kind": p.kind, "raw": p.raw}
            for (t, r, c), p in self.cells.items()
        ]
        return pd.DataFrame.from_records(records, columns=["table", "row", "column", "value", "kind", "raw"])


# ---------------------------------------------------------------- numbers


def _split(rng: random.Random, total: int, weights: dict[str, float]) -> dict[str, int]:
    """`total` items dealt over the keys of `weights` at random (a multinomial draw)."""
    counts = dict.fromkeys(weights, 0)
    if total:
        for key in rng.choices(list(weights), weights=list(weights.values()), k=total):
            counts[key] += 1
    return counts


def _requests_numbers(rng: random.Random, rows: list[str], level: str,
                      with_subtotal: bool) -> dict[tuple[str, str], int]:
    """Counts for table 三 that satisfy balance, row totals and the outcomes sum."""
    outcome_rows = [r for r in rows if r not in ("new_received", "carried_over", "total_handled", "carried_forward")]
    quiet, typical = _REQUEST_ACTIVITY.get(level, (0.2, 20))
    handled_total = 0 if rng.random() < quiet else max(1, int(typical * rng.lognormvariate(0, 0.6)))
    per_column = _split(rng, handled_total, _APPLICANT_WEIGHTS)
    # a small share of applicant types ask for things that are refused more often
    weights = {r: _OUTCOME_WEIGHTS.get(r, _WITHHELD_WEIGHT) * rng.uniform(0.5, 1.5) for r in outcome_rows}
    weights["granted"] = max(weights.values()) * 1.5
    out: dict[tuple[str, str], int] = {}
    for col in tpl.REQUEST_APPLICANTS:
        handled = _split(rng, per_column[col], weights)
        total_handled = sum(handled.values())
        carried_forward = rng.randint(0, max(0, total_handled // 8)) if total_handled else 0
        carried_over = rng.randint(0, total_handled // 8 + carried_forward) if total_handled else 0
        column = {**handled, "new_received": total_handled + carried_forward - carried_over,
                  "carried_over": carried_over, "total_handled": total_handled, "carried_forward": carried_forward}
        out.update({(row, col): v for row, v in column.items()})
    for row in rows:
        out[(row, "total")] = sum(out[(row, c)] for c in tpl.REQUEST_APPLICANTS)
        if with_subtotal:
            out[(row, "org_subtotal")] = sum(out[(row, c)] for c in tpl.REQUEST_ORGS)
    return out


def _review_numbers(rng: random.Random, level: str) -> dict[tuple[str, str], int]:
    """Table 四: most agencies have no case; a busy city has a handful."""
    busy = {"city": 0.9, "county": 0.5, "department": 0.3, "township": 0.08}.get(level, 0.3)
    out = {}
    for row, scale in (("review", 6), ("litigation_direct", 3), ("litigation_after_review", 2)):
        cases = int(scale * rng.lognormvariate(0, 0.8)) if rng.random() < busy else 0
        parts = _split(rng, cases, {"upheld": 5, "corrected": 1, "other": 1.5, "pending": 1})
        out.update({(row, c): parts[c] for c in tpl.REVIEW_PARTS})
        out[(row, "total")] = cases
    return out


def _active_numbers(rng: random.Random, template: str, level: str) -> dict[tuple[str, str], float]:
    """Table 二: only governments of cities and above make 规章; townships decide little."""
    size = {"city": 1.0, "county": 0.5, "department": 0.3, "township": 0.05}.get(level, 0.3)
    makes_rules = level == "city" or (level == "department" and rng.random() < 0.2)

    def count(typical: float) -> int:
        return int(typical * size * rng.lognormvariate(0, 0.7)) if rng.random() < 0.85 else 0

    def documents(row: str) -> tuple[int, int, int]:
        if row == "regulations" and not makes_rules:
            return 0, 0, 0
        made = count(3 if row == "regulations" else 25)
        dropped = min(count(1 if row == "regulations" else 6), made + 5)
        stock = made + count(20 if row == "regulations" else 150)
        return made, dropped, stock

    out: dict[tuple[str, str], float] = {}
    for row in tpl.get(template)["active_disclosure"].rows:
        key = row.key
        if key in ("regulations", "normative_documents"):
            made, dropped, stock = documents(key)
            if template == "2021":
                out.update({(key, "issued"): made, (key, "repealed"): dropped, (key, "in_force"): stock})
            else:
                out.update({(key, "newly_made"): made, (key, "newly_published"): max(0, made - rng.randint(0, 1)),
                            (key, "total_published"): stock})
            continue
        for col in row.columns:
            if col in ("amount_10k_yuan", "amount"):
                out[(key, col)] = round(rng.lognormvariate(6, 1.5) * size, 2) if rng.random() < 0.6 else 0
            elif col == "items_change":
                out[(key, col)] = rng.choice((0, 0, rng.randint(-8, 8)))
            elif col == "projects":
                out[(key, col)] = count(40)
            else:
                typical = {"licensing": 1500, "penalty": 300, "coercion": 20, "other_services": 400}.get(key, 50)
                out[(key, col)] = count(typical)
    return out


# ---------------------------------------------------------------- printing


def _print_number(rng: random.Random, value: float, mess: Mess, money: bool) -> Printed:
    whole = float(value) == int(value)
    text = str(int(value)) if whole else f"{value:.2f}".rstrip("0").rstrip(".")
    if value == 0 and rng.random() < mess.blank_zeros:
        return Printed("", None, "blank")
    if rng.random() < mess.fullwidth:
        text = text.translate(FULLWIDTH)
    if rng.random() < mess.unit_suffix and whole and not money:
        text += "件"
    return Printed(text, float(value), "number")


def _agency(rng: random.Random, agency: int | str | tuple | None) -> tuple:
    if isinstance(agency, tuple):  # a whole agency, e.g. `extract.forge.population.national_agency`
        return agency
    if isinstance(agency, str):
        return next(a for a in AGENCIES if a[0] == agency)
    return AGENCIES[agency if agency is not None else rng.randrange(len(AGENCIES))]


def generate(seed: int, template: str = "2021", mess: Mess = Mess(), year: int | None = None,
             agency: int | str | tuple | None = None) -> Report:
    """A forged report: seeded, identities respected unless `mess.anomaly`.

    `agency` is an index into `AGENCIES`, one of its names, or a whole agency in their shape
    (`extract.forge.population`); by default drawn from `AGENCIES` by the seed.
    """
    rng = random.Random(seed)
    name, level, province, city, county = _agency(rng, agency)
    year = year or (rng.randint(2021, 2025) if template == "2021" else rng.randint(2019, 2020))
    report = Report(name, year, template, level, province, city, county,
                    date(year + 1, 1, rng.randint(10, 31)), {}, mess, seed=seed)
    rows = report.template_rows("requests")
    numbers = {("active_disclosure", r, c): v for (r, c), v in _active_numbers(rng, template, level).items()}
    numbers.update({("requests", r, c): v
                    for (r, c), v in _requests_numbers(rng, rows, level, mess.org_subtotal).items()})
    numbers.update({("review_litigation", r, c): v for (r, c), v in _review_numbers(rng, level).items()})
    if mess.anomaly:
        key = ("requests", "carried_forward", "total")
        numbers[key] = numbers[key] + 1 + rng.randint(0, 5)
    if mess.truncate_after:
        keep = rows[: rows.index(mess.truncate_after) + 1]
        numbers = {k: v for k, v in numbers.items()
                   if k[0] == "active_disclosure" or (k[0] == "requests" and k[1] in keep)}
    report.cells = {k: _print_number(rng, v, mess, k[2] in ("amount_10k_yuan", "amount"))
                    for k, v in _in_print_order(report, numbers).items()}
    _add_na_cells(rng, report)
    if mess.blank_total and ("requests", mess.blank_total, "total") in report.cells:
        report.cells[("requests", mess.blank_total, "total")] = Printed("", None, "blank")
    if mess.extra_row:
        report.extra_rows["其他主动公开文件"] = _extra_row(rng, template)
    return report


def _in_print_order(report: Report, numbers: dict[CellKey, float]) -> dict[CellKey, float]:
    """Cells ordered as the tables print them (table, row, then column)."""
    order = {}
    for t in tpl.TABLES:
        cols = report.request_columns() if t == "requests" else [c.key for c in tpl.get(report.template)[t].columns]
        for i, r in enumerate(report.template_rows(t)):
            for j, c in enumerate(cols):
                order[(t, r, c)] = (tpl.TABLES.index(t), i, j)
    return dict(sorted(numbers.items(), key=lambda kv: order[kv[0]]))


def _extra_row(rng: random.Random, template: str) -> dict[str, Printed]:
    """A local row under block (一): numbers for each column of the block."""
    made, stock = rng.randint(0, 40), rng.randint(40, 400)
    cols = ("issued", "repealed", "in_force") if template == "2021" else ("newly_made", "newly_published",
                                                                         "total_published")
    values = (made, rng.randint(0, 5), stock) if template == "2021" else (made, made, stock)
    return {c: Printed(str(v), float(v), "number") for c, v in zip(cols, values)}


def _add_na_cells(rng: random.Random, report: Report) -> None:
    """Print some zero cells of table 二 or 四 as / or — (the publisher's "not applicable")."""
    zeros = [k for k, p in report.cells.items() if p.value == 0 and k[0] != "requests"]
    for key in rng.sample(zeros, min(report.mess.na_cells, len(zeros))):
        report.cells[key] = Printed(rng.choice(("/", "—", "-")), None, "na")


def with_mess(report: Report, **changes) -> Report:
    """The same seed re-drawn with other mess (convenience for parametrised tests)."""
    return generate(report.seed, report.template, replace(report.mess, **changes), report.year, report.publisher)


def following_year(report: Report, seed: int, mess: Mess | None = None) -> Report:
    """The same agency's report of the next year: its own numbers, except that each 上一年项目数量
    is this year's 上一年项目数量 plus its 本年增/减 (table 二 of the 2019 format carries on)."""
    after = generate(seed, report.template, report.mess if mess is None else mess, report.year + 1,
                     report.publisher)
    for (table, row, column), printed in list(report.cells.items()):
        change = report.cells.get((table, row, "items_change"))
        key = (table, row, "items_last_year")
        if column != "items_last_year" or key not in after.cells or change is None:
            continue
        value = (printed.value or 0) + (change.value or 0)
        if printed.kind in ("number", "blank") and change.kind in ("number", "blank") and value >= 0:
            after.cells[key] = Printed(str(int(value)), float(value), "number") if value or \
                after.cells[key].kind != "blank" else after.cells[key]
    return after
