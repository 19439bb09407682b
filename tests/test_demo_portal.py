"""The demo portal, fetched with a real HTTP client as a crawl would."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urljoin, urlsplit

import httpx
import lxml.html
import pytest
from protego import Protego

from extract.forge.portal import DemoPortal
from extract.read.sniff import sniff_format


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(seed=0) as site:
        yield site


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=60, headers={"User-Agent": "ogi-test/1.0"}) as c:
        yield c


def links(response: httpx.Response) -> list[tuple[str, str]]:
    """(absolute URL, link text) of every <a href> on a page."""
    root = lxml.html.fromstring(response.content)
    return [(urljoin(str(response.url), a.get("href")), a.text_content().strip())
            for a in root.xpath("//a[@href]") if not a.get("href").startswith("javascript:")]


def crawl_column(client: httpx.Client, start: str, portal: DemoPortal) -> tuple[list[str], set[str]]:
    """Follow a column's pagination; return the listing pages seen and the item links found."""
    pages, items, queue = [], set(), [start]
    while queue:
        url = queue.pop(0)
        if url in pages:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(url)
        for href, text in links(response):
            if text in ("下一页", "尾页") or text.isdigit():
                queue.append(href)
            elif text.endswith(("报告", "要点", "通知", "推进会", "指南")):
                items.add(href)
    return pages, items


def test_pagination_both_styles(portal, client):
    city_pages, city_items = crawl_column(client, portal.start_urls[0], portal)
    assert sorted(urlsplit(u).path.rsplit("/", 1)[1] for u in city_pages) == [
        "index.html", "index_1.html", "index_2.html", "index_3.html"]
    bureau_pages, bureau_items = crawl_column(client, portal.start_urls[1], portal)
    assert {urlsplit(u).query for u in bureau_pages} - {"page=1"} == {"", "page=2", "page=3"}
    assert client.get(portal.start_urls[1] + "?page=1").content == client.get(portal.start_urls[1]).content
    assert len(city_items) == 19 and len(bureau_items) == 8  # reports and the other items of the columns
    assert all(u.startswith(portal.base_url) for u in city_items | bureau_items)


def test_every_expected_file_is_reachable_by_links_and_downloads(portal, client):
    """From the start URLs, listing → article → attachment reaches every report file."""
    found: set[str] = set()
    for start in portal.start_urls:
        _, items = crawl_column(client, start, portal)
        for item in items:
            page = client.get(item)
            assert page.status_code == 200
            found.add(item)
            found.update(href for href, _ in links(page) if "/uploadfiles/" in href or "P0" in href)
    expected = portal.expected
    assert {e.url for e in expected} <= found
    for record in expected:
        response = client.get(record.url)
        assert response.status_code == 200, record.url
        name = urlsplit(record.url).path.rsplit("/", 1)[1]
        assert sniff_format(response.content, name) == record.format, record.url
        assert response.headers["ETag"] and response.headers["Last-Modified"]


def test_site_has_agencies_years_formats_and_noise(portal, client):
    expected = portal.expected
    assert 19 <= len({(e.agency, e.year) for e in expected}) <= 30
    assert len({e.agency for e in expected}) >= 3
    assert {e.year for e in expected} == set(range(2012, 2026))  # 2012–2018 before the national template
    assert all(getattr(e.report, "template", "legacy") == ("legacy" if e.year < 2019 else "2019" if e.year < 2021
                                                           else "2021") for e in expected)
    assert {e.report.family for e in expected if e.year < 2019} == {"fujian", "national"}
    formats = Counter(e.format for e in expected)
    assert formats["html"] >= 5 and formats["docx"] >= 2
    if portal.has_pdf:
        assert formats["pdf"] >= 2
    if portal.has_doc:
        assert formats["doc"] >= 1
    listing = client.get(portal.start_urls[0]).text + client.get(portal.start_urls[0].replace(
        "index.html", "index_2.html")).text
    assert "政务公开工作要点" in listing or "政务公开工作要点" in client.get(
        portal.start_urls[0].replace("index.html", "index_1.html")).text
    titles = {e.report.title for e in expected}
    assert not any("要点" in t or "通知" in t for t in titles)


