"""Does the pipeline hold a national run? Reports/s and peak memory of the parse at 2,000,
10,000 and 30,000 forged reports, and what that predicts for a year of China (~150,000 reports).

Forges the reports once (HTML, text, DOCX and PDF, in the proportions portals publish them;
no scans or .doc, whose OCR and LibreOffice costs would swamp the rest), in a national run's
shape: one report per agency and year (2019–2024), from as many agencies as that takes
(`extract.forge.population`: real divisions' governments and departments), into a
content-addressed store cached under `benchmarks/.cache/national-v2/` (git-ignored), and gives each size its own raw
archive (the shared objects, a manifest of the first N reports) and a folder of its N files. Then,
for each size, each in a fresh process and a fresh curated folder:

- bare parse: `ogi parse FOLDER` (one process, no Prefect);
- parse flow, 1 worker and 2 workers: `flows/parse.py --workers W` (its temporary Prefect server,
  worker start-up and the streaming commit included);
- Dask: the parse flow on a 2-worker `distributed.LocalCluster` (one thread each);
- optionally (`--runs pool1,pool2`), the same steps on a bare process pool without Prefect: what
  the machine gives a second process, the ceiling of the flow's speed-up.

Prefect's database is created once, before the runs, by an unmeasured flow run (as a user's
`.prefect/` is by their first run); each measured run reuses it.

Peak RSS is the process tree's (the run and its workers, summed; sampled every 0.2 s with
psutil) and the largest single process's (`wait4`). Prints a table per size, the growth (seconds
and MB per report at each size), the speed-up of 2 workers over 1, and the extrapolated time of
150,000 reports on 8 cores (the 1-worker flow rate × 8 × the measured 2-worker efficiency).

    python benchmarks/national_scale.py                       # 2,000 reports
    python benchmarks/national_scale.py --sizes 2000,10000    # and 10,000 (forged once, then cached)
    python benchmarks/national_scale.py --sizes 10000 --runs flow1,flow2 --repeat 3   # medians of 3 rounds
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE_VERSION = 2  # of the forged reports: bumped when what `forge_one` forges changes (2: the national population)
CACHE = REPO / "benchmarks" / ".cache" / f"national-v{CACHE_VERSION}"
YEARS = tuple(range(2019, 2025))  # every agency reports each year
FORMATS = ("html", "html", "html", "pdf", "docx", "html", "txt", "pdf", "html", "docx")
RUNS = {"bare": "bare parse (ogi parse)", "pool1": "bare process pool, 1 process",
        "pool2": "bare process pool, 2 processes", "flow1": "parse flow, 1 worker", "flow2": "parse flow, 2 workers",
        "dask": "Dask LocalCluster, 2 workers"}
DEFAULT_RUNS = ("bare", "flow1", "flow2", "dask")
NATIONAL = 150_000
CORES = 8


# --- the forged reports, once -----------------------------------------------------------------

def forge_store(n: int) -> list[dict]:
    """Seeds 0..n-1 rendered into the cached store (only those not there yet, on every core);
    their index rows."""
    from concurrent.futures import ProcessPoolExecutor

    index_file = CACHE / "index.jsonl"
    index = [json.loads(line) for line in index_file.read_text().splitlines()] if index_file.exists() else []
    if len(index) >= n:
        return index[:n]
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(index_file, "a") as out, ProcessPoolExecutor(os.cpu_count()) as pool:
        for row in pool.map(forge_one, range(len(index), n), chunksize=50):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            index.append(row)
            if row["seed"] % 1000 == 999:
                print(f"  forged {row['seed'] + 1} reports ({time.perf_counter() - started:.0f} s)", flush=True)
    return index


def forge_one(seed: int) -> dict:
    """One forged report in the cached store: agency `seed // 6` of the national population
    (`extract.forge.population`), its report of year 2019 + `seed % 6` (the 2019 format before
    2021), in a format and with a mess drawn by the seed."""
    from extract.crawl.archive import Archive
    from extract.forge.docx import render_docx
    from extract.forge.html import render_html
    from extract.forge.model import Mess, generate
    from extract.forge.pdf import render_pdf
    from extract.forge.population import national_agency
    from extract.forge.text import render_text

    render = {"html": render_html, "txt": render_text, "docx": render_docx, "pdf": render_pdf}
    messes = [Mess(), Mess(blank_zeros=0.3), Mess(org_subtotal=True), Mess(na_cells=3)]
    year = YEARS[seed % len(YEARS)]
    report = generate(seed, "2019" if year < 2021 else "2021", messes[seed % 4], year=year,
                      agency=national_agency(seed // len(YEARS)))
    fmt = FORMATS[seed % len(FORMATS)]
    sha, _ = Archive(CACHE / "store").put(render[fmt](report))
    return {"seed": seed, "sha256": sha, "format": fmt, "title": report.title}


def size_folders(index: list[dict]) -> tuple[Path, Path]:
    """The raw archive (shared objects, a manifest of these reports) and the folder of their files
    for one size, made once."""
    from extract.crawl.archive import Archive

    n = len(index)
    root = CACHE / f"n{n}"
    raw, files = root / "raw", root / "files"
    if (root / "done").exists():
        return raw, files
    raw.mkdir(parents=True, exist_ok=True)
    files.mkdir(parents=True, exist_ok=True)
    if not (raw / "objects").exists():
        (raw / "objects").symlink_to(CACHE / "store" / "objects", target_is_directory=True)
    archive, store = Archive(raw), Archive(CACHE / "store")
    writer = archive.writer(flush_every=10_000)
    at = datetime(2025, 2, 1, tzinfo=timezone.utc)
    for row in index:
        url = f"http://www.example.gov.cn/ndbg/{row['seed']}.{row['format']}"
        writer.add({"sha256": row["sha256"], "url": url, "final_url": url, "portal": "example", "referrer": None,
                    "title": row["title"], "status": 200, "content_type": None, "format": row["format"],
                    "bytes": store.path_for(row["sha256"]).stat().st_size, "etag": None, "last_modified": None,
                    "fetched_at": at + timedelta(seconds=row["seed"]), "role": "report", "outcome": "new",
                    "error": None})
        link = files / f"{row['seed']:06d}.{row['format']}"
        if not link.exists():
            link.symlink_to(store.path_for(row["sha256"]))
    writer.flush()
    (root / "done").write_text("")
    return raw, files


# --- one measured run, in its own process -----------------------------------------------------

def command(kind: str, raw: Path, files: Path, out: Path) -> list[str]:
    if kind == "bare":
        return [sys.executable, "-m", "extract.cli", "parse", str(files), "--out", str(out)]
    if kind in ("flow1", "flow2"):
        return [sys.executable, str(REPO / "flows" / "parse.py"), "--raw", str(raw), "--out", str(out),
                "--workers", kind[-1]]
    if kind in ("pool1", "pool2"):
        return [sys.executable, __file__, "--pool-run", str(raw), str(out), kind[-1]]
    return [sys.executable, __file__, "--dask-run", str(raw), str(out)]


def run_env(home: Path) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
            "PREFECT_HOME": str(home), "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}


def warm_prefect(home: Path, raw: Path) -> float:
    """Create Prefect's database in `home` (an unmeasured parse flow with nothing in scope), as a
    user's `.prefect/` is created by their first run: ~8 s that no later run pays, whatever its
    size, so not charged to each measured one. Returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "flows" / "parse.py"), "--raw", str(raw), "--out", str(home / "none"),
                    "--year", "1900"], env=run_env(home), check=True, capture_output=True)
    return time.perf_counter() - started


