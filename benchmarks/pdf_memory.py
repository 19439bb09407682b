"""Memory of PDF parsing: does RSS stay flat over hundreds of reports?

    python benchmarks/pdf_memory.py [--reports 500] [--skip-cli]

1. Forges `reports` PDFs (every layout and messy case) into a temporary folder.
2. In this process: `parse_bytes` on each in turn, printing RSS every 50 reports (a leak shows
   as a climb; pdfium pages and text pages are closed as the reader goes, and it keeps no
   pdfplumber object).
3. `ogi parse FOLDER --out TMP` in a child process, the command users run: its peak RSS.
Goal: flat, with the peak under 300 MB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from extract.forge.model import MESSES, generate
from extract.forge.pdf import LAYOUTS, render_pdf
from extract.parse import parse_bytes


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def forge_folder(folder: Path, n: int) -> list[Path]:
    layouts, messes = list(LAYOUTS.values()), list(MESSES.values())
    paths = []
    for seed in range(n):
        report = generate(seed, "2021" if seed % 4 else "2019", messes[seed % len(messes)])
        path = folder / f"report-{seed:04d}.pdf"
        path.write_bytes(render_pdf(report, layouts[seed % len(layouts)]))
        paths.append(path)
    return paths


def in_process(paths: list[Path]) -> None:
    start = rss_mb()
    print(f"in-process parse_bytes: RSS {start:.0f} MB before")
    for i, path in enumerate(paths, 1):
        result = parse_bytes(path.read_bytes(), path.name)
        assert result.status in ("ok", "partial"), (path, result.report["error"])
        if i % 50 == 0:
            print(f"  after {i:4d} reports: RSS {rss_mb():6.1f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  growth {rss_mb() - start:+.1f} MB; peak RSS of this process {peak:.0f} MB")


def cli(folder: Path) -> None:
    out = Path(tempfile.mkdtemp(prefix="ogi-mem-out-"))
    try:
        code = ("import sys; from extract.cli import app; sys.argv = ['ogi', 'parse', sys.argv[1], '--out', sys.argv[2]];"
                " app()")
        proc = subprocess.run([sys.executable, "-c", code, str(folder), str(out)], capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        print(f"`ogi parse` over {len(list(folder.glob('*.pdf')))} PDFs: exit {proc.returncode}, "
              f"peak RSS {peak:.0f} MB (goal < 300 MB)")
        for line in tail:
            print("   ", line)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ogi-mem-pdf-"))
    try:
        paths = forge_folder(folder, args.reports)
        in_process(paths)
        if not args.skip_cli:
            cli(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
