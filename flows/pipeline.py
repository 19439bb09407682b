"""Prefect flow: the whole pipeline, crawl → parse → cross-report checks → artifacts
(`extract.flows.pipeline`), runnable on its own: ``python flows/pipeline.py --help``. `ogi run`
and `ogi serve` run the same flow from the package.
"""

if __name__ == "__main__":
    from extract.flows import run_script

    run_script("pipeline", server=True)
