"""What a run leaves for people to look at: the state of the curated datasets as tables and a
short markdown note on the worst reports, published as Prefect artifacts (visible in the UI), and
the same figures as a `Summary` for the command line.

Everything but `publish_artifacts` is plain pandas over the datasets, testable without Prefect.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from extract.store.curate import Summary
from extract.store.datasets import dataset_files, read_dataset

STATUS_ORDER = ("failed", "partial", "ok", "not_a_report")
TEMPLATE_ORDER = ("2021", "2019", "legacy", "unknown")
WORST = 10
KEYS = {"status": "ogi-reports-by-status", "flags": "ogi-flags-by-check", "worst": "ogi-worst-reports"}


def artifact_keys(curated_dir: str | Path) -> dict[str, str]:
    """The artifacts' keys for one curated folder: `KEYS` plus the folder's name and a hash of its
    absolute path, so runs writing to different folders keep apart in Prefect (keys allow only
    lowercase letters, digits and dashes)."""
    folder = Path(curated_dir).resolve()
    slug = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-")
    tag = "-".join(filter(None, (slug[:24], hashlib.sha256(str(folder).encode()).hexdigest()[:8])))
    return {what: f"{key}-{tag}" for what, key in KEYS.items()}


def dataset_summary(curated_dir: str | Path) -> Summary:
    """Reports by status and template, cells, flags by check, and the failures, over the datasets."""
    reports = read_dataset(curated_dir, "reports")
    flags = read_dataset(curated_dir, "flags")
    summary = Summary(reports=Counter(reports["status"].dropna()),
                      templates=Counter(reports["template"].fillna("unknown")),
                      flags=Counter(flags["check"].dropna()),
                      cells=count_rows(curated_dir, "cells"))
    bad = reports[reports["status"].isin(["failed", "not_a_report"])].sort_values("report_id")
    summary.failures = [(_where(r), r.error or "") for r in bad.itertuples(index=False)]
    return summary


def count_rows(curated_dir: str | Path, name: str) -> int:
    """Rows of a dataset, from the Parquet footers (no data read)."""
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in dataset_files(curated_dir, name))


def status_by_template(reports: pd.DataFrame) -> list[dict]:
    """One row per status, one column per template, and totals: the table artifact's rows."""
    templates = sorted(set(reports["template"].fillna("unknown")) | {"2021", "2019"}, key=_order(TEMPLATE_ORDER))
    counts = Counter(zip(reports["status"], reports["template"].fillna("unknown")))
    statuses = sorted(set(reports["status"].dropna()), key=_order(STATUS_ORDER))
    rows = []
    for status in statuses:
        row = {"status": status, **{t: counts[(status, t)] for t in templates}}
        row["total"] = sum(row[t] for t in templates)
        rows.append(row)
    total = {"status": "all", **{t: sum(r[t] for r in rows) for t in templates}}
    total["total"] = sum(r["total"] for r in rows)
    return rows + [total]


def flags_by_check(flags: pd.DataFrame) -> list[dict]:
    """One row per check and severity: how many flags, in how many reports."""
    if flags.empty:
        return []
    grouped = flags.groupby(["check", "severity"], dropna=False).agg(
        flags=("report_id", "size"), reports=("report_id", "nunique")).reset_index()
    grouped = grouped.sort_values(["flags", "check"], ascending=[False, True], kind="stable")
    return [{"check": r.check, "severity": r.severity, "flags": int(r.flags), "reports": int(r.reports)}
            for r in grouped.itertuples(index=False)]


def worst_reports(reports: pd.DataFrame, flags: pd.DataFrame, limit: int = WORST) -> pd.DataFrame:
    """The reports most in need of a look, worst first: failed, then partial, then read but with
    failed identities, then documents that were not reports; each with why."""
    errors = flags[flags["severity"] == "error"]
    n_errors = errors.groupby("report_id").size()
    frame = reports.assign(errors=reports["report_id"].map(n_errors).fillna(0).astype(int))
    frame = frame[(frame["status"] != "ok") | (frame["errors"] > 0)]
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    frame = frame.assign(_rank=frame["status"].map(lambda s: rank.get(s, len(rank))))
    frame = frame.sort_values(["_rank", "errors", "report_id"], ascending=[True, False, True], kind="stable")
    frame = frame.head(limit)
    messages = errors.groupby("report_id")["message"].agg(lambda m: list(dict.fromkeys(m)))
    why = [_why(r.error, messages.get(r.report_id, [])) for r in frame.itertuples(index=False)]
    return frame.assign(why=why).drop(columns="_rank").reset_index(drop=True)


def worst_reports_markdown(reports: pd.DataFrame, flags: pd.DataFrame, limit: int = WORST,
                           run: dict | None = None) -> str:
    """The markdown artifact: what the run did, then the worst reports and why."""
    worst = worst_reports(reports, flags, limit)
    lines = ["# ogi-reports: the worst reports", ""]
    if run:
        lines += [" · ".join(f"{k}: {v}" for k, v in run.items()), ""]
    n_bad = int(((reports["status"] != "ok")).sum())
    lines.append(f"{len(reports)} reports in the datasets, {n_bad} not fully read.")
    if worst.empty:
        note = "Every report was read, and every identity holds." if len(reports) else "No reports yet."
        return "\n".join(lines + ["", note])
    lines += ["", "| # | report | year | status | format | errors | why |", "|---|---|---|---|---|---|---|"]
    for i, r in enumerate(worst.itertuples(index=False), 1):
        year = "" if pd.isna(r.year) else str(int(r.year))
        lines.append(f"| {i} | {_cell(_label(r))} | {year} | {r.status} | {_cell(r.format or '')} | {r.errors} "
                     f"| {_cell(r.why)} |")
    return "\n".join(lines)


def publish_artifacts(curated_dir: str | Path, run: dict | None = None) -> list[str]:
    """Publish the table and markdown artifacts of the datasets under `curated_dir` to the
    current Prefect run; returns the artifacts' keys."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    reports = read_dataset(curated_dir, "reports")
    flags = read_dataset(curated_dir, "flags")
    keys = artifact_keys(curated_dir)
    create_table_artifact(status_by_template(reports), key=keys["status"],
                          description=f"Reports in {curated_dir} by status (rows) and template (columns).")
    create_table_artifact(flags_by_check(flags) or [{"check": "(none)", "severity": "", "flags": 0, "reports": 0}],
                          key=keys["flags"], description=f"Quality flags in {curated_dir} by check.")
    create_markdown_artifact(worst_reports_markdown(reports, flags, run=run), key=keys["worst"],
                             description=f"The reports of {curated_dir} most in need of a look, and why.")
    return list(keys.values())


def _why(error, messages: list[str]) -> str:
    parts = ([error] if isinstance(error, str) and error else []) + [m for m in messages if m != error]
    return "; ".join(parts[:3]) + (f" (+{len(parts) - 3} more)" if len(parts) > 3 else "")


def _label(report) -> str:
    name = _text(report.agency) or _text(report.title) or (report.report_id[:12] + "…")
    url = _text(report.source_url)
    return f"[{name}]({url})" if url else name


def _where(report) -> str:
    return _text(report.source_url) or _text(report.source_path) or report.report_id


def _text(value) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _order(order: tuple[str, ...]):
    return lambda key: (order.index(key) if key in order else len(order), key)
