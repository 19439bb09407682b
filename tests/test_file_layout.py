"""The store's files: a year partition split into report files (`part-<bucket>.parquet`), only the
files holding changed reports rewritten, an old one-file partition split by the next write, and a
bare `ogi parse` that commits as it goes (a run killed midway keeps at least half its work)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.forge.html import render_html
from extract.forge.model import generate
from extract.forge.text import render_text
from extract.store import curate as curate_module
from extract.store.curate import curate, parse_files
from extract.store.datasets import (BUCKET_DIGITS, PART_GLOB, WHOLE_FILE, bucket_of, buckets_of, dataset_files,
                                    read_dataset)

DATASETS = ("reports", "cells", "flags")


@pytest.fixture(scope="module")
def reports_folder(tmp_path_factory) -> Path:
    """Forty forged reports of two years, HTML and text."""
    folder = tmp_path_factory.mktemp("forty")
    for seed in range(40):
        report = generate(700 + seed, "2021", year=2022 + seed % 2)
        data = render_html(report) if seed % 2 else render_text(report)
        (folder / f"r{seed:02d}.{'html' if seed % 2 else 'txt'}").write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def curated(reports_folder, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("curated")
    summary = curate(parse_files(sorted(reports_folder.iterdir())), out)
    assert summary.reports["ok"] == 40
    return out


def _stamps(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_ino)
            for name in DATASETS for p in dataset_files(root, name)}


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for name in DATASETS for p in dataset_files(root, name)}


@pytest.mark.parametrize("name", DATASETS)
def test_every_row_of_a_report_is_in_the_file_its_id_names(curated, name):
    files = dataset_files(curated, name)
    assert len(files) > (20 if name != "flags" else 5)  # forty reports over two years: many files, not one a year
    for file in files:
        assert file.parent.name in ("year=2022", "year=2023")
        ids = pq.read_table(file, columns=["report_id"]).column("report_id").to_pylist()
        assert {f"part-{bucket_of(i)}.parquet" for i in ids} == {file.name}
    assert len(read_dataset(curated, name)) == sum(pq.ParquetFile(f).metadata.num_rows for f in files)


@pytest.mark.parametrize("report_id, bucket", [
    ("3f" + "a" * 62, "3f"),
    ("unread:" + "c4" + "0" * 62, "c4"),  # an unreadable file: the digest of its path
    ("r1", hashlib.sha256(b"r1").hexdigest()[:2]),  # any other id: its own digest
])
def test_the_bucket_of_a_report(report_id, bucket):
    assert bucket_of(report_id) == bucket and len(bucket) == BUCKET_DIGITS
    assert buckets_of(pa.array([report_id, "x", report_id])).to_pylist() == [bucket, bucket_of("x"), bucket]


def test_a_changed_report_rewrites_only_its_own_files(reports_folder, curated, tmp_path):
    import shutil

    out = tmp_path / "curated"
    shutil.copytree(curated, out)
    before = _stamps(out)
    changed = render_html(generate(799, "2021", year=2022))  # a new report of 2022
    (tmp_path / "new.html").write_bytes(changed)
    curate(parse_files([tmp_path / "new.html"]), out)
    bucket = bucket_of(hashlib.sha256(changed).hexdigest())
    after = _stamps(out)
    rewritten = {path for path in after if before.get(path) != after[path]}
    assert rewritten and all(p.endswith(f"year=2022/part-{bucket}.parquet") for p in rewritten)
    assert {p.split("/")[0] for p in rewritten} <= set(DATASETS)
    assert len(read_dataset(out, "reports")) == 41


def test_an_old_one_file_partition_is_split_by_the_next_write(reports_folder, curated, tmp_path):
    import shutil

    out = tmp_path / "old"
    shutil.copytree(curated, out)
    for name in DATASETS:  # as an earlier version wrote it: each year whole in part-0.parquet
        for year in (out / name).glob("year=*"):
            files = sorted(year.glob(PART_GLOB))
            pq.write_table(pa.concat_tables([pq.read_table(f) for f in files]), year / WHOLE_FILE)
            for f in files:
                f.unlink()
    for name in DATASETS:
        assert len(read_dataset(out, name)) == len(read_dataset(curated, name))  # the old layout still reads
    curate(parse_files([sorted(reports_folder.iterdir())[0]]), out)  # any write (one report parsed again)
    assert not list(out.glob(f"*/year=*/{WHOLE_FILE}"))
    # the same files as if written this way from the start (the one report parsed again: a new parsed_at)
    assert {k: v for k, v in _digests(out).items() if not k.startswith("reports")} == \
           {k: v for k, v in _digests(curated).items() if not k.startswith("reports")}
    pd.testing.assert_frame_equal(read_dataset(out, "reports").drop(columns="parsed_at"),
                                  read_dataset(curated, "reports").drop(columns="parsed_at"))


def test_a_killed_split_is_redone_without_duplicates(curated, tmp_path):
    import shutil

    from extract.store.datasets import migrate_layout

    out = tmp_path / "half"
    shutil.copytree(curated, out)
    year = out / "cells" / "year=2023"
    files = sorted(year.glob(PART_GLOB))
    pq.write_table(pa.concat_tables([pq.read_table(f) for f in files]), year / WHOLE_FILE)
    for f in files[len(files) // 2:]:  # killed halfway: half the report files written, the old file kept
        f.unlink()
    migrate_layout(out)
    assert not (year / WHOLE_FILE).exists()
    assert _digests(out) == _digests(curated)


BARE_PARSE_KILLED = """
import os, sys
from pathlib import Path
from extract.store import curate as c
c.FIRST_COMMIT = 2
real = c.parse_path
seen = []
def parse_path(path, url=None):
    seen.append(path)
    if len(seen) == 7:
        os._exit(9)  # killed while parsing the 7th file
    return real(path, url)
c.parse_path = parse_path
files = sorted(Path(sys.argv[1]).iterdir())[:10]
c.curate(c.parse_files(files), Path(sys.argv[2]), batch=1)
"""


def test_a_killed_bare_parse_keeps_at_least_half_of_its_work(reports_folder, tmp_path):
    """Commits after 2 reports, then whenever the staged reach the committed (2, 4, 8…): killed at
    the 7th file, the 4 committed are in the datasets, whole, and nothing staged is visible."""
    out = tmp_path / "curated"
    proc = subprocess.run([sys.executable, "-c", BARE_PARSE_KILLED, str(reports_folder), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 9, proc.stderr[-2000:]
    reports, cells = read_dataset(out, "reports"), read_dataset(out, "cells")
    assert len(reports) == 4 and set(cells["report_id"]) == set(reports["report_id"])
    assert list((out / ".staging").iterdir())  # the two staged and uncommitted: hidden, swept later


def test_the_bare_parse_commits_a_few_times_not_once_per_batch(reports_folder, tmp_path, monkeypatch):
    commits = []
    real = curate_module.commit
    monkeypatch.setattr(curate_module, "commit", lambda out, stage: commits.append(1) or real(out, stage))
    monkeypatch.setattr(curate_module, "FIRST_COMMIT", 2)
    out = tmp_path / "curated"
    curate(parse_files(sorted(reports_folder.iterdir())[:10]), out, batch=1)
    assert len(commits) == 4  # after 2, 4, 8 reports and at the end
    assert len(read_dataset(out, "reports")) == 10 and not (out / ".staging").exists()
    clean = tmp_path / "clean"
    curate(parse_files(sorted(reports_folder.iterdir())[:10]), clean)
    pd.testing.assert_frame_equal(read_dataset(out, "cells"), read_dataset(clean, "cells"))
