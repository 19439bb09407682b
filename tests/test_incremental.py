"""Incremental curation of the archive, without Prefect: what a run parses, what it drops, what it
writes — forged reports put into a real raw archive as a crawl would."""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from extract import __version__
from extract.flows.artifacts import dataset_summary, flags_by_check, status_by_template, worst_reports, worst_reports_markdown
from extract.crawl.archive import Archive
from extract.store.curate import curate
from extract.store.datasets import read_dataset
from extract.forge.docx import render_docx
from extract.forge.html import render_html
from extract.forge.model import MESSES, generate
from extract.forge.text import render_text
from extract.store.commit import commit, remove_staging, staging_dir
from extract.store.incremental import Source, batches, parse_source, plan_parse, stage_batch

T0 = datetime(2025, 2, 1, tzinfo=timezone.utc)
SITE = "http://www.qh.gov.cn"


def record_fetches(raw: Path, documents: dict[str, bytes], at: datetime = T0, portal: str = "清河市人民政府",
                   titles: dict[str, str] | None = None) -> list[str]:
    """Archive `documents` (URL → bytes) and write their manifest rows, as one crawl run at `at`."""
    archive = Archive(raw)
    writer = archive.writer()
    shas = []
    for i, (url, data) in enumerate(documents.items()):
        sha, new = archive.put(data)
        shas.append(sha)
        writer.add({"sha256": sha, "url": url, "final_url": url, "portal": portal, "referrer": f"{SITE}/ndbg/",
                    "title": (titles or {}).get(url), "status": 200, "content_type": "text/html", "format": None,
                    "bytes": len(data), "etag": None, "last_modified": None,
                    "fetched_at": at + timedelta(seconds=i), "role": "report",
                    "outcome": "new" if new else "unchanged", "error": None})
    writer.add({"sha256": None, "url": f"{SITE}/ndbg/", "final_url": f"{SITE}/ndbg/", "portal": portal,
                "referrer": None, "title": None, "status": 200, "content_type": "text/html", "format": "html",
                "bytes": 1000, "etag": None, "last_modified": None, "fetched_at": at, "role": "listing",
                "outcome": "page", "error": None})
    writer.flush()
    return shas


@functools.lru_cache(maxsize=None)
def _forged(seeds: tuple[int, ...]) -> dict[str, bytes]:
    docs = {}
    for seed in seeds:
        report = generate(seed, year=2020 + seed % 4)
        shape = seed % 3
        data = (render_html(report) if shape == 0 else render_text(report) if shape == 1 else render_docx(report))
        docs[f"{SITE}/ndbg/{seed}.{['html', 'txt', 'docx'][shape]}"] = data
    docs[f"{SITE}/ndbg/anomaly.html"] = render_html(generate(40, year=2023, mess=MESSES["anomaly"]))
    docs[f"{SITE}/ndbg/truncated.html"] = render_html(generate(41, year=2022, mess=MESSES["truncated"]))
    docs[f"{SITE}/ndbg/broken.pdf"] = b"%PDF-1.4 this is not a PDF at all"
    return docs


def forged_documents(seeds=range(1, 5)) -> dict[str, bytes]:
    """A few reports in several formats and states, by URL; the same bytes on every call (a DOCX
    rendered twice differs in its zip timestamps)."""
    return dict(_forged(tuple(seeds)))


def run_once(raw: Path, curated: Path, **filters) -> tuple:
    """Plan, parse in batches of 3, commit: what the parse flow does, in this process."""
    plan = plan_parse(raw, curated, **filters)
    stage = staging_dir(curated, "test-run")
    results = [stage_batch(raw, chunk, stage, f"{i:05d}") for i, chunk in enumerate(batches(plan.sources, 3))]
    committed = commit(curated, stage, plan.superseded)
    remove_staging(stage)
    return plan, results, committed


def file_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.parquet"))}


@pytest.fixture
def archive_dir(tmp_path) -> Path:
    raw = tmp_path / "raw"
    record_fetches(raw, forged_documents())
    return raw


