"""Fetching politely: robots.txt obeyed, one request at a time per host spaced by the host's
rate (or its Crawl-delay, whichever is slower) while many hosts proceed concurrently, retries
with exponential backoff, Retry-After honoured up to a cap, timeouts, a streamed size cap,
redirects followed by hand (bounded, and only onto allowed hosts), and conditional GET.

Nothing here raises for a bad server: every outcome is a `Fetched` with a status and/or an error.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from urllib.parse import urljoin

import httpx

from extract import __version__
from extract.crawl.discover import canonical_url
from extract.crawl.portals import host_of
from extract.crawl.robots import RobotsCache, RobotsRules

PROJECT_URL = "https://github.com/ogi-reports/ogi-reports"
USER_AGENT = f"ogi-reports/{__version__} (+{PROJECT_URL})"
RETRY_STATUSES = frozenset({408, 429} | set(range(500, 600)))
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB


@dataclass(frozen=True)
class FetchPolicy:
    """How hard and how long to try. Defaults are for real portals; tests turn the clocks down."""

    user_agent: str = USER_AGENT
    rate: float = 1.0  # requests per second per host
    max_crawl_delay: float = 60.0  # a robots.txt Crawl-delay is honoured up to this
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # between two bytes
    total_timeout: float = 300.0  # for a whole response, body included
    retries: int = 3  # further attempts after the first, on 408/429/5xx and transport errors
    backoff: float = 1.0  # seconds before the first retry, doubling each time
    max_backoff: float = 60.0
    max_retry_after: float = 120.0  # a longer Retry-After means: give up for this crawl
    max_bytes: int = 100 * 2**20  # bodies larger than this are aborted, not stored
    max_redirects: int = 5
    concurrency: int = 64  # requests in flight over all hosts
    max_hosts: int = 256  # hosts crawled at once (each holds a connection)
    trust_env: bool = True  # proxies and certificates from the environment

    @property
    def interval(self) -> float:
        return 1.0 / self.rate if self.rate > 0 else 0.0


@dataclass
class Fetched:
    """The outcome of one fetch (redirects included)."""

    url: str
    final_url: str
    status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body: bytes | None = None
    error: str | None = None
    disallowed: bool = False  # robots.txt said no (or could not be read)
    unreachable: bool = False  # the host did not answer at all (DNS, refused, timeout): not a robots.txt verdict
    attempts: int = 0
    retry_after: float | None = field(default=None, repr=False)
    location: str | None = field(default=None, repr=False)
    transient: bool = field(default=False, repr=False)  # worth another attempt

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304


class BodyTooLarge(Exception):
    pass


class HostGate:
    """One request at a time to a host, and `interval` seconds between the moment the host has
    answered one request (its response headers are here) and the start of the next: measured
    that way, a busy event loop cannot squeeze two requests closer together at the server."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = asyncio.Lock()
        self._last: float | None = None

    @asynccontextmanager
    async def slot(self, slots: asyncio.Semaphore) -> AsyncIterator[None]:
        async with self._lock:
            loop = asyncio.get_running_loop()
            while self._last is not None and (wait := self._last + self.interval - loop.time()) > 0:
                await asyncio.sleep(wait)
            async with slots:
                self._last = loop.time()
                yield

    def answered(self) -> None:
        """The host has received the current request: count the interval from now."""
        self._last = asyncio.get_running_loop().time()


def make_client(policy: FetchPolicy, verify: ssl.SSLContext | bool = True) -> httpx.AsyncClient:
    """A client for one host: one request at a time, one kept-alive connection."""
    return httpx.AsyncClient(
        headers={"User-Agent": policy.user_agent},
        timeout=httpx.Timeout(connect=policy.connect_timeout, read=policy.read_timeout, write=policy.read_timeout, pool=None),
        limits=httpx.Limits(max_connections=2, max_keepalive_connections=1),
        follow_redirects=False,
        trust_env=policy.trust_env,
        verify=verify,
    )


