"""Parse speed for HTML and text reports, in reports per second on one core.

Forges N reports per format in memory, then times (a) a baseline that only decodes and builds
the lxml tree / splits the lines — the floor any HTML or text parser pays — and (b) our full
parse to cells, flags and the report row. Prints reports/s for both and the ratio.

    python benchmarks/parse_speed.py [--n 300]
"""

from __future__ import annotations

import argparse
import time

import lxml.html

from extract.read.encoding import decode
from extract.forge.html import render_html
from extract.forge.model import Mess, generate
from extract.forge.text import render_text
from extract.parse import parse_bytes


def forge(n: int) -> dict[str, list[bytes]]:
    messes = [Mess(), Mess(blank_zeros=0.3), Mess(org_subtotal=True), Mess(na_cells=3)]
    reports = [generate(seed, "2021" if seed % 4 else "2019", messes[seed % 4]) for seed in range(n)]
    return {
        "html": [render_html(r, style=("word", "cms")[i % 2], encoding=("utf-8", "gbk")[i % 3 == 0])
                 for i, r in enumerate(reports)],
        "text": [render_text(r, style="tsv") for r in reports],
    }


def baseline(fmt: str, data: bytes) -> None:
    text, _ = decode(data)
    if fmt == "html":
        lxml.html.document_fromstring(text).text_content()
    else:
        [line.split("\t") for line in text.splitlines()]


def rate(fn, files: list[bytes]) -> float:
    start = time.perf_counter()
    for data in files:
        fn(data)
    return len(files) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    files = forge(args.n)
    print(f"{'format':6} {'baseline r/s':>13} {'ours r/s':>9} {'ours/baseline':>14}")
    for fmt, items in files.items():
        ext = "r.html" if fmt == "html" else "r.txt"
        parse_bytes(items[0], ext)  # warm caches and imports
        ours = rate(lambda d: parse_bytes(d, ext), items)
        base = rate(lambda d: baseline(fmt, d), items)
        print(f"{fmt:6} {base:13.1f} {ours:9.1f} {ours / base:14.2f}")


if __name__ == "__main__":
    main()
