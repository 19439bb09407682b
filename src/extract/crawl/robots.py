"""robots.txt, one per host, parsed with Protego (it handles Allow after Disallow, wildcards and
Crawl-delay as sites write them). Fetched with the crawl's own client, through the host's rate
limit, and cached for the crawl.

What an unreadable robots.txt means follows RFC 9309: a 4xx (no file) allows everything; a 5xx
or a network failure means the site cannot say, so nothing is fetched from it. A network failure
(DNS, connection refused, timeout) marks the host `unreachable`, not disallowed: the crawl
reports it as such.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

# fetch(url) -> (status or None on a transport failure, body, error text)
RobotsFetch = Callable[[str], Awaitable[tuple[int | None, bytes, str | None]]]


@dataclass(frozen=True)
class RobotsRules:
    """A host's rules, or the verdict on a missing / unreachable robots.txt."""

    parser: Protego | None
    allow_all: bool = False
    reason: str | None = None  # why everything is disallowed, when it is
    unreachable: bool = False  # robots.txt could not be fetched at all: the host did not answer

    def allows(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        delay = self.parser.crawl_delay(user_agent) if self.parser is not None else None
        return float(delay) if delay is not None else None

    @classmethod
    def from_response(cls, status: int | None, body: bytes, error: str | None = None) -> RobotsRules:
        if status is not None and 200 <= status < 300:
            return cls(Protego.parse(body.decode("utf-8", errors="replace")))
        if status is not None and 400 <= status < 500:
            return cls(None, allow_all=True)
        if status is None:
            return cls(None, allow_all=False, unreachable=True, reason=f"host unreachable: {error or 'no answer'}")
        return cls(None, allow_all=False, reason=f"robots.txt unavailable (HTTP {status}): host not crawled")


class RobotsCache:
    """Rules per host (scheme and port included), fetched once each, concurrently safe."""

    def __init__(self, fetch: RobotsFetch, user_agent: str) -> None:
        self._fetch = fetch
        self.user_agent = user_agent
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        key = robots_url(url)
        if key in self._rules:
            return self._rules[key]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._rules:
                self._rules[key] = RobotsRules.from_response(*await self._fetch(key))
        return self._rules[key]

    async def allows(self, url: str) -> tuple[bool, str | None]:
        """(allowed, reason when not)."""
        rules = await self.rules_for(url)
        if rules.allows(url, self.user_agent):
            return True, None
        return False, rules.reason or "disallowed by robots.txt"

    async def unreachable(self, url: str) -> bool:
        """True when the host of `url` did not answer for its robots.txt."""
        return (await self.rules_for(url)).unreachable


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"
