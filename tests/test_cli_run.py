"""`ogi run`, end to end, as the README's first command on a fresh machine: the demo portal on
127.0.0.1, the crawl, the parse, the datasets and the summary, with Prefect's state in a
project-local folder; then a second run, which parses only what the portal changed."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.crawl.archive import read_manifest
from extract.store.datasets import read_dataset
from extract.store.incremental import archived_versions, latest_versions

from test_incremental import file_hashes

PARSED = re.compile(r"(\d+) new documents archived, (\d+) parsed, (\d+) already up to date, (\d+) old versions")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ogi_run(cwd: Path, port: int, *args: str, **env) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    clean.update(COLUMNS="200", OGI_CACHE=str(cwd / ".cache"), **env)  # the user's cache untouched
    return subprocess.Popen([sys.executable, "-m", "extract.cli", "run", "--demo-port", str(port), *args], cwd=cwd,
                            env=clean, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ogi_run(cwd: Path, port: int, *args: str, **env) -> subprocess.CompletedProcess:
    process = start_ogi_run(cwd, port, *args, **env)
    stdout, stderr = process.communicate(timeout=600)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, request):
    cwd = tmp_path_factory.mktemp("fresh-checkout")
    port = free_port()
    process = start_ogi_run(cwd, port)
    request.getfixturevalue("prefect_harness")  # the session's Prefect server starts meanwhile
    stdout, stderr = process.communicate(timeout=600)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return {"cwd": cwd, "port": port, "done": done, "hashes": file_hashes(cwd / "data" / "curated"),
            "manifest": read_manifest(cwd / "data" / "raw")}


def test_readme_series_query_covers_both_eras_of_the_demo_run(first_run):
    """The demo serves 2012–2018 legacy reports too: the README's 2008–2025 query has every year."""
    from extract.research import views

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```sql\n(.*?)```", readme, re.S) if "from series" in b)
    series = views.connect(first_run["cwd"] / "data" / "curated").sql(block).df().set_index("year")
    assert list(series.index) == list(range(2012, 2026))
    assert series.loc[2012:2018, "requests_received"].notna().all()
    assert series.loc[2019:2025, "requests_received"].notna().all()


