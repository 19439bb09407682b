"""What a fetched HTML page offers the crawl: report links (by their text and URL), pagination,
attachments, and whether the page itself is a report.

Pure: bytes and a URL in, a `Page` out. The page is decoded with `extract.read.encoding` (portals
often declare GBK only in ``<meta>``, or not at all) and parsed with lxml.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from extract.read.encoding import charset_from_content_type, decode

DOCUMENT_EXTENSIONS = {
    ".pdf": "pdf", ".doc": "doc", ".docx": "docx", ".wps": "wps",
    ".xls": "xls", ".xlsx": "xlsx", ".et": "xls",
}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
FIRST_YEAR, LAST_YEAR = 2008, 2030  # the OGI regulation took effect in 2008

_REPORT_TEXT = re.compile(r"年度报告|年报|信息公开.{0,12}报告")
_NOT_REPORT_TEXT = re.compile(
    r"企业年报|年报公示|年度报告公示|统计年报|统计年鉴|决算|预算|通知|解读|图解|征集|工作要点|意见|方案|社会责任"
)
_REPORT_URL = re.compile(r"ndbg|gknb|xxgknb|nianbao")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_CHINESE_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}(?=年)")
_CHINESE_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")

_NEXT_TEXT = re.compile(r"^(下一页|下页|后页|尾页|末页|最后一页|next|last|>|>>|»|›)$", re.I)
_PAGE_TEXT = re.compile(r"^(\d{1,4}|上一页|上页|前页|首页|第一页|first|prev(ious)?|<|<<|«|‹)$", re.I)
_PAGE_PARAMS = ("page", "pageno", "pageindex", "pagenum", "pagenumber", "curpage", "currentpage", "pn", "p")
_NUMBERED_FILE = re.compile(r"^(?P<stem>.+?)_(?P<n>\d{1,4})(?P<ext>\.s?html?)$", re.I)
_TRS_CALL = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_TRS_COUNT = re.compile(r"\b(?:countPage|pageCount|totalPage)\s*=\s*['\"]?(\d+)")
_TRS_PREFIX = re.compile(r"\bprefix\s*=\s*['\"]([\w\-]+)['\"]")
_TRS_SUFFIX = re.compile(r"\bsuffix\s*=\s*['\"](\w+)['\"]")
MAX_GENERATED_PAGES = 500

_CHROME_TAGS = {"header", "footer", "nav"}
_CHROME_CLASS = re.compile(
    r"(^|[\s_\-])(header|head|top|footer|foot|bottom|nav|navbar|menu|banner|logo|share|sidebar|"
    r"breadcrumb|crumb|position|location|copyright|friendlink|links|search)([\s_\-]|\d|$)",
    re.I,
)
_CHROME_SRC = re.compile(r"logo|icon|ico[_\-.]|banner|btn|button|qrcode|erweima|ewm|share|weixin|weibo|arrow|spacer|blank|bg[_\-.]", re.I)
_NOT_ATTACHMENT_TEXT = re.compile(r"申请表|申请书|登记表|申请流程|流程图")
_CONTENT_ROOTS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[@id='zoom' or @id='Zoom' or @id='UCAP-CONTENT' or @id='content' or @id='article']",
    "//article",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' pages_content ')]",
)

# section headings every report carries, in the 2019/2021 templates and the earlier free form
REPORT_SECTIONS = (
    "总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议",
    "存在的主要问题", "其他需要报告的事项", "主动公开政府信息的情况", "依申请公开政府信息",
    "政府信息公开的收费及减免情况", "因政府信息公开申请提起行政复议",
)


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    image: bool = False  # an <img> inside the page's content (a table pasted as a picture, a scan)


@dataclass
class Page:
    """What one HTML page offers."""

    url: str
    title: str = ""
    encoding: str = ""
    reports: list[Link] = field(default_factory=list)  # links that are reports (files or pages)
    attachments: list[Link] = field(default_factory=list)  # documents and content images linked
    listings: list[Link] = field(default_factory=list)  # further pages of the listing, sub-columns
    holds_report: bool = False  # the page's own text is a report


def read_page(
    body: bytes,
    url: str,
    content_type: str | None = None,
    *,
    report_pattern: str | None = None,
    listing_pattern: str | None = None,
) -> Page:
    """Decode, parse and classify every link of an HTML page."""
    text, encoding = decode(body, charset_from_content_type(content_type))
    page = Page(url=url, encoding=encoding)
    root = _parse_html(text)
    if root is None:
        return page
    base = _base_url(root, url)
    page.title = _title(root)
    page.holds_report = holds_report(root.text_content())
    page.reports = _unique(link for link in _anchor_links(root, base) if is_report_link(link.text, link.url, report_pattern))
    page.attachments = _unique(_attachments(root, base))
    page.listings = _unique(_listing_links(root, base, text, listing_pattern))
    return page


def is_report_link(text: str, url: str, pattern: str | None = None) -> bool:
    """A link to an annual report: its text says so (…年度报告, 年报, 政府信息公开…报告) with a
    year in 2008–2030, or its URL does (ndbg, gknb, …) with such a year. `pattern` (a portal's
    own regex, matched on text and URL) adds more."""
    text = normalize_text(text)
    if pattern and (re.search(pattern, text) or re.search(pattern, url)):
        return True
    if _NOT_REPORT_TEXT.search(text):
        return False
    year = report_year(text)
    if year is None:
        year = report_year(urlsplit(url).path)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return False
    return bool(_REPORT_TEXT.search(text) or _REPORT_URL.search(urlsplit(url).path.lower()))


def report_year(text: str) -> int | None:
    """The first year written in `text`, in Arabic or Chinese numerals (二〇二三年)."""
    text = normalize_text(text)
    match = _YEAR.search(text)
    if match:
        return int(match.group(1))
    match = _CHINESE_YEAR.search(text)
    return int(match.group(0).translate(_CHINESE_DIGITS)) if match else None


def file_format(url: str, text: str = "") -> str | None:
    """The format a link promises by its extension (in the path, a query value or the link text):
    a document format, ``image``, or None for a page."""
    parts = urlsplit(url)
    candidates = [parts.path] + [value for _, value in parse_qsl(parts.query)] + [normalize_text(text)]
    for candidate in candidates:
        ext = posixpath.splitext(candidate.strip().lower())[1]
        if ext in DOCUMENT_EXTENSIONS:
            return DOCUMENT_EXTENSIONS[ext]
        if ext in IMAGE_EXTENSIONS:
            return "image"
    return None


def holds_report(text: str) -> bool:
    """The text is itself a report: at least two of the sections every report has."""
    squeezed = re.sub(r"\s+", "", normalize_text(text))
    return sum(1 for heading in REPORT_SECTIONS if heading in squeezed) >= 2


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII) with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()


def canonical_url(url: str) -> str:
    """The URL without its fragment, with scheme and host lower-cased: the crawl's identity of a URL."""
    url = urldefrag(url.strip())[0]
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


