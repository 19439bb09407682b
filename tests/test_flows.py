"""The parse and pipeline flows, run for real against the session's temporary Prefect server: a
local process pool and a Dask cluster give the same data, a rerun writes nothing, a run killed
while writing leaves the previous partitions readable, and a pipeline run publishes its artifacts."""

from __future__ import annotations

import hashlib
import json
import importlib
import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta

import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.store.datasets import read_dataset
from extract.forge.html import render_html
from extract.forge.model import generate

from conftest import REPO
from test_incremental import SITE, T0, file_hashes, forged_documents, record_fetches, run_once

KEYS = {"reports": ["report_id"], "cells": ["report_id", "table", "row", "column"],
        "flags": ["report_id", "check", "table", "row", "column", "message"]}


def flows_module(name: str):
    return importlib.import_module(f"extract.flows.{name}")


def datasets(root, drop=("parsed_at",)) -> dict[str, pd.DataFrame]:
    """The three datasets in a canonical order, without the columns a run may change."""
    out = {}
    for name, keys in KEYS.items():
        frame = read_dataset(root, name).drop(columns=list(drop), errors="ignore")
        out[name] = frame.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)
    return out


def assert_same_data(a, b) -> None:
    left, right = datasets(a), datasets(b)
    for name in KEYS:
        pd.testing.assert_frame_equal(left[name], right[name], check_dtype=False, obj=name)


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    raw = tmp_path_factory.mktemp("flows") / "raw"
    docs = forged_documents(range(1, 9))
    record_fetches(raw, docs)
    return raw


@pytest.fixture(scope="module")
def local_run(prefect_harness, raw, tmp_path_factory):
    """The parse flow on a local worker process, run twice."""
    parse = flows_module("parse")
    curated = tmp_path_factory.mktemp("local") / "curated"
    with processes_started() as started_first:
        first = parse.parse_flow(raw_dir=str(raw), curated_dir=str(curated), workers=1, batch_size=3)
    hashes = file_hashes(curated)
    with processes_started() as started_second:
        second = parse.parse_flow(raw_dir=str(raw), curated_dir=str(curated), workers=1, batch_size=3)
    return {"curated": curated, "first": first, "second": second, "hashes": hashes,
            "processes": (started_first, started_second)}


@contextmanager
def processes_started():
    """The processes `multiprocessing` starts while the block runs (the worker pool's among them),
    seen by wrapping its real `Process.start`."""
    from multiprocessing.process import BaseProcess

    started, real = [], BaseProcess.start

    def start(self):
        started.append(self.name)
        return real(self)

    BaseProcess.start = start
    try:
        yield started
    finally:
        BaseProcess.start = real


def test_parse_flow_parses_each_document_once(local_run):
    first = local_run["first"]
    assert first["documents"] == first["parsed"] == 11 and first["failed_batches"] == 0
    assert first["reports"] == {"ok": 9, "partial": 1, "failed": 1}
    reports = read_dataset(local_run["curated"], "reports")
    assert len(reports) == 11 and reports["report_id"].is_unique
    assert not (local_run["curated"] / ".staging").exists()


def test_a_rerun_parses_nothing_and_leaves_the_datasets_byte_identical(local_run):
    second = local_run["second"]
    assert second["parsed"] == 0 and second["up_to_date"] == 11 and second["partitions"] == 0
    assert file_hashes(local_run["curated"]) == local_run["hashes"]


def test_a_run_with_nothing_to_do_starts_no_worker_pool(local_run):
    first, second = local_run["processes"]
    assert first  # the first run parsed on a pool of worker processes ...
    assert second == []  # ... the rerun, with nothing new, started none


def test_parse_flow_on_a_dask_cluster_gives_the_same_data(local_run, raw, tmp_path):
    distributed = pytest.importorskip("distributed")
    parse = flows_module("parse")
    curated = tmp_path / "curated"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = parse.parse_flow(raw_dir=str(raw), curated_dir=str(curated), batch_size=3,
                                  dask_address=cluster.scheduler_address)
    assert result["parsed"] == 11 and result["failed_batches"] == 0
    assert_same_data(curated, local_run["curated"])


KILLED_RUN = """
import os, signal, sys
sys.path.insert(0, {repo!r})
import pyarrow.parquet as pq

real_write = pq.write_table
writes = []

def write_then_die(table, where, *args, **kwargs):
    if "/.part-" in str(where):  # a curated data file's temporary file (not a staged or spilled one)
        writes.append(where)
        if len(writes) == {kill_at}:  # half a file, then the power goes
            with open(where, "wb") as f:
                f.write(b"PAR1" + b"\\0" * 100)
            os.kill(os.getpid(), signal.SIGKILL)
    return real_write(table, where, *args, **kwargs)

pq.write_table = write_then_die
from extract.flows.parse import parse_flow
parse_flow(raw_dir={raw!r}, curated_dir={curated!r}, workers=1)
"""