def measure(kind: str, raw: Path, files: Path, work: Path, home: Path) -> dict:
    """Wall time and peak RSS (tree, summed; largest process) of one run in a fresh process, its
    Prefect database in `home`."""
    import psutil

    out = work / f"curated-{kind}"
    env = run_env(home)
    started = time.perf_counter()
    process = subprocess.Popen(command(kind, raw, files, out), env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=work)
    peak = {"tree": 0}
    stop = threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not stop.wait(0.2):
            try:
                tree = [root, *root.children(recursive=True)]
                total = 0
                for proc in tree:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                peak["tree"] = max(peak["tree"], total)
            except psutil.Error:
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = {}

    def drain() -> None:
        output["stdout"], output["stderr"] = process.stdout.read(), process.stderr.read()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stop.set()
    reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{kind} failed ({process.returncode}): {output['stderr'][-2000:].decode(errors='replace')}")
    from extract.store.datasets import read_dataset

    parsed = len(read_dataset(out, "reports", columns=["report_id"]))
    return {"seconds": seconds, "parsed": parsed, "tree_mb": peak["tree"] / 2**20, "max_mb": usage.ru_maxrss / 1024}


def dask_run(raw: str, out: str) -> None:
    """The parse flow on a 2-worker LocalCluster (run by `measure` in its own process)."""
    from extract.flows.runtime import prefect_api, prefect_environment

    prefect_environment()
    import distributed

    from extract.flows.parse import parse_flow

    with prefect_api(), distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                 dashboard_address=None) as cluster:
        parse_flow(raw_dir=raw, curated_dir=out, dask_address=cluster.scheduler_address)


