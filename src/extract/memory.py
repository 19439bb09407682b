"""The memory of the pipeline's processes: the allocator Arrow uses, and freed memory given back.

A long run parses for hours and commits now and then. What a commit or a batch of parsing frees
stays mapped to the process unless it is handed back: pyarrow's default pool (mimalloc) keeps
freed pages, and the C heap, which the readers fragment (lxml, Arrow's buffers in the system pool),
keeps free pages between live ones. So a run's memory would creep up with its length, not its
work. The pipeline's processes use the C library's allocator for Arrow (`settings.ARROW_POOL`) and
give freed memory back after every commit and every staged batch (`give_back`): a few
milliseconds each.
"""

from __future__ import annotations

import os

from extract.settings import ARROW_POOL


def use_arrow_pool() -> str:
    """Make `ARROW_POOL` this process's default Arrow memory pool, unless
    `$ARROW_DEFAULT_MEMORY_POOL` names one; returns the pool in use. Called where the pipeline
    starts (`ogi`, the flows' tasks), not on import: a researcher's process that only reads the
    datasets keeps its own."""
    import pyarrow as pa

    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(getattr(pa, f"{ARROW_POOL}_memory_pool")())
    return pa.default_memory_pool().backend_name


def give_back() -> None:
    """Hand the memory this process has freed back to the system: the Arrow pool's unused memory
    (for the system pool on glibc, `malloc_trim`: the C heap's free pages, whoever freed them)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
