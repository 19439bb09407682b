"""The curated data of an agency's neighbouring years, for settling what one report's fused
digits left open (`extract.find.disambiguate.settle_across_years`)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from extract.agencies import pairing_key
from extract.store.datasets import SCHEMAS, partition_dir, partition_files, read_file_columns


def curated_neighbours(root: Path, years: Iterable[int], agencies: Iterable[str] | None = None,
                       staged: dict[str, list[Path]] | None = None
                       ) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """The curated reports of `years` (and the years either side), with the table 二 cells and
    open-split flags (`cell.ambiguous`) of those reports; `staged` (dataset → staged batch files,
    `extract.store.commit.staged_files`) adds a run's batches not committed yet, which replace
    the curated rows of the same reports. With `agencies` (pairing keys,
    `extract.agencies.pairing_key`), only those agencies' reports, every file read with a filter,
    so memory holds a few reports' rows, not the partitions'."""
    wanted = sorted({y + d for y in years for d in (-1, 0, 1)})
    reports = _read(root, "reports", wanted, _agency_filter(agencies), staged)
    if reports is not None and agencies is not None:
        reports = reports[pairing_key(reports).isin(set(agencies))].reset_index(drop=True)
    if reports is None or not len(reports):
        return reports, None, None
    ids = pa.array(sorted(set(reports["report_id"])), pa.string())
    mine = pc.field("report_id").isin(ids) & (pc.field("table") == "active_disclosure")
    filters = {"cells": mine, "flags": mine & (pc.field("check") == "cell.ambiguous")}
    cells, flags = (_read(root, name, wanted, where, staged) for name, where in filters.items())
    return reports, cells, flags


def _agency_filter(agencies: Iterable[str] | None) -> pc.Expression | None:
    """Rows whose agency_id, or agency name (a pairing key ``name:…``), is one of `agencies` (a
    superset of the pairing keys' rows)."""
    if agencies is None:
        return None
    agencies = set(agencies)
    names = pa.array(sorted(k.removeprefix("name:") for k in agencies if k.startswith("name:")), pa.string())
    ids = pa.array(sorted(k for k in agencies if not k.startswith("name:")), pa.string())
    return pc.field("agency").isin(names) | pc.field("agency_id").isin(ids)


def _read(root: Path, name: str, years: list[int], where: pc.Expression | None,
          staged: dict[str, list[Path]] | None) -> pd.DataFrame | None:
    """The rows of dataset `name` in `years` that `where` selects: the curated files', and the
    staged batches' (which win for a report in both); file by file (see `read_dataset`)."""
    schema = SCHEMAS[name]
    curated = _concat([_filtered(read_file_columns(f, schema), where)
                       for y in years for f in partition_files(partition_dir(root, name, y))])
    in_years = pc.field("year").isin(pa.array(years, pa.int16()))
    run = _concat([_filtered(read_file_columns(f, schema), in_years if where is None else where & in_years)
                   for f in (staged or {}).get(name, []) if f.exists()])
    if run is not None and curated is not None:
        curated = curated[~curated["report_id"].isin(set(run["report_id"]))]
    return _concat([curated, run])


def _filtered(table: pa.Table, where: pc.Expression | None) -> pd.DataFrame:
    return (table.filter(where) if where is not None else table).to_pandas()


def _concat(frames: list[pd.DataFrame | None]) -> pd.DataFrame | None:
    frames = [f for f in frames if f is not None and len(f)]
    return pd.concat(frames, ignore_index=True) if frames else None