def test_first_run_parses_every_document_and_writes_what_curate_writes(archive_dir, tmp_path):
    curated = tmp_path / "curated"
    plan, results, committed = run_once(archive_dir, curated)
    assert len(plan.sources) == 7 and plan.superseded == [] and plan.up_to_date == 0
    assert committed.parsed == 7 and sum(r.documents for r in results) == 7
    assert not (curated / ".staging").exists()

    # the same documents through the plain library path (`ogi parse`'s curate)
    archive = Archive(archive_dir)
    reference = tmp_path / "reference"
    curate([parse_source(archive, s) for s in plan.sources], reference)
    for name in ("reports", "cells", "flags"):
        ours, theirs = (read_dataset(root, name).drop(columns=["parsed_at"], errors="ignore")
                        .sort_values(list(read_dataset(root, name).columns[:4])).reset_index(drop=True)
                        for root in (curated, reference))
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
    reports = read_dataset(curated, "reports").set_index("source_url")
    assert reports.loc[f"{SITE}/ndbg/broken.pdf", "status"] == "failed"
    assert reports.loc[f"{SITE}/ndbg/truncated.html", "status"] == "partial"
    assert (reports["parser_version"] == __version__).all()
    assert all(Path(p).name == i for p, i in zip(reports["source_path"], reports["report_id"]))


def test_rerun_parses_nothing_and_leaves_the_files_byte_identical(archive_dir, tmp_path):
    curated = tmp_path / "curated"
    run_once(archive_dir, curated)
    before = file_hashes(curated)
    record_fetches(archive_dir, forged_documents(), at=T0 + timedelta(days=1))  # a second crawl: same bytes
    plan, results, committed = run_once(archive_dir, curated)
    assert plan.idle and plan.up_to_date == 7 and results == []
    assert committed.parsed == 0 and committed.partitions == 0
    assert file_hashes(curated) == before


def test_a_changed_document_replaces_its_old_version(archive_dir, tmp_path):
    curated = tmp_path / "curated"
    run_once(archive_dir, curated)
    before = read_dataset(curated, "reports").set_index("report_id")
    docs = forged_documents()
    url = f"{SITE}/ndbg/1.txt"
    old_sha = hashlib.sha256(docs[url]).hexdigest()
    docs[url] = render_text(generate(101, year=2021))  # republished with corrected numbers
    new_sha, = record_fetches(archive_dir, {url: docs[url]}, at=T0 + timedelta(days=1))

    plan, _, committed = run_once(archive_dir, curated)
    assert [s.sha256 for s in plan.sources] == [new_sha] and plan.superseded == [old_sha]
    assert committed.parsed == 1 and committed.dropped == 1
    for name in ("reports", "cells", "flags"):
        ids = set(read_dataset(curated, name)["report_id"])
        assert old_sha not in ids
    after = read_dataset(curated, "reports").set_index("report_id")
    assert after.loc[new_sha, "source_url"] == url
    unchanged = before.index.drop(old_sha)
    assert set(after.index) == set(unchanged) | {new_sha}
    # the other reports were not parsed again
    assert (after.loc[unchanged, "parsed_at"] == before.loc[unchanged, "parsed_at"]).all()
    cells = read_dataset(curated, "cells")
    truth = generate(101, year=2021).truth()
    ours = cells[cells["report_id"] == new_sha].set_index(["table", "row", "column"])["value"]
    theirs = truth.set_index(["table", "row", "column"])["value"]
    assert ours.reindex(theirs.index).equals(theirs.astype(float))


