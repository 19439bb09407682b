"""The parse's failure guard covers the whole document: a bug in the reader, in table finding or
anywhere after it becomes a `failed` report with its own check code, and the run goes on.

The bugs are injected (the parser has none we know of): the real function runs for every other
document, and raises for one marked document only."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import extract.parse as parse
from extract.cli import app
from extract.store.datasets import read_dataset
from extract.forge import generate, render_html

MARK = "故障注入测试单位"


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "good.html").write_bytes(render_html(generate(31)))
    html = render_html(generate(32)).decode("utf-8")
    marked = re.sub(r"(<body[^>]*>)", rf"\1<p>{MARK}</p>", html, count=1)
    assert MARK in marked
    (folder / "marked.html").write_bytes(marked.encode("utf-8"))
    return folder


def fail_on_mark(real, text_of):
    def wrapper(*args, **kwargs):
        if MARK in text_of(*args):
            raise KeyError("an injected bug")
        return real(*args, **kwargs)
    return wrapper


@pytest.mark.parametrize("where, check", [("extract_tables", "parse.crashed"), ("read_metadata", "parse.crashed"),
                                          ("read_document", "reader.crashed")])
def test_a_bug_anywhere_in_the_parse_fails_one_document_not_the_run(folder, tmp_path, monkeypatch, where, check):
    text_of = {"extract_tables": lambda doc: doc.text(), "read_metadata": lambda text, *rest: text,
               "read_document": lambda data, fmt, name=None: data.decode("utf-8", "replace")}[where]
    monkeypatch.setattr(parse, where, fail_on_mark(getattr(parse, where), text_of))
    result = CliRunner().invoke(app, ["parse", str(folder), "--out", str(tmp_path / "curated")])
    assert result.exit_code == 0, result.output
    reports = read_dataset(tmp_path / "curated", "reports").set_index("source_path")
    assert reports.loc[str(folder / "good.html"), "status"] == "ok"
    marked = reports.loc[str(folder / "marked.html")]
    assert marked["status"] == "failed" and "KeyError" in marked["error"] and "injected bug" in marked["error"]
    flags = read_dataset(tmp_path / "curated", "flags")
    assert flags.loc[flags["report_id"] == marked["report_id"], "check"].tolist() == [check]
    assert check != "file.unreadable"


def test_an_unreadable_file_has_an_id_that_is_not_a_content_hash(tmp_path):
    result = parse.parse_path(tmp_path)  # a folder: its bytes cannot be read
    assert result.status == "failed" and result.report["error"].startswith("cannot read file")
    report_id = result.report["report_id"]
    assert not re.fullmatch(r"[0-9a-f]{64}", report_id) and report_id.startswith(parse.UNREAD_PREFIX)
    assert result.flags["check"].tolist() == ["file.unreadable"]
