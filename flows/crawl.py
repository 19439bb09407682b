"""Prefect flow: crawl portals into the raw archive. A runnable entry point: the flow lives in the
package (`extract.flows.crawl`), so an installed `ogi` runs it without this file.

    python flows/crawl.py --help
"""

from extract.flows.crawl import crawl_flow, main

__all__ = ["crawl_flow", "main"]

if __name__ == "__main__":
    main()
