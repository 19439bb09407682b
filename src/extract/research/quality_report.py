"""`ogi report`: the state of the curated data on one self-contained HTML page.

Plots are drawn with matplotlib (the object API, no pyplot state) and embedded as SVG data URIs,
so the page needs no network, no script and no font to be read: CJK labels are drawn as paths with
a CJK font when one is installed (Noto Sans CJK, Source Han Sans, WenQuanYi, …) and fall back to
the canonical keys when none is.

Sections: totals; reports by year and by format (stacked by status); flags by check (stacked by
origin); cell accuracy of the last evaluation (`EVALUATION_FILE`, written by `write_evaluation`),
when there is one; request outcomes by year; the corrections; the worst reports, with links to
their raw files (``<raw>/objects/<sha[:2]>/<sha>``).
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pandas as pd
from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure

from extract.agencies import pairing_key
from extract.store.datasets import read_dataset
from extract.store.corrections import read_corrected_cells, read_corrections_dataset

#: the last evaluation, relative to the curated root: {"evaluated_at", "parser_version", "source",
#: "documents": [{"name", "format", "cells", "correct"}]} (cells: truth cells; correct: read exactly)
EVALUATION_FILE = Path("evaluation") / "latest.json"
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC")
STATUS_COLORS = {"ok": "#4c9f70", "partial": "#e0a030", "failed": "#c8553d", "not_a_report": "#9aa0a6"}
ORIGIN_COLORS = {"source": "#5b7fb9", "extraction": "#c8553d", "unknown": "#9aa0a6"}
#: outcome groups of table 三 (rows by prefix), printed label, colour
OUTCOMES = (
    ("granted", "予以公开", "#4c9f70"), ("partially_granted", "部分公开", "#9cc78a"),
    ("withheld", "不予公开", "#c8553d"), ("unavailable", "无法提供", "#e0a030"),
    ("not_processed", "不予处理", "#8e6bb0"), ("other_handling", "其他处理", "#9aa0a6"),
)
WORST = 20


@dataclass(frozen=True)
class Page:
    path: Path
    bytes: int
    plots: int


def build_report(root: Path, out_html: Path, raw: Path | None = None) -> Page:
    """Write the quality page for the datasets under `root` to `out_html` (atomically)."""
    root, out_html = Path(root), Path(out_html)
    raw = Path(raw) if raw is not None else root.parent / "raw"
    reports, flags = read_dataset(root, "reports"), read_dataset(root, "flags")
    cells = read_corrected_cells(root)
    corrections = read_corrections_dataset(root)
    evaluation = read_evaluation(root)
    plots = [
        ("Reports by year", _by_year(reports)),
        ("Reports by format", _by_format(reports)),
        ("Flags by check", _flags_by_check(flags)),
        ("Request outcomes by year", _outcomes_by_year(cells, reports)),
    ]
    if evaluation is not None:
        plots.insert(3, ("Cell accuracy of the last evaluation", _accuracy(evaluation)))
    body = [_totals(reports, cells, flags, corrections, evaluation)]
    body += [_figure_section(title, svg) for title, svg in plots if svg is not None]
    body.append(_corrections_section(corrections))
    body.append(_worst_section(reports, flags, raw, out_html.parent))
    page = _page("ogi-reports · data quality", root, "\n".join(body))
    out_html.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_html.with_name(f".{out_html.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out_html)
    return Page(out_html, out_html.stat().st_size, sum(svg is not None for _, svg in plots))


# ---------------------------------------------------------------- evaluation


def write_evaluation(root: Path, documents: list[dict], source: str = "", parser_version: str | None = None) -> Path:
    """Record an evaluation (one dict per document: name, format, cells, correct) for the page."""
    from extract import __version__

    path = Path(root) / EVALUATION_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"evaluated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "parser_version": parser_version or __version__, "source": source, "documents": documents}
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def read_evaluation(root: Path) -> dict | None:
    path = Path(root) / EVALUATION_FILE
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if record.get("documents") else None


# ---------------------------------------------------------------- plots


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed CJK font family, or None."""
    for family in CJK_FONTS:
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
            return family
        except ValueError:
            continue
    return None


def _text(chinese: str, fallback: str) -> str:
    return chinese if cjk_font() else fallback