def test_old_bytes_still_published_at_another_url_are_kept(tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    first = render_html(generate(7, year=2024))
    record_fetches(raw, {f"{SITE}/a.html": first, f"{SITE}/b.html": first})
    plan, _, _ = run_once(raw, curated)
    assert len(plan.sources) == 1 and plan.sources[0].url == f"{SITE}/a.html"  # one document, named by its first URL
    record_fetches(raw, {f"{SITE}/a.html": render_html(generate(8, year=2024))}, at=T0 + timedelta(days=1))
    plan, _, _ = run_once(raw, curated)
    assert len(plan.sources) == 1 and plan.superseded == []
    assert len(read_dataset(curated, "reports")) == 2


def test_a_new_parser_version_parses_everything_again(archive_dir, tmp_path):
    curated = tmp_path / "curated"
    run_once(archive_dir, curated)
    assert plan_parse(archive_dir, curated).idle
    assert len(plan_parse(archive_dir, curated, parser_version="99.0").sources) == 7


def test_filters_by_portal_and_year(tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    city = {f"{SITE}/c{y}.html": render_html(generate(y, year=y)) for y in (2022, 2023)}
    titles = {url: f"清河市{y}年政府信息公开工作年度报告" for url, y in zip(city, (2022, 2023))}
    record_fetches(raw, city, titles=titles)
    record_fetches(raw, {"http://sthj.qh.gov.cn/r.html": render_html(generate(9, year=2023))}, portal="生态环境局")
    assert [s.portal for s in plan_parse(raw, curated, portals=["生态环境局"]).sources] == ["生态环境局"]
    # a year is known from the link title before the first parse…
    assert [s.title for s in plan_parse(raw, curated, years=[2023]).sources] == [titles[f"{SITE}/c2023.html"]]
    run_once(raw, curated, portals=["生态环境局"])
    # …and from the earlier parse afterwards (that report's link had no title)
    plan = plan_parse(raw, curated, years=[2023], parser_version="99.0")
    assert sorted(s.url for s in plan.sources) == ["http://sthj.qh.gov.cn/r.html", f"{SITE}/c2023.html"]


def test_a_document_missing_from_the_archive_is_reported_not_parsed(archive_dir, tmp_path):
    archive = Archive(archive_dir)
    gone = hashlib.sha256(forged_documents()[f"{SITE}/ndbg/2.docx"]).hexdigest()
    path = archive.path_for(gone)
    path.chmod(0o644)
    path.unlink()
    plan, _, committed = run_once(archive_dir, tmp_path / "curated")
    assert plan.missing == [gone] and gone not in {s.sha256 for s in plan.sources}
    assert committed.parsed == 6 and gone not in set(read_dataset(tmp_path / "curated", "reports")["report_id"])


def test_batches_give_every_worker_several():
    sources = [Source(f"{i:064x}") for i in range(10)]
    assert [len(b) for b in batches(sources, 20, workers=2)] == [3, 3, 3, 1]
    assert [len(b) for b in batches(sources, 4, workers=1)] == [4, 4, 2]
    assert sum(batches(sources, 3, workers=8), []) == sources
    assert batches([], 5) == []


def test_file_name_hint_from_the_url():
    assert Source("0", "http://x/module/download/downfile.jsp?classid=0&filename=P02.pdf").filename == "P02.pdf"
    assert Source("0", "http://x/a/%E5%B9%B4%E6%8A%A5.docx").filename == "年报.docx"
    assert Source("0", None).filename is None


def test_summaries_and_artifact_tables_from_the_datasets(archive_dir, tmp_path):
    curated = tmp_path / "curated"
    run_once(archive_dir, curated)
    reports, flags = read_dataset(curated, "reports"), read_dataset(curated, "flags")
    summary = dataset_summary(curated)
    assert summary.total == 7 and summary.reports == {"ok": 5, "partial": 1, "failed": 1}
    assert summary.cells == len(read_dataset(curated, "cells"))
    assert summary.failures == [(f"{SITE}/ndbg/broken.pdf", reports.set_index("status").loc["failed", "error"])]

    table = {row["status"]: row for row in status_by_template(reports)}
    assert list(table) == ["failed", "partial", "ok", "all"]
    assert table["ok"]["2021"] == 5 and table["all"]["total"] == 7
    assert table["failed"]["unknown"] == 1
    checks = {(r["check"], r["severity"]): r for r in flags_by_check(flags)}
    assert checks[("requests.balance", "error")]["reports"] == 1
    assert sum(r["flags"] for r in checks.values()) == len(flags)

    worst = worst_reports(reports, flags)
    assert list(worst["status"][:2]) == ["failed", "partial"] and list(worst["status"][2:]) == ["ok"]
    assert worst.loc[2, "source_url"] == f"{SITE}/ndbg/anomaly.html" and worst.loc[2, "errors"] >= 1
    markdown = worst_reports_markdown(reports, flags, run={"parsed": 7})
    assert "parsed: 7" in markdown and "| 1 |" in markdown and "| 4 |" not in markdown
    assert worst.loc[0, "why"] in markdown  # the failed PDF's reason, as the parser gave it


# --- the streaming commit ---------------------------------------------------------------------

COMMIT_PEAK = """
import json, sys
import pyarrow as pa
from extract.store import commit as module
from extract.store.commit import commit
module.SCAN_ROWS, module.SPILL_BYTES, module.GROUP_BYTES = 4_096, 2 * 2**20, 2**18  # what a commit holds (defaults: 32 MB)
pool = pa.default_memory_pool()
start = pool.max_memory()
result = commit(sys.argv[1], sys.argv[2])
print(json.dumps({"peak": pool.max_memory() - start, "parsed": result.parsed}))
"""


def _replicated_batches(results, stage: Path, copies: int, first: int = 0) -> int:
    """`copies` staged batches of `results`, each copy under new report_ids (as the staging step
    writes them); returns the Arrow size of all staged cells."""
    from extract.store.curate import frames
    from extract.store.datasets import to_table
    from extract.atomic import write_parquet_atomic

    reports, cells, flags = frames(results)
    size = 0
    for copy in range(first, first + copies):
        rename = {rid: hashlib.sha256(f"{copy} {rid}".encode()).hexdigest() for rid in reports["report_id"]}
        batch = {"reports": reports.assign(report_id=reports["report_id"].map(rename)),
                 "cells": cells.assign(report_id=cells["report_id"].map(rename)),
                 "flags": flags.assign(report_id=flags["report_id"].map(rename))}
        for name in ("cells", "flags", "reports"):
            table = to_table(name, batch[name])
            size += table.nbytes if name == "cells" else 0
            write_parquet_atomic(table, stage / f"{copy:05d}-{name}.parquet")
    return size


def _commit_peak(curated: Path, stage: Path) -> dict:
    return _run_fresh(COMMIT_PEAK, curated, stage)


def _run_fresh(script: str, *args: Path, timeout: int = 300):
    """`script` run in a fresh Python process (its memory its own); the JSON of its last line."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@functools.cache
def _twelve_results() -> tuple:
    """Twelve forged reports, two of each year 2019–2024, parsed."""
    from extract.parse import parse_bytes

    return tuple(parse_bytes(render_html(generate(300 + i, year=2019 + i % 6)), f"{i}.html") for i in range(12))


def test_the_commit_holds_one_file_at_a_time_not_the_run_nor_a_year(tmp_path):
    """Ten and forty staged batches of reports of six years: the commit's peak Arrow allocation
    (the real memory pool, in a fresh process) is the same for both, far below the run's rows; a
    later small commit into the bigger store holds a few files, far below one year partition."""
    results = list(_twelve_results())
    assert {r.report["year"] for r in results} == set(range(2019, 2025))
    peaks = {}
    for copies in (10, 40):
        stage, curated = tmp_path / f"stage-{copies}", tmp_path / f"curated-{copies}"
        staged_cells = _replicated_batches(results, stage, copies=copies)
        measured = _commit_peak(curated, stage)
        assert measured["parsed"] == 12 * copies
        peaks[copies] = measured["peak"]
    cells = read_dataset(curated, "cells")
    assert len(cells) == sum(len(r.cells) for r in results) * 40
    assert cells.groupby("year")["report_id"].nunique().to_dict() == {y: 80 for y in range(2019, 2025)}
    assert peaks[40] < staged_cells / 4  # never every staged row at once
    assert peaks[40] < 1.2 * peaks[10]  # flat: four times the run, the same memory

    year = sum(pq_nbytes(p) for p in curated.glob("cells/year=2020/part-*.parquet"))
    later = tmp_path / "later"
    _replicated_batches(results, later, copies=1, first=40)
    measured = _commit_peak(curated, later)
    assert measured["parsed"] == 12
    assert measured["peak"] < year / 2  # the files of twelve reports, not a year's


REGROUP_HELD = """
import json, sys
from pathlib import Path
import psutil
from extract.store.commit import regroup_by_target
files = sorted(Path(sys.argv[1]).glob("*-reports.parquet"))
before = psutil.Process().memory_info().rss
parts = regroup_by_target(files, Path(sys.argv[2]))
held = psutil.Process().memory_info().rss - before
print(json.dumps({"held": held, "targets": len(parts)}))
"""


def test_the_regrouped_reports_cost_their_rows_not_a_table_object_each(tmp_path):
    """A commit of a big run's report rows (4,800 reports in 50 staged batches, most reports
    alone in their target file) against a small one's (480 in 5): what the regrouping holds in
    memory (the process's RSS, a fresh process each) grows by about the rows' own Arrow size.
    Found at 30,000 reports, when a per-target slice of each batch (~15 KB of column metadata,
    outside Arrow's memory pool) held 225 MB for the 15,000 reports of the run's last commit."""
    held, size = {}, {}
    for staged in (5, 50):
        stage = tmp_path / f"stage-{staged}"
        size[staged] = _stage_report_copies(stage, staged)
        held[staged] = _run_fresh(REGROUP_HELD, stage, tmp_path / f"spill-{staged}")
    assert held[50]["targets"] > 1000  # 4,800 reports over six years' files
    growth, rows = held[50]["held"] - held[5]["held"], size[50] - size[5]
    # the rows, sorted once, and the reading of fifty files (~10 MB); a slice per report: ~65 MB
    assert growth < 4 * rows + 24 * 2**20, (growth / 2**20, rows / 2**20)


def _stage_report_copies(stage: Path, batches: int) -> int:
    """`batches` staged report files of 96 reports each (copies of twelve forged reports under
    new ids); returns their Arrow size."""
    from extract.atomic import write_parquet_atomic
    from extract.store.curate import frames
    from extract.store.datasets import to_table

    reports, size = frames(list(_twelve_results()))[0], 0
    for batch in range(batches):
        copies = [reports.assign(report_id=[hashlib.sha256(f"{batch} {copy} {i}".encode()).hexdigest()
                                            for i in reports["report_id"]]) for copy in range(8)]
        table = to_table("reports", pd.concat(copies, ignore_index=True))
        size += table.nbytes
        write_parquet_atomic(table, stage / f"{batch:05d}-reports.parquet")
    return size


def pq_nbytes(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_table(path).nbytes


def test_the_batch_size_follows_the_documents_and_the_workers():
    from extract.store.incremental import BATCHES_PER_WORKER, MAX_BATCH, MIN_BATCH, batch_size

    assert batch_size(2000, 2) == 2000 // (2 * BATCHES_PER_WORKER)  # four batches per worker
    assert batch_size(1000, 1) == 1000 // BATCHES_PER_WORKER
    assert batch_size(150_000, 8) == MAX_BATCH  # a national run: many batches of the largest size
    assert batch_size(60, 2) == MIN_BATCH  # few documents: no batch smaller than a task is worth ...
    assert batch_size(12, 4) == 3  # ... unless that left a worker without one
    assert batch_size(1, 8) == 1
    sources = [Source(f"{i:064x}") for i in range(2000)]
    chunks = batches(sources, workers=2)
    assert sum(chunks, []) == sources
    assert [len(c) for c in chunks[:BATCHES_PER_WORKER]] == [batch_size(2000, 2)] * BATCHES_PER_WORKER
    assert len(batches(sources[:60], workers=2)) == 6


@pytest.mark.parametrize("documents, workers", [(2000, 2), (10_000, 2), (150_000, 8), (999, 3), (45, 4)])
def test_the_last_batches_taper_so_the_workers_finish_together(documents, workers):
    """Guided scheduling: full batches while many documents are left, then each at most a
    1/(2·workers) share of what is left, down to `MIN_BATCH`: the last batch every worker waits
    on is small, whatever the run's size."""
    from extract.store.incremental import MIN_BATCH, batch_size, batch_sizes

    sizes = batch_sizes(documents, workers)
    assert sum(sizes) == documents and sizes == sorted(sizes, reverse=True)
    assert max(sizes) == batch_size(documents, workers)
    left = documents
    for size in sizes:
        assert size <= max(MIN_BATCH, -(-left // (2 * workers)))
        left -= size
    assert sizes[-1] <= MIN_BATCH
    assert sum(sizes[-workers:]) <= max(workers * MIN_BATCH, documents // (4 * workers))
    assert len(sizes) <= -(-documents // max(sizes)) + 2 * workers * 6  # the taper adds a few batches, not many


def test_one_worker_gets_full_batches():
    from extract.store.incremental import batch_size, batch_sizes

    assert batch_sizes(10_000, 1) == [batch_size(10_000, 1)] * 25
    assert batch_sizes(1_001, 1) == [251, 251, 251, 248]


GROWTH = """
import gc, json, sys
from pathlib import Path
import psutil
from extract.store.commit import commit
rss = []
for stage in sorted(Path(sys.argv[2]).iterdir()):
    commit(sys.argv[1], stage)
    gc.collect()
    rss.append(psutil.Process().memory_info().rss)
print(json.dumps(rss))
"""


def test_a_writer_committing_again_and_again_does_not_grow(tmp_path):
    """Six commits into one growing store, in one process (as `ogi parse` commits): its resident
    memory stays put after the first (a pyarrow dataset scan per commit kept tens of MB each)."""
    for k in range(6):
        _replicated_batches(list(_twelve_results()), tmp_path / "stages" / f"{k}", copies=10, first=10 * k)
    rss = _run_fresh(GROWTH, tmp_path / "curated", tmp_path / "stages", timeout=600)
    assert len(read_dataset(tmp_path / "curated", "reports")) == 720
    assert rss[-1] - rss[1] < 20 * 2**20, [r // 2**20 for r in rss]


def test_a_spill_is_one_scratch_file_whatever_the_targets(tmp_path, monkeypatch):
    """Regrouping past `SPILL_BYTES` writes one scratch file per spill (each target's rows its own
    record batches), not a file per target; every target gets back exactly its staged rows."""
    import pyarrow as pa

    from extract.store import commit as module
    from extract.store.datasets import bucket_of

    monkeypatch.setattr(module, "SPILL_BYTES", 2**20)
    monkeypatch.setattr(module, "GROUP_BYTES", 2**18)
    stage, spill = tmp_path / "stage", tmp_path / "spill"
    staged = _replicated_batches(list(_twelve_results()), stage, copies=20)
    parts = module.regroup_by_target(sorted(stage.glob("*-cells.parquet")), spill)
    scratch = sorted(spill.glob("*"))
    assert len(parts) > 150 and 4 <= len(scratch) <= staged / module.SPILL_BYTES + 1
    assert all(p.suffix == ".arrow" for p in scratch)
    for (year, bucket), mine in parts.items():
        rows = module._rows(mine)
        assert set(pa.compute.unique(rows.column("year")).to_pylist()) == {year}
        assert {bucket_of(r) for r in pa.compute.unique(rows.column("report_id")).to_pylist()} == {bucket}
    assert sum(module._rows(mine).num_rows for mine in parts.values()) == 20 * sum(
        len(r.cells) for r in _twelve_results())


def test_the_commit_rewrites_files_on_several_threads_to_the_same_bytes(tmp_path, monkeypatch):
    """A commit on three threads rewrites files at the same time (two rewrites meet at a barrier,
    which a one-at-a-time commit never reaches) and writes byte for byte what one thread writes;
    dropping every report of a year then removes that year's folders, and only those."""
    import shutil
    import threading

    from extract.store import commit as module

    upsert, barrier, callers = module.upsert_file, threading.Barrier(2, timeout=20), iter(range(10**6))

    def meeting(*args, **kwargs):
        if next(callers) < 2:  # the first two rewrites wait for each other
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return upsert(*args, **kwargs)

    stage = tmp_path / "stage"
    _replicated_batches(list(_twelve_results()), stage, copies=6)
    shutil.copytree(stage, tmp_path / "stage-copy")
    serial, threaded = tmp_path / "serial", tmp_path / "threaded"
    commit(serial, tmp_path / "stage-copy")
    monkeypatch.setattr(module, "upsert_file", meeting)
    result = commit(threaded, stage, threads=3)
    assert not barrier.broken, "no two files were rewritten at the same time"
    assert result.parsed == 72 and file_hashes(threaded) == file_hashes(serial)

    reports = read_dataset(serial, "reports")
    gone = reports.loc[reports["year"] == 2019, "report_id"].tolist()
    for root, threads in ((serial, 1), (threaded, 3)):
        (root / "empty-stage").mkdir()
        assert commit(root, root / "empty-stage", superseded=gone, threads=threads).dropped == 12
        shutil.rmtree(root / "empty-stage")
    assert file_hashes(threaded) == file_hashes(serial)
    for dataset in ("cells", "flags", "reports"):
        assert not (threaded / dataset / "year=2019").exists()
        assert (threaded / dataset / "year=2021").is_dir()
    assert set(read_dataset(threaded, "reports")["year"]) == set(range(2020, 2025))
