"""Crawling the forge's demo portal: every report file it holds is archived, nothing else is, and
a second crawl downloads no report body again."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from extract.crawl import Archive, crawl, read_manifest

portal_module = pytest.importorskip("extract.forge.portal")


@pytest.fixture(scope="module")
def demo_crawls(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    with portal_module.DemoPortal(seed=0) as portal:
        first = crawl(portal.start_urls, raw_dir=raw, rate=100)
        seen = len(portal.requests_log)
        second = crawl(portal.start_urls, raw_dir=raw, rate=100)
        yield {
            "portal": portal, "raw": raw, "first": first, "second": second,
            "second_log": portal.requests_log[seen:], "manifest": read_manifest(raw),
        }


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_report_file_is_archived_and_nothing_else(demo_crawls):
    portal, manifest = demo_crawls["portal"], demo_crawls["manifest"]
    first = manifest[manifest["run_id"] == demo_crawls["first"].run_id]
    archived = first[first["outcome"].isin(["new", "unchanged"])]
    assert sorted(archived["url"]) == sorted(e.url for e in portal.expected)
    assert dict(zip(archived["url"], archived["format"])) == {e.url: e.format for e in portal.expected}
    assert (archived["role"] == "report").all()
    assert demo_crawls["first"].failed == 0


def test_archived_bytes_are_what_the_portal_serves(demo_crawls):
    portal, manifest = demo_crawls["portal"], demo_crawls["manifest"]
    archive = Archive(demo_crawls["raw"])
    rows = manifest[(manifest["run_id"] == demo_crawls["first"].run_id) & (manifest["outcome"] == "new")]
    for row in rows.itertuples():
        assert archive.read(row.sha256) == portal.content(_path(row.url))
    objects = [p for p in (demo_crawls["raw"] / "objects").rglob("*") if p.is_file()]
    assert len(objects) == len(set(rows["sha256"])) == len(portal.expected)


def test_robots_txt_trap_is_not_entered(demo_crawls):
    paths = [path for _, path, _ in demo_crawls["portal"].requests_log]
    assert not any(path.startswith("/admin/") for path in paths)


def test_second_crawl_downloads_no_report_body_again(demo_crawls):
    portal, manifest, second = demo_crawls["portal"], demo_crawls["manifest"], demo_crawls["second"]
    rows = manifest[(manifest["run_id"] == second.run_id) & (manifest["role"] == "report")]
    assert sorted(rows["url"]) == sorted(e.url for e in portal.expected)
    assert set(rows["outcome"]) == {"not_modified"} and set(rows["status"]) == {304}
    assert second.new == 0 and second.unchanged == 0 and second.not_modified == len(portal.expected)
    report_paths = {_path(e.url) for e in portal.expected}
    asked = [(path, headers) for _, path, headers in demo_crawls["second_log"] if path in report_paths]
    assert len(asked) == len(report_paths)
    assert all("If-None-Match" in headers for _, headers in asked)  # answered 304: no body sent
