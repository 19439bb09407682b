"""The cross-report checks over the datasets in bounded memory (`scan_cross_checks`) find exactly what
the whole-frame checks (`cross_checks`) find, in the same order, on a forged collection with every kind
of finding: several agencies and years, backlogs that carry over and some that do not, a report copied
from last year and one from another agency, one report in two formats, one file at two addresses,
legacy chains (one broken), a number the prose contradicts. Then again with every year partition
split into several files and record batches smaller than a report, so a report's tables straddle
batches."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extract.check import collection as crossreport
from extract.crawl.archive import Archive, read_manifest
from extract.forge import generate, render_html
from extract.forge.html import Chrome, cms_article_body, cms_page
from extract.forge.legacy import generate_legacy, render_legacy
from extract.forge.model import AGENCIES, Printed, following_year
from extract.forge.prose import write_prose
from extract.forge.text import render_text
from extract.parse import parse_bytes
from extract.store.curate import curate
from extract.store.datasets import dataset_files, read_dataset

CITY = 1


def html(report) -> bytes:
    return render_html(report, style="cms")


def said(report, number: int) -> bytes:
    """The CMS page of `report` whose prose states `number` 新收 (the tables untouched)."""
    prose = write_prose(report)
    heading, paragraphs = prose.sections[0]
    prose.sections[0] = (heading, [p.replace("全年共新收政府信息公开申请", f"全年共新收政府信息公开申请{number}件，其中")
                                   if "全年共新收" in p else p for p in paragraphs])
    return cms_page(report.title, cms_article_body(report, prose), Chrome(source=report.agency))


def collection() -> list[tuple[str, bytes]]:
    files = []
    for agency in (0, CITY, 2, 4, 7):  # a chain of years each: 上一年项目数量 carry on, the backlog does not
        report = generate(300 + agency, "2021", year=2021, agency=agency)
        for year in (2021, 2022, 2023):
            files.append((f"a{agency}-{year}.html", html(report)))
            report = following_year(report, 400 + 10 * agency + year)
    last_year = generate(501, "2021", year=2024, agency=CITY)
    files += [("copied-2024.html", html(last_year)),
              ("copied-2025.html", html(replace(last_year, year=2025, published=date(2026, 1, 20))))]
    name, level, province, city, county = AGENCIES[2]
    files.append(("other-agency.html", html(replace(last_year, agency=name, level=level, province=province,
                                                    city=city, county=county))))
    twice = generate(502, "2021", year=2024, agency=4)
    files += [("twice.html", html(twice)), ("twice.txt", render_text(twice, style="tsv"))]
    stated = generate(503, "2021", year=2026, agency=CITY)  # its prose states 新收
    files.append(("stated.html", said(stated, 999)))
    first = generate_legacy(21, "fujian", year=2015, agency=1)
    second = generate_legacy(22, "fujian", year=2016, agency=1, previous=first)
    third = generate_legacy(23, "fujian", year=2017, agency=1, previous=second)
    row = next(r for r in third.rows if r.key == "proactive.gazette")
    row.values["cumulative"] = Printed(str(int(row.values["cumulative"].value) + 4),
                                       row.values["cumulative"].value + 4, "number")
    files += [(f"legacy-{r.year}.html", render_legacy(r, "html")) for r in (first, second, third)]
    return files


def split_partitions(root, name: str, files: int) -> None:
    """Every year partition of dataset `name` rewritten as `files` other files (whatever files the
    store wrote: the scan must not depend on them)."""
    for part in (root / name).glob("year=*"):
        old = sorted(part.glob("part-*.parquet"))
        table = pa.concat_tables([pq.read_table(f, partitioning=None) for f in old])
        for f in old:
            f.unlink()
        bucket = [int(hashlib.sha256(r.encode()).hexdigest(), 16) % files
                  for r in table.column("report_id").to_pylist()]
        for b in range(files):
            rows = table.filter([x == b for x in bucket])
            if rows.num_rows:
                pq.write_table(rows, part / f"part-split{b}.parquet")


def test_the_scan_finds_what_the_whole_frames_find(tmp_path, monkeypatch):
    files = collection()
    root = tmp_path / "curated"
    curate([parse_bytes(data, name) for name, data in files], root)
    archive = Archive(tmp_path / "raw")
    sha, _ = archive.put(files[0][1])
    writer = archive.writer()
    for url in ("http://127.0.0.1:8000/zwgk/ndbg/1.html", "http://127.0.0.1:8000/bm/ndbg/1.html"):
        writer.add({"sha256": sha, "url": url, "final_url": url, "role": "report", "outcome": "new", "format": "html"})
    writer.flush()
    manifest = read_manifest(tmp_path / "raw")
    whole = crossreport.cross_checks(read_dataset(root, "reports"), read_dataset(root, "cells"), manifest)

    found = whole.groupby("check")["severity"].agg(list).to_dict()
    assert set(found) == set(crossreport.CROSS_CHECKS)  # every check has something to find
    assert "info" in found["report.duplicate"] and "warning" in found["report.duplicate"]

    pd.testing.assert_frame_equal(crossreport.scan_cross_checks(root, manifest), whole)
    split_partitions(root, "cells", 3)
    split_partitions(root, "reports", 2)
    assert len(list(root.glob("cells/year=*/*.parquet"))) > 6
    monkeypatch.setattr(crossreport, "BATCH_ROWS", 7)  # a report's cells across many batches
    pd.testing.assert_frame_equal(crossreport.scan_cross_checks(root, manifest), whole)


def test_fingerprints_meet_exactly_when_the_cells_are_the_same(tmp_path):
    """Candidates for the exact comparison: the copied table's reports, not the others."""
    original = generate(511, "2021", year=2023, agency=CITY)
    copied = replace(original, year=2024, published=date(2025, 1, 20))
    changed = replace(original, year=2022, published=date(2023, 1, 20), cells=dict(original.cells))
    key = ("requests", "new_received", "natural_person")
    changed.cells[key] = Printed("1234567", 1234567.0, "number")
    root = tmp_path / "curated"
    results = [parse_bytes(html(r), f"{r.year}.html") for r in (original, copied, changed)]
    curate(results, root)
    reports = read_dataset(root, "reports")
    prints = crossreport.table_fingerprints(dataset_files(root, "cells"), batch_rows=5)
    assert len(prints) == len(read_dataset(root, "cells").groupby(["report_id", "table"]))
    tables, whole = crossreport.copy_candidates(reports, prints)
    ids = [r.report["report_id"] for r in results]
    assert {ids[0], ids[1]} <= tables and whole == {ids[0], ids[1]}  # the exact step then tells the years apart
    assert ids[2] in tables  # its other tables are the original's
    fingerprint = prints.set_index(["report_id", "table"])[["low", "high", "count"]]
    assert (fingerprint.loc[(ids[0], "requests")] == fingerprint.loc[(ids[1], "requests")]).all()
    assert (fingerprint.loc[(ids[0], "requests")] != fingerprint.loc[(ids[2], "requests")]).any()
