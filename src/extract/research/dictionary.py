"""The data dictionary, generated: every dataset, column and type (from `extract.datasets`), what
each column means (`COLUMN_DESCRIPTIONS`, the one place these words live), and every table, row and
column key of the template with its printed label in both formats (from `extract.template`).

    python -m extract.research.dictionary            # rewrite docs/data-dictionary.md
    python -m extract.research.dictionary --check    # exit 1 when the file is out of date

`with_descriptions(name, schema)` puts the same words into a schema's field metadata
(``description``), so each Parquet file carries its own dictionary.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa

from extract import datasets
from extract import template as tpl
from extract.research import corrections, crossreport
from extract.find.statements import COLUMN_PREFIX, FACT_WORDS

DICTIONARY_FILE = Path(__file__).resolve().parents[3] / "docs" / "data-dictionary.md"

COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "reports": {
        "report_id": "SHA-256 of the file's bytes, hex; joins to the raw archive (`data/raw/objects/<id[:2]>/<id>`). "
                     "A file whose bytes could not be read has `unread:` + SHA-256 of its path instead",
        "year": "the year the report covers (hive partition; `year=0` holds the reports whose year could not be read: 0 in plain reads, null in `read_dataset` and the DuckDB views)",
        "agency": "the issuing body as printed in the title, e.g. 淮安市人民政府",
        "province": "province of the agency (民政部 name), from its name, else the title, an 地址 line, the 邮编 or the "
                    "portal; null when none tells",
        "city": "city (地级) of the agency, resolved as `province`; for a 直辖市 the municipality's name",
        "county": "county or district (县级) of the agency, resolved as `province`; 平潭综合实验区 is in 平潭县",
        "level": "`central`, `province`, `city`, `county`, `township`, `department` or `unknown`",
        "template": "the table format: `2021` (国办公开办函〔2021〕30号), `2019` (trial format), `legacy`, `unknown`",
        "format": "file format sniffed from the bytes: `pdf`, `html`, `docx`, `doc`, `wps`, `xls`, `xlsx`, `txt`, "
                  "`image`, `other`",
        "pages": "number of pages, for paged formats",
        "published": "the date printed on the report, if any",
        "source_url": "where the file was fetched from; null for local files",
        "source_path": "the file that was parsed",
        "status": "`ok` (all three tables read; before 2019: the statistics table read), `partial` (before 2019: "
                  "no statistics table, prose figures at most), `failed`, `not_a_report`",
        "error": "why the report is not `ok`",
        "parser_version": "version of the package that wrote the row",
        "parsed_at": "when the row was written (UTC)",
        "title": "the document's title as printed (HTML `<title>`, first heading)",
        "cells": "number of table cells read (rows of `cells` for this report)",
        "flags_error": "number of `error` flags the parse raised for this report",
        "township": "the 乡/镇/街道 the agency is the government of (from its name), else null",
        "adcode": "6-digit 行政区划代码 of the smallest division the agency governs or belongs to (a township's county; "
                  "codes as of 2025-12-31, so a renamed county has its current code); null when unknown or ambiguous "
                  "(`region_note` says why); join key for other statistics",
        "tier": "the tier of government the agency belongs to, departments included: `central`, `province`, `city`, "
                "`county`, `township` (a 县 教育局 is `county`); null when unknown",
        "agency_id": "stable id of the agency across years and spellings (`ag-` + 16 hex digits; see `agencies`)",
        "region_source": "which evidence gave the region: `agency` (its name), `title`, `address` (an 地址 line), "
                         "`postcode` (a 邮编), `portal`",
        "region_note": "why `adcode` is null: a name two divisions share (also flagged `region.ambiguous`) or no "
                       "division found",
    },
    "agencies": {
        "agency_id": "stable id (joins to `reports.agency_id`)",
        "name": "canonical name: the spelling of the agency's latest report",
        "names": "every spelling seen in `reports.agency`",
        "adcode": "6-digit 行政区划代码 (as `reports.adcode`)",
        "province": "province (as `reports.province`)",
        "city": "city (as `reports.city`)",
        "county": "county (as `reports.county`)",
        "township": "township (as `reports.township`)",
        "tier": "`central`, `province`, `city`, `county`, `township`",
        "level": "`reports.level` of its latest report",
        "portal": "host most of its reports were fetched from; null for local files",
        "first_year": "first year it reported",
        "last_year": "last year it reported",
        "reports": "number of its rows in `reports`",
    },
    "cells": {
        "report_id": "the report (joins to `reports`)",
        "year": "the year the report covers (hive partition)",
        "table": "`active_disclosure` (section 二), `requests` (三), `review_litigation` (四); `legacy` (the "
                 "statistics table of a pre-2019 report)",
        "row": "canonical row key (see the template keys below); `extra.<n>` for a local row, label kept",
        "column": "canonical column key (see the template keys below); in `legacy`: `this_year`, `cumulative` "
                  "(历年累计), `extra_col.<n>` (a further figure column, its header in `label`)",
        "value": "the number; null unless `kind` is `number`",
        "kind": "`number` (zero in any spelling included), `blank` (printed empty), `na` (/, —, 无, 不适用), "
                "`text`",
        "raw": "the cell's text exactly as printed",
        "label": "the row's label as printed",
        "page": "1-based page the cell was read from, for paged formats",
        "method": "how the cell was read: `html`, `pdf-grid`, `pdf-words`, `docx`, `doc`, `text`, `text-fused`, "
                  "`ocr`; `prose` (a legacy figure stated in a sentence, `label` holding the clause)",
    },
    "flags": {
        "report_id": "the report the finding is about",
        "year": "the year the report covers (hive partition)",
        "check": "which check: an identity of the template (`requests.balance`, …), a presence check "
                 "(`table.missing`, `row.missing`), `cell.unparsed`, a reader finding, `region.ambiguous` (the "
                 "agency's area name is shared by several divisions), a parser bug caught by the guard "
                 "(`reader.crashed` while reading, `parse.crashed` after), or a cross-report check",
        "severity": "`error`, `warning`, `info`",
        "table": "the table it applies to (null when not cell-level)",
        "row": "the row it applies to (null when not cell-level)",
        "column": "the column it applies to (null when not cell-level)",
        "expected": "one side of a failed identity: what the other cells imply",
        "observed": "the other side: what the table (or the text) prints",
        "origin": "`source` (the published numbers themselves disagree), `extraction` (we may have misread), "
                  "`unknown`",
        "message": "one readable sentence",
    },
    "corrections": {
        "line": "line of corrections/corrections.csv",
        "report_id": "the report corrected (one row per report a line reaches)",
        "year": "the year the report covers",
        "agency": "the report's agency",
        "table": "canonical table key",
        "row": "canonical row key",
        "column": "canonical column key",
        "value": "the published value (the `cells` row, unchanged)",
        "kind": "the published kind",
        "raw": "the published text",
        "value_corrected": "the corrected value (null: the cell is unusable)",
        "reason": "why, as written in the file",
        "who": "who made the correction",
        "date": "when (YYYY-MM-DD)",
        "status": "`applied`, `no_report`, `no_cell`, `superseded` (a later line for the same cell), `invalid`",
        "message": "why a line did not apply",
    },
}

DATASET_PATHS = {
    "reports": "data/curated/reports/year=<year>/part-0.parquet",
    "cells": "data/curated/cells/year=<year>/part-0.parquet",
    "flags": "data/curated/flags/year=<year>/part-0.parquet",
    "corrections": "data/curated/corrections/part-0.parquet",
    "agencies": "data/curated/agencies/part-0.parquet",
}


def schemas() -> dict[str, pa.Schema]:
    """Every dataset's schema: the three of `extract.datasets` and the corrections dataset."""
    return {**datasets.SCHEMAS, "corrections": corrections.CORRECTIONS, "agencies": datasets.AGENCIES}


