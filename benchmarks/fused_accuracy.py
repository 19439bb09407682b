"""Fused-text recovery: accuracy, ambiguity and speed on forged reports, against a naive baseline.

Forges N reports (both templates, a mix of the forge's messes that survive flattening), flattens
each with `render_text(style="fused")`, and reads it back two ways over the same located rows:

- baseline: one digit per cell — a row is read only when its run has exactly as many digits as
  cells (the rule a person applies to ``0000000``), else it is skipped;
- ours: `extract.find.fused.read_fused_text` (row identities, then the column identities jointly).

Prints, per reader: exact cells / truth cells, cells read wrong without a flag (silent errors),
`cell.ambiguous` cells / truth cells (all tables, and tables 三+四 which the identities bind), and
CPU time per report (median, p95) with its ratio to the baseline measured in the same run.

    python benchmarks/fused_accuracy.py [--n 240]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd

from extract.forge.model import MESSES, generate
from extract.forge.text import render_text
from extract.find.fused import locate, read_fused_text
from extract.find.fused.runs import parse_run
from extract import template as tpl

MIX = ("clean", "clean", "clean", "unit_suffix", "fullwidth", "org_subtotal", "na_cells", "label_typo",
       "other_handling_one_row", "anomaly")
KEYS = ["table", "row", "column"]


def forge(n: int) -> list[tuple[pd.DataFrame, str]]:
    out = []
    for seed in range(n):
        mess = MIX[seed % len(MIX)]
        template = "2021" if mess == "other_handling_one_row" or seed % 3 else "2019"
        report = generate(10_000 + seed, template, MESSES[mess])
        out.append((report.truth(), render_text(report, style="fused").decode("utf-8")))
    return out


def baseline(text: str) -> tuple[list[tuple], set]:
    """One digit per cell over the rows `locate` finds; (cells, no flags)."""
    found = locate(text)
    cells = []
    spec = tpl.get(found.active_template)["active_disclosure"]
    known = {r.key: r.columns for r in spec.rows}
    rows = [(("active_disclosure", r.key), known.get(r.key, ()), r.run) for r in found.active]
    rows += [(("requests", r.key), found.request_columns, r.run) for r in found.requests]
    if found.review:
        rows.append((("review_litigation", None), [(row, c) for row in ("review", "litigation_direct",
                     "litigation_after_review") for c in tpl.REVIEW_COLUMNS_KEYS], found.review))
    for (table, row), columns, printed in rows:
        run = parse_run(printed)
        if run is None or not columns or len(run) != len(columns):
            continue
        for col, ch in zip(columns, run.chars):
            value = None if ch == "x" else float(ch)
            key = (table, *col) if row is None else (table, row, col)
            cells.append((*key, value))
    return cells, set()


def ours(text: str) -> tuple[list[tuple], set]:
    extraction = read_fused_text(text)
    cells = [(c.table, c.row, c.column, c.value) for c in extraction.cells if not c.row.startswith("extra.")]
    ambiguous = {(i.table, i.row, i.column) for i in extraction.issues if i.check == "cell.ambiguous"}
    return cells, ambiguous


def score(truth: pd.DataFrame, cells: list[tuple], ambiguous: set) -> dict[str, int]:
    got = {(t, r, c): v for t, r, c, v in cells}
    exact = wrong_silent = amb = amb_bound = 0
    for t, r, c, v in truth[KEYS + ["value"]].itertuples(index=False):
        key = (t, r, c)
        flagged = key in ambiguous
        amb += flagged
        amb_bound += flagged and t != "active_disclosure"
        if key not in got:
            continue
        same = (pd.isna(v) and got[key] is None) or (got[key] is not None and abs(got[key] - v) < 1e-9)
        exact += same
        wrong_silent += not same and not flagged
    return {"cells": len(truth), "bound": int((truth["table"] != "active_disclosure").sum()), "exact": exact,
            "wrong_silent": wrong_silent, "ambiguous": amb, "ambiguous_bound": amb_bound}


def run(reader, items) -> tuple[dict[str, int], list[float]]:
    totals: dict[str, int] = {}
    times = []
    for truth, text in items:
        start = time.process_time()
        cells, ambiguous = reader(text)
        times.append(time.process_time() - start)
        for k, v in score(truth, cells, ambiguous).items():
            totals[k] = totals.get(k, 0) + v
    return totals, times


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=240)
    args = parser.parse_args()
    items = forge(args.n)
    read_fused_text(items[0][1])  # warm caches (label normalisation)
    results = {name: run(reader, items) for name, reader in (("baseline", baseline), ("ours", ours))}
    base_median = statistics.median(results["baseline"][1])
    print(f"{args.n} forged fused reports ({', '.join(sorted(set(MIX)))}), "
          f"{results['ours'][0]['cells']} truth cells, {results['ours'][0]['bound']} in tables 三+四")
    print(f"{'reader':9} {'exact':>8} {'silent wrong':>13} {'ambiguous':>10} {'amb. 三+四':>10} "
          f"{'median ms':>10} {'p95 ms':>7} {'max ms':>7} {'× baseline':>11}")
    for name, (t, times) in results.items():
        median = statistics.median(times)
        print(f"{name:9} {t['exact'] / t['cells']:8.2%} {t['wrong_silent'] / t['cells']:13.2%} "
              f"{t['ambiguous'] / t['cells']:10.2%} {t['ambiguous_bound'] / t['bound']:10.2%} "
              f"{median * 1000:10.2f} {p95(times) * 1000:7.2f} {max(times) * 1000:7.2f} {median / base_median:11.1f}")


if __name__ == "__main__":
    main()
