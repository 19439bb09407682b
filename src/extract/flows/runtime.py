"""Where flows run: the Prefect environment of a command, the API its flows and worker processes
report to, and progress from flows to whoever draws it.

Call `prefect_environment` before anything imports Prefect (the command line does, first thing);
importing this module imports no Prefect.
"""

from __future__ import annotations

import atexit
import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

Listener = Callable[[str, int, "int | None"], None]  # stage, done, total (None: unknown)
_listeners: list[Listener] = []


def prefect_environment(home: str | Path | None = None, verbose: bool = False) -> Path:
    """Keep Prefect's state in a project-local folder (`.prefect/` in the current directory,
    unless PREFECT_HOME is set), switch its telemetry off, and keep its console logs to warnings
    unless `verbose` (runs still log everything to the API, so the UI shows it all)."""
    os.environ.setdefault("PREFECT_HOME", str(Path(home or Path.cwd() / ".prefect").resolve()))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    return Path(os.environ["PREFECT_HOME"])


class TemporaryServer:
    """Prefect's temporary API server for one command: the app Prefect's ephemeral mode serves,
    in a process of its own (`extract.flows.server`), so this one never imports the server. That
    import costs seconds (FastAPI, SQLAlchemy, every API model) that a command would pay before
    its first flow; launched first thing, the server starts on another core while the command
    does the rest (`ogi run` renders the demo portal and imports its flows meanwhile). Start it
    with `start`, wait for it with `ready`, end it with `stop`."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> "TemporaryServer":
        """Launch the server (returns at once)."""
        if self.process is None:
            self.port = _free_port()
            env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                   "PREFECT__SERVER_FINAL": "1"}
            env.pop("PREFECT_API_URL", None)
            self.process = subprocess.Popen(server_command(self.port), env=env)
            atexit.register(self.stop)  # never outlive the command, whatever ends it
        return self

    def ready(self, timeout: float | None = None) -> str:
        """The API's address once the server answers its health check (a clear error if it never does)."""
        self.start()
        limit = timeout or float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 120))
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if self.process.returncode == 3:  # the port was taken meanwhile: another one
                    self.process = None
                    self.start()
                    continue
                raise RuntimeError(f"the temporary Prefect server exited with code {self.process.returncode}")
            if _answers(f"{self.api_url}/health"):
                return self.api_url
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the temporary Prefect server did not answer within {limit:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def server_command(port: int) -> list[str]:
    """The temporary server's process: `extract.flows.server` run as a file, which imports
    nothing of ours, so it starts however this process found `extract`; `-P` keeps the
    script's folder off its import path (nothing there can shadow a module the server imports)."""
    return [sys.executable, "-P", str(Path(__file__).with_name("server.py")), str(port)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1: never through a proxy


def _answers(url: str) -> bool:
    try:
        with _LOCAL.open(url, timeout=2) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def temporary_server() -> TemporaryServer | None:
    """A started `TemporaryServer`, or None when PREFECT_API_URL names a server already (the
    only case a command needs none). Start it as early as possible; pass it to `prefect_api`."""
    return None if os.environ.get("PREFECT_API_URL") else TemporaryServer().start()


@contextmanager
def prefect_api(server: TemporaryServer | None = None) -> Iterator[str]:
    """The API flows report to: PREFECT_API_URL when set (a `prefect server start`), otherwise a
    temporary local server for the duration of the block (`server`, when one was started earlier
    by `temporary_server`). Its address goes into the environment, so worker processes (a process
    pool, a local Dask cluster) report to it too instead of each starting a server of its own."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )

    url = PREFECT_API_URL.value()
    if url:
        if server is not None:
            server.stop()
        yield url
        return
    server = server or TemporaryServer().start()
    try:
        _import_flow_engine()  # while the server starts
        url = server.ready()
        # no version check: the server runs this process's Prefect (its first request, the server
        # still cold, costs a quarter of a second, and each worker process would repeat it)
        os.environ.update({"PREFECT_API_URL": url, "PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED": "false"})
        _refresh_global_settings()  # threads without a context of their own (Prefect's) see it too
        # no heartbeats: they let a lasting server mark a crashed run, and this one ends with the
        # command; each flow's end would wait up to a second for the heartbeat thread to wake
        with temporary_settings({PREFECT_API_URL: url, PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED: False,
                                 PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            try:
                yield url
            finally:  # while the settings still name the server: a log worker started now must not
                _drain_to_api()  # start an ephemeral server of its own
    finally:
        for name in ("PREFECT_API_URL", "PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED"):
            os.environ.pop(name, None)
        _refresh_global_settings()
        server.stop()


#: what a flow run imports on first use (Prefect's engines, the parameter encoder, the run graph,
#: the event loop's backend): imported while the temporary server starts, not after
FLOW_ENGINE_MODULES = ("prefect.flow_engine", "prefect.task_engine", "prefect.artifacts", "fastapi.encoders",
                       "prefect.utilities.visualization", "anyio._backends._asyncio")


def _import_flow_engine() -> None:
    for name in FLOW_ENGINE_MODULES:
        importlib.import_module(name)


def _refresh_global_settings() -> None:
    """Rebuild Prefect's global settings from the environment. A thread Prefect starts without
    copying a context (the process pool's message forwarding, which sends the workers' events)
    reads the global settings, built when Prefect was imported: without this it finds no API
    URL and starts an ephemeral server of its own, seconds long, at the end of every parse."""
    import prefect.context

    refresh = getattr(prefect.context, "refresh_global_settings_context", None)
    if refresh is not None:
        refresh()


def _drain_to_api() -> None:
    """Send the logs and events still queued before the server goes (as Prefect's test harness does)."""
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:
        for result in (_drain_logs(APILogWorker), EventsWorker.drain_all()):
            if inspect.isawaitable(result):
                await result

    run_coro_as_sync(drain())


def _drain_logs(worker):
    try:
        return worker.instance().drain()
    except RuntimeError:  # never started
        return None


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Receive progress reports (from flows running in this process) while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report_progress(stage: str, done: int, total: int | None = None) -> None:
    """Tell the listeners how far `stage` is (a no-op when nobody listens)."""
    for listener in list(_listeners):
        listener(stage, done, total)
