"""Report metadata from its text: agency, year covered, published date, level, region, identity.

When the body lacks the agency or the date, the page around the report says them: the CMS's meta
tags (ArticleTitle, PubDate, ContentSource) and the 发布机构 / 发布日期 fields of its 索引号 table.
The region (province … township, adcode, tier) is `extract.region`'s; the `agency_id`
`extract.agencies`'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.agencies import agency_id
from extract.template.labels import fold
from extract.region import Region, resolve_region

_TITLE = re.compile(r"([\u4e00-\u9fff（）()]{2,40}?)\s*(20[0-3]\d)\s*年\s*度?\s*(?:政府)?信息公开(?:工作)?年度?报告")
_ANCHOR = "信息公开"  # 政府信息公开, or 信息公开 alone in some departments' titles
_TITLE_NO_AGENCY = re.compile(r"(20[0-3]\d)\s*年\s*度?\s*政府信息公开(?:工作)?年度?报告")
_PERIOD = re.compile(r"(?:统计期限|统计时限|统计时间|统计期间|统计区间)[^。]{0,12}?(20[0-3]\d)\s*年\s*1\s*月\s*1\s*日")
_CN_DATE = re.compile(r"(20[0-3]\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(?:发布时间|发布日期|成文日期)\s*[:：]\s*(20[0-3]\d)-(\d{1,2})-(\d{1,2})")
#: 索引号-table fields (and text exports' header lines) naming who published the page
_PAGE_AGENCY = re.compile(r"(?:发布机构|发文机关|发布单位|信息来源)[ \t]*[:：]?[ \t]*([\u4e00-\u9fff（）()]{2,40})")
_META_DATE = re.compile(r"(20[0-3]\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")


@dataclass(frozen=True)
class Metadata:
    agency: str | None = None
    year: int | None = None
    published: date | None = None
    level: str = "unknown"
    region: Region = Region()  # where the agency is; its `source` and `flag` say how sure that is
    agency_id: str | None = None


def read_metadata(text: str, title: str | None = None, page_meta: dict[str, str] | None = None,
                  portal: str | None = None) -> Metadata:
    """`page_meta`: the page's meta tags (`Document.page_meta`, with ``LinkTitle``, the crawl's link
    text, for a crawled report); `portal`: the configured name of the portal the report was crawled
    from (region evidence of last resort)."""
    page = page_meta or {}
    head = fold(((title or "") + "\n" + text[:3000]))
    agency, year = agency_and_year(head)
    for field in ("ArticleTitle", "LinkTitle"):  # the CMS's meta tag, the crawl's link text
        if agency is None or year is None:
            page_agency, page_year = agency_and_year(fold(page.get(field, "")))
            agency, year = agency or page_agency, year or page_year
    year = year or period_year(text)
    agency = agency or page_agency_of(text, page)
    published = published_date(text, year) or page_date(page, year)
    region = resolve_region(agency, title or page.get("ArticleTitle"), text, portal)
    return Metadata(agency, year, published, _level(agency, region), region, agency_id(agency, region))


def _level(agency: str | None, region: Region) -> str:
    """level_of the name; a name that is only an area (平潭综合实验区) is that area's government."""
    level = level_of(agency or "")
    if level == "department" and region.unit and not region.remainder and region.tier in _GOVERNMENT_TIERS:
        return region.tier
    return level


def page_agency_of(text: str, page: dict[str, str]) -> str | None:
    """The publisher the page names: the ContentSource meta tag, else a 发布机构 field."""
    source = fold(page.get("ContentSource", "")).strip()
    if re.fullmatch(r"[\u4e00-\u9fff（）()]{2,40}", source):
        return source
    match = _PAGE_AGENCY.search(fold(text[:3000]))
    return match.group(1) if match else None


def page_date(page: dict[str, str], year: int | None) -> date | None:
    """The PubDate meta tag (e.g. 2024-03-08 15:34), when it falls in the report's year or the next."""
    match = _META_DATE.search(page.get("PubDate", "") or page.get("pubdate", ""))
    found = _date(*match.groups()) if match else None
    return found if found and (year is None or found.year in (year, year + 1)) else None


def agency_and_year(text: str) -> tuple[str | None, int | None]:
    for window in _title_windows(text):
        for match in _TITLE.finditer(window):
            agency = _clean_agency(match.group(1))
            if agency:
                return agency, int(match.group(2))
    match = _TITLE_NO_AGENCY.search(text)
    return None, int(match.group(1)) if match else None


def _title_windows(text: str, before: int = 60, after: int = 16):
    """The stretches around each 政府信息公开 where a title can be (the title pattern is costly to
    try at every position of a long text)."""
    start = text.find(_ANCHOR)
    while start != -1:
        yield text[max(0, start - before): start + len(_ANCHOR) + after]
        start = text.find(_ANCHOR, start + 1)


def _clean_agency(name: str) -> str | None:
    name = re.sub(r"^(?:标题|关于|附件\d*)[:：]?", "", name).strip("（）() ")
    name = re.sub(r"(?:关于)?(?:印发|公布|发布)?$", "", name)
    return name if len(name) >= 2 else None


def period_year(text: str) -> int | None:
    start = text.find("统计")
    while start != -1:  # fold only around each 统计: folding a whole long text is costly
        match = _PERIOD.search(fold(text[start: start + 48]))
        if match:
            return int(match.group(1))
        start = text.find("统计", start + 2)
    return None


def published_date(text: str, year: int | None) -> date | None:
    """The date printed under the signature (the last date in the text), or a 发布时间 field."""
    iso = _ISO_DATE.search(fold(text[:2000]))
    candidates = list(_CN_DATE.finditer(fold(text[-600:])))
    for match in [*reversed(candidates)]:
        found = _date(*match.groups())
        if found and (year is None or found.year in (year, year + 1)):
            return found
    return _date(*iso.groups()) if iso else None


def _date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


#: (suffix of the agency name, level), first match wins: government bodies by the unit they govern
_GOVERNMENT_LEVELS = (
    (("镇", "乡", "街道"), "township"),
    (("县", "区", "旗", "县级市"), "county"),
    (("北京市", "天津市", "上海市", "重庆市", "省", "自治区"), "province"),
    (("市", "自治州", "州", "盟", "地区"), "city"),
)
_GOVERNMENT_TIERS = ("province", "city", "county", "township")
_GOVERNMENT_SUFFIXES = ("人民政府办公厅", "人民政府办公室", "人民政府", "街道办事处", "办事处", "管理委员会", "管委会")
_CENTRAL_PREFIXES = ("国务院", "中华人民共和国", "国家", "中国")


def level_of(agency: str) -> str:
    """central, province, city, county, township, department or unknown, from the agency's name."""
    if not agency:
        return "unknown"
    if agency.startswith(_CENTRAL_PREFIXES):
        return "central"
    suffix = next((s for s in _GOVERNMENT_SUFFIXES if agency.endswith(s)), None)
    if suffix is None:
        return "department"  # 局, 委, 办, 厅, 中心 … of some government
    if suffix.startswith("人民政府办"):
        return "department"
    unit = agency.removesuffix(suffix)
    if suffix in ("街道办事处", "办事处"):
        return "township"
    if unit in ("北京市", "天津市", "上海市", "重庆市"):
        return "province"
    return next((level for ends, level in _GOVERNMENT_LEVELS if unit.endswith(ends)), "unknown")
