"""Parse many files and curate them into the datasets: the library behind `ogi parse` and the
parse flow. One bad file never stops the others. Results are staged in batches and committed
(`extract.store.commit`) whenever the staged reports reach the number this run has committed
already (at least `FIRST_COMMIT`) and at the end: each file of the store is then rewritten a few
times per run, not once per batch, and a run killed midway keeps at least half of what it parsed."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from extract.store.commit import commit, remove_staging, stage_frames, staged_files, staging_dir
from extract.parse import ParseResult, parse_path
from extract.read.sniff import sniff_format

SKIP_NAMES = ("README", ".")
BATCH = 100  # reports per staged batch (what memory holds)
FIRST_COMMIT = 100  # reports staged before the first commit of a run
# what a report is published as; a file in a folder with none of these names is parsed only when its
# bytes are a report format (a PDF saved without its extension)
REPORT_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".pdf", ".doc", ".docx", ".wps", ".txt", ".text")
REPORT_FORMATS = frozenset({"pdf", "html", "docx", "doc", "wps"})
# files that travel beside reports and are never one: truth tables, metadata, notes
SIDECARS = ("*.truth.csv", "*.csv", "*.json", "*.jsonl", "*.md", "*.parquet", "*.toml", "*.yaml", "*.yml")
SNIFF_BYTES = 64 * 1024


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


def expand_paths(paths: Iterable[str | Path], include: Iterable[str] | None = None,
                 exclude: Iterable[str] | None = None) -> list[Path]:
    """Files under `paths`, sorted: a file named is always kept; a folder gives, recursively, its
    report-like files (`report_like`), or with `include` globs the files matching one of them;
    files matching an `exclude` glob, hidden files and READMEs are skipped. A glob matches the
    file's name or its path below the folder."""
    include, exclude = list(include or ()), list(exclude or ())
    out: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            out.append(path)
            continue
        for file in sorted(path.rglob("*")):
            if not file.is_file() or _skipped(file, path):
                continue
            relative = file.relative_to(path).as_posix()
            if _matches(file.name, relative, exclude):
                continue
            if _matches(file.name, relative, include) if include else report_like(file):
                out.append(file)
    return out


def report_like(path: Path) -> bool:
    """A file that may be a report: not a sidecar (`SIDECARS`), and named like a report or, by its
    first bytes, in a report's format."""
    name = path.name.lower()
    if any(fnmatch(name, glob) for glob in SIDECARS):
        return False
    if name.endswith(REPORT_SUFFIXES):
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:  # unreadable: parse it, so it becomes a failed row with its reason
        return True
    fmt = sniff_format(head, path.name)
    return fmt in REPORT_FORMATS or (fmt == "txt" and not path.suffix)


def _matches(name: str, relative: str, globs: list[str]) -> bool:
    return any(fnmatch(name, glob) or fnmatch(relative, glob) for glob in globs)


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
    """Write parse results to the datasets under `out`, staged `batch` reports at a time and
    committed as the module says. Fused table 二 splits a report left open are narrowed first by
    the agency's neighbouring years (`extract.find.disambiguate`), from the curated datasets and
    this run's staged batches: so memory holds one batch, however many files the run parses."""
    out = Path(out)
    summary, stage = Summary(), staging_dir(out, f"parse-{uuid.uuid4().hex}")
    staged = committed = 0
    try:
        for number, chunk in enumerate(_chunks(results, batch)):
            chunk = settle_chunk(chunk, out, stage)
            for result in chunk:
                summary.add(result)
            stage_frames(stage, f"{number:06d}", *frames(chunk))
            staged += len(chunk)
            if staged >= max(FIRST_COMMIT, committed):
                committed += commit(out, stage).parsed
                remove_staging(stage)
                staged = 0
        if staged:
            commit(out, stage)
    finally:
        remove_staging(stage)
    return summary


def settle_chunk(chunk: list[ParseResult], out: Path, staged: Path | None = None) -> list[ParseResult]:
    """`chunk` with its open table 二 splits narrowed by the agency's other years: the curated
    reports under `out` and those staged in `staged` (a run's batches not yet committed)."""
    from extract.find.disambiguate import settle_across_years
    from extract.store.neighbours import curated_neighbours

    from extract.agencies import pairing_key

    open_reports = [r.report for r in chunk if r.alternatives and r.report.get("year")]
    if not open_reports:
        return chunk
    years = {int(r["year"]) for r in open_reports}
    who = pd.DataFrame.from_records([{"agency": r.get("agency"), "agency_id": r.get("agency_id")}
                                     for r in open_reports])
    agencies = set(pairing_key(who).dropna())
    batches = staged_files(staged) if staged is not None else None
    settle_across_years(chunk, *curated_neighbours(out, years, agencies, staged=batches))
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