def test_ogi_run_curates_the_demo_portal(first_run):
    from extract.forge.portal import DemoPortal

    done, cwd = first_run["done"], first_run["cwd"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with DemoPortal(seed=0) as portal:
        expected = {e.url.removeprefix(portal.base_url) for e in portal.expected}
    reports = read_dataset(cwd / "data" / "curated", "reports")
    base = f"http://127.0.0.1:{first_run['port']}"
    assert {url.removeprefix(base) for url in reports["source_url"]} == expected
    assert set(reports["status"]) == {"ok"}
    cells = read_dataset(cwd / "data" / "curated", "cells")
    assert set(cells["report_id"]) == set(reports["report_id"])
    # the summary: documents and cells, reports by status (and nothing else in that table), where the data is
    out = done.stdout
    assert "reports by status" in out and re.search(rf"ok\s*│\s*{len(expected)}\s*│", out)
    assert f"{len(expected)} documents, {len(cells)} cells" in out and "data/curated" in out
    assert not re.search(r"│\s*cells\s*│", out)
    assert PARSED.search(out).group(2) == str(len(expected))
    # Prefect kept its state here, quietly
    assert (cwd / ".prefect").is_dir() and any((cwd / ".prefect").glob("*.db"))
    assert "Beginning flow run" not in done.stdout + done.stderr


def test_the_demo_portal_keeps_its_rendered_files_for_the_next_run(first_run):
    """The second `ogi run` answers the crawl's conditional GETs from these, instead of rendering
    every PDF and DOCX again (`extract.forge.render_cache`)."""
    import hashlib

    folders = list((first_run["cwd"] / ".cache" / "ogi-reports" / "demo-portal").iterdir())
    assert len(folders) == 1
    cached = {hashlib.sha256(p.read_bytes()).hexdigest() for p in folders[0].iterdir() if not p.name.startswith(".")}
    archived = set(first_run["manifest"].loc[first_run["manifest"]["outcome"] == "new", "sha256"])
    assert len(archived) == 25 and archived <= cached


def test_second_run_parses_only_what_changed(first_run, prefect_harness):
    from prefect.settings import PREFECT_API_URL

    cwd, curated = first_run["cwd"], first_run["cwd"] / "data" / "curated"
    assert first_run["done"].returncode == 0
    # this time against the session's Prefect server (the fresh-machine start was the first run's)
    done = ogi_run(cwd, first_run["port"], PREFECT_API_URL=PREFECT_API_URL.value())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    before = latest_versions(archived_versions(first_run["manifest"])).set_index("url")["sha256"]
    after = latest_versions(archived_versions(read_manifest(cwd / "data" / "raw"))).set_index("url")["sha256"]
    assert set(after.index) == set(before.index)
    changed = sorted(url for url in after.index if after[url] != before[url])
    new, parsed, up_to_date, replaced = map(int, PARSED.search(done.stdout).groups())
    assert parsed == replaced == len(changed) and up_to_date == len(after) - len(changed)

    reports = read_dataset(curated, "reports").set_index("report_id")
    assert set(reports.index) == set(after)
    touched_years = {int(reports.loc[after[url], "year"]) for url in changed}
    hashes = file_hashes(curated)
    # reports and cells of the other years stay as they were (flags may not: the checks across
    # reports run again after a change, and flag the changed report's neighbours too)
    untouched = {path for path in first_run["hashes"] if not path.startswith("flags")
                 and not any(f"year={y}" in path for y in touched_years)}
    assert {p: hashes[p] for p in untouched} == {p: first_run["hashes"][p] for p in untouched}
    if not changed:  # the portal served the same bytes: the datasets are byte for byte the same
        assert hashes == first_run["hashes"]
    assert_artifacts_published(f"parsed: {parsed}", curated)


def test_run_options_narrow_the_crawl_and_the_parse_and_artifacts_follow_the_folder(first_run, prefect_harness):
    from prefect.settings import PREFECT_API_URL

    cwd = first_run["cwd"]
    done = ogi_run(cwd, first_run["port"], "--curated", "other", "--raw", "raw-small", "--max-pages", "1",
                   "--year", "2099", "--portal", "nobody", PREFECT_API_URL=PREFECT_API_URL.value())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    manifest = read_manifest(cwd / "raw-small")
    pages = manifest[manifest["role"].isin(["listing", "page"])]
    assert (manifest["outcome"] == "skipped").any()  # the page budget of --max-pages 1 was spent
    assert len(pages[pages["outcome"] != "skipped"]) <= manifest["portal"].nunique()
    assert PARSED.search(done.stdout).group(2) == "0"  # no report of 2099 from portal "nobody"
    assert_artifacts_published("parsed: 0", cwd / "other")


def assert_artifacts_published(run_line: str, curated: Path) -> None:
    """The run's table and markdown artifacts are on the Prefect server it reported to, under the
    keys of its curated folder."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from extract.flows.artifacts import artifact_keys

    KEYS = artifact_keys(curated)
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=list(KEYS.values()))))
    by_key = {a.key: a for a in found}
    assert by_key[KEYS["status"]].type == by_key[KEYS["flags"]].type == "table"
    assert by_key[KEYS["worst"]].type == "markdown" and run_line in by_key[KEYS["worst"]].data
    assert json.loads(by_key[KEYS["status"]].data)[-1]["status"] == "all"


def test_run_with_a_missing_portals_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["run", "--portals", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2 and not (tmp_path / ".prefect").exists()


def test_ogi_crawl_archives_a_site(tmp_path):
    from extract.crawl.testing import LocalSite, add_listing_site

    with LocalSite() as site:
        files = add_listing_site(site, years=range(2020, 2024))
        result = CliRunner().invoke(app, ["crawl", site.url("/zfxxgk/ndbg/"), "--raw", str(tmp_path / "raw"),
                                          "--rate", "100"])
    assert result.exit_code == 0, result.output
    manifest = read_manifest(tmp_path / "raw")
    archived = manifest[manifest["outcome"] == "new"]
    assert sorted(archived["url"]) == sorted(f.url for f in files)
    assert f"{len(files)} new reports" in result.output


def test_serve_without_a_prefect_server_says_how_to_start_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    done = subprocess.run([sys.executable, "-m", "extract.cli", "serve"], cwd=tmp_path, env={**env, "COLUMNS": "200"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "prefect server start" in done.stdout and "PREFECT_API_URL" in done.stdout
