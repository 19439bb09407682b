"""`ogi`: a thin command line over the library and the flows."""

from __future__ import annotations

import importlib
import os
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.table import Table

from extract import __version__, settings
from extract.memory import end_without_last_collection, use_pipeline_memory
from extract.research import commands as research
from extract.research.commands import fail, writable_folder

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Chinese government open-information annual reports → Parquet data.")
console = Console()

DEFAULT_CURATED = settings.CURATED_DIR
DEFAULT_RAW = settings.RAW_DIR
DEMO_PORT = settings.DEMO_PORT
CURATED_HELP = "Where the three datasets are written (the curated folder)."


def _curated(old_name: str):
    """The curated folder's option: `--curated` on every command, the command's old name kept as an alias."""
    return typer.Option(DEFAULT_CURATED, "--curated", old_name, metavar="DIR", help=CURATED_HELP,
                        callback=writable_folder)


def _raw_option(help: str = "The raw archive."):
    return typer.Option(DEFAULT_RAW, "--raw", metavar="DIR", help=help, callback=writable_folder)


# the options `ogi run` and `ogi serve` share (the pipeline's), defined once
def _year_option():
    return typer.Option(None, "--year", metavar="YEAR", help="Parse only reports of this year (repeatable).")


def _portal_option():
    return typer.Option(None, "--portal", metavar="NAME", help="Parse only documents of this portal (repeatable).")


def _max_pages_option():
    return typer.Option(None, "--max-pages", min=1, help="HTML pages fetched per portal at most (default: 500).")


def _dask_option():
    return typer.Option(None, "--dask", metavar="ADDRESS", help="Parse on this Dask scheduler (e.g. tcp://10.0.0.5:8786).")


def _workers_option():
    return typer.Option(None, "--workers", min=1, help="Local parse processes (default: one per core).")


def _verbose_option():
    return typer.Option(False, "--verbose", help="Show Prefect's logs.")


def _show_version(value: bool) -> None:
    if value:
        console.print(__version__)
        raise typer.Exit()


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                              help="Print the package version and exit.")) -> None:
    """Chinese government open-information annual reports → Parquet data."""
    use_pipeline_memory()


def _checked_portals(portals: Path | None) -> None:
    """A usage error (exit 2, one line per problem) when the portals file cannot be used."""
    if portals is None:
        return
    from extract.crawl.portals import PortalsError, load_portals

    try:
        load_portals(portals)
    except PortalsError as exc:
        fail(*str(exc).splitlines(), hint="--portals")


def _progress(total: int) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=True, disable=total < 20 or not console.is_terminal)


def print_summary(summary, out: Path) -> None:
    """Reports by status, cells, flags by check, and where the data is."""
    table = Table(title=f"{summary.total} documents, {summary.cells} cells → {out}", show_header=True)
    table.add_column("reports by status")
    table.add_column("n", justify="right")
    for status, n in sorted(summary.reports.items()):
        table.add_row(status, str(n))
    console.print(table)
    if summary.flags:
        flags = Table(show_header=True)
        flags.add_column("flags by check")
        flags.add_column("n", justify="right")
        for check, n in summary.flags.most_common():
            flags.add_row(check, str(n))
        console.print(flags)
    for path, error in summary.failures[:10]:
        console.print(f"[yellow]{path}[/]: {error}")


@app.command()
def parse(paths: list[Path] = typer.Argument(..., help="Files or folders (recursively)."),
          out: Path = _curated("--out"),
          include: Optional[list[str]] = typer.Option(None, "--include", metavar="GLOB",
                                                      help="In folders, parse only files whose name matches "
                                                           "(repeatable; default: every report-like file)."),
          exclude: Optional[list[str]] = typer.Option(None, "--exclude", metavar="GLOB",
                                                      help="In folders, skip files whose name matches "
                                                           "(repeatable; sidecars such as *.truth.csv and "
                                                           "*.json are always skipped unless --include'd).")) -> None:
    """Parse local report files and write the reports, cells and flags datasets."""
    from extract.store.curate import curate, expand_paths, parse_files

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(map(str, missing))}")
    files = expand_paths(paths, include=include, exclude=exclude)
    with _progress(len(files)) as progress:
        task = progress.add_task("parsing", total=len(files))
        summary = curate(parse_files(files, on_done=lambda _: progress.advance(task)), out)
    print_summary(summary, out)