def _svg(figure: Figure) -> str:
    buffer = io.BytesIO()
    with rc_context({"svg.hashsalt": "ogi", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight",
                       metadata={"Creator": None, "Date": None, "Format": None, "Type": None})  # no RDF block
    return buffer.getvalue().decode("utf-8")


def _new_figure(width: float = 9.0, height: float = 3.2) -> tuple[Figure, object]:
    with rc_context(_style()):
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.add_subplot()
    return figure, axes


def _style() -> dict:
    families = [cjk_font(), "DejaVu Sans"] if cjk_font() else ["DejaVu Sans"]
    return {"font.family": families, "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
            "axes.titlesize": 10}


def _stacked(axes, table: pd.DataFrame, colors: dict, horizontal: bool = False) -> None:
    """Stacked bars of `table` (index: bars, columns: stacks)."""
    base = pd.Series(0.0, index=table.index)
    positions = range(len(table.index))
    for column in table.columns:
        values = table[column].astype(float)
        color = colors.get(column)
        if horizontal:
            axes.barh(list(positions), values, left=base, label=str(column), color=color, height=0.6)
        else:
            axes.bar(list(positions), values, bottom=base, label=str(column), color=color, width=0.6)
        base = base + values
    labels = [str(i) for i in table.index]
    (axes.set_yticks if horizontal else axes.set_xticks)(list(positions), labels)
    axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _draw(render) -> str | None:
    """Run `render(axes) -> bool` on a new figure; its SVG, or None when there was nothing to draw."""
    with rc_context(_style()):
        figure, axes = _new_figure()
        if not render(figure, axes):
            return None
        return _svg(figure)


def _by_year(reports: pd.DataFrame) -> str | None:
    def render(figure, axes) -> bool:
        if not len(reports):
            return False
        year = reports["year"].map(lambda y: "unknown" if pd.isna(y) else str(int(y)))
        table = pd.crosstab(year, reports["status"]).reindex(columns=_ordered(reports["status"], STATUS_COLORS),
                                                             fill_value=0)
        table = table.loc[sorted(table.index, key=lambda y: (y == "unknown", y))]
        _stacked(axes, table, STATUS_COLORS)
        axes.set_ylabel("reports")
        return True
    return _draw(render)


def _by_format(reports: pd.DataFrame) -> str | None:
    def render(figure, axes) -> bool:
        if not len(reports):
            return False
        table = pd.crosstab(reports["format"].fillna("unknown"), reports["status"])
        table = table.reindex(columns=_ordered(reports["status"], STATUS_COLORS), fill_value=0)
        table = table.loc[table.sum(axis=1).sort_values().index]
        _stacked(axes, table, STATUS_COLORS, horizontal=True)
        axes.set_xlabel("reports")
        figure.set_figheight(max(1.8, 0.35 * len(table) + 1))
        return True
    return _draw(render)


def _flags_by_check(flags: pd.DataFrame) -> str | None:
    def render(figure, axes) -> bool:
        if not len(flags):
            return False
        table = pd.crosstab(flags["check"], flags["origin"].fillna("unknown"))
        table = table.reindex(columns=_ordered(flags["origin"].fillna("unknown"), ORIGIN_COLORS), fill_value=0)
        table = table.loc[table.sum(axis=1).sort_values().index[-15:]]
        _stacked(axes, table, ORIGIN_COLORS, horizontal=True)
        axes.set_xlabel("flags")
        figure.set_figheight(max(1.8, 0.3 * len(table) + 1))
        return True
    return _draw(render)


def _accuracy(evaluation: dict) -> str | None:
    documents = pd.DataFrame(evaluation["documents"])
    if not len(documents) or not {"cells", "correct"} <= set(documents.columns):
        return None

    def render(figure, axes) -> bool:
        by = documents.assign(format=documents.get("format", pd.Series("all", index=documents.index)).fillna("?"))
        grouped = by.groupby("format")[["cells", "correct"]].sum()
        share = (grouped["correct"] / grouped["cells"]).sort_values()
        axes.barh(range(len(share)), share * 100, color="#5b7fb9")
        axes.set_yticks(range(len(share)), [f"{f} ({int(grouped.loc[f, 'cells'])} cells)" for f in share.index])
        axes.set_xlim(0, 100)
        axes.set_xlabel("cells read exactly (%)")
        overall = documents["correct"].sum() / max(1, documents["cells"].sum())
        axes.set_title(f"{overall:.2%} of {int(documents['cells'].sum())} cells in {len(documents)} documents")
        for i, value in enumerate(share * 100):
            axes.text(min(value, 88), i, f" {value:.1f}%", va="center", fontsize=8)
        figure.set_figheight(max(1.8, 0.35 * len(share) + 1.2))
        return True
    return _draw(render)


def outcome_shares(cells: pd.DataFrame, reports: pd.DataFrame, value: str = "value_corrected") -> pd.DataFrame:
    """Handled requests by year (rows) and outcome group (columns), total column of table 三."""
    handled = cells[(cells["table"] == "requests") & (cells["column"] == "total")]
    handled = handled.merge(reports[["report_id", "year"]].rename(columns={"year": "report_year"}), on="report_id")
    group = handled["row"].str.split(".").str[0]
    handled = handled.assign(group=group)[group.isin([key for key, _, _ in OUTCOMES])
                                           & handled["report_year"].notna()]
    table = handled.pivot_table(index="report_year", columns="group", values=value, aggfunc="sum", fill_value=0)
    table.index = [int(y) for y in table.index]
    return table.reindex(columns=[key for key, _, _ in OUTCOMES], fill_value=0)


def _outcomes_by_year(cells: pd.DataFrame, reports: pd.DataFrame) -> str | None:
    table = outcome_shares(cells, reports)
    if not len(table) or not table.to_numpy().sum():
        return None

    def render(figure, axes) -> bool:
        shares = table.div(table.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0) * 100
        shares.columns = [_text(label, key) for key, label, _ in OUTCOMES]
        colors = {_text(label, key): color for key, label, color in OUTCOMES}
        _stacked(axes, shares, colors)
        axes.set_ylabel("share of handled requests (%)")
        axes.set_ylim(0, 100)
        axes.set_xticks(range(len(table)), [f"{year}\n{total:,.0f} handled" for year, total in
                                            zip(table.index, table.sum(axis=1))])
        axes.set_title(f"total column of {_text('表三', 'table 3')}, every report of the year", loc="left")
        return True
    return _draw(render)


def _ordered(values: pd.Series, known: dict) -> list[str]:
    present = set(values.dropna())
    return [k for k in known if k in present] + sorted(present - set(known))


# ---------------------------------------------------------------- page


def _totals(reports, cells, flags, corrections, evaluation) -> str:
    years = reports["year"].dropna()
    tiles = [
        ("reports", f"{len(reports):,}"),
        ("agencies", f"{pairing_key(reports).nunique():,}"),  # one per agency_id, not per spelling
        ("years", f"{int(years.min())}–{int(years.max())}" if len(years) else "—"),
        ("cells", f"{len(cells):,}"),
        ("error flags", f"{(flags['severity'] == 'error').sum():,}"),
        ("warnings", f"{(flags['severity'] == 'warning').sum():,}"),
        ("corrections applied", f"{(corrections['status'] == 'applied').sum():,}"),
    ]
    if evaluation is not None:
        documents = pd.DataFrame(evaluation["documents"])
        tiles.append(("cell accuracy", f"{documents['correct'].sum() / max(1, documents['cells'].sum()):.1%}"))
    items = "".join(f"<div class=tile><b>{html.escape(v)}</b><span>{html.escape(k)}</span></div>" for k, v in tiles)
    return f"<section class=tiles>{items}</section>"


def _figure_section(title: str, svg: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f"<section><h2>{html.escape(title)}</h2>"
            f"<img class=plot alt=\"{html.escape(title)}\" src=\"data:image/svg+xml;base64,{data}\"></section>")


def _corrections_section(corrections: pd.DataFrame) -> str:
    if not len(corrections):
        return ("<section><h2>Corrections</h2><p>None. Add lines to <code>corrections/corrections.csv</code> "
                "and run <code>ogi correct</code>.</p></section>")
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_show(v))}</td>" for v in (
            c.line, c.agency, c.year, f"{c.table}.{c.row}.{c.column}", c.raw, c.value_corrected, c.reason, c.who,
            c.status)) + "</tr>"
        for c in corrections.itertuples())
    head = "".join(f"<th>{h}</th>" for h in ("line", "agency", "year", "cell", "printed", "corrected", "reason",
                                             "who", "status"))
    return f"<section><h2>Corrections</h2><table><tr>{head}</tr>{rows}</table></section>"


