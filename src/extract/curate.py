"""Parse many files and curate them into the datasets: the library behind `ogi parse` and the
parse flow. One bad file never stops the others; results are written in batches, each batch one
atomic upsert per touched partition."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from extract.datasets import curated_lock, write_datasets
from extract.parse import ParseResult, parse_path

SKIP_NAMES = ("README", ".")
BATCH = 100


@dataclass
class Summary:
    """What a curation run did, for the CLI, the flows and their artifacts."""

    reports: Counter = field(default_factory=Counter)  # by status
    templates: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)  # by check
    cells: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, error)

    def add(self, result: ParseResult) -> None:
        self.reports[result.status] += 1
        self.templates[result.report.get("template") or "unknown"] += 1
        self.cells += len(result.cells)
        self.flags.update(result.flags["check"]) if len(result.flags) else None
        if result.status in ("failed", "not_a_report"):
            self.failures.append((result.report.get("source_path") or "", result.report.get("error") or ""))

    def merge(self, other: "Summary") -> None:
        self.reports.update(other.reports)
        self.templates.update(other.templates)
        self.flags.update(other.flags)
        self.cells += other.cells
        self.failures += other.failures

    @property
    def total(self) -> int:
        return sum(self.reports.values())


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files under `paths` (folders recursively), hidden files and READMEs skipped, sorted."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out += [p for p in sorted(path.rglob("*")) if p.is_file() and not _skipped(p, path)]
        else:
            out.append(path)
    return out


def _skipped(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts) or path.name.startswith(SKIP_NAMES)


def frames(results: list[ParseResult]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    reports = pd.DataFrame.from_records([r.report for r in results])
    cells = [r.cells for r in results if len(r.cells)]
    flags = [r.flags for r in results if len(r.flags)]
    empty_cells = results[0].cells.iloc[:0] if results else pd.DataFrame()
    return (reports,
            pd.concat(cells, ignore_index=True) if cells else empty_cells,
            pd.concat(flags, ignore_index=True) if flags else results[0].flags.iloc[:0])


def curate(results: Iterable[ParseResult], out: Path, batch: int = BATCH) -> Summary:
    """Write parse results to the datasets under `out`, `batch` reports per upsert. Fused table 二
    splits a report left open are narrowed first by the agency's neighbouring years, from this
    run's earlier reports and the curated datasets (`extract.disambiguate`)."""
    summary = Summary()
    earlier: list[ParseResult] = []
    for chunk in _chunks(results, batch):
        with curated_lock(Path(out)):  # not while a pipeline run commits to the same folder
            chunk = settle_chunk(chunk, earlier, Path(out))
            for result in chunk:
                summary.add(result)
            write_datasets(out, *frames(chunk))
        earlier += [r for r in chunk if r.report.get("template") == "2019"]
    return summary


def settle_chunk(chunk: list[ParseResult], earlier: list[ParseResult], out: Path) -> list[ParseResult]:
    """`chunk` with its open table 二 splits narrowed by the agency's other years (this run's
    earlier reports and the curated ones); the earlier reports only inform, they are written."""
    from extract.disambiguate import curated_neighbours, settle_across_years

    years = {int(r.report["year"]) for r in chunk if r.alternatives and r.report.get("year")}
    if not years:
        return chunk
    reports, cells, flags = curated_neighbours(out, years)
    if earlier:
        run = frames(earlier)
        mine = set(run[0]["report_id"])

        def merged(curated: pd.DataFrame | None, ran: pd.DataFrame) -> pd.DataFrame:
            if curated is None or not len(curated):
                return ran
            return pd.concat([curated[~curated["report_id"].isin(mine)], ran], ignore_index=True)

        reports, cells, flags = (merged(c, r) for c, r in zip((reports, cells, flags), run))
    settle_across_years(chunk, reports, cells, flags)
    return chunk


def parse_files(paths: list[Path], on_done: Callable[[Path], None] | None = None,
                source_urls: dict[Path, str] | None = None) -> Iterator[ParseResult]:
    for path in paths:
        yield parse_path(path, (source_urls or {}).get(path))
        if on_done:
            on_done(path)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