def test_a_run_killed_while_writing_leaves_the_previous_partitions_readable(prefect_harness, tmp_path):
    from prefect.settings import PREFECT_API_URL

    parse = flows_module("parse")
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    docs = forged_documents(range(1, 5))
    record_fetches(raw, docs)
    run_once(raw, curated)  # the previous run (the library's steps, without Prefect)
    previous = datasets(curated, drop=())

    # the portal republishes one report and adds two: the next run rewrites several partitions
    url = f"{SITE}/ndbg/1.txt"
    update = {url: render_html(generate(201, year=2021)),
              f"{SITE}/ndbg/new-2022.html": render_html(generate(202, year=2022)),
              f"{SITE}/ndbg/new-2024.html": render_html(generate(203, year=2024))}
    record_fetches(raw, update, at=T0 + timedelta(days=1))
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_HOME": str(tmp_path / ".prefect"),
           "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "ERROR"}
    script = KILLED_RUN.format(repo=str(REPO), raw=str(raw), curated=str(curated), kill_at=2)
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-3000:]
    leftovers = list(curated.glob("*/year=*/.part-*.tmp"))
    assert len(leftovers) == 1  # killed in the middle of the second file write

    for part in curated.glob("*/year=*/part-*.parquet"):
        pq.read_table(part)  # every partition is whole: the old one or the new one
    now = datasets(curated, drop=())
    pd.testing.assert_frame_equal(now["reports"], previous["reports"])  # reports are written last
    updated = {hashlib.sha256(data).hexdigest() for data in update.values()}
    assert set(now["cells"]["report_id"]) <= set(previous["cells"]["report_id"]) | updated

    # the next run finishes the job: the same data as a run that was never interrupted
    resumed = parse.parse_flow(raw_dir=str(raw), curated_dir=str(curated), workers=1)
    assert resumed["parsed"] == 3 and resumed["superseded"] == 1
    assert not list(curated.glob("*/year=*/.part-*.tmp"))
    clean = tmp_path / "clean"
    run_once(raw, clean)
    assert_same_data(curated, clean)


def test_the_schedule_is_daily_in_the_reporting_season():
    pipeline = flows_module("pipeline")
    options = pipeline.serve_options(portals_file="/srv/portals.toml", raw_dir="/srv/raw", curated_dir=None)
    deployment = pipeline.pipeline_flow.to_deployment(**options)
    schedule = deployment.schedules[0].schedule
    assert schedule.cron == "0 7 * 1-3 *" and schedule.timezone == "Asia/Shanghai"
    assert deployment.parameters == {"portals_file": "/srv/portals.toml", "raw_dir": "/srv/raw"}


@pytest.mark.parametrize("name, options", [("parse", ["--raw", "--out", "--year", "--portal", "--batch-size",
                                                      "--dask", "--workers"]),
                                           ("pipeline", ["--portals", "--raw", "--out", "--dask", "--workers"])])
