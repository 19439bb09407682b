"""The crawl: from portals' start pages to archived reports.

Each host has its own queue drained by one worker, so a slow or strict host never holds up the
others; the `Fetcher` spaces that host's requests. Listings give report links and further
listing pages; report pages give attachments and, when they hold the report themselves, are
archived. Every fetch becomes a manifest row, whatever happened.
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

from extract.crawl.archive import Archive, Known, ManifestWriter
from extract.crawl.discover import Page, canonical_url, file_format, holds_report, read_page
from extract.crawl.fetch import Fetched, Fetcher, FetchPolicy
from extract.crawl.portals import Portal, host_of
from extract.read.encoding import decode
from extract.read.sniff import sniff_format
from extract import settings

log = logging.getLogger("extract.crawl")

REPORT_FORMATS = frozenset({"pdf", "doc", "docx", "wps", "xls", "xlsx", "image"})
DEFAULT_MAX_PAGES = 500
_SUMMARY_COUNTERS = {
    "new": "new", "unchanged": "unchanged", "not_modified": "not_modified", "failed": "failed",
    "not_report": "not_reports", "disallowed": "disallowed", "unreachable": "unreachable", "skipped": "skipped",
}


@dataclass(frozen=True)
class Job:
    url: str
    role: str  # listing, page (opened for its report or attachments), file (a report file),
    # image (a picture in the body of a page that holds the report: its tables, pasted as images)
    portal: Portal
    referrer: str | None = None
    title: str = ""


@dataclass
class CrawlSummary:
    """What a crawl did, in counts."""

    run_id: str = ""
    pages: int = 0  # HTML pages read (listings and report pages)
    new: int = 0  # reports archived for the first time
    unchanged: int = 0  # reports downloaded again, bytes already archived
    not_modified: int = 0  # reports the server answered 304 for
    failed: int = 0  # fetches that failed (status and reason in the manifest)
    not_reports: int = 0  # report links whose bytes were not a report
    disallowed: int = 0  # URLs robots.txt kept us from
    unreachable: int = 0  # URLs on hosts that did not answer (DNS failure, connection refused, timeout)
    skipped: int = 0  # pages left out once a portal's page budget was spent
    fetches: int = 0  # URLs fetched (or tried): one manifest row each
    requests: int = 0  # HTTP requests sent (robots.txt and retries included)
    seconds: float = 0.0
    manifest_files: list[str] = field(default_factory=list)

    @property
    def archived(self) -> int:
        """Report files the archive holds from this crawl (new, re-downloaded or confirmed by 304)."""
        return self.new + self.unchanged + self.not_modified

    def merge(self, other: CrawlSummary) -> CrawlSummary:
        merged = CrawlSummary(run_id=",".join(filter(None, (self.run_id, other.run_id))))
        for name in ("pages", "fetches", "new", "unchanged", "not_modified", "failed", "not_reports", "disallowed", "unreachable", "skipped",
                     "requests"):
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        merged.seconds = max(self.seconds, other.seconds)
        merged.manifest_files = self.manifest_files + other.manifest_files
        return merged

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.pages} pages, {self.new} new reports, {self.unchanged + self.not_modified} unchanged "
            f"({self.not_modified} by 304), {self.failed} failed, {self.not_reports} not reports, "
            f"{self.disallowed} disallowed by robots.txt, {self.unreachable} on unreachable hosts, "
            f"{self.requests} requests in {self.seconds:.1f} s"
        )


def crawl(
    start_urls: list[str] | None = None,
    portals: list[Portal] | None = None,
    raw_dir: str | Path = settings.RAW_DIR,
    *,
    rate: float = 1.0,
    max_pages: int = DEFAULT_MAX_PAGES,
    policy: FetchPolicy | None = None,
    progress: Callable[[dict], None] | None = None,
) -> CrawlSummary:
    """Crawl `start_urls` (each its own portal, generic mode) and `portals`, archiving reports
    under `raw_dir`. `rate` is requests per second per host (a portal's own `rate` and a
    robots.txt Crawl-delay can only slow it down); `policy` sets everything else (timeouts,
    retries, size cap, user agent). `progress` is called with each manifest row as it is
    recorded. Runs its own event loop; from async code use `crawl_async`."""
    return asyncio.run(
        crawl_async(start_urls, portals, raw_dir, rate=rate, max_pages=max_pages, policy=policy, progress=progress)
    )


async def crawl_async(
    start_urls: list[str] | None = None,
    portals: list[Portal] | None = None,
    raw_dir: str | Path = settings.RAW_DIR,
    *,
    rate: float = 1.0,
    max_pages: int = DEFAULT_MAX_PAGES,
    policy: FetchPolicy | None = None,
    progress: Callable[[dict], None] | None = None,
) -> CrawlSummary:
    """`crawl`, in the caller's event loop."""
    targets = list(portals or []) + [Portal.from_url(url) for url in start_urls or []]
    policy = replace(policy or FetchPolicy(), rate=rate)
    archive = Archive(raw_dir)
    writer = archive.writer()
    started = time.monotonic()
    async with Fetcher(policy) as fetcher:
        crawler = Crawler(fetcher, archive, writer, max_pages=max_pages, progress=progress)
        try:
            await crawler.run(targets)
        finally:
            writer.flush()
    summary = crawler.summary
    summary.run_id = writer.run_id
    summary.requests = fetcher.requests
    summary.seconds = time.monotonic() - started
    summary.manifest_files = [str(p) for p in writer.files]
    return summary