class Fetcher:
    """Polite GETs. Each host gets its own `httpx.AsyncClient` (pages, files and its robots.txt
    alike), created on first use and closed by `release`: a pool shared by hundreds of hosts
    costs httpcore time quadratic in its connections, and one connection per host is the
    polite shape anyway. Use as ``async with Fetcher(policy) as fetcher``."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self.robots = RobotsCache(self._fetch_robots, self.policy.user_agent)
        self.requests = 0  # HTTP requests sent, robots.txt and retries included
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._ssl_context: ssl.SSLContext | None = None
        self._gates: dict[str, HostGate] = {}
        self._rates: dict[str, float] = {}
        self._slots = asyncio.Semaphore(self.policy.concurrency)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    def client(self, host: str) -> httpx.AsyncClient:
        if host not in self._clients:
            if self._ssl_context is None:  # one TLS context for all hosts: loading CA certificates is slow
                self._ssl_context = httpx.create_ssl_context(trust_env=self.policy.trust_env)
            self._clients[host] = make_client(self.policy, verify=self._ssl_context)
        return self._clients[host]

    async def release(self, host: str) -> None:
        """Close a host's connection (its worker is done); a later request opens a new one."""
        client = self._clients.pop(host, None)
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        for host in list(self._clients):
            await self.release(host)

    def set_rate(self, host: str, rate: float) -> None:
        """A host's own rate (a portal's setting); the slowest setting wins."""
        rate = min(rate, self._rates.get(host, rate))
        self._rates[host] = rate
        if host in self._gates:
            self._gates[host].interval = max(self._gates[host].interval, 1.0 / rate if rate > 0 else 0.0)

    def gate(self, host: str) -> HostGate:
        if host not in self._gates:
            rate = self._rates.get(host, self.policy.rate)
            self._gates[host] = HostGate(1.0 / rate if rate > 0 else 0.0)
        return self._gates[host]

    async def get(
        self,
        url: str,
        *,
        allowed: Callable[[str], bool] = lambda url: True,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """GET `url`: robots.txt checked at every hop, redirects followed onto allowed hosts only,
        a conditional request when `etag` / `last_modified` are given (304 is not an error)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited = [url]
        current = url
        result = Fetched(url=url, final_url=url)
        for _ in range(self.policy.max_redirects + 1):
            permitted, reason = await self._robots_allow(current)
            if not permitted:
                unreachable = await self.robots.unreachable(current)
                return Fetched(url=url, final_url=current, status=result.status, error=reason,
                               disallowed=not unreachable, unreachable=unreachable)
            result = await self._request(current, headers)
            result.url, result.final_url = url, current
            if result.status not in REDIRECT_STATUSES or result.error:
                return result
            if not result.location:
                result.error = f"HTTP {result.status} redirect without a Location header"
                return result
            target = canonical_url(urljoin(current, result.location))
            if target in visited:
                result.error = "redirect loop: " + " -> ".join(visited + [target])
                return result
            if not allowed(target):
                result.error = f"redirect to {target} leaves the allowed hosts"
                return result
            visited.append(target)
            current = target
        result.error = f"more than {self.policy.max_redirects} redirects: " + " -> ".join(visited)
        return result

    async def _robots_allow(self, url: str) -> tuple[bool, str | None]:
        rules = await self.robots.rules_for(url)
        self._apply_crawl_delay(host_of(url), rules)
        return await self.robots.allows(url)

    def _apply_crawl_delay(self, host: str, rules: RobotsRules) -> None:
        delay = rules.crawl_delay(self.policy.user_agent)
        if delay:
            gate = self.gate(host)
            gate.interval = max(gate.interval, min(delay, self.policy.max_crawl_delay))

    async def _fetch_robots(self, url: str) -> tuple[int | None, bytes, str | None]:
        current = url
        for _ in range(self.policy.max_redirects + 1):  # robots.txt may redirect (http -> https)
            result = await self._request(current, {}, max_bytes=ROBOTS_MAX_BYTES)
            if result.status in REDIRECT_STATUSES and result.location and not result.error:
                current = canonical_url(urljoin(current, result.location))
                continue
            if result.error and result.status is not None and 200 <= result.status < 300:
                return result.status, b"", None  # an oversized robots.txt is not read: no rules
            return result.status, result.body or b"", result.error
        return None, b"", "robots.txt redirects too often"

    async def _request(self, url: str, headers: dict[str, str], max_bytes: int | None = None) -> Fetched:
        """One hop, retried on 408/429/5xx and transport errors with exponential backoff."""
        policy = self.policy
        attempt = 0
        while True:
            attempt += 1
            result = await self._attempt(url, headers, max_bytes or policy.max_bytes)
            result.attempts = attempt
            retryable = result.transient or result.status in RETRY_STATUSES
            if not retryable:
                return result
            what = result.error or f"HTTP {result.status}"
            if result.retry_after is not None and result.retry_after > policy.max_retry_after:
                result.error = f"{what}: Retry-After {result.retry_after:.0f} s is beyond the {policy.max_retry_after:.0f} s cap; left for a later crawl"
                return result
            if attempt > policy.retries:
                result.error = f"{what} (gave up after {attempt} attempts)"
                return result
            delay = min(policy.backoff * 2 ** (attempt - 1), policy.max_backoff) * random.uniform(1.0, 1.1)
            if result.retry_after is not None:
                delay = max(delay, result.retry_after)
            await asyncio.sleep(delay)

    async def _attempt(self, url: str, headers: dict[str, str], max_bytes: int) -> Fetched:
        result = Fetched(url=url, final_url=url)
        host = host_of(url)
        gate = self.gate(host)
        async with gate.slot(self._slots):
            self.requests += 1
            try:
                async with asyncio.timeout(self.policy.total_timeout):
                    async with self.client(host).stream("GET", url, headers=headers) as response:
                        gate.answered()
                        self._read_headers(result, response)
                        if 200 <= response.status_code < 300:
                            result.body = await _read_capped(response, max_bytes)
            except BodyTooLarge as exc:
                result.error = str(exc)
            except TimeoutError:
                result.error = f"timeout: no complete response within {self.policy.total_timeout:g} s"
                result.transient = True
            except httpx.TimeoutException as exc:
                result.error = f"timeout: {type(exc).__name__}"
                result.transient = True
            except httpx.UnsupportedProtocol as exc:
                result.error = f"UnsupportedProtocol: {exc}"
            except httpx.TransportError as exc:
                result.error = f"{type(exc).__name__}: {exc}"
                result.transient = True
            except httpx.InvalidURL as exc:
                result.error = f"InvalidURL: {exc}"
        if result.error and result.transient:
            result.body = None
        return result

    @staticmethod
    def _read_headers(result: Fetched, response: httpx.Response) -> None:
        result.status = response.status_code
        result.content_type = response.headers.get("content-type")
        result.etag = response.headers.get("etag")
        result.last_modified = response.headers.get("last-modified")
        result.location = response.headers.get("location")
        result.retry_after = parse_retry_after(response.headers.get("retry-after"))


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, streamed; past `max_bytes` the download is aborted (a declared Content-Length
    over the cap aborts before the first byte)."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"body of {int(declared)} bytes exceeds the {max_bytes}-byte cap; not downloaded")
    chunks = bytearray()
    async for chunk in response.aiter_bytes():
        chunks += chunk
        if len(chunks) > max_bytes:
            raise BodyTooLarge(f"body exceeds the {max_bytes}-byte cap; download aborted after {len(chunks)} bytes")
    return bytes(chunks)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
