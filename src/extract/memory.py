"""The memory of the pipeline's processes: the allocators they use, and freed memory given back.

A long run parses for hours and commits now and then. What a commit or a batch of parsing frees
stays mapped to the process unless it is handed back: pyarrow's default pool (mimalloc) keeps
freed pages, and the C heap, which the readers fragment (lxml, Arrow's buffers in the system pool),
keeps free pages between live ones. So a run's memory would creep up with its length, not its
work. The pipeline's processes therefore (`use_pipeline_memory`):

- allocate Arrow's buffers from the C library (`settings.ARROW_POOL`);
- on glibc, fix malloc's thresholds (`settings.MALLOC_THRESHOLDS`). Left to itself glibc slides
  them up with the biggest block freed so far: after one 30 MB table, blocks under 30 MB come
  from the heap (fast: kept so) and up to 60 MB free at the heap's top stay the process's
  (`M_TRIM_THRESHOLD`, twice the other). Fixed, the trim threshold stays at glibc's start value,
  so what is freed at the top goes back at once;
- give freed memory back after every commit and every staged batch (`give_back`): a few
  milliseconds each.

And a command ends without the collector's last pass (`end_without_last_collection`).
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import os
import platform

from extract.settings import ARROW_POOL, MALLOC_THRESHOLDS

MALLOPT = {"trim": -1, "mmap": -3}  # glibc's mallopt parameters M_TRIM_THRESHOLD, M_MMAP_THRESHOLD (malloc.h)


def use_pipeline_memory() -> str:
    """Set this process up as the module says; returns the Arrow pool in use. A pool the user
    names in `$ARROW_DEFAULT_MEMORY_POOL`, and thresholds in `$MALLOC_*_THRESHOLD_`, win.
    Called where the pipeline starts (`ogi`, the flows' tasks), not on import: a researcher's
    process that only reads the datasets keeps its own."""
    import pyarrow as pa

    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(getattr(pa, f"{ARROW_POOL}_memory_pool")())
    if not any(f"MALLOC_{name.upper()}_THRESHOLD_" in os.environ for name in MALLOPT):
        fix_malloc_thresholds(MALLOC_THRESHOLDS)
    return pa.default_memory_pool().backend_name


def fix_malloc_thresholds(thresholds: dict[str, int]) -> bool:
    """glibc's malloc thresholds (bytes, by `MALLOPT` name) set, and so no longer sliding
    (`mallopt`); False where the C library is not glibc."""
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)
    return all([bool(libc.mallopt(MALLOPT[name], size)) for name, size in thresholds.items()])


def give_back() -> None:
    """Hand the memory this process has freed back to the system: the Arrow pool's unused memory
    (for the system pool on glibc, `malloc_trim`: the C heap's free pages, whoever freed them)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def end_without_last_collection() -> None:
    """At exit, after every other exit handler, freeze what is still alive instead of letting the
    interpreter's last collection walk it. That walk visits every object the command built (with
    Prefect, pandas and pyarrow imported, a few hundred thousand) and frees next to nothing, the
    process ending anyway: a tenth of an `ogi parse`. Reference counting still frees what it can
    as the modules go; a reference cycle alive at exit is left to the process's end, whose
    `__del__` then does not run (CPython never promised it would): the pipeline closes its files
    and sends its logs before it returns, not in finalisers. Call it once, first thing in the
    process (exit handlers run last registered first)."""
    atexit.register(gc.freeze)
