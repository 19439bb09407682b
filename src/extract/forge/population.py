"""Who publishes a national run: a population of agencies at the country's scale.

A year of China is ~150,000 reports, one per agency: every county-level division's government
and its departments, and above them the cities' and provinces'. The forge's own `AGENCIES`
(eight bodies of an invented 江南省) model one portal, where each agency's reports pile up by
the hundred in a big run; this models the country, with real division names (the 民政部 table
`extract.region` reads), so a forged national run meets its real shape: as many agencies as
reports a year, regions to resolve, an agencies dataset of that size, one report per agency-year
to pair across years.
"""

from __future__ import annotations

from functools import lru_cache

from extract.region import Area, area, divisions

#: the bodies of a county-level division that publish a report: (name after the place, level)
BODIES = (
    ("人民政府", "county"),
    ("人民政府办公室", "department"),
    ("发展和改革局", "department"),
    ("教育局", "department"),
    ("公安局", "department"),
    ("财政局", "department"),
    ("自然资源局", "department"),
    ("生态环境局", "department"),
    ("住房和城乡建设局", "department"),
    ("卫生健康局", "department"),
    ("市场监督管理局", "department"),
)

Agency = tuple[str, str, str, str | None, str | None]  # (agency, level, province, city, county), as AGENCIES


def national_agency(index: int) -> Agency:
    """The `index`-th agency of the country: the bodies (`BODIES`) of each county-level division
    in code order, named as their reports print them (北京市海淀区教育局, 江苏省昆山市财政局 for a
    county with no city above it); past the last one, the same agencies again."""
    counties = _counties()
    place = counties[index // len(BODIES) % len(counties)]
    body, level = BODIES[index % len(BODIES)]
    province, city = _above(place)
    prefix = (city or province).name
    return (f"{prefix}{place.name}{body}", level, province.name, city.name if city else None, place.name)


def population_size() -> int:
    """How many distinct agencies `national_agency` gives."""
    return len(_counties()) * len(BODIES)


@lru_cache(maxsize=1)
def _counties() -> tuple[Area, ...]:
    return divisions(2)


def _above(county: Area) -> tuple[Area, Area | None]:
    """The province and the city a county-level division lies in (no city for one a province
    administers directly)."""
    province = area(county.adcode[:2] + "0000")
    city = area(county.adcode[:4] + "00")
    return province, city
