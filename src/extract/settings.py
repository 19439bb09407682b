"""The project's defaults, defined once: where the data lives, the demo portal's port, how many
documents go to one write. Commands, flows and library functions take them as their defaults."""

from __future__ import annotations

from pathlib import Path

#: the raw archive: content-addressed report files and the crawl manifest (`extract.crawl.archive`)
RAW_DIR = Path("data/raw")
#: the curated datasets (`reports`, `cells`, `flags`, `agencies`, `corrections`)
CURATED_DIR = Path("data/curated")
#: the demo portal's port (`ogi run`, `ogi demo-portal`): a fixed port keeps its URLs, so a rerun gets 304s
DEMO_PORT = 8765