@app.command()
def run(portals: Optional[Path] = typer.Option(None, "--portals", metavar="FILE",
                                               help="Crawl the portals of this TOML file instead of the demo portal."),
        raw: Path = _raw_option(),
        out: Path = _curated("--out"),
        year: Optional[list[int]] = _year_option(),
        portal: Optional[list[str]] = _portal_option(),
        max_pages: Optional[int] = _max_pages_option(),
        dask: Optional[str] = _dask_option(),
        workers: Optional[int] = _workers_option(),
        demo_port: int = typer.Option(DEMO_PORT, "--demo-port", help="Port of the demo portal (taken: any free one)."),
        verbose: bool = _verbose_option()) -> None:
    """The whole pipeline as Prefect flows: crawl, parse what is new, curate, check, publish artifacts.

    With no --portals, on the built-in demo portal served on 127.0.0.1: no network needed.
    Exits 1 when the crawl failed (what the archive held was still parsed)."""
    _checked_portals(portals)
    started = time.monotonic()
    home = _start_prefect(verbose)
    from extract.flows.runtime import listening, prefect_api, temporary_server

    server = temporary_server()  # first: it starts in a subprocess while this one does the rest
    with ExitStack() as stack:
        stack.callback(server.stop) if server is not None else None
        start_urls = stack.enter_context(_demo_portal(demo_port)) if portals is None else None
        pipeline = _flow_module("pipeline")  # imports Prefect while the demo portal renders its files
        bars = stack.enter_context(_stage_bars())
        stack.enter_context(listening(bars))
        bars("prefect", 0, None)  # its temporary server takes a few seconds to start
        api = stack.enter_context(prefect_api(server))
        bars("prefect", 1, 1)
        state = pipeline.pipeline_flow(urls=start_urls, portals_file=str(portals) if portals else None,
                                       raw_dir=str(raw), curated_dir=str(out), rate=settings.DEMO_RATE if start_urls else 1.0,
                                       dask_address=dask, workers=workers, years=year, portals=portal,
                                       **({"max_pages": max_pages} if max_pages else {}), return_state=True)
        result = state.result(raise_on_failure=False)
        if not isinstance(result, dict):  # the pipeline itself broke: nothing to summarise
            fail(f"the pipeline run {state.name}: {state.message}", code=1)
    from extract.flows.artifacts import dataset_summary

    print_summary(dataset_summary(out), out)
    crawled, parsed = result["crawl"], result["parse"]
    if "error" in crawled:
        console.print(f"[red]the crawl failed[/]: {escape(crawled['error'])} (the archive's documents were parsed)")
    console.print(f"this run: {crawled.get('new', 0)} new documents archived, {parsed['parsed']} parsed, "
                  f"{parsed['up_to_date']} already up to date, {parsed['superseded']} old versions replaced"
                  + (f", [red]{parsed['failed_batches']} batches failed[/]" if parsed["failed_batches"] else "")
                  + (f", {result['cross_flags']} cross-report flags" if result.get("cross_flags") is not None else "")
                  + f" · {time.monotonic() - started:.0f} s")
    console.print(f"data: {out}/ (reports, cells, flags) · archive: {raw}/")
    if api.startswith("http://127.0.0.1") and os.environ.get("PREFECT_API_URL") is None:
        console.print(f"runs and artifacts in the Prefect UI: `PREFECT_HOME={home} prefect server start`, "
                      "then http://127.0.0.1:4200")
    else:
        console.print(f"runs and artifacts in the Prefect UI of {api.removesuffix('/api')}")
    if not state.is_completed():
        raise typer.Exit(1)

@app.command()
def serve(portals: Optional[Path] = typer.Option(None, "--portals", metavar="FILE",
                                                 help="Portals to crawl (default: the built-in list)."),
          raw: Path = _raw_option(),
          out: Path = _curated("--out"),
          cron: Optional[str] = typer.Option(None, "--cron", help="When to run (default: 07:00 Beijing time, "
                                             "every day from January to March)."),
          year: Optional[list[int]] = _year_option(),
          portal: Optional[list[str]] = _portal_option(),
          max_pages: Optional[int] = _max_pages_option(),
          dask: Optional[str] = _dask_option(),
          workers: Optional[int] = _workers_option(),
          verbose: bool = _verbose_option()) -> None:
    """Register the pipeline with a schedule and run it when due (needs `prefect server start`)."""
    _checked_portals(portals)
    _start_prefect(verbose)
    from prefect.settings import PREFECT_API_URL

    schedule = _checked_cron(cron)
    api = PREFECT_API_URL.value()
    if not api:
        console.print("[red]schedules need a Prefect server.[/] In another terminal: `prefect server start`; "
                      "then here: `export PREFECT_API_URL=http://127.0.0.1:4200/api` and `ogi serve` again.")
        raise typer.Exit(2)
    _checked_server(api)
    pipeline = _flow_module("pipeline")
    options = pipeline.serve_options(**schedule, portals_file=_absolute(portals),
                                     raw_dir=_absolute(raw), curated_dir=_absolute(out), dask_address=dask,
                                     workers=workers, years=year, portals=portal, max_pages=max_pages)
    console.print(f"serving the pipeline as deployment {options['name']!r} on {PREFECT_API_URL.value()} "
                  f"({options['schedules'][0].cron}, {options['schedules'][0].timezone}); Ctrl-C stops")
    pipeline.pipeline_flow.serve(**options)