def worst_reports(reports: pd.DataFrame, flags: pd.DataFrame, limit: int = WORST) -> pd.DataFrame:
    """Reports ranked by trouble: failed, then partial, then by error and warning flags."""
    counts = pd.crosstab(flags["report_id"], flags["severity"]) if len(flags) else pd.DataFrame()
    counts = counts.reindex(columns=["error", "warning"], fill_value=0).rename(
        columns={"error": "errors", "warning": "warnings"})
    top = (flags.groupby("report_id")["check"].agg(lambda c: ", ".join(c.value_counts().index[:3]))
           if len(flags) else pd.Series(dtype=object))
    ranked = reports[reports["status"] != "not_a_report"].merge(counts, left_on="report_id", right_index=True,
                                                                how="left")
    ranked[["errors", "warnings"]] = ranked[["errors", "warnings"]].fillna(0).astype(int)
    ranked["checks"] = ranked["report_id"].map(top).fillna("")
    ranked["score"] = (ranked["status"].map({"failed": 1000, "partial": 100}).fillna(0)
                       + 10 * ranked["errors"] + ranked["warnings"])
    ranked = ranked[ranked["score"] > 0].sort_values(["score", "report_id"], ascending=[False, True])
    return ranked.head(limit)


def _worst_section(reports: pd.DataFrame, flags: pd.DataFrame, raw: Path, page_dir: Path) -> str:
    worst = worst_reports(reports, flags)
    if not len(worst):
        return "<section><h2>Worst reports</h2><p>No report failed or raised a flag.</p></section>"
    rows = []
    for r in worst.itertuples():
        where = r.error if isinstance(r.error, str) and r.error else r.checks
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in (
            html.escape(_show(r.agency)), html.escape(_show(r.year)), html.escape(_show(r.format)),
            f"<span class=\"status {html.escape(str(r.status))}\">{html.escape(str(r.status))}</span>",
            str(r.errors), str(r.warnings), html.escape(where), _file_link(r, raw, page_dir))) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("agency", "year", "format", "status", "errors", "warnings",
                                             "why", "file"))
    return (f"<section><h2>Worst reports</h2><p>The {len(worst)} reports with the most trouble: failed, partial, "
            f"then by error and warning flags.</p><table><tr>{head}</tr>{''.join(rows)}</table></section>")


