"""Crawling portals for annual reports and archiving every byte (spec/datasets.md, data/raw).

    from extract.crawl import crawl
    summary = crawl(["https://www.example.gov.cn/zfxxgknb/"], raw_dir="data/raw")
"""

from extract.crawl.archive import MANIFEST_SCHEMA, Archive, read_manifest
from extract.crawl.crawler import CrawlSummary, crawl, crawl_async
from extract.crawl.fetch import USER_AGENT, Fetched, Fetcher, FetchPolicy
from extract.crawl.portals import Portal, builtin_portals, load_portals

__all__ = [
    "MANIFEST_SCHEMA", "Archive", "CrawlSummary", "FetchPolicy", "Fetched", "Fetcher", "Portal", "USER_AGENT",
    "builtin_portals", "crawl", "crawl_async", "load_portals", "read_manifest",
]
