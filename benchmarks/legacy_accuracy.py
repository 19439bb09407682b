"""Legacy (pre-2019) reports: cells read back exactly from forged reports in every format.

Forges reports of both families (the Fujian-style list with 历年累计, the national 2014 form, some
with one figure column per level), renders each in each format, parses the bytes with
`extract.parse.parse_bytes`, and compares the `legacy` cells with the forge's truth:

- exact: present with the truth's value (money in 万元 after 元 ÷ 10,000);
- flagged wrong: wrong or missing, with a flag (`cell.ambiguous`, `fused.unsolved`, …) on its row;
- silently wrong: wrong or missing with no flag on its row, or a cell the truth does not have;
- cell.ambiguous flags: fused splits that no sum or prose figure settled (taken by the rule).

The baseline is the same files parsed with the legacy table reader switched off (before this
reader a pre-2019 report had no cell at all; what remains are the prose figures), measured in
the same run.

    python benchmarks/legacy_accuracy.py [--n 300]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from extract.find import tables
from extract.forge.legacy import FAMILIES, generate_legacy, render_legacy
from extract.parse import parse_bytes

NAMES = {"html": "r.html", "word-html": "w.htm", "docx": "r.docx", "pdf": "r.pdf", "text": "r.txt", "fused": "r.txt"}
#: share of the reports per format (PDF and DOCX modest: they are the slow ones to forge)
SHARE = {"fused": 0.33, "text": 0.22, "html": 0.15, "word-html": 0.15, "docx": 0.08, "pdf": 0.07}


def plan(n: int) -> list[tuple[int, str, str]]:
    out = []
    for fmt, share in SHARE.items():
        for i in range(max(1, round(n * share))):
            out.append((50_000 + len(out), FAMILIES[i % 2], fmt))
    return out


def score(report, result) -> Counter:
    truth = report.truth()
    want = {(r, c): v for r, c, v in zip(truth["row"], truth["column"], truth["value"])}
    cells = result.cells[result.cells["table"] == "legacy"]
    got = {(r, c): v for r, c, v in zip(cells["row"], cells["column"], cells["value"])}
    flagged = {r for r in result.flags["row"].dropna()}
    out = Counter(truth=len(want))
    for key, value in want.items():
        read = got.get(key)
        if read is not None and value is not None and abs(read - value) < 1e-9:
            out["exact"] += 1
        elif key[0] in flagged:
            out["flagged_wrong"] += 1
        else:
            out["silent"] += 1
    out["silent"] += len(set(got) - set(want))
    out["ambiguous"] += int((result.flags["check"] == "cell.ambiguous").sum())
    return out


def run(n: int) -> None:
    jobs = plan(n)
    files = []
    for seed, family, fmt in jobs:
        report = generate_legacy(seed, family, levels=False if fmt == "fused" else None,
                                 prose_only=seed % 40 == 0)
        files.append((report, fmt, render_legacy(report, fmt)))
    ours, base, per_format = Counter(), Counter(), {f: Counter() for f in SHARE}
    start = time.process_time()
    for report, fmt, data in files:
        counted = score(report, parse_bytes(data, NAMES[fmt]))
        ours += counted
        per_format[fmt] += counted
    ours_time = time.process_time() - start
    legacy_table = tables._legacy_table
    tables._legacy_table = lambda doc: None  # the parser as it was: no legacy reader
    try:
        start = time.process_time()
        for report, fmt, data in files:
            result = parse_bytes(data, NAMES[fmt])
            truth = report.truth()
            base["truth"] += len(truth)
            got = result.cells[result.cells["table"] == "legacy"]
            base["exact"] += sum(1 for r, c, v in zip(got["row"], got["column"], got["value"])
                                 if ((truth["row"] == r) & (truth["column"] == c) & (truth["value"] == v)).any())
        base_time = time.process_time() - start
    finally:
        tables._legacy_table = legacy_table
    print(f"legacy reports forged: {len(files)} ({', '.join(f'{f} {sum(1 for _, g, _ in files if g == f)}' for f in SHARE)}); "
          f"{sum(r.prose_only for r, _, _ in files)} without a table (prose figures only)")
    for fmt, c in per_format.items():
        print(f"  {fmt:6s} cells exact {c['exact']}/{c['truth']} = {100 * c['exact'] / max(c['truth'], 1):.3f} %, "
              f"flagged wrong {c['flagged_wrong']}, silently wrong {c['silent']}, cell.ambiguous flags {c['ambiguous']}")
    print(f"ours:     cells exact {ours['exact']}/{ours['truth']} = {100 * ours['exact'] / ours['truth']:.3f} %, "
          f"flagged wrong {ours['flagged_wrong']}, silently wrong {ours['silent']}, "
          f"cell.ambiguous flags {ours['ambiguous']}, CPU {1000 * ours_time / len(files):.1f} ms/report")
    print(f"baseline: cells exact {base['exact']}/{base['truth']} = {100 * base['exact'] / base['truth']:.3f} % "
          f"(legacy table reader off: only the prose figures), CPU {1000 * base_time / len(files):.1f} ms/report; "
          f"time ratio ours/baseline {ours_time / max(base_time, 1e-9):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="reports to forge (default 300)")
    run(parser.parse_args().n)
