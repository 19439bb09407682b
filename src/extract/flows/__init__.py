"""The Prefect flows, inside the package so that any install runs the pipeline: `crawl`, `parse`,
`pipeline` (crawl + parse + cross-report checks + artifacts), with the Prefect runtime they need
(`runtime`: the temporary server, progress reports) and the artifacts they publish (`artifacts`).
`ogi run` and `ogi serve` run them; the top-level ``flows/*.py`` files are runnable entry points."""

from __future__ import annotations

import sys
from importlib import import_module


def run_script(name: str, server: bool = False) -> None:
    """``python flows/<name>.py …``: Prefect's environment set before Prefect is imported, then the
    flow's own command line (`extract.flows.<name>.main`). With `server`, the temporary Prefect
    server starts first, in a subprocess, while this one imports Prefect (not for ``--help``)."""
    from extract.flows.runtime import prefect_environment, temporary_server
    from extract.memory import end_without_last_collection

    end_without_last_collection()
    prefect_environment(verbose="--verbose" in sys.argv)
    if not server:
        import_module(f"extract.flows.{name}").main()
        return
    started = None if {"-h", "--help"} & set(sys.argv) else temporary_server()
    import_module(f"extract.flows.{name}").main(server=started)
