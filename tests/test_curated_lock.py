"""Every writer of the curated folder holds its lock while it writes: the parse (`curate`), the
pipeline's commit, `ogi check` (cross-report flags) and `ogi correct` (the corrections dataset).

The real writers run; a spy around the atomic file replace asks, at the moment each file lands,
whether another open of the lock file could take the lock (it cannot while a writer holds it)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from extract.store.curate import curate
from extract.store.datasets import LOCK_FILE
from extract.forge import generate, render_html
from extract.parse import parse_bytes
from extract.store.corrections import apply_corrections
from extract.check.collection import run_cross_checks

HEADER = "report_id,agency,year,table,row,column,value,reason,who,date"


def lock_is_held(root: Path) -> bool:
    with open(root / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


@pytest.fixture
def landed(monkeypatch):
    """(file written, lock held at that moment) for every atomic replace under a curated folder."""
    seen: list[tuple[str, bool]] = []
    real_replace = os.replace

    def spy(src, dst, *args, **kwargs):
        dst = Path(dst)
        root = next((p for p in dst.parents if (p / LOCK_FILE).exists()), None)
        if root is not None:
            seen.append((str(dst.relative_to(root)), lock_is_held(root)))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", spy)
    return seen


@pytest.fixture
def curated(tmp_path):
    root = tmp_path / "curated"
    one, two = generate(81, "2021", year=2022, agency=1), generate(82, "2021", year=2023, agency=1)
    curate([parse_bytes(render_html(r, style="cms"), f"{r.year}.html") for r in (one, two)], root)
    return root


def test_ogi_check_writes_flags_under_the_lock(curated, landed):
    run_cross_checks(curated)
    written = [(path, held) for path, held in landed if path.startswith("flags")]
    assert written and all(held for _, held in written), written


def test_ogi_correct_writes_under_the_lock(curated, landed, tmp_path):
    report_id = parse_bytes(render_html(generate(82, "2021", year=2023, agency=1), style="cms"), "x").report["report_id"]
    file = tmp_path / "corrections.csv"
    file.write_text(f"{HEADER}\n{report_id},,,requests,carried_over,total,5,a reason,me,2026-01-01\n", encoding="utf-8")
    apply_corrections(curated, file)
    written = [(path, held) for path, held in landed if path.startswith("corrections")]
    assert written and all(held for _, held in written), written


def test_the_parse_writes_under_the_lock(tmp_path, landed):
    root = tmp_path / "curated"
    root.mkdir()
    (root / LOCK_FILE).touch()
    curate([parse_bytes(render_html(generate(83)), "a.html")], root)
    written = [(path, held) for path, held in landed if not path.startswith(".staging")]  # the run's own folder
    assert written and all(held for _, held in written), written