@app.command()
def crawl(urls: Optional[list[str]] = typer.Argument(None, metavar="[URL]...", help="Listing pages to crawl."),
          portals: Optional[Path] = typer.Option(None, "--portals", metavar="FILE",
                                                 help="TOML file of \\[\\[portal]] entries."),
          raw: Path = _raw_option(),
          rate: float = typer.Option(1.0, "--rate", help="Requests per second per host."),
          max_pages: int = typer.Option(500, "--max-pages", min=1, help="HTML pages fetched per portal at most.")) -> None:
    """Crawl listing pages (or the portals in FILE; with neither, the built-in portals) into the archive."""
    from extract.crawl.crawler import crawl as crawl_portals
    from extract.crawl.portals import resolve_portals

    _checked_portals(portals)
    targets = resolve_portals(urls, portals)
    seen = {"fetches": 0, "reports": 0}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(f"crawling {len(targets)} portals", total=None)

        def advance(row: dict) -> None:
            seen["fetches"] += 1
            seen["reports"] += row.get("outcome") in ("new", "unchanged", "not_modified")
            progress.update(task, description=f"crawling: {seen['fetches']} fetches, {seen['reports']} reports")

        summary = crawl_portals(portals=targets, raw_dir=raw, rate=rate, max_pages=max_pages, progress=advance)
    console.print(f"{summary} → {raw}/")


@app.command()
def forge(out: Path = typer.Option(..., "--out", metavar="DIR", callback=writable_folder,
                                   help="Folder for the forged files and their truth CSVs."),
          seed: int = typer.Option(0, "--seed", help="Seed of the forged numbers.")) -> None:
    """Write forged reports (every format and messy case) with their truth, for tests and demos."""
    from extract.forge import forge_samples

    written = forge_samples(out, seed)
    console.print(f"{len(written)} forged reports (and their .truth.csv) → {out}/")


@app.command("demo-portal")
def demo_portal(port: int = typer.Option(DEMO_PORT, "--port", help="Port on 127.0.0.1."),
                seed: int = typer.Option(0, "--seed", help="Seed of the forged reports.")) -> None:
    """Serve the forged demo portal on 127.0.0.1 until Ctrl-C (what `ogi run` crawls)."""
    from extract.forge.portal import serve_demo_portal

    serve_demo_portal(port=port, seed=seed, cache=settings.demo_cache_dir())


# the research commands (extract.research.commands): checks across reports, corrections, the HTML report
app.command()(research.check)
app.command()(research.correct)
app.command()(research.report)


@app.command()
def version() -> None:
    """Print the package version."""
    console.print(__version__)


def _start_prefect(verbose: bool) -> Path:
    """Prefect's environment, set before Prefect is first imported (it reads it at import)."""
    from extract.flows.runtime import prefect_environment

    return prefect_environment(verbose=verbose)


def _checked_cron(cron: str | None) -> dict:
    """`serve_options`' schedule arguments; a usage error for a cron string Prefect would refuse."""
    if cron is None:
        return {}
    from prefect.schedules import Cron

    try:
        Cron(cron)
    except ValueError as exc:
        fail(f"--cron {cron!r} is not a cron schedule ({str(exc).splitlines()[0]}); e.g. \"0 7 * 1-3 *\"")
    return {"cron": cron}


def _checked_server(api: str) -> None:
    """A usage error when the Prefect server of PREFECT_API_URL does not answer."""
    import httpx

    try:
        httpx.get(f"{api.rstrip('/')}/health", timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        fail(f"no Prefect server answers at PREFECT_API_URL={api} ({type(exc).__name__}: {exc}); "
             "start one with `prefect server start`")


def _flow_module(name: str):
    """A flow module of the package (`extract.flows`), imported when a command needs Prefect."""
    return importlib.import_module(f"extract.flows.{name}")


@contextmanager
def _demo_portal(port: int) -> Iterator[list[str]]:
    """The demo portal's start URLs while the block runs; its files render in the background meanwhile."""
    from extract.forge.portal import DemoPortal

    try:
        portal = DemoPortal(seed=0, port=port, cache=settings.demo_cache_dir()).start()
    except OSError:  # the port is taken: any free one (a rerun then fetches every file again)
        portal = DemoPortal(seed=0, port=0, cache=settings.demo_cache_dir()).start()
    console.print(f"demo portal on {portal.base_url}/")
    threading.Thread(target=_render_all, args=(portal,), name="demo-portal-warm-up", daemon=True).start()
    try:
        yield portal.start_urls
    finally:
        portal.stop()


def _render_all(portal) -> None:
    for file in portal.expected:
        try:
            portal.content(file.url.removeprefix(portal.base_url))
        except Exception:  # noqa: BLE001 - the crawl will meet the same error and record it
            pass


@contextmanager
def _stage_bars() -> Iterator:
    """Rich progress bars fed by the flows' progress reports (`extract.flows.runtime.report_progress`)."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, disable=not console.is_terminal)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    with progress:
        yield update


def _absolute(path: Path | None) -> str | None:
    return None if path is None else str(path.resolve())


def main() -> None:  # pragma: no cover
    """The `ogi` command (a process of its own, unlike the tests' `CliRunner`)."""
    end_without_last_collection()
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
