"""End-to-end parse speed of the pipeline: raw archive → curated datasets, in reports per second,
for the parse flow on 1 and on 2 local worker processes.

Forges N reports (HTML, text, DOCX and PDF, in the proportions portals publish them) straight
into a raw archive with its manifest, as a crawl would leave them; then times, each into a fresh
curated folder:

- the baseline: the same steps in this one process, without Prefect (plan, parse, stage, commit);
- the same steps on a bare process pool (`concurrent.futures`, no Prefect) of 1, then 2
  processes: what the machine gives two processes;
- the parse flow on a local process pool of 1 worker, then of 2 workers (Prefect's temporary
  server, worker start-up and task bookkeeping included).

Prints reports/s for each, against the baseline, and the speed-up of 2 workers over 1.

    python benchmarks/pipeline_speed.py [--reports 300] [--batch-size 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def forge_archive(raw: Path, n: int) -> dict[str, int]:
    """Archive `n` forged reports under `raw` with their manifest rows; counts by format."""
    from extract.crawl.archive import Archive
    from extract.forge.docx import render_docx
    from extract.forge.html import render_html
    from extract.forge.model import Mess, generate
    from extract.forge.pdf import render_pdf
    from extract.forge.text import render_text

    archive, counts = Archive(raw), {}
    writer = archive.writer()
    messes = [Mess(), Mess(blank_zeros=0.3), Mess(org_subtotal=True), Mess(na_cells=3)]
    at = datetime(2025, 2, 1, tzinfo=timezone.utc)
    for seed in range(n):
        report = generate(seed, "2021" if seed % 5 else "2019", messes[seed % 4])
        fmt = ("html", "html", "html", "pdf", "docx", "html", "txt", "pdf", "html", "docx")[seed % 10]
        render = {"html": render_html, "txt": render_text, "docx": render_docx, "pdf": render_pdf}[fmt]
        data = render(report)
        sha, new = archive.put(data)
        counts[fmt] = counts.get(fmt, 0) + 1
        url = f"http://www.example.gov.cn/ndbg/{seed}.{fmt}"
        writer.add({"sha256": sha, "url": url, "final_url": url, "portal": "example", "referrer": None,
                    "title": report.title, "status": 200, "content_type": None, "format": fmt, "bytes": len(data),
                    "etag": None, "last_modified": None, "fetched_at": at + timedelta(seconds=seed),
                    "role": "report", "outcome": "new" if new else "unchanged", "error": None})
    writer.flush()
    return counts


def baseline(raw: Path, curated: Path, batch_size: int) -> int:
    """The parse flow's steps in this process, one batch after the other."""
    from extract.store.incremental import batches, commit, plan_parse, remove_staging, stage_batch, staging_dir

    plan = plan_parse(raw, curated)
    stage = staging_dir(curated, "baseline")
    for i, chunk in enumerate(batches(plan.sources, batch_size)):
        stage_batch(raw, chunk, stage, f"{i:05d}")
    done = commit(curated, stage, plan.superseded)
    remove_staging(stage)
    return done.parsed


def plain_pool(raw: Path, curated: Path, batch_size: int, workers: int) -> int:
    """The same steps with the batches on a bare process pool: what the machine allows, without Prefect."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from extract.store.incremental import batches, commit, plan_parse, remove_staging, stage_batch, staging_dir

    plan = plan_parse(raw, curated)
    stage = staging_dir(curated, "pool")
    chunks = batches(plan.sources, batch_size, workers)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(stage_batch, [raw] * len(chunks), chunks, [stage] * len(chunks),
                      [f"{i:05d}" for i in range(len(chunks))]))
    done = commit(curated, stage, plan.superseded)
    remove_staging(stage)
    return done.parsed


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300, help="forged reports (default: 300)")
    parser.add_argument("--batch-size", type=int, default=50, help="documents per parse task (default: 50, as the flow)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ogi-pipeline-speed-"))
    from extract.flows.runtime import prefect_environment

    prefect_environment(home=work / ".prefect")  # a throwaway Prefect home, telemetry off, quiet
    sys.path.insert(0, str(REPO))
    from extract.flows.runtime import prefect_api
    from extract.flows.parse import parse_flow

    raw = work / "raw"
    seconds, counts = timed(forge_archive, raw, args.reports)
    print(f"forged {args.reports} reports in {seconds:.1f} s: "
          + ", ".join(f"{n} {fmt}" for fmt, n in sorted(counts.items())) + f"; {os.cpu_count()} cores")

    base_s, parsed = timed(baseline, raw, work / "baseline", args.batch_size)
    rows = [("baseline (1 process, no Prefect)", base_s, parsed)]
    for workers in (1, 2):
        seconds, parsed = timed(plain_pool, raw, work / f"pool-{workers}", args.batch_size, workers)
        rows.append((f"bare process pool, {workers} process{'es' if workers > 1 else ''}", seconds, parsed))
    with prefect_api():
        for workers in (1, 2):
            seconds, result = timed(parse_flow, raw_dir=str(raw), curated_dir=str(work / f"flow-{workers}"),
                                    batch_size=args.batch_size, workers=workers)
            rows.append((f"parse flow, {workers} worker{'s' if workers > 1 else ''}", seconds, result["parsed"]))

    print(f"{'run':36} {'reports':>8} {'seconds':>8} {'reports/s':>10} {'vs baseline':>12}")
    for name, seconds, n in rows:
        print(f"{name:36} {n:8d} {seconds:8.1f} {n / seconds:10.1f} {base_s / seconds:12.2f}")
    speedup = {name: rows[i][1] / rows[i + 1][1] for i, name in ((1, "bare process pool"), (3, "parse flow"))}
    print("2 workers / 1 worker: " + ", ".join(f"{name} {x:.2f}×" for name, x in speedup.items()))


if __name__ == "__main__":
    main()
