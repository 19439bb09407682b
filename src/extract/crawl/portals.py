"""Which sites to crawl: a portal is a name, its start URLs, the hosts it may wander onto,
optional link patterns and its own request rate. A bare URL is a portal too (generic mode)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


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


class PortalsError(ValueError):
    """A portals file that cannot be used: `problems` holds one line per problem."""

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.path, self.problems = str(path), problems
        super().__init__("\n".join(f"{path}: {problem}" for problem in problems))


class PortalEntry(BaseModel):
    """The schema of one ``[[portal]]`` table (what `Portal` is built from)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    start_urls: list[str] = Field(min_length=1)
    allowed_hosts: list[str] = []
    report_pattern: str | None = None
    listing_pattern: str | None = None
    rate: float | None = Field(default=None, gt=0)
    max_pages: int | None = Field(default=None, gt=0)
    notes: str = ""

    @field_validator("start_urls")
    @classmethod
    def _web_urls(cls, urls: list[str]) -> list[str]:
        bad = [u for u in urls if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc]
        if bad:
            raise ValueError(f"not an http(s) URL: {', '.join(bad)}")
        return urls

    @field_validator("report_pattern", "listing_pattern")
    @classmethod
    def _regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression ({exc})") from None
        return pattern

    def portal(self) -> Portal:
        return Portal(name=self.name, start_urls=tuple(self.start_urls), allowed_hosts=tuple(self.allowed_hosts),
                      report_pattern=self.report_pattern, listing_pattern=self.listing_pattern, rate=self.rate,
                      max_pages=self.max_pages, notes=self.notes)


class PortalsFile(BaseModel):
    """The whole file: ``[[portal]]`` tables and nothing else."""

    model_config = ConfigDict(extra="forbid")

    portal: list[dict] = Field(min_length=1)


def load_portals(path: str | Path) -> list[Portal]:
    """Read a TOML file of ``[[portal]]`` tables (keys as the `Portal` fields), checked against
    `PortalEntry`; a `PortalsError` lists every problem, one line each."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise PortalsError(path, [f"cannot read the file: {exc.strerror or exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise PortalsError(path, [f"not valid TOML: {exc}"]) from None
    problems = _file_problems(data)
    portals = []
    for number, table in enumerate(data.get("portal", []) if isinstance(data.get("portal"), list) else [], 1):
        try:
            portals.append(PortalEntry.model_validate(table).portal())
        except ValidationError as exc:
            where = f"portal {number}" + (f" ({table['name']})" if isinstance(table.get("name"), str) else "")
            problems += [f"{where}: {_problem(error)}" for error in exc.errors()]
    if problems:
        raise PortalsError(path, problems)
    return portals


def _file_problems(data: dict) -> list[str]:
    try:
        PortalsFile.model_validate(data)
    except ValidationError as exc:
        return [_file_problem(error) for error in exc.errors()]
    return []


def _file_problem(error: dict) -> str:
    where = error["loc"][0] if error["loc"] else ""
    if error["type"] == "extra_forbidden":
        return f"unknown table or key {where!r} (the file holds [[portal]] tables only)"
    if where == "portal" and error["type"] in ("missing", "too_short"):
        return "no [[portal]] table: the file names no portal to crawl"
    return f"{'.'.join(map(str, error['loc']))}: {error['msg']}"


def _problem(error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    if error["type"] == "missing":
        return f"{key}: missing (required)"
    message = error["msg"].removeprefix("Value error, ")
    return f"{key}: {message} (got {error['input']!r})"


def builtin_portals() -> list[Portal]:
    """The real portals shipped with the package (`portals.toml`)."""
    source = resources.files("extract.crawl").joinpath("portals.toml")
    with resources.as_file(source) as path:
        return load_portals(path)


def resolve_portals(urls: list[str] | None = None, portals_file: str | Path | None = None) -> list[Portal]:
    """What ``ogi crawl [URL…] [--portals FILE]`` crawls: each URL as a generic portal plus the
    file's portals; with neither, the built-in list (`portals.toml`)."""
    if not urls and not portals_file:
        return builtin_portals()
    portals = load_portals(portals_file) if portals_file else []  # a file with no portal raises
    return portals + [Portal.from_url(url) for url in urls or []]


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
