"""The curated data of an agency's neighbouring years, for settling what one report's fused
digits left open (`extract.find.disambiguate.settle_across_years`)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.agencies import pairing_key
from extract.store.datasets import PART_FILE, partition_dir, read_partition


def curated_neighbours(root: Path, years: Iterable[int], agencies: Iterable[str] | None = None
                       ) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """The curated reports of `years` (and the years either side), with the table 二 cells and
    open-split flags (`cell.ambiguous`) of those reports. With `agencies` (pairing keys,
    `extract.agencies.pairing_key`), only those agencies' reports: the cells and flags are then
    read with a filter, so memory holds a few reports' rows, not the partitions'."""
    wanted = sorted({y + d for y in years for d in (-1, 0, 1)})
    if agencies is None:
        parts = [read_partition(partition_dir(root, "reports", y), "reports").assign(year=y) for y in wanted]
    else:
        agencies = set(agencies)
        parts = [_agency_reports(partition_dir(root, "reports", y) / PART_FILE, agencies).assign(year=y)
                 for y in wanted if (partition_dir(root, "reports", y) / PART_FILE).exists()]
    parts = [p for p in parts if len(p)]
    reports = pd.concat(parts, ignore_index=True) if parts else None
    if reports is not None and agencies is not None:
        reports = reports[pairing_key(reports).isin(agencies)].reset_index(drop=True)
    if reports is None or not len(reports):
        return reports, None, None
    ids = pa.array(sorted(set(reports["report_id"])), pa.string())
    mine = pc.field("report_id").isin(ids) & (pc.field("table") == "active_disclosure")
    filters = {"cells": mine, "flags": mine & (pc.field("check") == "cell.ambiguous")}
    frames = {}
    for name, where in filters.items():
        files = [(y, partition_dir(root, name, y) / PART_FILE) for y in wanted]
        read = [pq.read_table(f, filters=where).to_pandas().assign(year=y) for y, f in files if f.exists()]
        read = [r for r in read if len(r)]
        frames[name] = pd.concat(read, ignore_index=True) if read else None
    return reports, frames["cells"], frames["flags"]


def _agency_reports(file: Path, agencies: set[str]) -> pd.DataFrame:
    """The rows of one reports partition whose agency_id, or agency name (a pairing key
    ``name:…``), is one of `agencies`, read with a filter (a superset of the pairing keys' rows)."""
    names = pa.array(sorted(k.removeprefix("name:") for k in agencies if k.startswith("name:")), pa.string())
    ids = pa.array(sorted(k for k in agencies if not k.startswith("name:")), pa.string())
    where = pc.field("agency").isin(names)
    if "agency_id" in pq.read_schema(file).names:
        where = where | pc.field("agency_id").isin(ids)
    return pq.read_table(file, filters=where).to_pandas()
