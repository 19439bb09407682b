"""Prefect flow: the raw archive → the curated datasets, incrementally (spec/datasets.md).

One task plans (`extract.store.incremental.plan_parse`: what is new or changed since the last run),
one task per batch of documents parses and stages them (on a local process pool, or on a Dask
cluster when given its address), one task commits: an atomic upsert per touched file (`extract.store.commit`).
Documents parsed before by the same parser version are not parsed again; a run with nothing new
writes nothing. Tasks pass paths and counts, never frames.

    python flows/parse.py --raw data/raw --out data/curated
    python flows/parse.py --year 2024 --portal 清河市人民政府 --workers 4
    python flows/parse.py --dask tcp://scheduler:8786      # workers must see --raw and --out
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid

import cloudpickle
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from extract.memory import use_pipeline_memory
from extract.store.curate import Summary
from extract.store.commit import CommitResult, commit, remove_staging, staging_dir
from extract.store.incremental import BatchResult, Plan, Source, batches, plan_parse, stage_batch
from extract.flows.runtime import report_progress

# Worker processes and Dask workers get this module's tasks by value: they need `extract`
# installed, not this file on their path.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

DEFAULT_BATCH = None  # documents per task: from the document count and the workers (`incremental.batch_size`)
IN_PROCESS_BELOW = 8  # documents: so few parse sooner here than in worker processes still to start


def task_runner(dask_address: str | None = None, workers: int | None = None,
                documents: int | None = None) -> TaskRunner:
    """The Dask cluster at `dask_address`, else a pool of `workers` local processes (default:
    one per core; parsing is CPU-bound Python, so threads would not run in parallel) — or, for
    fewer than `IN_PROCESS_BELOW` documents, the flow's own process (a worker takes seconds to
    start and import the parsers)."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    if documents is not None and documents < IN_PROCESS_BELOW:
        return ThreadPoolTaskRunner(max_workers=1)
    return ProcessPoolTaskRunner(max_workers=workers or os.cpu_count() or 1)


@task(name="plan parse", cache_policy=NO_CACHE)
def plan_task(raw_dir: str, curated_dir: str, years: list[int] | None, portals: list[str] | None) -> Plan:
    return plan_parse(raw_dir, curated_dir, years=years, portals=portals)


@task(name="parse batch", cache_policy=NO_CACHE, retries=1, task_run_name="parse batch {name}")
def parse_batch(raw_dir: str, sources: list[Source], stage_dir: str, name: str) -> BatchResult:
    use_pipeline_memory()  # in a worker process or on a Dask worker: where the task runs
    return stage_batch(raw_dir, sources, stage_dir, name)


@task(name="commit", cache_policy=NO_CACHE)
def commit_task(curated_dir: str, stage_dir: str, superseded: list[str], threads: int = 1) -> CommitResult:
    use_pipeline_memory()
    return commit(curated_dir, stage_dir, superseded, threads)


@flow(name="parse")
def parse_flow(
    raw_dir: str = "data/raw",
    curated_dir: str = "data/curated",
    years: list[int] | None = None,
    portals: list[str] | None = None,
    batch_size: int | None = DEFAULT_BATCH,
    dask_address: str | None = None,
    workers: int | None = None,
) -> dict:
    """Parse what is new or changed in the archive under `raw_dir` into the datasets under
    `curated_dir`; `years` and `portals` narrow the run; `dask_address` runs the parsing on
    that Dask cluster, otherwise on `workers` local processes."""
    logger = get_run_logger()
    raw_dir, curated_dir = str(raw_dir), str(curated_dir)
    plan = plan_task(raw_dir, curated_dir, years, portals)
    logger.info("%d documents in scope: %d to parse, %d up to date, %d superseded, %d missing from the archive",
                plan.in_scope, len(plan.sources), plan.up_to_date, len(plan.superseded), len(plan.missing))
    result = {"documents": plan.in_scope, "parsed": 0, "up_to_date": plan.up_to_date,
              "superseded": len(plan.superseded), "missing": len(plan.missing), "failed_batches": 0,
              "partitions": 0, "reports": {}, "flags": {}}
    if plan.idle:
        return result
    stage = staging_dir(curated_dir, _run_id())
    summary, failed = Summary(), 0
    try:
        if plan.sources:
            summary, failed = _parse_batches(plan, raw_dir, str(stage), batch_size, dask_address, workers)
        # old versions go only when every new version made it in
        committed = commit_task(curated_dir, str(stage), [] if failed else plan.superseded,
                                workers or os.cpu_count() or 1)  # the cores the parsing had, now free
    finally:
        remove_staging(stage)
    if failed:
        logger.error("%d batches failed: their documents will be parsed again by the next run", failed)
    result.update(parsed=committed.parsed, superseded=committed.dropped, failed_batches=failed,
                  partitions=committed.partitions,
                  reports=dict(summary.reports), flags=dict(summary.flags.most_common()))
    return result


def _parse_batches(plan: Plan, raw_dir: str, stage: str, batch_size: int | None, dask_address: str | None,
                   workers: int | None) -> tuple[Summary, int]:
    chunks = batches(plan.sources, batch_size, workers or os.cpu_count() or 1)
    total, done, failed, summary = len(plan.sources), 0, 0, Summary()
    report_progress("parse", 0, total)
    with task_runner(dask_address, workers, total) as runner:
        futures = [runner.submit(parse_batch, {"raw_dir": raw_dir, "sources": chunk, "stage_dir": stage,
                                               "name": f"{i:05d}"})
                   for i, chunk in enumerate(chunks)]
        for future in as_completed(futures):
            try:
                batch = future.result()
            except Exception as exc:  # a lost worker: the batch's documents wait for the next run
                get_run_logger().error("a parse batch failed: %s: %s", type(exc).__name__, exc)
                failed += 1
                continue
            summary.merge(batch.summary)
            done += batch.documents
            report_progress("parse", done, total)
    return summary, failed


def _run_id() -> str:
    try:
        return str(get_run_context().flow_run.id)
    except Exception:  # outside a run (never in practice): any unique name does
        return uuid.uuid4().hex


def main(argv: list[str] | None = None, server=None) -> None:
    """The flow's command line; `server`: the temporary Prefect server `run_script` started."""
    parser = argparse.ArgumentParser(description="Parse the raw archive into the curated datasets (a Prefect flow).")
    parser.add_argument("--raw", metavar="DIR", default="data/raw", help="the archive (default: data/raw)")
    parser.add_argument("--out", metavar="DIR", default="data/curated", help="the datasets (default: data/curated)")
    parser.add_argument("--year", type=int, action="append", metavar="YEAR", help="only reports of this year (repeatable)")
    parser.add_argument("--portal", action="append", metavar="NAME", help="only documents of this portal (repeatable)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH,
                        help="documents per task (default: from the document count and the workers)")
    parser.add_argument("--dask", metavar="ADDRESS", help="run the parse tasks on this Dask scheduler")
    parser.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    parser.add_argument("--verbose", action="store_true", help="show Prefect's logs")
    args = parser.parse_args(argv)
    from extract.flows.runtime import prefect_api

    with prefect_api(server):
        result = parse_flow(raw_dir=args.raw, curated_dir=args.out, years=args.year, portals=args.portal,
                            batch_size=args.batch_size, dask_address=args.dask, workers=args.workers)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
