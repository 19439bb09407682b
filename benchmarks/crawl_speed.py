"""Crawl speed: many forged portals on 127.0.0.1 (one port each = one host each), crawled
concurrently under a per-host rate limit, against the same crawl done host by host in the same run.

    python benchmarks/crawl_speed.py [--sites 200] [--rate 10] [--baseline-sites 10]

The sites run in a subprocess (`python -m extract.crawl.testing serve`), so the peak RSS printed
is the crawler's own. Prints requests/s and pages/s (HTML pages and report files fetched), the
ratio to the sequential baseline, the smallest gap between two requests to one host as the
servers saw it, and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time

from extract.crawl import FetchPolicy, crawl


def start_fleet(sites: int) -> tuple[subprocess.Popen, list[dict]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "extract.crawl.testing", "serve", "--sites", str(sites)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    portals = []
    for line in process.stdout:
        record = json.loads(line)
        if record.get("ready"):
            return process, portals
        portals.append(record)
    raise RuntimeError("the site fleet did not start")


def stop_fleet(process: subprocess.Popen) -> dict:
    process.stdin.close()
    stats = json.loads(process.stdout.readline())
    process.wait(timeout=60)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second per host")
    parser.add_argument("--baseline-sites", type=int, default=10, help="hosts crawled one by one for the baseline")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight over all hosts")
    args = parser.parse_args()
    policy = FetchPolicy(concurrency=args.concurrency)

    started = time.monotonic()
    process, portals = start_fleet(args.sites)
    print(f"{len(portals)} forged portals on 127.0.0.1 ({sum(p['reports'] for p in portals)} report files), "
          f"started in {time.monotonic() - started:.1f} s; per-host rate {args.rate:g} req/s")
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with tempfile.TemporaryDirectory() as raw:
            concurrent = crawl([p["start_url"] for p in portals], raw_dir=raw, rate=args.rate, policy=policy)
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stats = stop_fleet(process)
        process = None
        if concurrent.failed:
            print(f"warning: {concurrent.failed} fetches failed in the concurrent crawl")

        process, baseline_portals = start_fleet(args.baseline_sites)
        sequential = None
        with tempfile.TemporaryDirectory() as raw:
            for portal in baseline_portals:
                one = crawl([portal["start_url"]], raw_dir=raw, rate=args.rate, policy=policy)
                sequential = one if sequential is None else sequential.merge(one)
                sequential.seconds = (sequential.seconds if sequential is not one else 0) + one.seconds
        stop_fleet(process)
        process = None
    finally:
        if process is not None:
            process.kill()

    c_rate, s_rate = concurrent.requests / concurrent.seconds, sequential.requests / sequential.seconds
    c_pages, s_pages = concurrent.fetches / concurrent.seconds, sequential.fetches / sequential.seconds
    print(f"concurrent: {args.sites} hosts, {concurrent.requests} requests, {concurrent.fetches} pages and files fetched, "
          f"{concurrent.new} reports archived in {concurrent.seconds:.1f} s -> {c_rate:.0f} req/s, {c_pages:.0f} pages/s")
    print(f"sequential baseline: {args.baseline_sites} hosts one by one, {sequential.requests} requests in "
          f"{sequential.seconds:.1f} s -> {s_rate:.1f} req/s, {s_pages:.1f} pages/s")
    print(f"ratio concurrent / sequential: {c_pages / s_pages:.1f}x pages/s")
    min_gap = stats["min_gap"]
    print(f"per-host limit: smallest gap between two requests to one host, at the server: {min_gap * 1000:.0f} ms "
          f"(limit {1000 / args.rate:.0f} ms); {stats['hosts']} hosts, {stats['requests']} requests served")
    print(f"peak RSS of the crawler process: {peak_rss_mb:.0f} MB ({rss_before_mb:.0f} MB before crawling: "
          f"interpreter and imports)")


if __name__ == "__main__":
    main()
