"""The project's defaults, defined once: where the data lives, the demo portal's port, how many
documents go to one write. Commands, flows and library functions take them as their defaults."""

from __future__ import annotations

import os
from pathlib import Path

#: the raw archive: content-addressed report files and the crawl manifest (`extract.crawl.archive`)
RAW_DIR = Path("data/raw")
#: the curated datasets (`reports`, `cells`, `flags`, `agencies`, `corrections`)
CURATED_DIR = Path("data/curated")
#: the demo portal's port (`ogi run`, `ogi demo-portal`): a fixed port keeps its URLs, so a rerun gets 304s
DEMO_PORT = 8765
#: requests per second the crawl sends the demo portal (it is the command's own, on 127.0.0.1; real
#: portals get `extract.crawl.fetch.FetchPolicy.rate`, one a second)
DEMO_RATE = 1000.0


def cache_dir() -> Path:
    """The project's cache (the forge's font subsets, the demo portal's rendered files):
    `ogi-reports/` in `$OGI_CACHE`, else `$XDG_CACHE_HOME`, else `~/.cache`. Safe to delete."""
    base = os.environ.get("OGI_CACHE") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ogi-reports"


def demo_cache_dir() -> Path:
    """Where the demo portal keeps its rendered files between runs (`extract.forge.render_cache`)."""
    return cache_dir() / "demo-portal"


#: the Arrow memory pool of the pipeline's processes (`extract.memory.use_pipeline_memory`): the C
#: library's allocator. Measured on `ogi parse` of 2,000 forged reports, peak RSS: pyarrow's default
#: (mimalloc) 325 MB, jemalloc 290, system 279; a commit of 8,000 reports: 32 s, 29 s, 25 s.
ARROW_POOL = "system"

#: glibc's malloc thresholds in the pipeline's processes, fixed (`extract.memory`): blocks under 32
#: MiB from the heap (where glibc's sliding threshold ends up anyway), and free memory at the heap's
#: top past 128 KiB handed back at once (glibc's start value, which it would slide up to 64 MiB).
#: `ogi parse` of the forged national run (`benchmarks/national_scale.py`), peak RSS at 10,000
#: reports: sliding 328 MB, fixed 298; mapping every block over 256 KiB instead: 297, 5 % slower.
MALLOC_THRESHOLDS = {"mmap": 32 * 2**20, "trim": 128 * 2**10}
