"""Which sites to crawl: a portal is a name, its start URLs, the hosts it may wander onto,
optional link patterns and its own request rate. A bare URL is a portal too (generic mode)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Portal:
    """One site's 政府信息公开年报 column(s) and how to crawl them."""

    name: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...] = ()  # beyond the start URLs' hosts; "*.example.gov.cn" allowed
    report_pattern: str | None = None  # regex on link text or URL: more links that are reports
    listing_pattern: str | None = None  # regex on URL: more links to follow as listings (sub-columns)
    rate: float | None = None  # requests per second per host; None: the crawl's default
    max_pages: int | None = None  # HTML pages fetched at most; None: the crawl's default
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.start_urls:
            raise ValueError(f"portal {self.name!r} has no start URLs")
        for pattern in (self.report_pattern, self.listing_pattern):
            if pattern is not None:
                re.compile(pattern)

    @classmethod
    def from_url(cls, url: str) -> Portal:
        """Generic mode: the portal is the URL's host, and only that host."""
        return cls(name=host_of(url), start_urls=(url,))

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset(host_of(u) for u in self.start_urls) | frozenset(h.lower() for h in self.allowed_hosts)

    def allows(self, url: str) -> bool:
        """True when `url` is on one of the portal's hosts: the same host and port, or a
        subdomain of a ``*.`` entry."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        netloc, hostname = parts.netloc.lower(), (parts.hostname or "").lower()
        for allowed in self.hosts:
            if allowed == netloc:
                return True
            if allowed.startswith("*.") and (hostname == allowed[2:] or hostname.endswith(allowed[1:])):
                return True
        return False


def host_of(url: str) -> str:
    """The host a URL is on, port included (two ports are two hosts)."""
    return urlsplit(url).netloc.lower()


def load_portals(path: str | Path) -> list[Portal]:
    """Read a TOML file of ``[[portal]]`` tables (keys as the `Portal` fields)."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return [_portal_from_table(table, path) for table in data.get("portal", [])]


def builtin_portals() -> list[Portal]:
    """The real portals shipped with the package (`portals.toml`)."""
    source = resources.files("extract.crawl").joinpath("portals.toml")
    with resources.as_file(source) as path:
        return load_portals(path)


def _portal_from_table(table: dict, origin: str | Path) -> Portal:
    unknown = set(table) - set(Portal.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{origin}: portal {table.get('name')!r}: unknown keys {sorted(unknown)}")
    if "name" not in table or "start_urls" not in table:
        raise ValueError(f"{origin}: every portal needs a name and start_urls")
    values = dict(table)
    for key in ("start_urls", "allowed_hosts"):
        if key in values:
            values[key] = tuple(values[key])
    return Portal(**values)


def resolve_portals(urls: list[str] | None = None, portals_file: str | Path | None = None) -> list[Portal]:
    """What ``ogi crawl [URL…] [--portals FILE]`` crawls: each URL as a generic portal plus the
    file's portals; with neither, the built-in list (`portals.toml`)."""
    portals = load_portals(portals_file) if portals_file else []
    portals += [Portal.from_url(url) for url in urls or []]
    return portals or builtin_portals()


def group_by_host(portals: list[Portal]) -> list[list[Portal]]:
    """Portals that share a host, together (transitively): one group is crawled by one crawler,
    so the host's rate limit holds across them."""
    groups: list[tuple[set[str], list[Portal]]] = []
    for portal in portals:
        hosts = {host for host in portal.hosts if not host.startswith("*.")}
        overlapping = [g for g in groups if g[0] & hosts]
        merged_hosts, merged = set(hosts), [portal]
        for g in overlapping:
            groups.remove(g)
            merged_hosts |= g[0]
            merged = g[1] + merged
        groups.append((merged_hosts, merged))
    return [members for _, members in groups]