def descriptions() -> dict[str, str]:
    return {**datasets.DESCRIPTIONS, "corrections": corrections.DESCRIPTION, "agencies": datasets.AGENCIES_DESCRIPTION}


def column_description(dataset: str, column: str) -> str | None:
    """What a column means (``stated_<fact>`` columns are described by their fact)."""
    if dataset == "reports" and column.startswith(COLUMN_PREFIX) and column[len(COLUMN_PREFIX):] in FACT_WORDS:
        return f"the number of {FACT_WORDS[column[len(COLUMN_PREFIX):]]} the report's text states; null if none"
    return COLUMN_DESCRIPTIONS.get(dataset, {}).get(column)


def with_descriptions(name: str, schema: pa.Schema) -> pa.Schema:
    """`schema` with each field's description in its metadata (``description``)."""
    fields = [f.with_metadata({b"description": (column_description(name, f.name) or "").encode()}) for f in schema]
    return pa.schema(fields, metadata=schema.metadata)


def undescribed() -> list[str]:
    """``dataset.column`` of every column with no description, and of every description with no column."""
    out = [f"{name}.{f.name}" for name, schema in schemas().items() for f in schema
           if not column_description(name, f.name)]
    out += [f"{name}.{column} (no such column)" for name, columns in COLUMN_DESCRIPTIONS.items()
            for column in columns if column not in schemas()[name].names]
    return out


