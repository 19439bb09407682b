"""Views researchers ask for, over the curated datasets.

- `requests_wide`: table 三 as printed, one row per report and row key, one column per applicant
  type (natural_person … other_org, org_subtotal where printed, total), with the report's agency,
  year, level and region (agency_id, tier, adcode: a panel pairs reports by `agency_id`, a join with
  other statistics goes by `adcode`); values are the corrected ones (`extract.store.corrections`).
- `connect`: an in-memory DuckDB with views ``reports``, ``cells`` (with ``value_corrected``),
  ``flags``, ``corrections``, ``agencies``, ``requests`` (the wide view), ``legacy`` (a pre-2019
  report per row, an indicator per column) and ``series`` (the `CROSSWALK` series of both eras, per
  report), for the SQL examples below.

    from extract.research.views import connect, GRANT_RATE_BY_YEAR
    connect("data/curated").sql(GRANT_RATE_BY_YEAR).df()
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from extract import settings
from extract import template as tpl
from extract.store.datasets import duckdb_relation, read_dataset
from extract.store.corrections import DATASET_FILE, corrected_cells_sql, read_corrected_cells

APPLICANT_COLUMNS = (*tpl.REQUEST_APPLICANTS, "org_subtotal", "total")
REPORT_COLUMNS = ("agency_id", "agency", "year", "level", "tier", "province", "city", "county", "township", "adcode",
                  "template", "status")
#: table 三's rows in printed order (2021 items, then the 2019 one-row 其他处理 where its items stand)
ROW_ORDER = {key: i for i, key in enumerate(
    [r for r in tpl.REQUESTS_2021.row_keys if r != "total_handled" and r != "carried_forward"]
    + ["other_handling", "total_handled", "carried_forward"])}

#: grant rate by year: 予以公开 (and 予以公开 + 部分公开) over 总计, total column, reports that print 总计
GRANT_RATE_BY_YEAR = """
select year,
       sum(total) filter (where "row" = 'granted')           as granted,
       sum(total) filter (where "row" = 'partially_granted') as partially_granted,
       sum(total) filter (where "row" = 'total_handled')     as handled,
       round(granted / handled, 4)                           as grant_rate,
       round((granted + partially_granted) / handled, 4)     as grant_or_partial_rate
from requests
where report_id in (select report_id from requests where "row" = 'total_handled' and total is not null)
group by year
order by year
""".strip()

#: of the requests not granted (in full or in part), the share answered 本机关不掌握相关政府信息
NOT_HELD_SHARE_BY_YEAR = """
select year,
       sum(total) filter (where "row" = 'unavailable.not_held')                   as not_held,
       sum(total) filter (where "row" = 'total_handled')
         - coalesce(sum(total) filter (where "row" in ('granted', 'partially_granted')), 0) as refused,
       round(not_held / nullif(refused, 0), 4)                                    as not_held_share
from requests
where report_id in (select report_id from requests where "row" = 'total_handled' and total is not null)
group by year
order by year
""".strip()

EXAMPLES = {"grant rate by year": GRANT_RATE_BY_YEAR, "share of 本机关不掌握相关政府信息 among refusals": NOT_HELD_SHARE_BY_YEAR}

# ---------------------------------------------------------------- the two eras (spec/legacy.md)

#: the legacy indicators as columns of the `legacy` view (row key with `.` → `_`; the 本年度 figure)
LEGACY_COLUMNS = {r.key: r.key.replace(".", "_") for r in tpl.LEGACY.rows}


@dataclass(frozen=True)
class Crosswalk:
    """One series measured in both eras: the legacy row, and the 2019/2021 cells that add up to it."""

    series: str  # column of the `series` view
    legacy: str  # row of table `legacy` (column this_year)
    current: tuple[tuple[str, str, str], ...]  # (table, row, column) summed in the 2019/2021 formats
    change: str  # where the meaning changed between eras


CROSSWALK = (
    Crosswalk("requests_received", "requests.received", (("requests", "new_received", "total"),),
              "before 2019: 收到/受理申请数 of the year (some provincial lists count it in 条, one per item asked "
              "for); from 2019: 本年新收 requests only, those carried over from last year apart"),
    Crosswalk("requests_granted", "requests.granted", (("requests", "granted", "total"),),
              "before 2019: 同意公开答复数 of the answers given that year; from 2019: 予以公开 of the requests "
              "handled that year (partly granted requests are apart in both eras)"),
    Crosswalk("reviews", "review.total", (("review_litigation", "review", "total"),),
              "before 2019: 行政复议数(量) about government information; from 2019: 行政复议 总计, pending cases "
              "(尚未审结) included"),
    Crosswalk("lawsuits", "litigation.total", (("review_litigation", "litigation_direct", "total"),
                                               ("review_litigation", "litigation_after_review", "total")),
              "before 2019: 行政诉讼数(量); from 2019: the sum of 未经复议直接起诉 and 复议后起诉 (总计 of each)"),
)

#: requests received per year, 2008–2025, one query over both eras (the `series` view)
REQUESTS_RECEIVED_BY_YEAR = """
select year,
       count(*)                     as reports,
       sum(requests_received)       as requests_received,
       sum(requests_granted)        as requests_granted,
       sum(reviews)                 as reviews,
       sum(lawsuits)                as lawsuits
