"""The fixed cost of the pipeline: an `ogi run` with nothing new to do, against the bare
`ogi parse` of the same files.

In a temporary folder, runs `ogi run` once on the demo portal (it crawls and parses everything),
then, alternately and `--repeat` times each: `ogi run` again (every file answers 304, nothing to
parse; the temporary Prefect server, the crawl, the plan, the artifacts remain) and `ogi parse` of
the archived files into a fresh folder. Each in a fresh process, wall time. Prints every time,
the medians, their ratio (the aim: at most 2), and the load average before and after (the
machine may be shared).

    python benchmarks/idle_run.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(args: list[str], cwd: Path, idle: bool = False) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = str(REPO / "src")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "extract.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"ogi {' '.join(args)} failed: {done.stderr[-2000:]}")
    if idle and not re.search(r"this run: 0 new documents archived, 0 parsed", " ".join(done.stdout.split())):
        raise RuntimeError(f"ogi {' '.join(args)} had something to do: {done.stdout[-1000:]}")
    return seconds


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default: 3)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ogi-idle-run-"))
    port = free_port()
    try:
        print(f"{os.cpu_count()} cores, load average {load()}")
        first = timed(["run", "--demo-port", str(port)], work)
        files = sum(1 for p in (work / "data" / "raw" / "objects").rglob("*") if p.is_file())
        print(f"first ogi run (crawl and parse everything): {first:.1f} s; {files} archived files")
        idle, bare = [], []
        for i in range(args.repeat):
            idle.append(timed(["run", "--demo-port", str(port)], work, idle=True))
            shutil.rmtree(work / "bare", ignore_errors=True)
            bare.append(timed(["parse", "data/raw/objects", "--curated", "bare"], work))
            print(f"  {i + 1}: ogi run, nothing new {idle[-1]:5.1f} s   ogi parse of the same files {bare[-1]:5.1f} s")
        ratio = statistics.median(idle) / statistics.median(bare)
        print(f"median: ogi run with nothing to do {statistics.median(idle):.1f} s, bare ogi parse "
              f"{statistics.median(bare):.1f} s: {ratio:.2f}× (aim: ≤ 2×)")
        print(f"load average {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