# --- parsing -------------------------------------------------------------------------------------


def _parse_html(text: str) -> etree._Element | None:
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _base_url(root: etree._Element, url: str) -> str:
    base = root.xpath("//base/@href")
    return urljoin(url, base[0].strip()) if base else url


def _title(root: etree._Element) -> str:
    for path in ("//title", "//h1"):
        for node in root.xpath(path):
            text = normalize_text(node.text_content())
            if text:
                return text
    return ""


def _resolve(base: str, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith("#") or re.match(r"^(javascript|mailto|tel|data|about):", href, re.I):
        return None
    url = canonical_url(urljoin(base, href))
    viewer = dict(parse_qsl(urlsplit(url).query)).get("file")  # pdf.js viewers: viewer.html?file=…
    if viewer and file_format(viewer):
        url = canonical_url(urljoin(url, viewer))
    return url if urlsplit(url).scheme in ("http", "https") else None


def _link_text(node: etree._Element) -> str:
    text = normalize_text(node.text_content())
    title = normalize_text(node.get("title") or "")
    return title if len(title) > len(text.rstrip(".…")) else text


def _anchor_links(root: etree._Element, base: str):
    for node in root.iter("a", "area"):
        url = _resolve(base, node.get("href"))
        if url:
            yield Link(url, _link_text(node))


def _in_chrome(node: etree._Element) -> bool:
    """Inside the site's header, footer, navigation or similar furniture."""
    for ancestor in node.iterancestors():
        if ancestor.tag in _CHROME_TAGS:
            return True
        marks = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if marks.strip() and _CHROME_CLASS.search(marks):
            return True
    return False


def _content_root(root: etree._Element) -> etree._Element | None:
    for path in _CONTENT_ROOTS:
        found = root.xpath(path)
        if found:
            return found[0]
    return None


def _attachments(root: etree._Element, base: str):
    """Documents linked from the page, and images in its content (scanned reports, table images)."""
    for node in root.iter("a", "iframe", "embed", "object"):
        target = node.get("href") or node.get("src") or node.get("data")
        url = _resolve(base, target)
        if not url or _in_chrome(node):
            continue
        text = _link_text(node) if node.tag == "a" else ""
        if file_format(url, text) and not _NOT_ATTACHMENT_TEXT.search(text):
            yield Link(url, text)
    content = _content_root(root)
    for node in (content if content is not None else root).iter("img"):
        url = _resolve(base, node.get("src") or node.get("data-src"))
        if not url or _CHROME_SRC.search(urlsplit(url).path) or (content is None and _in_chrome(node)):
            continue
        yield Link(url, normalize_text(node.get("alt") or node.get("title") or ""), image=True)


def _listing_links(root: etree._Element, base: str, text: str, listing_pattern: str | None):
    """Further pages of this listing (pagination links, TRS page scripts, last-page expansion),
    and sub-columns the portal's `listing_pattern` names."""
    found: list[Link] = []
    for link in _anchor_links(root, base):
        if listing_pattern and re.search(listing_pattern, link.url):
            found.append(link)
        elif _is_page_of(base, link.url) and (_NEXT_TEXT.match(link.text) or _PAGE_TEXT.match(link.text) or not link.text):
            found.append(link)
        elif _NEXT_TEXT.match(link.text) and _same_path(base, link.url):
            found.append(link)
    found.extend(_trs_pages(base, text))
    found.extend(_expand_numbered(base, found))
    return [link for link in found if canonical_url(link.url) != canonical_url(base)]


def _same_path(base: str, url: str) -> bool:
    a, b = urlsplit(base), urlsplit(url)
    return a.netloc == b.netloc and a.path == b.path


def _is_page_of(base: str, url: str) -> bool:
    """`url` is another page of the listing at `base`: same path with a page parameter, or a
    numbered sibling file (index_3.html next to index.html or the directory itself)."""
    a, b = urlsplit(base), urlsplit(url)
    if a.netloc != b.netloc:
        return False
    if a.path == b.path and b.query:
        return any(key.lower() in _PAGE_PARAMS for key, _ in parse_qsl(b.query))
    a_dir, a_name = posixpath.split(a.path)
    b_dir, b_name = posixpath.split(b.path)
    match = _NUMBERED_FILE.match(b_name)
    if a_dir != b_dir or not match:
        return False
    stem = posixpath.splitext(a_name)[0] if a_name else "index"
    return match.group("stem") in (stem, "index", re.sub(r"_\d+$", "", stem))


def _trs_pages(base: str, text: str) -> list[Link]:
    """TRS portals write the pager with a script: ``createPageHTML(count, current, "index", "html")``."""
    call = _TRS_CALL.search(text)
    if call:
        count, prefix, suffix = int(call.group(1)), call.group(3), call.group(4)
    else:
        count_match = _TRS_COUNT.search(text)
        if not count_match:
            return []
        count = int(count_match.group(1))
        prefix_match, suffix_match = _TRS_PREFIX.search(text), _TRS_SUFFIX.search(text)
        prefix = prefix_match.group(1) if prefix_match else "index"
        suffix = suffix_match.group(1) if suffix_match else "html"
    count = min(count, MAX_GENERATED_PAGES)
    return [Link(canonical_url(urljoin(base, f"{prefix}_{n}.{suffix}")), str(n + 1)) for n in range(1, count)]


def _expand_numbered(base: str, links: list[Link]) -> list[Link]:
    """A pager that shows only a window of pages still names the last one: fill in the rest."""
    highest: dict[tuple, tuple[int, str]] = {}
    for link in links:
        key_n = _page_template(link.url)
        if key_n and key_n[1] > highest.get(key_n[0], (0, ""))[0]:
            highest[key_n[0]] = (key_n[1], link.url)
    expanded = []
    for template, (last, _) in highest.items():
        for n in range(1, min(last, MAX_GENERATED_PAGES) + 1):
            expanded.append(Link(_fill_template(template, n), str(n)))
    return expanded


def _page_template(url: str) -> tuple[tuple, int] | None:
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(params):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            return ("query", parts.scheme, parts.netloc, parts.path, tuple(params), i), int(value)
    directory, name = posixpath.split(parts.path)
    match = _NUMBERED_FILE.match(name)
    if match:
        return ("file", parts.scheme, parts.netloc, directory, match.group("stem"), match.group("ext")), int(match.group("n"))
    return None


def _fill_template(template: tuple, n: int) -> str:
    if template[0] == "query":
        _, scheme, netloc, path, params, i = template
        params = list(params)
        params[i] = (params[i][0], str(n))
        return urlunsplit((scheme, netloc, path, urlencode(params), ""))
    _, scheme, netloc, directory, stem, ext = template
    return urlunsplit((scheme, netloc, posixpath.join(directory, f"{stem}_{n}{ext}"), "", ""))


def _unique(links) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        if link.url not in seen or (link.text and not seen[link.url].text):
            seen[link.url] = link if link.url not in seen else replace(link, image=link.image and seen[link.url].image)
    return list(seen.values())
