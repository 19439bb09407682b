"""The raw archive: content addressing, atomic writes that never rewrite, versions kept when a
report changes, unchanged bytes stored once, and the manifest's schema as pandas and DuckDB read it."""

from __future__ import annotations

import hashlib
import os
import stat

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.crawl import MANIFEST_SCHEMA, Archive, crawl, read_manifest
from extract.crawl.testing import LocalSite, forged_pdf, listing_html

SPEC_COLUMNS = {  # spec/datasets.md, data/raw
    "sha256": "string", "url": "string", "final_url": "string", "portal": "string", "referrer": "string",
    "title": "string", "status": "int16", "content_type": "string", "format": "string", "bytes": "int64",
    "etag": "string", "last_modified": "string", "fetched_at": "timestamp[us, tz=UTC]",
}


def _objects(root) -> list:
    return sorted(p for p in (root / "objects").rglob("*") if p.is_file())


def test_objects_are_named_by_their_sha256_and_read_only(tmp_path):
    archive = Archive(tmp_path)
    data = forged_pdf("清河市人民政府", 2020)
    sha, new = archive.put(data)
    assert new and sha == hashlib.sha256(data).hexdigest()
    path = tmp_path / "objects" / sha[:2] / sha
    assert path.read_bytes() == data and archive.read(sha) == data
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_an_object_is_never_rewritten(tmp_path):
    archive = Archive(tmp_path)
    data = forged_pdf("清河市人民政府", 2020)
    sha, _ = archive.put(data)
    before = os.stat(archive.path_for(sha))
    assert archive.put(data) == (sha, False)
    after = os.stat(archive.path_for(sha))
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_a_failed_write_leaves_no_object_and_no_temp_file(tmp_path, monkeypatch):
    archive = Archive(tmp_path)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        archive.put(b"%PDF-1.4 half a report")
    assert _objects(tmp_path) == []


def test_a_failed_manifest_flush_leaves_no_part_visible(tmp_path, monkeypatch):
    writer = Archive(tmp_path).writer("run")
    writer.add({"url": "http://x/a.pdf", "outcome": "failed", "error": "HTTP 500"})

    def broken_write(table, where, **kwargs):
        with open(where, "wb") as f:
            f.write(b"PAR1 half a file")
        raise OSError("interrupted")

    monkeypatch.setattr(pq, "write_table", broken_write)
    with pytest.raises(OSError):
        writer.flush()
    assert list((tmp_path / "manifest").iterdir()) == []
    assert read_manifest(tmp_path).empty


def _column(site: LocalSite, body: bytes, *, validators: bool = True) -> str:
    site.add("/ndbg/P02020.pdf", body, "application/pdf", validators=validators)
    return site.add("/ndbg/", listing_html([("/ndbg/P02020.pdf", "清河市2020年政府信息公开工作年度报告")], ""))


def test_a_changed_report_keeps_both_versions(tmp_path):
    old, new = forged_pdf("清河市人民政府", 2020, version=1), forged_pdf("清河市人民政府", 2020, version=2)
    with LocalSite() as site:
        start = _column(site, old)
        crawl([start], raw_dir=tmp_path, rate=100)
        _column(site, new)  # the portal edits the report after publication
        second = crawl([start], raw_dir=tmp_path, rate=100)
        third = crawl([start], raw_dir=tmp_path, rate=100)
    assert second.new == 1 and third.not_modified == 1
    manifest = read_manifest(tmp_path)
    versions = manifest[manifest["role"] == "report"].sort_values("fetched_at")
    assert list(versions["outcome"]) == ["new", "new", "not_modified"]
    shas = list(versions["sha256"])
    assert shas[0] == hashlib.sha256(old).hexdigest() and shas[1] == shas[2] == hashlib.sha256(new).hexdigest()
    archive = Archive(tmp_path)
    assert archive.read(shas[0]) == old and archive.read(shas[1]) == new
    assert archive.known()[site.url("/ndbg/P02020.pdf")].sha256 == shas[1]


