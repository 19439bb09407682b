"""Incremental curation of the raw archive: the library behind the parse flow.

A run goes in three steps, each testable without Prefect:

1. `plan_parse` compares the archive's manifest with the curated `reports`: the documents to
   parse are the latest archived version of each report URL that this parser version has not
   parsed yet; the reports to drop are the older versions of URLs whose content changed (a new
   SHA-256 replaces the old version's rows, unless another URL still publishes the old bytes).
2. `stage_batch` parses a batch of documents and writes their rows to a staging folder, one
   Parquet file per dataset (so workers on other processes or machines return a path and
   counts, not frames).
3. `commit` (`extract.store.commit`) upserts everything staged, and removes the dropped reports,
   into the datasets: one atomic rewrite per touched file, `reports` last, so a report is marked
   parsed only once its cells and flags are in. It streams, so memory holds one file's rows, never
   the run's. A run killed halfway leaves every file readable; the next run parses again what the
   killed one did not commit.

A run with nothing to parse and nothing to drop writes nothing: the datasets stay byte for byte
what they were, and `parsed_at` of documents already parsed never changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import Path
from typing import Iterable
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd

from extract import __version__
from extract.crawl.archive import ARCHIVED_OUTCOMES, Archive, read_manifest
from extract.store.curate import Summary, frames, settle_chunk
from extract.store.commit import STAGING, stage_frames
from extract.store.datasets import read_dataset
from extract.parse import ParseResult, parse_bytes

_TITLE_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")


@dataclass(frozen=True)
class Source:
    """One archived document to parse: the hash naming its bytes, and where it was published."""

    sha256: str
    url: str | None = None
    portal: str | None = None
    title: str | None = None
    images: tuple[str, ...] = ()  # hashes of the pictures archived from the page's body (role image)

    @property
    def filename(self) -> str | None:
        """The file name the URL gives (`downfile.jsp?filename=x.pdf` gives x.pdf), a hint for sniffing."""
        if not self.url:
            return None
        parts = urlsplit(self.url)
        named = parse_qs(parts.query).get("filename")
        return named[0] if named else (unquote(parts.path.rsplit("/", 1)[-1]) or None)


@dataclass
class Plan:
    """What a parse run has to do."""

    sources: list[Source]  # to parse, by SHA-256
    superseded: list[str]  # report_ids to drop: old versions of URLs whose content changed
    in_scope: int = 0  # current documents under the run's filters
    up_to_date: int = 0  # of those, already parsed by this parser version
    missing: list[str] = field(default_factory=list)  # in the manifest, not in the archive

    @property
    def idle(self) -> bool:
        """Nothing to parse and nothing to drop: the run writes nothing."""
        return not self.sources and not self.superseded


@dataclass
class BatchResult:
    """A staged batch: where its rows are and what they hold (small enough to pass between processes)."""

    name: str
    documents: int
    summary: Summary


# --- 1. the plan ------------------------------------------------------------------------------

def plan_parse(raw_dir: str | Path, curated_dir: str | Path, *, years: Iterable[int] | None = None,
               portals: Iterable[str] | None = None, parser_version: str = __version__) -> Plan:
    """The documents of the archive under `raw_dir` to parse into `curated_dir`, and the curated
    reports they supersede. `portals` keeps the documents of those portals (manifest `portal`);
    `years` keeps those whose year is known to be one of them (from an earlier parse of the same
    bytes, else from the year in the link title)."""
    manifest = read_manifest(raw_dir)
    versions = archived_versions(manifest)
    latest = latest_versions(versions)
    curated = read_dataset(curated_dir, "reports")[["report_id", "year", "parser_version"]]
    scope = _in_portals(latest, portals)
    sources = with_images(_sources(scope), manifest)
    known_year = dict(zip(curated["report_id"], curated["year"]))
    if years is not None:
        wanted = {int(y) for y in years}
        sources = [s for s in sources if _year_of(s, known_year) in wanted]
    archive = Archive(raw_dir)
    missing = [s.sha256 for s in sources if not archive.has(s.sha256)]
    done = set(curated.loc[curated["parser_version"] == parser_version, "report_id"]) | set(missing)
    todo = [s for s in sources if s.sha256 not in done]
    superseded = superseded_versions(versions, latest, set(scope["url"]))
    superseded &= set(curated["report_id"])
    if years is not None:
        superseded = {r for r in superseded if _int_or_none(known_year.get(r)) in wanted}
    return Plan(todo, sorted(superseded), in_scope=len(sources),
                up_to_date=len(sources) - len(todo) - len(missing), missing=missing)


def archived_versions(manifest: pd.DataFrame) -> pd.DataFrame:
    """Manifest rows that archived a report's bytes, oldest fetch first."""
    good = manifest[(manifest["role"] == "report") & manifest["outcome"].isin(ARCHIVED_OUTCOMES)
                    & manifest["sha256"].notna()]
    return good.sort_values(["fetched_at", "run_id"], kind="stable")


def latest_versions(versions: pd.DataFrame) -> pd.DataFrame:
    """The latest archived version of each URL."""
    return versions.groupby("url", sort=False).tail(1)


def superseded_versions(versions: pd.DataFrame, latest: pd.DataFrame, urls: set[str]) -> set[str]:
    """Hashes once archived for one of `urls` that no URL publishes any more."""
    past = set(versions.loc[versions["url"].isin(urls), "sha256"])
    return past - set(latest["sha256"])


def _in_portals(latest: pd.DataFrame, portals: Iterable[str] | None) -> pd.DataFrame:
    return latest if portals is None else latest[latest["portal"].isin(list(portals))]


