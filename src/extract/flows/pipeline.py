"""Prefect flow: the whole pipeline — crawl portals into the raw archive, parse what is new into
the curated datasets, check the reports against each other (`extract.check.collection`) when
the data changed, publish the run's artifacts (tables of reports by status and template and of
flags by check, and a note on the worst reports).

    python flows/pipeline.py --portals portals.toml
    python flows/pipeline.py https://www.example.gov.cn/zfxxgknb/ --raw data/raw --out data/curated

`ogi run` runs this flow (on the built-in demo portal when given no portals); `ogi serve`
registers it with a schedule (`SEASON_CRON`, daily in the reporting season).
"""

from __future__ import annotations

import argparse
import json
import sys

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed

from extract.flows.artifacts import publish_artifacts
from extract.crawl.crawler import DEFAULT_MAX_PAGES
from extract.flows.runtime import report_progress
from extract.flows.crawl import crawl_flow
from extract.flows.parse import DEFAULT_BATCH, parse_flow

SEASON_CRON = "0 7 * 1-3 *"  # 07:00 every day, January to March: reports are due by 31 January
SEASON_TIMEZONE = "Asia/Shanghai"
DEPLOYMENT = "ogi-season"


@task(name="check across reports", cache_policy=NO_CACHE)
def check_task(curated_dir: str, raw_dir: str) -> int:
    from extract.check.collection import run_cross_checks

    return len(run_cross_checks(curated_dir, raw_dir))


@task(name="publish artifacts", cache_policy=NO_CACHE)
def publish_task(curated_dir: str, run: dict) -> list[str]:
    return publish_artifacts(curated_dir, run)


@flow(name="pipeline")
def pipeline_flow(
    urls: list[str] | None = None,
    portals_file: str | None = None,
    raw_dir: str = "data/raw",
    curated_dir: str = "data/curated",
    rate: float = 1.0,
    max_pages: int = DEFAULT_MAX_PAGES,
    batch_size: int | None = DEFAULT_BATCH,
    dask_address: str | None = None,
    workers: int | None = None,
    years: list[int] | None = None,
    portals: list[str] | None = None,
):
    """Crawl `urls` and the portals of `portals_file` (the built-in portals when neither is
    given) into `raw_dir`, parse what is new into `curated_dir` (only `years` and `portals`, by
    name, when given), publish the artifacts. A failed crawl fails the run, after the parse of
    what the archive holds: the run's state is `Failed`, its result still the run's dict."""
    # the crawl and the parse flows run inside this run, their tasks its tasks: as subflows, each
    # would add a flow run's round trips to the API (a fifth of a run with nothing to do)
    report_progress("crawl", 0, None)
    try:
        crawled = crawl_flow.fn(urls=urls, portals_file=portals_file, raw_dir=raw_dir, rate=rate, max_pages=max_pages)
        crawled = {k: v for k, v in crawled.items() if k != "manifest_files"}
    except Exception as exc:  # what was archived before (and by the portals that did finish) is still to be parsed
        crawled = {"error": f"{type(exc).__name__}: {exc}"}
        get_run_logger().error("the crawl failed (%s); parsing what the archive holds", crawled["error"])
    report_progress("crawl", 1, 1)
    parsed = parse_flow.fn(raw_dir=raw_dir, curated_dir=curated_dir, years=years, portals=portals,
                           batch_size=batch_size, dask_address=dask_address, workers=workers)
    changed = parsed["parsed"] or parsed["superseded"]
    cross = check_task(curated_dir, raw_dir) if changed else None  # unchanged data: its checks stand
    line = {"new documents": crawled.get("new", 0), "parsed": parsed["parsed"], "up to date": parsed["up_to_date"],
            "superseded": parsed["superseded"], "failed fetches": crawled.get("failed", 0),
            "unreachable": crawled.get("unreachable", 0)}
    artifacts = publish_task(curated_dir, line)
    result = {"crawl": crawled, "parse": parsed, "cross_flags": cross, "artifacts": artifacts}
    if "error" in crawled:
        return Failed(message=f"the crawl failed: {crawled['error']}", data=result)
    return result


def serve_options(cron: str = SEASON_CRON, name: str = DEPLOYMENT, timezone: str = SEASON_TIMEZONE,
                  **parameters) -> dict:
    """The arguments of `pipeline_flow.serve` (or `.to_deployment`) for a scheduled pipeline."""
    from prefect.schedules import Cron

    return {"name": name, "schedules": [Cron(cron, timezone=timezone)],
            "parameters": {k: v for k, v in parameters.items() if v is not None},
            "description": "Crawl the portals, parse what is new, publish the artifacts."}


def main(argv: list[str] | None = None, server=None) -> None:
    """The flow's command line; `server`: the temporary Prefect server `run_script` started."""
    parser = argparse.ArgumentParser(description="Crawl, parse and curate (a Prefect flow).")
    parser.add_argument("urls", nargs="*", metavar="URL", help="listing pages to crawl, each its own portal")
    parser.add_argument("--portals", metavar="FILE", help="TOML file of [[portal]] entries (default: the built-in portals)")
    parser.add_argument("--raw", metavar="DIR", default="data/raw", help="the archive (default: data/raw)")
    parser.add_argument("--out", metavar="DIR", default="data/curated", help="the datasets (default: data/curated)")
    parser.add_argument("--rate", type=float, default=1.0, help="requests per second per host (default: 1)")
    parser.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES, help="HTML pages per portal at most")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="documents per parse task (default: from the document count and the workers)")
    parser.add_argument("--year", type=int, action="append", metavar="YEAR", help="parse only reports of this year (repeatable)")
    parser.add_argument("--portal", action="append", metavar="NAME", help="parse only documents of this portal (repeatable)")
    parser.add_argument("--dask", metavar="ADDRESS", help="run the parse tasks on this Dask scheduler")
    parser.add_argument("--workers", type=int, help="local worker processes for parsing (default: one per core)")
    parser.add_argument("--verbose", action="store_true", help="show Prefect's logs")
    args = parser.parse_args(argv)
    from extract.flows.runtime import prefect_api

    with prefect_api(server):
        state = pipeline_flow(urls=args.urls or None, portals_file=args.portals, raw_dir=args.raw,
                              curated_dir=args.out, rate=args.rate, max_pages=args.max_pages,
                              batch_size=args.batch_size, dask_address=args.dask, workers=args.workers,
                              years=args.year, portals=args.portal, return_state=True)
    print(json.dumps(state.result(raise_on_failure=False), ensure_ascii=False, default=str))
    sys.exit(0 if state.is_completed() else 1)


if __name__ == "__main__":
    main()