def test_each_flow_file_runs_on_its_own(name, options):
    done = subprocess.run([sys.executable, str(REPO / "flows" / f"{name}.py"), "--help"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert all(option in done.stdout for option in options)


def test_task_runner_choice():
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    parse = flows_module("parse")
    pool = parse.task_runner(None, 3, documents=100)
    assert isinstance(pool, ProcessPoolTaskRunner) and pool._max_workers == 3
    assert isinstance(parse.task_runner(None, None, documents=100), ProcessPoolTaskRunner)
    assert isinstance(parse.task_runner(None, 3, documents=parse.IN_PROCESS_BELOW - 1), ThreadPoolTaskRunner)
    assert isinstance(parse.task_runner("tcp://10.0.0.5:8786", documents=1), DaskTaskRunner)


def test_a_failed_crawl_fails_the_pipeline_run_and_the_archive_is_still_parsed(prefect_harness, raw, tmp_path):
    pipeline = flows_module("pipeline")
    broken = tmp_path / "portals.toml"
    broken.write_text('[[portal]]\nname = "清河\n', encoding="utf-8")  # a TOML syntax error
    curated = tmp_path / "curated"
    state = pipeline.pipeline_flow(portals_file=str(broken), raw_dir=str(raw), curated_dir=str(curated),
                                   workers=1, return_state=True)
    assert state.is_failed() and "the crawl failed" in state.message and str(broken) in state.message
    result = state.result(raise_on_failure=False)
    parsed = result["parse"]["parsed"]
    assert "error" in result["crawl"] and parsed == result["parse"]["documents"] > 0
    assert len(read_dataset(curated, "reports")) == parsed
    from extract.flows.artifacts import artifact_keys

    assert result["artifacts"] == list(artifact_keys(curated).values())


def test_a_pipeline_run_is_one_flow_run_holding_the_crawl_and_parse_tasks(prefect_harness, tmp_path):
    """The crawl and the parse run inside the pipeline's run, not as subflows (each would add a
    flow run's round trips to the API, a fifth of an `ogi run` that has nothing to do)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId, TaskRunFilter, \
        TaskRunFilterFlowRunId

    from extract.crawl.testing import LocalSite, add_listing_site

    with LocalSite() as site:
        files = add_listing_site(site, years=range(2021, 2023))
        state = flows_module("pipeline").pipeline_flow(urls=[site.url("/zfxxgk/ndbg/")], raw_dir=str(tmp_path / "raw"),
                                                       curated_dir=str(tmp_path / "curated"), rate=100, workers=1,
                                                       return_state=True)
    assert state.is_completed() and state.result()["parse"]["parsed"] == len(files)
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id])))
        tasks = client.read_task_runs(task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[run_id])))
    assert children == []
    # Prefect names a task's runs "<task>-<3 characters>" unless the task names them itself
    names = sorted(task.name.rsplit("-", 1)[0] if task.name[-4:-3] == "-" else task.name for task in tasks)
    assert {"plan parse", "commit", "check across reports", "publish artifacts"} <= set(names), names
    assert any(name.startswith("crawl ") for name in names) and any(name.startswith("parse batch") for name in names)


def test_artifact_keys_follow_the_curated_folder(tmp_path):
    import re

    from extract.flows.artifacts import artifact_keys

    one, two = artifact_keys(tmp_path / "a" / "curated"), artifact_keys(tmp_path / "b" / "curated")
    assert one.keys() == two.keys() and not set(one.values()) & set(two.values())
    assert artifact_keys(tmp_path / "a" / "curated") == one  # the same folder, the same keys
    assert all(re.fullmatch(r"[a-z0-9-]+", key) for key in [*one.values(), *artifact_keys(tmp_path / "数据 A").values()])


def test_a_flow_script_starts_one_temporary_server_for_itself_and_its_workers(raw, tmp_path):
    """`python flows/parse.py` on a pool of two workers: one temporary Prefect server, its own;
    none started by Prefect on the side (its ephemeral server logs "Starting temporary server")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / ".prefect"), PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    done = subprocess.run([sys.executable, str(REPO / "flows" / "parse.py"), "--raw", str(raw), "--out",
                           str(tmp_path / "curated"), "--workers", "2", "--verbose"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["parsed"] == 11 and result["failed_batches"] == 0
    assert "Starting temporary server" not in done.stdout + done.stderr


def test_the_server_process_exits_3_when_its_port_is_taken(tmp_path):
    """`TemporaryServer.ready` reads exit code 3 as "the port was taken meanwhile" and starts again
    on another; the server's own process must keep uvicorn's code for it."""
    import socket

    from extract.flows.runtime import server_command

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / ".prefect"), PREFECT__SERVER_EPHEMERAL="1", PREFECT_UI_ENABLED="0")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = subprocess.run(server_command(taken.getsockname()[1]), env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=300)
    assert done.returncode == 3, done.stderr[-3000:]


LASTING_SERVER_CHORES = """
import sys
from extract.flows.runtime import prefect_api, prefect_environment
prefect_environment(sys.argv[1])
import time
import prefect.flow_engine as engine
from prefect import flow
from prefect.client.orchestration import SyncPrefectClient
from prefect.settings import (PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED, PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
                              temporary_settings)

calls = {"heartbeat": 0, "version": 0}
emit, version = engine.FlowRunEngine._emit_flow_run_heartbeat, SyncPrefectClient.api_version

def count(name, call):
    def counted(*args):
        calls[name] += 1
        return call(*args)
    return counted

engine.FlowRunEngine._emit_flow_run_heartbeat = count("heartbeat", emit)
SyncPrefectClient.api_version = count("version", version)

@flow
def pause():
    time.sleep(0.5)

with prefect_api():
    pause()
    quiet = dict(calls)
    # what a lasting server gets
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 30, PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED: True}):
        pause()
print(quiet["heartbeat"], quiet["version"], calls["heartbeat"] - quiet["heartbeat"], calls["version"] - quiet["version"])
"""


def test_flows_on_the_temporary_server_skip_what_only_a_lasting_server_needs(tmp_path):
    """Heartbeats let a lasting server mark a crashed run; the temporary one ends with the command,
    and a flow's end would wait up to a second for the heartbeat thread. The version check asks a
    server that runs this very Prefect; its first request, to a server still cold, costs a quarter
    of a second."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = str(REPO / "src")
    done = subprocess.run([sys.executable, "-c", LASTING_SERVER_CHORES, str(tmp_path / ".prefect")], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    quiet_beats, quiet_checks, beats, checks = map(int, done.stdout.split())
    assert (quiet_beats, quiet_checks) == (0, 0)
    assert beats == 1 and checks == 1