def pool_run(raw: str, out: str, workers: str) -> None:
    """The parse flow's steps on a bare `concurrent.futures` process pool, without Prefect: what
    the machine gives that many processes (run by `measure` in its own process)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from extract.store.commit import commit, remove_staging, staging_dir
    from extract.store.incremental import batches, plan_parse, stage_batch

    plan = plan_parse(raw, out)
    stage = staging_dir(out, "pool")
    chunks = batches(plan.sources, workers=int(workers))
    with ProcessPoolExecutor(int(workers), mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(stage_batch, [raw] * len(chunks), chunks, [stage] * len(chunks),
                      [f"{i:05d}" for i in range(len(chunks))]))
    commit(out, stage, plan.superseded)
    remove_staging(stage)


# --- the report -------------------------------------------------------------------------------

def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def median_round(rounds: list[dict]) -> dict:
    """The round of median time (the lower of the two middle ones for an even count)."""
    return sorted(rounds, key=lambda got: got["seconds"])[(len(rounds) - 1) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000", help="report counts, comma-separated (default: 2000)")
    parser.add_argument("--runs", default=",".join(DEFAULT_RUNS),
                        help=f"which runs, of {','.join(RUNS)} (default: {','.join(DEFAULT_RUNS)})")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of the runs, interleaved; each run's figures are then its median round's (default: 1)")
    parser.add_argument("--dask-run", nargs=2, metavar=("RAW", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--pool-run", nargs=3, metavar=("RAW", "OUT", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dask_run:
        return dask_run(*args.dask_run)
    if args.pool_run:
        return pool_run(*args.pool_run)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    runs = [r for r in args.runs.split(",") if r in RUNS]
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores, {load()}; forging up to {sizes[-1]} reports (cached in {CACHE})", flush=True)
    index = forge_store(sizes[-1])
    results: dict[int, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="ogi-national-prefect-") as prefect_home:
        home = Path(prefect_home)
        for n in sizes:
            raw, files = size_folders(index[:n])
            if n == sizes[0] and set(runs) - {"bare", "pool1", "pool2"}:
                print(f"Prefect's database created once, before the runs: {warm_prefect(home, raw):.1f} s", flush=True)
            rounds: dict[str, list[dict]] = {kind: [] for kind in runs}
            for _ in range(args.repeat):  # interleaved: a slow spell of the machine hits every run alike
                for kind in runs:
                    with tempfile.TemporaryDirectory(prefix="ogi-national-") as work:
                        before = load()
                        got = measure(kind, raw, files, Path(work), home)
                        got["load"] = before + " → " + load().removeprefix("load average ")
                        rounds[kind].append(got)
                        print(f"  {n:>6} {RUNS[kind]:30} {got['parsed']:6d} reports {got['seconds']:7.1f} s "
                              f"{got['parsed'] / got['seconds']:6.1f} reports/s, peak RSS tree {got['tree_mb']:6.0f} MB, "
                              f"largest process {got['max_mb']:5.0f} MB ({got['load']})", flush=True)
            results[n] = {kind: median_round(got) for kind, got in rounds.items()}
            if args.repeat > 1 and {"flow1", "flow2"} <= set(runs):
                ratios = [a["seconds"] / b["seconds"] for a, b in zip(rounds["flow1"], rounds["flow2"])]
                print(f"  {n:>6} parse flow 2 workers / 1 worker, round by round: "
                      + ", ".join(f"{r:.2f}×" for r in ratios), flush=True)
    print()
    print(f"{'reports':>7} {'run':30} {'reports/s':>9} {'s/report':>9} {'tree MB':>8} {'MB/report':>10} "
          f"{'largest MB':>10}")
    for n, by_kind in results.items():
        for kind, got in by_kind.items():
            print(f"{n:7d} {RUNS[kind]:30} {got['parsed'] / got['seconds']:9.1f} {got['seconds'] / got['parsed']:9.4f} "
                  f"{got['tree_mb']:8.0f} {got['tree_mb'] / got['parsed']:10.4f} {got['max_mb']:10.0f}")
    for n, by_kind in results.items():
        if "pool1" in by_kind and "pool2" in by_kind:
            print(f"{n}: bare process pool 2 / 1 (what the machine gives a second process): "
                  f"{by_kind['pool1']['seconds'] / by_kind['pool2']['seconds']:.2f}×")
        if "flow1" in by_kind and "flow2" in by_kind:
            print(f"{n}: parse flow 2 workers / 1 worker: {by_kind['flow1']['seconds'] / by_kind['flow2']['seconds']:.2f}× "
                  f"(aim: ≥ 1.7× at 10,000)")
        if "bare" in by_kind and "flow1" in by_kind:
            print(f"{n}: parse flow 1 worker / bare parse (time): "
                  f"{by_kind['flow1']['seconds'] / by_kind['bare']['seconds']:.2f}")
    if len(results) > 1:
        small, large = min(results), max(results)
        for kind in runs:
            if kind in results[small] and kind in results[large]:
                tree = results[large][kind]["tree_mb"] / results[small][kind]["tree_mb"]
                largest = results[large][kind]["max_mb"] / results[small][kind]["max_mb"]
                print(f"peak RSS {RUNS[kind]}: {small} → {large} reports: tree ×{tree:.2f}, largest process "
                      f"×{largest:.2f} (aim: within 20 %)")
    largest = results[max(results)]
    if "flow1" in largest and "flow2" in largest:
        rate1 = largest["flow1"]["parsed"] / largest["flow1"]["seconds"]
        efficiency = (largest["flow1"]["seconds"] / largest["flow2"]["seconds"]) / 2
        seconds = NATIONAL / (rate1 * CORES * efficiency)
        print(f"extrapolated: {NATIONAL:,} reports on {CORES} cores ≈ {seconds / 60:.0f} min "
              f"(1-worker flow rate {rate1:.1f}/s at {max(results)} reports × {CORES} × 2-worker efficiency "
              f"{efficiency:.2f}; these forged reports parse faster than real scans and .doc files)")
    print(load())


if __name__ == "__main__":
    main()
