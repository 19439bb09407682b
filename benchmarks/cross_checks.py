"""Do the cross-report checks hold a national collection? Wall time and peak RSS of the whole-frame
checks (`cross_checks` over `read_dataset` of `reports` and `cells`, as `run_cross_checks` ran them
before) against the bounded scan (`scan_cross_checks`), at 2,000, 10,000 and 30,000 reports.

The collection is synthetic but made of parsed cells: a few dozen forged reports (2021 and 2019
templates, pre-2019 legacy tables) are rendered and parsed once, then replicated under new
report_ids, agencies and years: every agency reports for `YEARS` consecutive years (legacy before
2019, the 2019 template in 2019-2020, the 2021 one after), each replica's non-zero numbers shifted
by its own offset (its number) (so tables differ, as real ones do), with a copy of last year's tables every
`COPY_EVERY` reports and one report published twice (same cells, another report_id) every
`TWICE_EVERY`. The curated folder of each size (one Parquet file per year partition, the store's
layout) is cached under `benchmarks/.cache/cross/` (git-ignored).

Each measurement is a fresh Python process (measured with `os.wait4`: its own peak RSS, whatever its
children), after a process that only imports the same modules (the baseline RSS both carry). Prints
per size: seconds, peak MB, MB above the baseline, the ratios new/old, and whether the two gave the
same flags.

    python benchmarks/cross_checks.py                      # 2,000 reports
    python benchmarks/cross_checks.py --sizes 2000,10000,30000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "benchmarks" / ".cache" / "cross-by-report"  # the store's layout: a file per report bucket
YEARS = 15
FIRST_YEAR = 2010
COPY_EVERY = 200
TWICE_EVERY = 500
BASES = 12  # forged reports per template family
COMPLETE = ".complete"  # written last into a built folder: its number of cells


# --- the collection, once per size --------------------------------------------------------------

def base_reports():
    """Parsed forged reports by family ("legacy", "2019", "2021"): (report row, cells frame) each, cached."""
    import pandas as pd

    folder = CACHE / "base"
    if not (folder / "cells.parquet").exists():
        from extract.forge import generate, render_html
        from extract.forge.legacy import generate_legacy, render_legacy
        from extract.parse import parse_bytes

        results = []
        for seed in range(BASES):
            forged = [("legacy", render_legacy(generate_legacy(700 + seed, "fujian", year=2015, agency=1), "html")),
                      ("2019", render_html(generate(800 + seed, "2019", year=2019, agency=1), style="cms")),
                      ("2021", render_html(generate(900 + seed, "2021", year=2023, agency=1), style="cms"))]
            for family, data in forged:
                result = parse_bytes(data, f"{family}-{seed}.html")
                results.append((family, seed, result))
        folder.mkdir(parents=True, exist_ok=True)
        reports = pd.DataFrame([{**r.report, "family": f, "base": s} for f, s, r in results])
        cells = pd.concat([r.cells.assign(family=f, base=s) for f, s, r in results], ignore_index=True)
        reports.to_parquet(folder / "reports.parquet")
        cells.drop(columns=["page"]).to_parquet(folder / "cells.parquet")
    return pd.read_parquet(folder / "reports.parquet"), pd.read_parquet(folder / "cells.parquet")


def family_of(year: int) -> str:
    return "legacy" if year < 2019 else "2019" if year < 2021 else "2021"


def build(n: int) -> Path:
    """The curated folder of `n` synthetic reports (built once)."""
    root = CACHE / f"n{n}" / "curated"
    if (root / COMPLETE).exists():
        return root
    import numpy as np
    import pandas as pd

    from extract.atomic import write_parquet_atomic
    import pyarrow.compute as pc

    from extract.store.datasets import buckets_of, conform, part_path, sort_rows, to_table

    base_rows, base_cells = base_reports()
    bases = {key: frame.reset_index(drop=True) for key, frame in base_cells.groupby(["family", "base"])}
    rows_of = {(r["family"], r["base"]): r for r in base_rows.to_dict("records")}
    last: dict[int, tuple] = {}  # agency -> (family, base, cells, values) of its report of the year before
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        reports, cells = [], []
        family = family_of(year)
        for i in range(year - FIRST_YEAR, n, YEARS):  # report i: agency i // YEARS, year FIRST_YEAR + i % YEARS
            agency = i // YEARS
            before = last.get(agency)
            copied = i % COPY_EVERY == COPY_EVERY - 1 and before is not None and before[0] == family
            base = before[1] if copied else i % BASES
            piece = bases[(family, base)]
            number = ((piece["kind"] == "number") & (piece["value"] != 0)).to_numpy()
            if copied:  # last year's tables, not updated
                value = before[3]
            else:
                value = piece["value"].to_numpy(copy=True)
                value[number] += i  # each report its own numbers
                if before is not None:  # across templates too
                    _carry_on(piece, value, before[2], before[3])
            last[agency] = (family, base, piece, value)
            raw = piece["raw"].to_numpy(copy=True)
            raw[number] = [f"{v:g}" for v in value[number]]
            name = f"合成省合成市第{agency}县人民政府"
            row = rows_of[(family, base)]
            stated = {c: (row[c] if i % 50 == 0 else None) for c in row if c.startswith("stated_")}
            for copy in range(2 if i % TWICE_EVERY == TWICE_EVERY - 1 else 1):  # one report published twice
                report_id = hashlib.sha256(f"synthetic-{i}-{copy}".encode()).hexdigest()
                cells.append(piece.assign(report_id=report_id, year=year, value=value, raw=raw))
                reports.append({**row, **stated, "report_id": report_id, "year": year, "agency": name,
                                "agency_id": f"ag-{agency:016x}", "source_path": f"synthetic/{i}-{copy}.html",
                                "title": f"{name}{year}年政府信息公开工作年度报告"})
        for name, frame in (("reports", pd.DataFrame(reports)), ("cells", pd.concat(cells, ignore_index=True))):
            table = conform(to_table(name, frame), name)
            buckets = buckets_of(table.column("report_id"))  # the store's layout: a file per bucket
            for bucket in pc.unique(buckets).to_pylist():
                rows = sort_rows(table.filter(pc.equal(buckets, bucket)), name)
                write_parquet_atomic(rows, part_path(root, name, year, bucket))
    import pyarrow.dataset as ds

    (root / COMPLETE).write_text(f"{ds.dataset(root / 'cells', format='parquet').count_rows()}\n")
    return root


def _carry_on(piece, value, previous, previous_value) -> None:
    """`value` (the cells of `piece`) continuing last year's: 上年结转 is last year's 结转下年度, each
    历年累计 last year's plus this year's figure (in place)."""
    import numpy as np

    was = dict(zip(zip(previous["table"], previous["row"], previous["column"]), previous_value))
    keys = list(zip(piece["table"], piece["row"], piece["column"]))
    this_year = dict(zip(keys, value))
    for at, (table, row, column) in enumerate(keys):
        if (table, row) == ("requests", "carried_over"):
            value[at] = was.get(("requests", "carried_forward", column), value[at])
        elif table == "legacy" and column == "cumulative":
            figure, total = this_year.get((table, row, "this_year")), was.get((table, row, "cumulative"))
            if figure is not None and total is not None and not np.isnan(figure) and not np.isnan(total):
                value[at] = total + figure


# --- one measured run per process ---------------------------------------------------------------

CHILD = r"""
import json, sys, time, hashlib
from pathlib import Path
import pandas, pyarrow.dataset
from extract.check import collection
from extract.store.datasets import read_dataset
way, root = sys.argv[1], Path(sys.argv[2])
start = time.perf_counter()
if way == "old":
    flags = collection.cross_checks(read_dataset(root, "reports"), read_dataset(root, "cells"))