def _sources(latest: pd.DataFrame) -> list[Source]:
    """One source per distinct document; of the URLs publishing it, the smallest names it."""
    rows = latest.sort_values(["sha256", "url"], kind="stable").groupby("sha256", sort=True).head(1)
    return [Source(r.sha256, r.url, _none(r.portal), _none(r.title)) for r in rows.itertuples(index=False)]


def page_images(manifest: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Page URL → the hashes of the pictures archived from its body (manifest role ``image``, the
    page as referrer), latest fetch of each picture, in the order they were fetched."""
    rows = manifest[(manifest["role"] == "image") & manifest["outcome"].isin(ARCHIVED_OUTCOMES)
                    & manifest["sha256"].notna() & manifest["referrer"].notna()]
    rows = latest_versions(rows.sort_values(["fetched_at", "run_id"], kind="stable").assign(
        url=rows["referrer"] + " " + rows["url"]))  # one picture per page and address
    out: dict[str, list[str]] = {}
    for referrer, sha in zip(rows["referrer"], rows["sha256"]):
        if sha not in out.setdefault(referrer, []):
            out[referrer].append(sha)
    return {page: tuple(shas) for page, shas in out.items()}


def with_images(sources: list[Source], manifest: pd.DataFrame) -> list[Source]:
    """Each page source with the pictures its body showed (matched on the page's URL or final URL)."""
    images = page_images(manifest)
    if not images:
        return sources
    final = dict(zip(manifest["url"], manifest["final_url"]))
    out = []
    for source in sources:
        found = images.get(source.url) or images.get(_none(final.get(source.url))) or ()
        out.append(replace(source, images=found) if found else source)
    return out


def _year_of(source: Source, known_year: dict) -> int | None:
    year = _int_or_none(known_year.get(source.sha256))
    if year is None and source.title:
        match = _TITLE_YEAR.search(source.title)
        year = int(match.group(1)) if match else None
    return year


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _none(value):
    return None if value is None or pd.isna(value) else value


#: the batch-size rule (`batch_size`): enough batches per worker that one slow batch at the end
#: does not leave the others idle; no batch so small that a task's fixed cost (Prefect's bookkeeping,
#: ~0.1 s, the size of a few parsed documents) dominates it, nor so big that its rows crowd a worker
BATCHES_PER_WORKER = 4
MIN_BATCH = 10
MAX_BATCH = 400


def batch_size(documents: int, workers: int = 1) -> int:
    """Documents per parse task for `documents` on `workers`: an even share of
    `BATCHES_PER_WORKER` batches per worker, within [`MIN_BATCH`, `MAX_BATCH`], and never more
    than one worker's share (so every worker gets a batch)."""
    workers = max(1, workers)
    share = -(-documents // (workers * BATCHES_PER_WORKER))
    one_each = -(-documents // workers)
    return max(1, min(MAX_BATCH, one_each, max(MIN_BATCH, share)))


def batches(sources: list[Source], size: int | None = None, workers: int = 1) -> list[list[Source]]:
    """Split `sources` into batches for `workers`. With `size`, of at most `size` documents, small
    enough that every worker gets at least two (a slow document then holds up one small batch,
    not a worker's whole share). Without, of `batch_sizes`: `batch_size` documents, tapering
    towards the end."""
    if not sources:
        return []
    if size is None:
        sizes = batch_sizes(len(sources), workers)
    else:
        size = max(1, min(size, -(-len(sources) // (2 * max(1, workers)))))
        sizes = [size] * -(-len(sources) // size)
    starts = [0, *accumulate(sizes)]
    return [sources[start:end] for start, end in zip(starts, starts[1:])]


def batch_sizes(documents: int, workers: int = 1) -> list[int]:
    """The sizes of the batches of `documents` for `workers` (guided scheduling): `batch_size`
    each, but never more than a 1/(2·workers) share of the documents still left, nor (that share
    permitting) fewer than `MIN_BATCH`. So the last batches are small, and the workers finish
    together instead of one waiting out another's last full batch. One worker waits for nobody:
    its batches are all full."""
    workers, full, sizes, left = max(1, workers), batch_size(documents, workers), [], documents
    while left:
        share = -(-left // (2 * workers)) if workers > 1 else full
        sizes.append(min(left, full, max(MIN_BATCH, share)))
        left -= sizes[-1]
    return sizes


# --- 2. parse a batch -------------------------------------------------------------------------

def parse_source(archive: Archive, source: Source) -> ParseResult:
    """Parse one archived document (pure apart from reading its bytes)."""
    images = [archive.read(sha) for sha in source.images if archive.has(sha)]
    return parse_bytes(archive.read(source.sha256), source.filename, source.url,
                       source_path=str(archive.path_for(source.sha256)), portal=source.portal,
                       link_title=source.title, images=images)


def stage_batch(raw_dir: str | Path, sources: list[Source], stage_dir: str | Path, name: str) -> BatchResult:
    """Parse `sources` and write their rows under `stage_dir` as `<name>-<dataset>.parquet`."""
    archive = Archive(raw_dir)
    summary = Summary()
    results = []
    for source in sources:
        result = parse_source(archive, source)
        results.append(result)
    stage = Path(stage_dir)
    if stage.parent.name == STAGING:  # the batch's open table 二 splits, against the curated neighbours
        results = settle_chunk(results, stage.parent.parent)
    for result in results:
        summary.add(result)
    stage_frames(stage_dir, name, *frames(results))
    return BatchResult(name, len(sources), summary)