def test_pages_in_gbk_with_and_without_a_declared_charset(portal, client):
    html_pages = [e for e in portal.expected if e.format == "html" and e.url.endswith(".html")]
    kinds = set()
    for record in html_pages:
        response = client.get(record.url)
        header = response.headers["Content-Type"]
        declared_meta = b"charset=" in response.content[:2000].lower()
        try:
            response.content.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "gbk"
            assert record.report.title in response.content.decode("gb18030")
        kinds.add((encoding, "charset" in header, declared_meta))
    assert ("gbk", False, False) in kinds  # nothing says it is GBK
    assert ("gbk", True, False) in kinds  # only the HTTP header says so
    assert ("gbk", False, True) in kinds  # only <meta> says so


def test_conditional_get(portal, client):
    for url in (portal.start_urls[0], portal.expected[0].url, portal.expected[-1].url):
        first = client.get(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": "Fri, 01 Jan 2010 00:00:00 GMT"}).status_code == 200
        changed = client.get(url, headers={"If-None-Match": '"not-this-one"', "If-Modified-Since": modified})
        assert changed.status_code == 200 and changed.content == first.content


def test_robots_txt_and_request_log(portal, client):
    response = client.get(portal.url("/robots.txt"))
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    robots = Protego.parse(response.text)
    assert not robots.can_fetch(portal.url("/admin/login.html"), "ogi")
    assert all(robots.can_fetch(u, "ogi") for u in portal.start_urls)
    home = client.get(portal.url("/"))
    assert any(href.endswith("/admin/login.html") for href, _ in links(home))  # a trap for impolite crawlers
    assert client.get(portal.url("/no/such/page.html")).status_code == 404
    assert client.head(portal.start_urls[1]).status_code == 200
    logged = [(path, headers) for _, path, headers in portal.requests_log if path == "/robots.txt"]
    assert logged and any(h.get("User-Agent") == "ogi-test/1.0" for _, h in logged)
    times = [t for t, _, _ in portal.requests_log]
    assert times == sorted(times)


def test_same_seed_same_site():
    with DemoPortal(seed=3) as a, DemoPortal(seed=3) as b, DemoPortal(seed=4) as c:
        assert len({a.port, b.port, c.port}) == 3
        paths = lambda p: [urlsplit(e.url)._replace(netloc="").geturl() for e in p.expected]  # noqa: E731
        assert paths(a) == paths(b) and paths(a) != paths(c)
        assert all(x.report.truth().equals(y.report.truth()) for x, y in zip(a.expected, b.expected))
        assert not a.expected[0].report.truth().equals(c.expected[0].report.truth())
        page = urlsplit(a.expected[0].url).path
        assert a.content(page) == b.content(page)


def test_report_pages_parse_to_their_truth(portal, client):
    parse = pytest.importorskip("extract.parse")
    from conftest import cell_differences

    for record in [e for e in portal.expected if e.format == "html"]:
        response = client.get(record.url)
        result = parse.parse_bytes(response.content, urlsplit(record.url).path.rsplit("/", 1)[1], record.url)
        cells = result.cells[~result.cells["row"].str.startswith("extra.")]
        assert cell_differences(record.report.truth(), cells).empty, record.url


def test_a_portal_on_another_port_links_to_itself_from_a_shared_cache(tmp_path, client):
    """The disk cache outlives a portal, and the next may run on another port (the default one
    taken, a test's free port): every link it serves, the bureau's absolute ones included, must
    lead to its own files, or a crawl of it misses a whole column."""
    with DemoPortal(seed=0, cache=tmp_path) as first:
        for file in first.expected:  # everything rendered and kept on disk
            first.content(file.url.removeprefix(first.base_url))
        first_pages, first_items = crawl_column(client, first.start_urls[1], first)
        with DemoPortal(seed=0, cache=tmp_path) as second:  # both running: two ports
            pages, items = crawl_column(client, second.start_urls[1], second)
            here = urlsplit(second.base_url).netloc
    assert len(pages) == len(first_pages) and len(items) == len(first_items) > 0
    assert {urlsplit(url).netloc for url in pages + sorted(items)} == {here}