def missing_labels(templates: dict[str, tpl.Template] | None = None) -> list[str]:
    """``template:table.row`` / ``template:table.column`` keys printed with no label."""
    out = []
    for name, template in (templates or tpl.BY_NAME).items():
        for table in template.tables.values():
            out += [f"{name}:{table.key}.{r.key}" for r in table.rows if not (r.label or "").strip()]
            out += [f"{name}:{table.key}.{c.key}" for c in table.columns if not (c.label or "").strip()]
    return out


# ---------------------------------------------------------------- rendering


def render() -> str:
    """The whole dictionary as Markdown."""
    parts = [_HEADER, "## Datasets\n", _datasets_intro()]
    for name, schema in schemas().items():
        parts.append(_dataset_section(name, schema))
    parts.append(_checks_section())
    parts.append(_views_section())
    parts.append("## Template keys\n\nEvery table, row and column key (`cells.table`, `cells.row`, `cells.column`) "
                 "with its printed label in the 2021 format and the 2019 trial format (— where the format lacks the "
                 "key). Labels are matched after normalisation (numbering, spaces and notes dropped); variants seen "
                 "in the wild are listed as aliases. A local row the template lacks is kept as `extra.<n>` with its "
                 "label in `cells.label`.\n")
    for table in tpl.TABLES:
        parts.append(_template_section(table))
    parts.append(_legacy_section())
    return "\n".join(parts).rstrip() + "\n"


_HEADER = """# Data dictionary

Generated by `python -m extract.research.dictionary` from `extract.datasets` (schemas),
`extract.research.dictionary` (column descriptions) and `extract.template` (keys and labels).
Do not edit by hand: a test fails when this file and the code disagree.
"""


def _datasets_intro() -> str:
    return ("Parquet, hive-partitioned by `year` (a report whose year is unknown is in `year=0`: plain reads "
            "see 0, `extract.datasets.read_dataset` and the DuckDB views null; a hive null partition would break "
            "`pandas.read_parquet`). Read `year` as int16: pandas `partitioning=ds.partitioning(pa.schema("
            "[(\"year\", pa.int16())]), flavor=\"hive\")`, DuckDB `hive_types = {'year': smallint}`, Polars "
            "`hive_schema={\"year\": pl.Int16}`. Each file carries the dataset's name and description "
            "in its metadata (`ogi.dataset`, `ogi.description`).\n")


