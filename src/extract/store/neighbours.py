"""The curated data of an agency's neighbouring years, for settling what one report's fused
digits left open (`extract.find.disambiguate.settle_across_years`)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from extract.store.datasets import partition_dir, read_partition


def curated_neighbours(root: Path, years: Iterable[int]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The curated reports, table 二 cells and flags of `years` (and the years either side)."""
    wanted = sorted({y + d for y in years for d in (-1, 0, 1)})
    frames = {}
    for name in ("reports", "cells", "flags"):
        parts = [read_partition(partition_dir(root, name, y), name).assign(year=y) for y in wanted]
        parts = [p for p in parts if len(p)]
        frames[name] = pd.concat(parts, ignore_index=True) if parts else None
    cells = frames["cells"]
    if cells is not None:
        cells = cells[cells["table"] == "active_disclosure"]
    return frames["reports"], cells, frames["flags"]
