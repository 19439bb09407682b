"""Politeness, measured at the server: per-host spacing of requests (the crawl's rate, a
robots.txt Crawl-delay), several hosts crawled at once, robots.txt read once per host, and an
identifying User-Agent."""

from __future__ import annotations

import re
from contextlib import ExitStack
from itertools import pairwise

from extract.crawl import USER_AGENT, FetchPolicy, Portal, crawl
from extract.crawl.testing import LocalSite, forged_pdf, listing_html


def _small_column(site: LocalSite, files: int, agency: str = "清河市人民政府") -> str:
    items = []
    for i in range(files):
        path = site.add(f"/ndbg/P0{2015 + i}.pdf", forged_pdf(agency, 2015 + i), "application/pdf")
        items.append((path, f"{agency}{2015 + i}年政府信息公开工作年度报告"))
    return site.add("/ndbg/", listing_html(items, ""))


def _gaps(site: LocalSite) -> list[float]:
    times = sorted(hit.at for hit in site.log)
    return [b - a for a, b in pairwise(times)]


def assert_spaced(site: LocalSite, interval: float) -> None:
    """Requests at the server at least `interval` apart. Arrival times carry some scheduling
    jitter (the server shares the machine), which shifts single gaps but not their mean."""
    gaps = _gaps(site)
    assert sum(gaps) / len(gaps) >= 0.9 * interval, gaps
    assert min(gaps) >= 0.6 * interval, gaps  # an unthrottled crawl shows gaps of a few ms


def test_default_rate_is_about_one_request_per_second(tmp_path):
    with LocalSite() as site:
        start = _small_column(site, files=2)
        summary = crawl([start], raw_dir=tmp_path)  # rate=1.0 by default
    assert summary.new == 2
    assert len(site.log) == 4  # robots.txt, the listing, two reports
    assert_spaced(site, 1.0)


def test_crawl_delay_slows_a_host_below_the_crawl_rate(tmp_path):
    with LocalSite() as site:
        site.add("/robots.txt", "User-agent: *\nCrawl-delay: 0.25\n", "text/plain")
        start = _small_column(site, files=3)
        crawl([start], raw_dir=tmp_path, rate=50)
    assert len(site.log) == 5
    assert_spaced(site, 0.25)


def test_a_portal_rate_applies_to_its_hosts(tmp_path):
    with LocalSite() as site:
        start = _small_column(site, files=2)
        crawl(portals=[Portal("清河", (start,), rate=4.0)], raw_dir=tmp_path, rate=50)
    assert_spaced(site, 0.25)  # 4 requests/s, not the crawl's 50


def test_many_hosts_are_crawled_concurrently_each_at_its_own_rate(tmp_path):
    with ExitStack() as stack:
        sites = [stack.enter_context(LocalSite()) for _ in range(4)]
        starts = [_small_column(site, files=3, agency=f"清河市第{i}局") for i, site in enumerate(sites)]
        summary = crawl(starts, raw_dir=tmp_path, rate=5)
    assert summary.new == 12
    for site in sites:
        assert len(site.log) == 5
        assert_spaced(site, 0.2)  # 5 requests/s per host
    firsts = [min(hit.at for hit in site.log) for site in sites]
    lasts = [max(hit.at for hit in site.log) for site in sites]
    # every host had started before any host finished: they were crawled at the same time
    assert max(firsts) < min(lasts)


def test_robots_txt_is_read_once_per_host_and_the_crawler_says_who_it_is(tmp_path):
    with LocalSite() as site:
        start = _small_column(site, files=3)
        crawl([start], raw_dir=tmp_path, rate=100)
    assert len(site.hits("/robots.txt")) == 1
    agents = {hit.headers.get("User-Agent") for hit in site.log}
    assert agents == {USER_AGENT}
    assert re.fullmatch(r"ogi-reports/\S+ \(\+https://\S+\)", USER_AGENT)


def test_robots_txt_for_this_crawler_is_obeyed_over_the_generic_group(tmp_path):
    with LocalSite() as site:
        site.add("/robots.txt", "User-agent: ogi-reports\nDisallow: /ndbg/P02016\n\nUser-agent: *\nDisallow: /\n", "text/plain")
        start = _small_column(site, files=2)
        summary = crawl([start], raw_dir=tmp_path, rate=100)
    assert summary.new == 1 and summary.disallowed == 1
    assert site.hits("/ndbg/P02016.pdf") == []


def test_unreachable_robots_txt_means_the_host_is_not_crawled(tmp_path):
    with LocalSite() as site:
        site.add("/robots.txt", "down", "text/plain", status=503)
        start = _small_column(site, files=1)
        summary = crawl([start], raw_dir=tmp_path, rate=100, policy=FetchPolicy(retries=1, backoff=0.01))
    assert summary.disallowed == 1 and summary.new == 0
    assert {hit.path for hit in site.log} == {"/robots.txt"}


def test_an_unreachable_host_is_reported_as_unreachable_not_disallowed(tmp_path):
    import socket

    from extract.crawl import read_manifest

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the block ends: connection refused
    start = f"http://127.0.0.1:{port}/zfxxgk/ndbg/"
    summary = crawl([start], raw_dir=tmp_path, rate=100, policy=FetchPolicy(retries=1, backoff=0.01))
    assert summary.unreachable == 1 and summary.disallowed == 0 and summary.new == 0
    assert "1 on unreachable hosts" in str(summary) and "0 disallowed" in str(summary)
    [row] = read_manifest(tmp_path).to_dict("records")
    assert row["url"] == start and row["outcome"] == "unreachable"
    assert row["error"].startswith("host unreachable: ConnectError")