def _dataset_section(name: str, schema: pa.Schema) -> str:
    lines = [f"### `{name}`\n", descriptions()[name] + "\n", f"Files: `{DATASET_PATHS[name]}`\n",
             "| column | type | meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {_type(f.type)} | {_cell(column_description(name, f.name) or '')} |" for f in schema]
    return "\n".join(lines) + "\n"


def _type(arrow_type: pa.DataType) -> str:
    text = str(arrow_type)
    return {"date32[day]": "date", "timestamp[us, tz=UTC]": "timestamp (UTC)"}.get(text, text)


def _checks_section() -> str:
    lines = ["### Cross-report checks (`flags.check`)\n",
             "Written by `ogi check` over the whole collection (`extract.research.crossreport`):\n",
             "| check | severity | finds |", "|---|---|---|"]
    lines += [f"| `{check}` | {severity} | {_cell(text)} |"
              for check, (severity, text) in crossreport.CHECK_DESCRIPTIONS.items()]
    return "\n".join(lines) + "\n"


def _views_section() -> str:
    from extract.research import views

    applicants = ", ".join(f"`{c}`" for c in views.APPLICANT_COLUMNS)
    meta = ", ".join(f"`{c}`" for c in views.REPORT_COLUMNS)
    return ("## Views\n\n"
            "`extract.research.views.connect(root)` opens DuckDB with the views `reports`, `cells` (with "
            "`value_corrected`, `correction_reason`), `flags`, `corrections`, `agencies` and `requests`; "
            "`requests_wide(root)` returns the last as a pandas frame.\n\n"
            f"`requests`: table 三 wide, one row per report and row key: `report_id`, {meta}, `row`, `label`, and one "
            f"column per applicant type, {applicants} (corrected values; null where the report prints the cell "
            "blank or not at all; `org_subtotal` only where printed).\n\n"
            "`legacy`: one row per pre-2019 report: `report_id`, " + meta + ", and one column per legacy row key "
            "(`.` written `_`: `proactive_items`, `requests_received`, …) holding its 本年度 figure (corrected).\n\n"
            "`series`: one row per report of either era: `report_id`, " + meta + ", and the crosswalk series "
            + ", ".join(f"`{w.series}`" for w in views.CROSSWALK) + " (see the legacy table below).\n")


def _template_section(table_key: str) -> str:
    t21, t19 = tpl.TEMPLATE_2021[table_key], tpl.TEMPLATE_2019[table_key]
    lines = [f"### `{table_key}` ({t21.section})\n", "Columns:\n", "| key | label 2021 | label 2019 | aliases |",
             "|---|---|---|---|"]
    for key in _union([c.key for c in t21.columns], [c.key for c in t19.columns]):
        c21, c19 = _find(t21.columns, key), _find(t19.columns, key)
        column = c21 or c19
        note = " (local variant)" if column.optional else ""
        lines.append(f"| `{key}` | {_label(c21)}{note} | {_label(c19)}{note if c19 else ''} | "
                     f"{_cell('、'.join(column.aliases))} |")
    per_row_columns = table_key == "active_disclosure"
    head = "| key | label 2021 | label 2019 | group | aliases |" + (" columns 2021 | columns 2019 |"
                                                                    if per_row_columns else "")
    lines += ["", "Rows:\n", head, "|---" * (7 if per_row_columns else 5) + "|"]
    rows_2019 = [r.key for r in t19.rows]
    for key in _union([r.key for r in t21.rows], rows_2019):
        r21, r19 = _find(t21.rows, key), _find(t19.rows, key)
        row = r21 or r19
        aliases = _union(list(r21.aliases) if r21 else [], list(r19.aliases) if r19 else [])
        line = f"| `{key}` | {_label(r21)} | {_label(r19)} | {row.group or ''} | {_cell('、'.join(aliases))} |"
        if per_row_columns:
            line += f" {_keys(t21, r21)} | {_keys(t19, r19)} |"
        lines.append(line)
    if table_key == "requests":
        lines.append("\nA 2021 report printing （六）其他处理 as one row uses `other_handling`, as the 2019 format does.")
    return "\n".join(lines) + "\n"


