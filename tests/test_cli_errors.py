"""Failures a user sees: one clear line and exit 2 for a usage error, never a traceback; and a
command that cannot do its job replaces nothing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.store.curate import curate
from extract.forge import generate, render_html
from extract.parse import parse_bytes
from extract.store.corrections import read_corrections_dataset

runner = CliRunner()
HEADER = "report_id,agency,year,table,row,column,value,reason,who,date"


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


@pytest.fixture
def curated(tmp_path):
    report = generate(81, "2021", year=2023, agency=1)
    result = parse_bytes(render_html(report, style="cms"), "2023.html")
    root = tmp_path / "curated"
    curate([result], root)
    return root, result.report["report_id"]


def test_correct_with_a_missing_file_replaces_nothing(curated, tmp_path):
    root, report_id = curated
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(HEADER + f"\n{report_id},,,requests,carried_over,total,5,a reason,me,2026-01-01\n"
                           + f"{report_id},,,requests,new_received,total,7,a reason,me,2026-01-01\n", encoding="utf-8")
    assert runner.invoke(app, ["correct", "--root", str(root), "--file", str(corrections)]).exit_code == 0
    assert len(read_corrections_dataset(root)) == 2
    result = runner.invoke(app, ["correct", "--root", str(root), "--file", str(tmp_path / "typo.csv")])
    assert result.exit_code == 2, result.output
    assert error_lines(result.output) == [f"error: --file {tmp_path / 'typo.csv'}: no such file"]
    assert len(read_corrections_dataset(root)) == 2  # nothing was replaced


@pytest.mark.parametrize("command", [["parse", "{src}"], ["forge"], ["check"], ["report", "--root", "{root}"]])
def test_an_out_folder_that_is_a_file_is_a_usage_error(tmp_path, command, curated):
    root, _ = curated
    src = tmp_path / "a.html"
    src.write_bytes(render_html(generate(3)))
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    option = {"check": "--root", "report": "--out"}.get(command[0], "--out")
    target = blocker if command[0] != "report" else tmp_path
    args = [a.format(src=src, root=root) for a in command] + [option, str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    [line] = error_lines(result.output)
    assert str(target) in line and ("is a file" in line or "is a folder" in line)
    assert "Traceback" not in result.output


def test_an_out_folder_under_a_file_or_on_a_read_only_disk_is_a_usage_error(tmp_path):
    src = tmp_path / "a.html"
    src.write_bytes(render_html(generate(3)))
    result = runner.invoke(app, ["parse", str(src), "--out", str(src / "curated")])
    assert result.exit_code == 2 and "is a file, so no folder can be made" in error_lines(result.output)[0]
    try:
        with tempfile.NamedTemporaryFile(dir="/sys"):
            pytest.skip("/sys is writable here: no read-only folder to try")
    except OSError:
        pass
    result = runner.invoke(app, ["parse", str(src), "--out", "/sys/ogi-curated"])
    assert result.exit_code == 2, result.output
    [line] = error_lines(result.output)
    assert "cannot write in /sys" in line and not (Path("/sys/ogi-curated")).exists()


def serve(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return subprocess.run([sys.executable, "-m", "extract.cli", "serve", *args], cwd=tmp_path,
                          env={**clean, "COLUMNS": "200", **env}, capture_output=True, text=True, timeout=180)


def test_serve_with_a_bad_cron_is_a_usage_error(tmp_path):
    done = serve(tmp_path, "--cron", "not a cron")
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = error_lines(done.stderr)
    assert "--cron 'not a cron' is not a cron schedule" in line and "Traceback" not in done.stderr


def test_serve_with_an_unreachable_prefect_server_is_a_usage_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    api = f"http://127.0.0.1:{port}/api"
    done = serve(tmp_path, PREFECT_API_URL=api)
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = error_lines(done.stderr)
    assert f"no Prefect server answers at PREFECT_API_URL={api}" in line and "Traceback" not in done.stderr
