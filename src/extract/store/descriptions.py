"""What every column of every dataset means, beside the schemas: the one place these words live.

`with_descriptions(name, schema)` puts them into a schema's field metadata (``description``), so
each Parquet file carries its own dictionary; `extract.research.dictionary` renders them as
docs/data-dictionary.md.
"""

from __future__ import annotations

import pyarrow as pa

from extract.find.statements import COLUMN_PREFIX, FACT_WORDS


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


def column_description(dataset: str, column: str) -> str | None:
    """What a column means (``stated_<fact>`` columns are described by their fact)."""
    if dataset == "reports" and column.startswith(COLUMN_PREFIX) and column[len(COLUMN_PREFIX):] in FACT_WORDS:
        return f"the number of {FACT_WORDS[column[len(COLUMN_PREFIX):]]} the report's text states; null if none"
    return COLUMN_DESCRIPTIONS.get(dataset, {}).get(column)


def with_descriptions(name: str, schema: pa.Schema) -> pa.Schema:
    """`schema` with each field's description in its metadata (``description``)."""
    fields = [f.with_metadata({b"description": (column_description(name, f.name) or "").encode()}) for f in schema]
    return pa.schema(fields, metadata=schema.metadata)
