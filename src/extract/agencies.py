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
    every spelling seen, its place, tier and portal, and the years it reported. Column-wise, not
    agency by agency: a national store has ~10⁵ agencies, rebuilt at every commit."""
    known = reports[reports["agency_id"].notna()] if "agency_id" in reports else reports.iloc[0:0]
    if not len(known):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in AGENCY_COLUMNS})
    known = known.assign(_year=pd.to_numeric(known["year"], errors="coerce"))
    latest = latest_reports(known)
    by_agency = known.groupby("agency_id", sort=True)
    frame = pd.DataFrame({
        "agency_id": latest.index, "name": latest["agency"].to_numpy(),
        "names": _listed(spellings(known).reindex(latest.index)),
        **_places(latest, by_agency),
        "portal": portals(known).reindex(latest.index).to_numpy(),
        "first_year": _whole_years(by_agency["_year"].min()), "last_year": _whole_years(by_agency["_year"].max()),
        "reports": by_agency.size().to_numpy(),
    })
    return frame[list(AGENCY_COLUMNS)]


#: the agency's place and kind: its latest report's, else another report's (`_places`)
PLACE_COLUMNS = ("adcode", "province", "city", "county", "township", "tier", "level")


def latest_reports(known: pd.DataFrame) -> pd.DataFrame:
    """Each agency's latest report (by year, an unknown year first, then report_id), by agency_id."""
    ordered = known.sort_values(["agency_id", "_year", "report_id"], na_position="first", kind="stable")
    return ordered.drop_duplicates("agency_id", keep="last").set_index("agency_id")


def spellings(known: pd.DataFrame) -> pd.Series:
    """Every spelling of each agency's name, sorted, by agency_id."""
    pairs = known[["agency_id", "agency"]].dropna().drop_duplicates().sort_values(["agency_id", "agency"])
    return pairs.groupby("agency_id")["agency"].agg(list)


def _listed(names: pd.Series) -> list[list]:
    return [found if isinstance(found, list) else [] for found in names]


def _places(latest: pd.DataFrame, by_agency) -> dict:
    """`PLACE_COLUMNS` of each agency: its latest report's value, else the last other report's
    that has one (a value one year's text left null); None for a column the reports lack."""
    present = [c for c in PLACE_COLUMNS if c in latest]
    mine = latest[present]
    values = mine.where(mine.notna(), by_agency[present].last().reindex(mine.index))  # last non-null, row order
    return {c: values[c].astype(object).to_numpy() if c in present else None for c in PLACE_COLUMNS}


def portals(known: pd.DataFrame) -> pd.Series:
    """The host most of each agency's reports were fetched from (the first by name on a tie), by
    agency_id; agencies with none (local files) are left out."""
    if "source_url" not in known:
        return pd.Series(dtype=object)
    urls = known[["agency_id", "source_url"]].dropna()
    hosts = urls.assign(host=urls["source_url"].astype(str).str.replace(r"^[a-z]+://([^/]+).*$", r"\1", regex=True))
    counts = hosts.groupby(["agency_id", "host"]).size().rename("n").reset_index()
    top = counts.sort_values(["agency_id", "n", "host"], ascending=[True, False, True]).drop_duplicates("agency_id")
    return top.set_index("agency_id")["host"]


def _whole_years(years: pd.Series) -> list:
    return [None if pd.isna(year) else int(year) for year in years]


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