elif way == "new":
    flags = collection.scan_cross_checks(root)
else:
    flags = collection._frame([])
seconds = time.perf_counter() - start
digest = hashlib.sha256(flags.to_csv(index=False).encode()).hexdigest()[:16]
print(json.dumps({"seconds": seconds, "flags": len(flags), "digest": digest,
                  "by_check": flags["check"].value_counts().sort_index().to_dict()}))
"""


def measure(way: str, root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.Popen([sys.executable, "-c", CHILD, way, str(root)], stdout=subprocess.PIPE, env=env)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{way} run failed ({child.returncode})")
    return {**json.loads(out), "peak_mb": usage.ru_maxrss / 1024}


def data_mb(root: Path, name: str) -> float:
    return sum(f.stat().st_size for f in (root / name).rglob("*.parquet")) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000", help="comma-separated numbers of reports")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # the child that builds one size
    args = parser.parse_args()
    if args.build:
        sys.path.insert(0, str(REPO / "src"))
        build(args.build)
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        # built in a child, so this process stays small: a forked child starts at its parent's RSS
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build", str(n)], check=True,
                       env={**os.environ, "PYTHONPATH": str(REPO / "src")})
        built = time.perf_counter() - start
        root = CACHE / f"n{n}" / "curated"
        cells = int((root / COMPLETE).read_text())
        base, old, new = measure("imports", root), measure("old", root), measure("new", root)
        same = (old["digest"], old["flags"]) == (new["digest"], new["flags"])
        rows.append((n, cells, base, old, new, same))
        print(f"\n{n:,} reports, {cells:,} cells ({data_mb(root, 'cells'):.0f} MB of Parquet; built/cached in "
              f"{built:.1f} s); flags {old['flags']:,} old, {new['flags']:,} new, identical: {same}")
        print(f"  by check: {new['by_check']}")
        print(f"  {'':28}{'seconds':>10}{'peak MB':>10}{'above imports':>15}")
        print(f"  {'imports only (baseline)':28}{base['seconds']:>10.2f}{base['peak_mb']:>10.0f}{0:>15.0f}")
        for label, run in (("whole frames (old)", old), ("scan (new)", new)):
            above = run["peak_mb"] - base["peak_mb"]
            print(f"  {label:28}{run['seconds']:>10.2f}{run['peak_mb']:>10.0f}{above:>15.0f}")
        above = (new["peak_mb"] - base["peak_mb"]) / max(old["peak_mb"] - base["peak_mb"], 1e-9)
        print(f"  new/old: time {new['seconds'] / old['seconds']:.2f}, peak {new['peak_mb'] / old['peak_mb']:.2f}, "
              f"above imports {above:.2f}")
    if len(rows) > 1:
        print("\ngrowth from the smallest size (x data → x MB above imports, old | new):")
        n0, c0, b0, o0, w0, _ = rows[0]
        for n, c, b, o, w, _ in rows[1:]:
            grown = (o["peak_mb"] - b["peak_mb"]) / (o0["peak_mb"] - b0["peak_mb"])
            print(f"  {n:,}: data x{c / c0:.1f}; old x{grown:.1f}"
                  f" | new x{(w['peak_mb'] - b['peak_mb']) / max(w0['peak_mb'] - b0['peak_mb'], 1e-9):.1f};"
                  f" time old x{o['seconds'] / o0['seconds']:.1f} | new x{w['seconds'] / w0['seconds']:.1f}")
    if not all(r[-1] for r in rows):
        raise SystemExit("the scan's flags differ from the whole frames'")


if __name__ == "__main__":
    main()
