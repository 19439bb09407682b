"""Agency identity: one `agency_id` for a body across years and spellings, and the `agencies`
dataset (one row per agency) built from the `reports` dataset.

The id is a hash of the agency's place and its normalised remainder: the adcode (when known),
the smallest area it names (平潭综合实验区, 台儿庄区), its township, and what the name says after
the areas, with the spellings of one body made equal — 管理委员会 = 管委会 = 人民政府 = 政府 (the
government of the area), 人民政府办公室 = 政府办 = 政府办公室, full-width forms folded, spaces
and 的 dropped. So 平潭综合实验区 and 平潭综合实验区管委会 are one agency, 平潭县人民政府 another.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from extract.template.labels import fold
from extract.region import Region, resolve_region

#: spelling → canonical form, applied in turn to the ending of the part of the name after its areas
SPELLINGS: tuple[tuple[str, str], ...] = (
    ("管理委员会", "管委会"),
    ("政府办", "政府办公室"),
    ("人民政府办公厅", "政府办公厅"),
    ("人民政府办公室", "政府办公室"),
    ("人民政府", "政府"),
    ("街道办事处", "政府"),
    ("办事处", "政府"),
    ("管委会", "政府"),
)
_GOVERNMENT = "政府"
_DROP = re.compile(r"[\s\u3000·•]|的")
_ID_PREFIX = "ag-"


def canonical_remainder(remainder: str) -> str:
    """The part of an agency's name after its areas, in one spelling (empty: the area's government)."""
    text = _DROP.sub("", fold(remainder))
    return _respell(text) or _GOVERNMENT


def _respell(text: str) -> str:
    """Each rule in turn on the name's ending (管理委员会 → 管委会 → 政府)."""
    for spelling, canonical in SPELLINGS:
        if text.endswith(spelling):
            text = text[: len(text) - len(spelling)] + canonical
    return text


def identity_key(agency: str | None, region: Region | None = None) -> str | None:
    """The string the id hashes: place and normalised remainder (None for an unknown agency)."""
    if not agency:
        return None
    region = region or resolve_region(agency)
    if region.unit is None and region.adcode is None:
        return "name|" + canonical_remainder(region.remainder or agency)
    return "|".join((region.adcode or "-", region.unit or "-", region.township or "-",
                     canonical_remainder(region.remainder)))


def agency_id(agency: str | None, region: Region | None = None) -> str | None:
    """A stable id for the agency, e.g. ``ag-3f1c…`` (16 hex digits); None for an unknown agency."""
    key = identity_key(agency, region)
    return None if key is None else _ID_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:16]


def pairing_key(reports: pd.DataFrame) -> pd.Series:
    """What pairs a report with the same agency's others: its agency_id; for a row written before
    agency_id existed (or with none), its agency's name."""
    names = "name:" + reports["agency"].astype("string")
    if "agency_id" not in reports:
        return names.astype(object).where(reports["agency"].notna(), None)
    ids = reports["agency_id"].astype(object)
    return ids.where(ids.notna(), names.astype(object).where(reports["agency"].notna(), None))


AGENCY_COLUMNS = ("agency_id", "name", "names", "adcode", "province", "city", "county", "township", "tier",
                  "level", "portal", "first_year", "last_year", "reports")


def agencies_frame(reports: pd.DataFrame) -> pd.DataFrame:
    """One row per agency_id of `reports`: its canonical name (the spelling of its latest report),
    every spelling seen, its place, tier and portal, and the years it reported."""
    known = reports[reports["agency_id"].notna()] if "agency_id" in reports else reports.iloc[0:0]
    if not len(known):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in AGENCY_COLUMNS})
    known = known.assign(_year=pd.to_numeric(known["year"], errors="coerce"))
    rows = [_agency_row(agency, group) for agency, group in known.groupby("agency_id", sort=True)]
    return pd.DataFrame.from_records(rows, columns=list(AGENCY_COLUMNS))


def _agency_row(agency: str, group: pd.DataFrame) -> dict:
    latest = group.sort_values(["_year", "report_id"], na_position="first").iloc[-1]
    years = group["_year"].dropna()
    return {
        "agency_id": agency, "name": latest["agency"], "names": sorted(set(group["agency"].dropna())),
        **{c: _first(group, c, latest) for c in ("adcode", "province", "city", "county", "township", "tier",
                                                   "level")},
        "portal": _portal(group), "first_year": int(years.min()) if len(years) else None,
        "last_year": int(years.max()) if len(years) else None, "reports": len(group),
    }


def _first(group: pd.DataFrame, column: str, latest: pd.Series):
    """The latest report's value, else any report's (a value one year's text left null)."""
    if column not in group:
        return None
    if pd.notna(latest.get(column)):
        return latest[column]
    values = group[column].dropna()
    return values.iloc[-1] if len(values) else None


def _portal(group: pd.DataFrame) -> str | None:
    """The host most of the agency's reports were fetched from (null for local files)."""
    if "source_url" not in group:
        return None
    hosts = group["source_url"].dropna().map(lambda url: re.sub(r"^[a-z]+://([^/]+).*$", r"\1", str(url)))
    return hosts.value_counts().sort_index().idxmax() if len(hosts) else None


# ---------------------------------------------------------------- pairing an agency's reports across years

USABLE_STATUSES = ("ok", "partial")


def one_per_agency_year(reports: pd.DataFrame) -> pd.DataFrame:
    """report_id, agency, agency_key, year: the best report of each agency and year (ok first, most
    cells); one agency across spellings by its `agency_id` (`pairing_key`)."""
    reports = reports.assign(agency_key=pairing_key(reports))
    usable = reports[reports["agency_key"].notna() & reports["year"].notna()
                     & reports["status"].isin(USABLE_STATUSES)]
    usable = usable.assign(_ok=usable["status"] != "ok", _cells=-pd.to_numeric(usable.get("cells"), errors="coerce"))
    usable = usable.sort_values(["agency_key", "year", "_ok", "_cells", "report_id"], na_position="last")
    best = usable.drop_duplicates(["agency_key", "year"])[["report_id", "agency", "agency_key", "year"]]
    return best.assign(year=best["year"].astype("int64"))


def year_pairs(reports: pd.DataFrame) -> pd.DataFrame:
    """report_id, year, report_id_before, year_before: each agency's report of a year with its report of
    the year before (the best of each agency and year, `one_per_agency_year`). The one pairing of
    reports across years: ``carry.cross_year`` (`extract.check.collection`) and `extract.find.disambiguate` both use it."""
    chosen = one_per_agency_year(reports)
    before = chosen.assign(year=chosen["year"] + 1).rename(columns={"report_id": "report_id_before"})
    pairs = chosen.merge(before.drop(columns="agency"), on=["agency_key", "year"])
    return pairs.assign(year_before=pairs["year"] - 1)[["report_id", "year", "report_id_before", "year_before"]]
