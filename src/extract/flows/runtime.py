"""Where flows run: the Prefect environment of a command, the API its flows and worker processes
report to, and progress from flows to whoever draws it.

Call `prefect_environment` before anything imports Prefect (the command line does, first thing);
importing this module imports no Prefect.
"""

from __future__ import annotations

import os
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


@contextmanager
def prefect_api() -> Iterator[str]:
    """The API flows report to: PREFECT_API_URL when set (a `prefect server start`), otherwise a
    temporary local server for the duration of the block. Its address goes into the environment,
    so worker processes (a process pool, a local Dask cluster) report to it too instead of each
    starting a server of its own."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = PREFECT_API_URL.value()
    if url:
        yield url
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's own ephemeral mode would start
    server.start()
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        _drain_to_api()
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


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
