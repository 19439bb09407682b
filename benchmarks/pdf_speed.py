"""PDF parsing speed: our full parse to cells against a pdfplumber baseline, same files, same run.

    python benchmarks/pdf_speed.py [--reports 40] [--rounds 3] [--profile]

The files are forged reports (5–6 pages, every PDF layout) plus the real corpus report when it is
there. Baseline: ``pdfplumber.open`` then ``page.extract_tables()`` on every page, nothing else.
Ours: ``extract.parse.parse_bytes`` — reader, table finding, label mapping and checks — to cells.
Prints reports/s for both and the ratio; the goal is ≥ 2.5×. Rates are per CPU second of this
process (best of `rounds`), i.e. on one core, so other work on a shared machine does not skew
them; wall-clock rates are printed alongside.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

import pdfplumber

from extract.forge.model import MESSES, generate
from extract.forge.pdf import LAYOUTS, render_pdf
from extract.parse import parse_bytes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "huaian-shi_2024.pdf"


def forged(n: int) -> list[bytes]:
    layouts, messes = list(LAYOUTS.values()), list(MESSES.values())
    return [render_pdf(generate(seed, "2021" if seed % 3 else "2019", messes[seed % len(messes)]),
                       layouts[seed % len(layouts)]) for seed in range(n)]


def baseline(files: list[bytes]) -> None:
    for data in files:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_tables()


def ours(files: list[bytes]) -> None:
    for data in files:
        result = parse_bytes(data, "report.pdf")
        assert len(result.cells), result.report["error"]


def best_rate(fn, files: list[bytes], rounds: int) -> tuple[float, float]:
    """(reports per CPU second, reports per wall-clock second), best of `rounds`."""
    cpu = wall = float("inf")
    for _ in range(rounds):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        fn(files)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return len(files) / cpu, len(files) / wall


def pages(files: list[bytes]) -> float:
    import pypdfium2 as pdfium

    counts = []
    for data in files:
        doc = pdfium.PdfDocument(data)
        counts.append(len(doc))
        doc.close()
    return sum(counts) / len(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print where our parse spends its time")
    args = parser.parse_args()
    sets = {"forged": forged(args.reports)}
    if CORPUS.exists():
        sets["huaian-shi_2024.pdf (real, ×5)"] = [CORPUS.read_bytes()] * 5
    ours(sets["forged"][:2])  # warm imports and caches for both sides alike
    baseline(sets["forged"][:2])
    for name, files in sets.items():
        base, base_wall = best_rate(baseline, files, args.rounds)
        mine, mine_wall = best_rate(ours, files, args.rounds)
        print(f"{name}: {len(files)} reports, {pages(files):.1f} pages on average")
        print(f"  baseline (pdfplumber.open + extract_tables, every page): {base:6.2f} reports/s"
              f"  (wall clock {base_wall:.2f})")
        print(f"  ours (parse_bytes: read, find tables, map labels, check): {mine:6.2f} reports/s"
              f"  (wall clock {mine_wall:.2f})")
        print(f"  ratio: {mine / base:.2f}x  (goal >= 2.5x and >= 10 reports/s on one core)")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        ours(sets["forged"])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