def _file_link(report, raw: Path, page_dir: Path) -> str:
    sha = report.report_id
    archived = raw / "objects" / sha[:2] / sha
    links = []
    if archived.exists():
        links.append(f"<a href=\"{html.escape(_relative(archived, page_dir))}\">raw {sha[:12]}</a>")
    elif isinstance(report.source_path, str) and report.source_path:
        source = Path(report.source_path)
        if source.exists():
            links.append(f"<a href=\"{html.escape(_relative(source, page_dir))}\">{html.escape(source.name)}</a>")
    if isinstance(report.source_url, str) and report.source_url.startswith(("http://", "https://")):
        links.append(f"<a href=\"{html.escape(report.source_url)}\">source</a>")
    return " · ".join(links) or f"<code>{sha[:12]}</code>"


def _relative(path: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive
        return path.resolve().as_uri()


def _show(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0 auto;max-width:1040px;padding:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;font-size:12px}.tiles{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}
.tile{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:96px}
.tile b{display:block;font-size:20px}.tile span{color:#57606a;font-size:12px}
img.plot{width:100%;max-width:960px;height:auto}table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border-bottom:1px solid #eaeef2;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f6f8fa}
.status{border-radius:4px;padding:0 5px;color:#fff}.status.failed{background:#c8553d}
.status.partial{background:#e0a030}.status.ok{background:#4c9f70}code{font-size:12px}
"""


def _page(title: str, root: Path, body: str) -> str:
    from extract import __version__

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p class=meta>{html.escape(str(root))} · generated {now} · "
            f"ogi-reports {html.escape(__version__)}</p>\n{body}\n</body></html>\n")
