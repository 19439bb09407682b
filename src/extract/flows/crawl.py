"""Prefect flow: crawl portals into the raw archive (spec/datasets.md, data/raw).

One task per portal (portals that share a host share a task, so the host's rate limit holds),
each creating its own HTTP client inside the task. The work is `extract.crawl.crawl`; this file
only fans it out and adds retries.

    python flows/crawl.py https://www.example.gov.cn/zfxxgknb/ --raw data/raw
    python flows/crawl.py --portals portals.toml
"""


import argparse
import json
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extract.crawl import CrawlSummary, FetchPolicy, Portal, crawl
from extract.crawl.crawler import DEFAULT_MAX_PAGES
from extract.crawl.portals import group_by_host, resolve_portals


@task(name="crawl portal", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE, task_run_name="crawl {label}")
def crawl_portals(
    label: str, portals: list[Portal], raw_dir: str, rate: float, max_pages: int, policy: FetchPolicy | None = None
) -> dict:
    """Crawl a group of portals; a retry resumes from the manifest (only new or changed files)."""
    summary = crawl(portals=portals, raw_dir=raw_dir, rate=rate, max_pages=max_pages, policy=policy)
    get_run_logger().info("%s: %s", label, summary)
    return summary.as_dict()


@flow(name="crawl")
def crawl_flow(
    urls: list[str] | None = None,
    portals_file: str | None = None,
    raw_dir: str = "data/raw",
    rate: float = 1.0,
    max_pages: int = DEFAULT_MAX_PAGES,
    policy: FetchPolicy | None = None,
) -> dict:
    """Crawl `urls` and the portals of `portals_file` (the built-in portals when neither is given)."""
    groups = group_by_host(resolve_portals(urls, portals_file))
    futures = [
        crawl_portals.submit(" + ".join(p.name for p in group), group, str(raw_dir), rate, max_pages, policy)
        for group in groups
    ]
    total = CrawlSummary()
    for future in futures:
        total = total.merge(CrawlSummary(**future.result()))
    get_run_logger().info("crawl: %s", total)
    return total.as_dict()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Crawl 政府信息公开年报 columns into the raw archive (a Prefect flow).")
    parser.add_argument("urls", nargs="*", metavar="URL", help="listing pages to crawl, each its own portal")
    parser.add_argument("--portals", metavar="FILE", help="TOML file of [[portal]] entries")
    parser.add_argument("--raw", metavar="DIR", default="data/raw", help="archive directory (default: data/raw)")
    parser.add_argument("--rate", type=float, default=1.0, help="requests per second per host (default: 1)")
    parser.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES, help="HTML pages per portal at most")
    args = parser.parse_args(argv)
    result = crawl_flow(urls=args.urls or None, portals_file=args.portals, raw_dir=str(Path(args.raw)), rate=args.rate, max_pages=args.max_pages)
    print(json.dumps({k: v for k, v in result.items() if k != "manifest_files"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