def test_unchanged_bytes_are_stored_once_even_without_validators(tmp_path):
    body = forged_pdf("清河市人民政府", 2020)
    with LocalSite() as site:
        start = _column(site, body, validators=False)  # no ETag, no Last-Modified: full downloads
        site.add("/mirror/P02020.pdf", body, "application/pdf")
        site.add("/ndbg/", listing_html([
            ("/ndbg/P02020.pdf", "清河市2020年政府信息公开工作年度报告"),
            ("/mirror/P02020.pdf", "清河市2020年政府信息公开工作年度报告（镜像）"),
        ], ""))
        first = crawl([start], raw_dir=tmp_path, rate=100)
        second = crawl([start], raw_dir=tmp_path, rate=100)
    assert (first.new, first.unchanged) == (1, 1)  # same bytes at two URLs
    assert second.unchanged == 1 and second.not_modified == 1
    assert len(_objects(tmp_path)) == 1


def test_resuming_skips_what_is_archived(tmp_path):
    """A crawl that stopped half-way: the next one downloads only what is missing."""
    with LocalSite() as site:
        items = []
        for year in range(2016, 2022):
            path = site.add(f"/ndbg/P0{year}.pdf", forged_pdf("清河市人民政府", year), "application/pdf")
            items.append((path, f"清河市{year}年政府信息公开工作年度报告"))
        site.add("/ndbg/", listing_html(items[:3], ""))  # the first run sees half the column
        crawl([site.url("/ndbg/")], raw_dir=tmp_path, rate=100)
        site.add("/ndbg/", listing_html(items, ""))
        del site.log[:]
        second = crawl([site.url("/ndbg/")], raw_dir=tmp_path, rate=100)
    assert second.new == 3 and second.not_modified == 3
    bodies = [hit.path for hit in site.log if hit.status == 200 and hit.path.endswith(".pdf")]
    assert sorted(bodies) == [f"/ndbg/P0{year}.pdf" for year in range(2019, 2022)]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    with LocalSite() as site:
        start = _column(site, forged_pdf("清河市人民政府", 2021))
        site.add("/ndbg/", listing_html([
            ("/ndbg/P02020.pdf", "清河市2020年政府信息公开工作年度报告"),
            ("/ndbg/gone.pdf", "清河市2019年政府信息公开工作年度报告"),
        ], ""))
        crawl([start], raw_dir=raw, rate=100)
    return raw


def test_manifest_parts_carry_the_spec_schema(crawled):
    parts = sorted((crawled / "manifest").glob("*.parquet"))
    assert parts
    for part in parts:
        schema = pq.read_schema(part)
        assert {name: str(schema.field(name).type) for name in SPEC_COLUMNS} == SPEC_COLUMNS
        assert schema.metadata[b"description"].startswith(b"ogi-reports raw archive manifest")
    assert list(MANIFEST_SCHEMA.names[: len(SPEC_COLUMNS)]) == list(SPEC_COLUMNS)


def test_manifest_read_back_with_pandas(crawled):
    frame = pd.read_parquet(crawled / "manifest")
    assert list(frame.columns[: len(SPEC_COLUMNS)]) == list(SPEC_COLUMNS)
    assert str(frame["fetched_at"].dtype) == "datetime64[us, UTC]"
    report = frame[frame["url"].str.endswith("P02020.pdf")].iloc[0]
    assert report["status"] == 200 and report["bytes"] == len(forged_pdf("清河市人民政府", 2021))
    assert report["format"] == "pdf" and len(report["sha256"]) == 64
    gone = frame[frame["url"].str.endswith("gone.pdf")].iloc[0]
    assert gone["status"] == 404 and gone["outcome"] == "failed" and pd.isna(gone["sha256"])
    typed = read_manifest(crawled)
    assert str(typed["status"].dtype) == "Int16" and str(typed["bytes"].dtype) == "Int64"


def test_manifest_read_back_with_duckdb(crawled):
    glob = str(crawled / "manifest" / "*.parquet")
    con = duckdb.connect()
    types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}')").fetchall()}
    assert types["status"] == "SMALLINT" and types["bytes"] == "BIGINT"
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE" and types["sha256"] == "VARCHAR"
    (archived,) = con.execute(
        f"SELECT count(*) FROM read_parquet('{glob}') WHERE outcome = 'new' AND sha256 IS NOT NULL"
    ).fetchall()[0]
    assert archived == 1
