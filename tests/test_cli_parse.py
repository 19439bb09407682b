"""`ogi parse`: many files, bad ones among them; none stops the rest; exit 0."""

import os
import re

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.store.datasets import read_dataset
from extract.forge.html import render_html
from extract.forge.model import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "good.html").write_bytes(render_html(generate(11)))
    (folder / "good-gbk.html").write_bytes(render_html(generate(12), encoding="gbk"))
    (folder / "empty.html").write_bytes(b"")
    (folder / "junk.html").write_bytes(os.urandom(4096))
    filler = "<p>" + "政务公开要点学习材料，" * 40 + "</p>\n"
    (folder / "big.html").write_bytes(("<html><body>" + filler * 5000 + "</body></html>").encode())
    items = "".join(f'<li><a href="/r{y}.html">清河市{y}年政府信息公开工作年度报告</a></li>' for y in range(2015, 2025))
    (folder / "listing.html").write_bytes(f"<html><body><h1>政府信息公开年报</h1><ul>{items}</ul></body></html>".encode())
    (folder / "sub").mkdir()
    (folder / "sub" / "report.txt").write_bytes(b"")
    return folder


def test_parse_folder_with_bad_files(folder, tmp_path):
    assert (folder / "big.html").stat().st_size > 5_000_000
    result = runner.invoke(app, ["parse", str(folder), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    reports = read_dataset(tmp_path, "reports").set_index("source_path")
    status = {os.path.relpath(p, folder): s for p, s in reports["status"].items()}
    assert status == {"good.html": "ok", "good-gbk.html": "ok", "empty.html": "failed", "junk.html": "failed",
                      "big.html": "not_a_report", "listing.html": "not_a_report", "sub/report.txt": "failed"}
    errors = {os.path.relpath(p, folder): e for p, e in reports["error"].items()}
    assert errors["empty.html"] == "empty file"
    assert "no reader" in errors["junk.html"]
    assert all(errors[k] for k in status if status[k] != "ok")
    cells = read_dataset(tmp_path, "cells")
    assert cells.groupby("report_id").size().tolist() == [200, 200]
    assert "ok" in result.output and "failed" in result.output


def test_missing_path_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["parse", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert result.exit_code != 0


@pytest.fixture(scope="module")
def with_sidecars(tmp_path_factory):
    """Reports with the files that travel beside them: truth CSVs, JSON metadata, a README."""
    from extract.forge.pdf import render_pdf

    folder = tmp_path_factory.mktemp("with-sidecars")
    for seed, name in ((21, "a"), (22, "b")):
        report = generate(seed)
        (folder / f"{name}.html").write_bytes(render_html(report))
        (folder / f"{name}.truth.csv").write_text(report.truth().to_csv(index=False), encoding="utf-8")
        (folder / f"{name}.json").write_text('{"agency": "清河市人民政府", "year": 2023}', encoding="utf-8")
    (folder / "download").write_bytes(render_pdf(generate(23)))  # a PDF saved without its extension
    (folder / "notes.md").write_text("# 说明\n政府信息公开工作年度报告 的来源\n", encoding="utf-8")
    return folder


def test_parse_folder_skips_sidecar_files(with_sidecars, tmp_path):
    result = runner.invoke(app, ["parse", str(with_sidecars), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    reports = read_dataset(tmp_path, "reports")
    assert sorted(os.path.basename(p) for p in reports["source_path"]) == ["a.html", "b.html", "download"]
    assert set(reports["status"]) == {"ok"}
    assert read_dataset(tmp_path, "flags")["severity"].ne("error").all()
    # the summary: documents and cells in the title, the status table holds statuses only
    cells = len(read_dataset(tmp_path, "cells"))
    assert f"3 documents, {cells} cells" in " ".join(result.output.split())
    assert not re.search(r"│\s*cells\s*│", result.output)


def test_parse_include_and_exclude_globs(with_sidecars, tmp_path):
    result = runner.invoke(app, ["parse", str(with_sidecars), "--out", str(tmp_path / "x"), "--exclude", "b.*",
                                 "--exclude", "download"])
    assert result.exit_code == 0, result.output
    assert [os.path.basename(p) for p in read_dataset(tmp_path / "x", "reports")["source_path"]] == ["a.html"]
    result = runner.invoke(app, ["parse", str(with_sidecars), "--out", str(tmp_path / "j"), "--include", "*.json"])
    assert result.exit_code == 0, result.output
    assert sorted(os.path.basename(p) for p in read_dataset(tmp_path / "j", "reports")["source_path"]) == [
        "a.json", "b.json"]


def test_a_file_named_on_the_command_line_is_always_parsed(with_sidecars, tmp_path):
    result = runner.invoke(app, ["parse", str(with_sidecars / "a.truth.csv"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(read_dataset(tmp_path, "reports")) == 1
