"""Tables pasted into a report page as pictures (issue 12, item 4), end to end: a forged page and
its table pictures served by a real HTTP server on 127.0.0.1, crawled into the archive (the
pictures with role ``image``, linked to the page), planned and parsed, the pictures read by OCR."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from conftest import cell_differences
from extract.crawl import Archive, crawl, read_manifest
from extract.crawl.testing import LocalSite, listing_html
from extract.forge.images import image_table_page
from extract.forge.model import Mess, generate
from extract.store.incremental import parse_source, plan_parse
from extract.parse import parse_bytes

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")

REPORT = generate(41, "2021", Mess(blank_zeros=0.3))
PAGE_PATH = "/zwgk/ndbg/202501/t20250120_4101.html"


@pytest.fixture(scope="module")
def forged():
    return image_table_page(REPORT)


@pytest.fixture(scope="module")
def crawled(forged, tmp_path_factory):
    page, images = forged
    raw = tmp_path_factory.mktemp("raw")
    with LocalSite() as site:
        site.add("/images/logo.png", images[next(iter(images))], "image/png")  # site furniture, not content
        site.add(PAGE_PATH, page, "text/html; charset=utf-8")
        for path, png in images.items():
            site.add(path, png, "image/png")
        start = site.add("/zwgk/ndbg/index.html", listing_html([(PAGE_PATH, REPORT.title)], ""))
        crawl([start], raw_dir=raw, rate=100)
        page_url = site.url(PAGE_PATH)
    return raw, page_url, images


def test_the_page_holds_no_table_markup_only_pictures(forged):
    page, images = forged
    assert b"<table" not in page.split(b'class="TRS_Editor"')[1].split(b"</div>")[0]
    assert len(images) >= 3 and page.count(b"<img ") >= len(images)
    result = parse_bytes(page, "t.html")  # without its pictures the page has no table
    assert result.status == "failed" and len(result.cells) == 0


def test_the_crawl_archives_the_body_pictures_beside_their_page(crawled):
    raw, page_url, images = crawled
    manifest = read_manifest(raw)
    page = manifest[manifest["url"] == page_url]
    assert page[["role", "format", "outcome"]].values.tolist() == [["report", "html", "new"]]
    pictures = manifest[manifest["role"] == "image"]
    assert sorted(pictures["sha256"]) == sorted(hashlib.sha256(png).hexdigest() for png in images.values())
    assert set(pictures["referrer"]) == {page_url} and set(pictures["format"]) == {"image"}
    archive = Archive(raw)
    assert all(archive.has(sha) for sha in pictures["sha256"])
    # a picture is never a report of its own
    assert not (manifest["role"] == "report").sum() - 1


def test_the_parse_reads_the_pictures_by_ocr_to_the_truth(crawled, tmp_path):
    raw, page_url, images = crawled
    plan = plan_parse(raw, tmp_path / "curated")
    assert [s.url for s in plan.sources] == [page_url]
    source = plan.sources[0]
    assert len(source.images) == len(images)
    result = parse_source(Archive(raw), source)
    assert result.status == "ok", result.report["error"]
    assert set(result.cells["method"]) == {"ocr"}
    assert "html.image_tables" in set(result.flags["check"])
    diff = cell_differences(REPORT.truth(), result.cells)
    flagged = set(zip(result.flags["table"], result.flags["row"], result.flags["column"]))
    flagged_rows = set(zip(result.flags["table"], result.flags["row"]))
    silent = [k for k in zip(diff["table"], diff["row"], diff["column"])
              if k not in flagged and k[:2] not in flagged_rows]
    assert silent == []  # a cell read wrong or lost is always flagged
    assert len(diff) / len(REPORT.truth()) <= 0.02


# ---------------------------------------------------------------- a page saved to a local folder


def _saved_page(forged, folder):
    """The forged page saved as ``report.html`` with its pictures beside it, addressed relatively."""
    page, images = forged
    for path, png in images.items():
        name = path.rsplit("/", 1)[1]
        page = page.replace(path.encode(), name.encode())
        (folder / name).write_bytes(png)
    (folder / "report.html").write_bytes(page)
    return folder / "report.html"


def test_ogi_parse_of_a_saved_page_reads_the_pictures_beside_it(forged, tmp_path):
    from typer.testing import CliRunner

    from extract.cli import app
    from extract.store.datasets import read_dataset

    folder = tmp_path / "saved"
    folder.mkdir()
    _saved_page(forged, folder)
    out = tmp_path / "curated"
    run = CliRunner().invoke(app, ["parse", str(folder), "--curated", str(out)])
    assert run.exit_code == 0, run.output
    reports, cells = read_dataset(out, "reports"), read_dataset(out, "cells")
    assert reports["source_path"].tolist() == [str(folder / "report.html")]  # no picture is a report
    assert reports["status"].tolist() == ["ok"]
    assert set(cells["method"]) == {"ocr"}
    diff = cell_differences(REPORT.truth(), cells.drop(columns=["report_id"]))
    assert len(diff) / len(REPORT.truth()) <= 0.02


def test_only_pictures_inside_the_page_folder_are_read(forged, tmp_path):
    from extract.local_images import images_beside

    page, images = forged
    png = next(iter(images.values()))
    folder = tmp_path / "saved"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "outside.png").write_bytes(png)
    (folder / "sub" / "inner.png").write_bytes(png + b"inner")
    (folder / "here.png").write_bytes(png + b"here")
    html = ('<html><body><div class="TRS_Editor"><p>二、主动公开政府信息情况</p>'
            '<img src="../outside.png"><img src="/outside.png"><img src="http://example.org/here.png">'
            '<img src="missing.png"><img src="sub/inner.png"><img src="here.png"></div></body></html>').encode()
    (folder / "report.html").write_bytes(html)
    found = images_beside(folder / "report.html", html)
    assert list(found) == [png + b"inner", png + b"here"]
    assert [f.name for f in found.files] == ["inner.png", "here.png"]  # read only when asked for