from series
where year between 2008 and 2025
group by year
order by year
""".strip()


def requests_wide(root: Path, corrected: bool = True) -> pd.DataFrame:
    """Table 三 of every report, wide: one row per report and row key, one column per applicant type."""
    cells = read_corrected_cells(root) if corrected else read_dataset(root, "cells")
    return wide_requests(cells, read_dataset(root, "reports"), "value_corrected" if corrected else "value")


def wide_requests(cells: pd.DataFrame, reports: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """The wide `requests` view from frames of the cells and reports datasets."""
    table = cells[cells["table"] == "requests"]
    wide = table.pivot(index=["report_id", "row"], columns="column", values=value)
    columns = list(APPLICANT_COLUMNS)  # org_subtotal too (null unless printed): the same columns every time
    wide = wide.reindex(columns=columns).astype("float64").reset_index()
    wide.columns.name = None
    labels = table.drop_duplicates(["report_id", "row"])[["report_id", "row", "label"]]
    meta = reports.reindex(columns=["report_id", *REPORT_COLUMNS])  # rows written before a column existed: null
    out = wide.merge(labels, on=["report_id", "row"], how="left").merge(meta, on="report_id", how="left")
    out["_order"] = out["row"].map(ROW_ORDER).fillna(len(ROW_ORDER))
    out = out.sort_values(["year", "agency_id", "agency", "report_id", "_order", "row"], na_position="last")
    return out[["report_id", *REPORT_COLUMNS, "row", "label", *columns]].reset_index(drop=True)


def connect(root: Path | str = settings.CURATED_DIR) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with the views reports, cells (+ value_corrected), flags, corrections, requests."""
    root = Path(root)
    if not any((root / "reports").glob("year=*/*.parquet")):
        raise FileNotFoundError(f"no reports dataset under {root}")
    con = duckdb.connect()
    path = root.as_posix()
    con.execute(f"create view reports as select * from {duckdb_relation(root, 'reports')}")
    con.execute(f"create view cells as {corrected_cells_sql(root)}")
    if any((root / "flags").glob("year=*/*.parquet")):
        con.execute(f"create view flags as select * from {duckdb_relation(root, 'flags')}")
    if (root / DATASET_FILE).exists():
        con.execute(f"create view corrections as select * from read_parquet('{path}/corrections/*.parquet')")
    if (root / "agencies" / "part-0.parquet").exists():
        con.execute(f"create view agencies as select * from read_parquet('{path}/agencies/part-0.parquet')")
    con.execute(f"create view requests as {requests_sql()}")
    con.execute(f"create view legacy as {legacy_sql()}")
    con.execute(f"create view series as {series_sql()}")
    return con


def legacy_sql() -> str:
    """The `legacy` view: one row per pre-2019 report, one column per indicator (its 本年度 figure)."""
    pivots = ",\n       ".join(f"max(c.value_corrected) filter (where c.\"row\" = '{key}' and c.\"column\" = "
                                f"'this_year') as {name}" for key, name in LEGACY_COLUMNS.items())
    meta = ", ".join(f"r.{c}" for c in REPORT_COLUMNS)
    return (f"select c.report_id, {meta},\n       {pivots}\n"
            f"from cells c join reports r using (report_id)\n"
            f"where c.\"table\" = '{tpl.LEGACY_TABLE}'\n"
            f"group by c.report_id, {meta}")


def series_sql() -> str:
    """The `series` view: one row per report of either era with the `CROSSWALK` series, so that a
    2008–2025 trend is one query (`REQUESTS_RECEIVED_BY_YEAR`)."""
    columns = []
    for walk in CROSSWALK:
        legacy = (f"max(c.value_corrected) filter (where c.\"table\" = '{tpl.LEGACY_TABLE}' and c.\"row\" = "
                  f"'{walk.legacy}' and c.\"column\" = 'this_year')")
        current = " or ".join(f"(c.\"table\" = '{t}' and c.\"row\" = '{r}' and c.\"column\" = '{k}')"
                              for t, r, k in walk.current)
        columns.append(f"coalesce({legacy}, sum(c.value_corrected) filter (where {current})) as {walk.series}")
    meta = ", ".join(f"r.{c}" for c in REPORT_COLUMNS)
    return (f"select c.report_id, {meta},\n       " + ",\n       ".join(columns)
            + f"\nfrom cells c join reports r using (report_id)\ngroup by c.report_id, {meta}")


def series_by_year(root: Path | str = settings.CURATED_DIR) -> pd.DataFrame:
    return connect(root).sql(REQUESTS_RECEIVED_BY_YEAR).df()


def requests_sql() -> str:
    """The wide `requests` view in SQL, over the views ``cells`` and ``reports``."""
    pivots = ",\n       ".join(f"max(c.value_corrected) filter (where c.\"column\" = '{col}') as {col}"
                               for col in APPLICANT_COLUMNS)
    meta = ", ".join(f"r.{c}" for c in REPORT_COLUMNS)
    return (f"select c.report_id, {meta}, c.\"row\", any_value(c.label) as label,\n       {pivots}\n"
            "from cells c join reports r using (report_id)\n"
            "where c.\"table\" = 'requests'\n"
            f"group by c.report_id, {meta}, c.\"row\"")


def grant_rate_by_year(root: Path | str = settings.CURATED_DIR) -> pd.DataFrame:
    return connect(root).sql(GRANT_RATE_BY_YEAR).df()


def not_held_share_by_year(root: Path | str = settings.CURATED_DIR) -> pd.DataFrame:
    return connect(root).sql(NOT_HELD_SHARE_BY_YEAR).df()