class Crawler:
    """One crawl run: per-host queues, the seen set, and the manifest rows."""

    def __init__(
        self,
        fetcher: Fetcher,
        archive: Archive,
        writer: ManifestWriter,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        progress: Callable[[dict], None] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.archive = archive
        self.writer = writer
        self.max_pages = max_pages
        self.progress = progress
        self.summary = CrawlSummary(run_id=writer.run_id)
        self.known: dict[str, Known] = archive.known()
        self._queues: dict[str, deque[Job]] = {}
        self._workers: set[asyncio.Task] = set()
        self._active: set[str] = set()
        self._seen: set[str] = set()
        self._pages_read: Counter[str] = Counter()
        self._host_slots = asyncio.Semaphore(fetcher.policy.max_hosts)

    async def run(self, portals: list[Portal]) -> None:
        for portal in portals:
            for host in portal.hosts:
                if portal.rate:
                    self.fetcher.set_rate(host, portal.rate)
            for url in portal.start_urls:
                self.submit(Job(canonical_url(url), "listing", portal))
        while self._workers:
            done, _ = await asyncio.wait(set(self._workers), return_when=asyncio.FIRST_COMPLETED)
            self._workers -= done
            for task in done:
                task.result()

    def submit(self, job: Job) -> None:
        """Queue a URL once per crawl, on its host's queue."""
        if job.url in self._seen or not job.portal.allows(job.url):
            return
        self._seen.add(job.url)
        host = host_of(job.url)
        self._queues.setdefault(host, deque()).append(job)
        if host not in self._active:
            self._active.add(host)
            self._workers.add(asyncio.create_task(self._drain(host), name=f"crawl {host}"))

    async def _drain(self, host: str) -> None:
        queue = self._queues[host]
        async with self._host_slots:
            while True:
                while queue:
                    job = queue.popleft()
                    try:
                        await self._process(job)
                    except Exception as exc:  # a bug or a bizarre page must not stop the crawl
                        log.exception("crawl of %s failed", job.url)
                        self._record(job, None, outcome="failed", error=f"internal error: {type(exc).__name__}: {exc}")
                await self.fetcher.release(host)
                if not queue:  # nothing arrived while the connection closed
                    self._active.discard(host)
                    return

    # --- one job ---------------------------------------------------------------------------------

    async def _process(self, job: Job) -> None:
        if job.role not in ("file", "image"):
            budget = job.portal.max_pages or self.max_pages
            if self._pages_read[job.portal.name] >= budget:
                self._record(job, None, outcome="skipped", error=f"page budget of {budget} pages spent")
                return
            self._pages_read[job.portal.name] += 1
        known = self.known.get(job.url)
        if known is not None and not self.archive.has(known.sha256):
            known = None  # the archive lost it: download again
        fetched = await self.fetcher.get(
            job.url,
            allowed=job.portal.allows,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
        )
        if fetched.unreachable:
            self._record(job, fetched, outcome="unreachable", error=fetched.error)
        elif fetched.disallowed:
            self._record(job, fetched, outcome="disallowed", error=fetched.error)
        elif fetched.not_modified and known is not None:
            self._not_modified(job, fetched, known)
        elif not fetched.ok:
            error = fetched.error or f"HTTP {fetched.status}"
            self._record(job, fetched, outcome="failed", error=error)
        else:
            body = fetched.body or b""
            fmt = sniff_format(body, _file_name(fetched.final_url))
            if fmt == "html":
                await self._html(job, fetched, body)
            else:
                await self._file(job, fetched, body, fmt)

    def _not_modified(self, job: Job, fetched: Fetched, known: Known) -> None:
        self._record(
            job, fetched, role="report", outcome="not_modified", sha256=known.sha256, fmt=known.format,
            size=known.bytes, etag=fetched.etag or known.etag, last_modified=fetched.last_modified or known.last_modified,
            content_type=fetched.content_type or known.content_type,
        )
        if known.format == "html":  # an archived report page: its attachments are still to be visited
            body = self.archive.read(known.sha256)
            self._follow(job, read_page(body, fetched.final_url, known.content_type, **_patterns(job.portal)), fetched.final_url)
            self.summary.pages += 1

    async def _html(self, job: Job, fetched: Fetched, body: bytes) -> None:
        if job.role in ("file", "image"):
            promised = "an image" if job.role == "image" else file_format(job.url, job.title) or "a document"
            self._record(job, fetched, outcome="not_report", fmt="html", size=len(body), sha256=None,
                         error=f"expected {promised}, got an HTML page (an error page?)")
            return
        page = read_page(body, fetched.final_url, fetched.content_type, **_patterns(job.portal))
        self.summary.pages += 1
        title = job.title or page.title
        if page.holds_report:
            await self._archive(job, fetched, body, "html", title=title)
        else:
            found = page.reports or page.attachments or (job.role == "listing" and page.listings)
            error = None if found or job.role == "listing" else "no report on the page: no report text, no attachments"
            self._record(job, fetched, outcome="page", fmt="html", size=len(body), title=title, error=error)
        self._follow(job, page, fetched.final_url)

    def _follow(self, job: Job, page: Page, here: str) -> None:
        for link in page.reports:
            role = "file" if file_format(link.url, link.text) else "page"
            self.submit(Job(link.url, role, job.portal, referrer=here, title=link.text))
        if job.role == "listing":
            for link in page.listings:
                self.submit(Job(link.url, "listing", job.portal, referrer=here, title=link.text))
        if job.role == "page" or page.holds_report:
            for link in page.attachments:
                # a picture in a report page's body belongs to that page (its tables); elsewhere it is a report
                role = "image" if link.image and page.holds_report else "file"
                self.submit(Job(link.url, role, job.portal, referrer=here, title=link.text or page.title))

    async def _file(self, job: Job, fetched: Fetched, body: bytes, fmt: str) -> None:
        if job.role == "image":  # archived beside its page (the referrer), never parsed on its own
            if fmt == "image":
                await self._archive(job, fetched, body, fmt, title=job.title, role="image")
            else:
                self._record(job, fetched, outcome="not_report", fmt=fmt, size=len(body),
                             error=f"expected an image, got {'empty' if not body else fmt} content")
            return
        if fmt in REPORT_FORMATS or (fmt == "txt" and holds_report(decode(body, None)[0])):
            await self._archive(job, fetched, body, fmt, title=job.title)
            return
        promised = file_format(job.url, job.title) or "a report"
        self._record(job, fetched, outcome="not_report", fmt=fmt, size=len(body),
                     error=f"expected {promised}, got {'empty' if not body else fmt} content")

    async def _archive(self, job: Job, fetched: Fetched, body: bytes, fmt: str, title: str,
                       role: str = "report") -> None:
        sha, is_new = await asyncio.to_thread(self.archive.put, body)  # fsync off the event loop
        self._record(job, fetched, role=role, outcome="new" if is_new else "unchanged",
                     sha256=sha, fmt=fmt, size=len(body), title=title)
        self.known[job.url] = Known(sha, fmt, len(body), fetched.content_type, fetched.etag, fetched.last_modified)

    # --- the manifest ----------------------------------------------------------------------------

    def _record(
        self,
        job: Job,
        fetched: Fetched | None,
        *,
        outcome: str,
        role: str | None = None,
        sha256: str | None = None,
        fmt: str | None = None,
        size: int | None = None,
        title: str | None = None,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        content_type: str | None = None,
    ) -> None:
        role = role or {"file": "report"}.get(job.role, job.role)
        row = {
            "sha256": sha256,
            "url": job.url,
            "final_url": fetched.final_url if fetched else None,
            "portal": job.portal.name,
            "referrer": job.referrer,
            "title": title if title is not None else job.title or None,
            "status": fetched.status if fetched else None,
            "content_type": content_type or (fetched.content_type if fetched else None),
            "format": fmt,
            "bytes": size,
            "etag": etag or (fetched.etag if fetched else None),
            "last_modified": last_modified or (fetched.last_modified if fetched else None),
            "fetched_at": datetime.now(timezone.utc),
            "role": role,
            "outcome": outcome,
            "error": error,
        }
        self.writer.add(row)
        self.summary.fetches += 1
        self._count(outcome)
        if self.progress is not None:
            self.progress(row)

    def _count(self, outcome: str) -> None:
        counter = _SUMMARY_COUNTERS.get(outcome)
        if counter:
            setattr(self.summary, counter, getattr(self.summary, counter) + 1)


def _patterns(portal: Portal) -> dict:
    return {"report_pattern": portal.report_pattern, "listing_pattern": portal.listing_pattern}


def _file_name(url: str) -> str:
    return posixpath.basename(unquote(urlsplit(url).path))
