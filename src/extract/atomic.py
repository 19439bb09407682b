"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every Parquet file the project writes (the curated partitions, the agencies and corrections
datasets, staged batches, the raw archive's manifest parts) goes through `write_parquet_atomic`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """The one atomic write of the store (partitions, agencies, corrections, staged batches, the
    archive's manifest): a hidden temporary file beside `path`, flushed to disk, then `os.replace`d
    over it. A write killed midway leaves the old file whole and a hidden `.NAME.*.tmp` that
    readers skip (`extract.store.commit.sweep_temporary_files` removes them)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