LEGACY_CHECKS = (
    ("legacy.channels", "warning", "requests.received = Σ of the channel rows printed"),
    ("legacy.answers", "warning", "requests.answered ≥ Σ of the answer rows printed"),
    ("legacy.refusals", "warning", "requests.refused = Σ requests.refused.* printed"),
    ("legacy.proactive_channels", "info", "proactive.items ≥ website + gazette (channels overlap)"),
    ("legacy.cumulative", "error / warning", "cumulative ≥ this_year in every row with both: an error of reading "
                                             "(origin `extraction`) in fused or scanned text, a warning about the "
                                             "published numbers (origin `source`) where read cleanly"),
)


def _legacy_section() -> str:
    from extract.research import views

    table = tpl.LEGACY
    lines = [f"### `{table.key}` (pre-2019 reports, {table.section})\n",
             "Reports of 2008–2018 (`reports.template = legacy`) have one table with the rows below, read by label "
             "(numbering, 其中：, units and notes dropped); a duplicated label (被依法纠错数, 其他情形数) takes the "
             "section it sits in (行政复议 or 行政诉讼). Money printed in 元 is divided by 10,000 into the "
             "`_10k_yuan` rows; nothing else is converted, and the unit printed is kept in `cells.label`. A figure "
             "the table lacks but a sentence about 政府信息公开 requests states is a cell with `method = prose` "
             "(rows marked *prose*). An indicator not below is `extra.<n>`, its label kept.\n",
             "Columns:\n", "| key | label | aliases |", "|---|---|---|"]
    lines += [f"| `{c.key}` | {_cell(c.label)} | {_cell('、'.join(c.aliases))} |" for c in table.columns]
    lines += ["| `extra_col.<n>` | a further figure column (区直单位统计数 …), header kept in `label` | |",
              "", "Rows:\n", "| key | label | section | aliases | prose |", "|---|---|---|---|---|"]
    lines += [f"| `{r.key}` | {_cell(r.label)} | {r.group or ''} | {_cell('、'.join(r.aliases))} | "
              f"{'prose' if r.key in tpl.LEGACY_PROSE else ''} |" for r in table.rows]
    lines += ["", "Checks (`flags.check`, per report):\n", "| check | severity | relation |", "|---|---|---|"]
    lines += [f"| `{check}` | {severity} | {_cell(text)} |" for check, severity, text in LEGACY_CHECKS]
    lines += ["", "Crosswalk: the series both eras measure, as columns of the `series` view. Where the meaning "
              "changed between eras:\n", "| series | legacy row | 2019/2021 cells | meaning changed |",
              "|---|---|---|---|"]
    lines += [f"| `{w.series}` | `{w.legacy}` | {' + '.join(f'`{t}.{r}.{c}`' for t, r, c in w.current)} | "
              f"{_cell(w.change)} |" for w in views.CROSSWALK]
    return "\n".join(lines) + "\n"


def _union(first: list[str], second: list[str]) -> list[str]:
    """Keys of both, in order: a key only in `second` goes after the key it follows there."""
    out = list(first)
    for i, key in enumerate(second):
        if key not in out:
            out.insert(out.index(second[i - 1]) + 1 if i else 0, key)
    return out


def _find(items, key):
    return next((i for i in items if i.key == key), None)


def _label(item) -> str:
    return _cell(item.label) if item is not None else "—"


def _keys(table: tpl.Table, row) -> str:
    return ", ".join(f"`{c}`" for c in table.columns_of(row)) if row is not None else "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write(path: Path = DICTIONARY_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render(), encoding="utf-8")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        current = DICTIONARY_FILE.read_text(encoding="utf-8") if DICTIONARY_FILE.exists() else ""
        if current != render():
            print(f"{DICTIONARY_FILE} is out of date: run python -m extract.research.dictionary", file=sys.stderr)
            return 1
        return 0
    print(write())
    return 0


if __name__ == "__main__":
    sys.exit(main())
