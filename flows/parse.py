"""Prefect flow: the raw archive → the curated datasets, incrementally (`extract.flows.parse`).

The flow lives in the package, so an installed `ogi` runs it without this file; this file runs it
on its own: ``python flows/parse.py --help``.
"""

if __name__ == "__main__":
    from extract.flows import run_script

    run_script("parse", server=True)
