"""Bytes → one parsed report (its `reports` row, cells and flags). Pure: no file is written.

`parse_bytes` never raises for a bad document: an unreadable file becomes a `failed` report with
its reason, a file that is not a report becomes `not_a_report`. The guard covers the whole
document, not only its reader: a bug while reading is flagged `reader.crashed`, a bug after it
(finding tables, splitting fused digits, metadata, checks) `parse.crashed`; both are `failed`
reports with the exception in `error`, and the run goes on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import pandas as pd

from extract import __version__
from extract.check.report import check_report
from extract.model import Document, Finding, Grid, ReadError
from extract.local_images import images_beside
from extract.find.metadata import Metadata, read_metadata
from extract.read import read_document
from extract.read.sniff import sniff_format
from extract.find.legacy import prose_cells
from extract.find.statements import stated_columns
from extract.template import LEGACY_TABLE
from extract.find.tables import Extraction, detect_template, extract_tables

CELL_COLUMNS = ["report_id", "year", "table", "row", "column", "value", "kind", "raw", "label", "page", "method"]
FLAG_COLUMNS = ["report_id", "year", "check", "severity", "table", "row", "column", "expected", "observed",
                "origin", "message"]
_REPORT_WORDS = ("政府信息公开", "年度报告", "年报")
UNREAD_PREFIX = "unread:"  # the report_id of a file whose bytes could not be read: this + SHA-256 of its path


@dataclass
class ParseResult:
    report: dict
    cells: pd.DataFrame
    flags: pd.DataFrame
    #: (table, row) → (columns, splits) of fused table 二 rows no identity decided, for
    #: `extract.find.disambiguate.settle_across_years` (not written to the datasets)
    alternatives: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.report["status"]


def parse_path(path: str | Path, source_url: str | None = None, portal: str | None = None) -> ParseResult:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:  # no bytes, so no content hash: an id that cannot be mistaken for one
        return _failed(UNREAD_PREFIX + hashlib.sha256(str(path).encode()).hexdigest(), "other",
                       f"cannot read file: {exc}", str(path), source_url, "file.unreadable")
    images = images_beside(path, data) if sniff_format(data, path.name) == "html" else []
    return parse_bytes(data, path.name, source_url, source_path=str(path), portal=portal, images=images)


def parse_bytes(data: bytes, filename: str | None = None, source_url: str | None = None,
                source_path: str | None = None, portal: str | None = None,
                link_title: str | None = None, images: Sequence[bytes] = ()) -> ParseResult:
    """`portal`, `link_title`: the configured name of the portal a crawled report came from and the
    text of the link to it (the crawl's provenance: region evidence, and agency and year when the
    document lacks them). `images` are the pictures of a web page's body (archived beside it): read
    by OCR when the page's own markup holds no table (tables pasted into the page as pictures)."""
    report_id = hashlib.sha256(data).hexdigest()
    fmt = "other"
    try:
        fmt = sniff_format(data, filename)
        read = _read(data, fmt, filename, report_id, source_path, source_url)
        if isinstance(read, ParseResult):
            return read
        if images and fmt == "html" and not extract_tables(read).tables:
            read = _read_image_tables(read, images)
        if link_title:
            read.page_meta.setdefault("LinkTitle", link_title)
        return document_to_result(read, report_id, source_path, source_url, portal)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop a run: record it
        return _failed(report_id, fmt, f"parse error: {type(exc).__name__}: {exc}", source_path, source_url,
                       "parse.crashed")


def _read(data: bytes, fmt: str, filename: str | None, report_id: str, source_path, source_url
          ) -> Document | ParseResult:
    """The document, or the failed result that says why it could not be read."""
    if not data.strip():
        return _failed(report_id, fmt, "empty file", source_path, source_url, "file.empty")
    try:
        doc = read_document(data, fmt, filename)
    except ReadError as exc:
        if exc.check != "pdf.no_text":
            return _failed(report_id, fmt, str(exc), source_path, source_url, exc.check)
        try:  # a scan: read its pages by OCR
            doc = _read_scan(data, filename, exc)
        except ReadError as ocr:
            return _failed(report_id, fmt, f"{exc}; OCR: {ocr}", source_path, source_url, exc.check)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop a run: record it
        return _failed(report_id, fmt, f"reader error: {type(exc).__name__}: {exc}", source_path, source_url,
                       "reader.crashed")
    return doc


def _read_image_tables(doc: Document, images: Sequence[bytes]) -> Document:
    """The page with the tables OCR finds in its pictures after its text (each picture on its own;
    one that is no image or holds no ruled table adds nothing)."""
    from extract.read.ocr import ocr_image_blocks

    blocks = [block for data in images for block in ocr_image_blocks(data)]
    tables = sum(isinstance(b, Grid) for b in blocks)
    if not tables:
        doc.findings.append(Finding("html.image_tables", "warning", f"the page's markup holds no table and OCR "
                                    f"found no ruled table in its {len(images)} picture(s)"))
        return doc
    doc.blocks.extend(blocks)
    doc.findings.append(Finding("html.image_tables", "info", f"the page's markup holds no table: {tables} "
                                f"table(s) read by OCR from {len(images)} picture(s) in its body"))
    return doc


def _read_scan(data: bytes, filename: str | None, no_text: ReadError) -> Document:
    """A PDF without a text layer, read by OCR; a ReadError when OCR finds no table either."""
    from extract.read.ocr import read_scanned_pdf

    doc = read_scanned_pdf(data, filename)
    if not doc.grids:
        raise ReadError("no ruled table found in the page images", check="ocr.no_table")
    doc.findings.insert(0, Finding(no_text.check, "info", f"{no_text}: read by OCR"))
    return doc


def document_to_result(doc: Document, report_id: str, source_path: str | None = None,
                       source_url: str | None = None, portal: str | None = None) -> ParseResult:
    text = doc.text()
    meta = read_metadata(text, doc.title, doc.page_meta, portal)
    extraction = extract_tables(doc)
    template = detect_template(extraction, text, meta.year)
    if template == "legacy":  # the prose figures its table lacks (or all of them, with no table)
        extraction.cells += prose_cells(text.splitlines(), {c.row for c in extraction.cells})
    status, error = _status(doc, extraction, text, meta)
    flags = _reader_flags(doc) + list(extraction.issues) + _confidence_flags(extraction)
    if status != "not_a_report":
        said = {(f.check, f.table, f.row, f.column) for f in flags}  # e.g. the fused-text solver's
        flags += [f for f in check_report(extraction.cells, template if extraction.cells else "none")
                  if (f.check, f.table, f.row, f.column) not in said]
    region_flag = meta.region.flag
    if region_flag and region_flag[0] == "region.ambiguous" and status != "not_a_report":
        flags.append(Finding(region_flag[0], "warning", region_flag[1], origin="source"))
    if extraction.cells == [] and status == "failed":
        flags.append(Finding("table.missing", "error", error or "no statistics table found"))
    report = _report_row(report_id, doc, meta, template, status, error, source_path, source_url)
    report.update(stated_columns(line.text for line in doc.lines))
    report["cells"] = len(extraction.cells)
    report["flags_error"] = sum(f.severity == "error" for f in flags)
    return ParseResult(report, _cells_frame(extraction, report_id, meta.year), _flags_frame(flags, report_id, meta.year),
                       dict(extraction.alternatives))


def _status(doc: Document, extraction: Extraction, text: str, meta: Metadata) -> tuple[str, str | None]:
    fatal = [f for f in doc.findings if f.severity == "error"]
    found = set(extraction.tables)
    if LEGACY_TABLE in found:
        return "ok", None
    if not found:
        if fatal:
            return "failed", fatal[0].message
        if not any(w in text[:5000] for w in _REPORT_WORDS) or _looks_like_listing(doc):
            return "not_a_report", "no report title and no statistics table"
        if meta.year and meta.year < 2019:
            if extraction.cells:
                return "partial", "pre-2019 report without a statistics table: prose figures only"
            return "partial", "pre-2019 report: free-form, without a statistics table"
        return "failed", "no statistics table found"
    missing = [t for t in ("active_disclosure", "requests", "review_litigation") if t not in found]
    if missing:
        return "partial", "missing table(s): " + ", ".join(missing)
    return "ok", None


def _looks_like_listing(doc: Document) -> bool:
    """A column page listing many reports, not a report itself."""
    return sum("年度报告" in line.text for line in doc.lines) >= 5 and len(doc.text()) < 20000


def _report_row(report_id, doc, meta, template, status, error, source_path, source_url) -> dict:
    region = meta.region
    return {
        "report_id": report_id, "year": meta.year, "agency": meta.agency, "province": region.province,
        "city": region.city, "county": region.county, "township": region.township, "adcode": region.adcode,
        "tier": region.tier, "agency_id": meta.agency_id, "region_source": region.source,
        "region_note": region.flag[1] if region.flag else None,
        "level": meta.level, "template": template,
        "format": doc.format, "pages": doc.pages, "published": meta.published, "source_url": source_url,
        "source_path": source_path, "status": status, "error": error, "parser_version": __version__,
        "parsed_at": datetime.now(timezone.utc), "title": doc.title,
    }


def _reader_flags(doc: Document) -> list[Finding]:
    """What the reader noticed is about the file itself."""
    return [replace(f, origin="source") for f in doc.findings]


def _confidence_flags(extraction: Extraction) -> list[Finding]:
    """`cell.low_confidence` for every cell OCR was unsure of: flagged, never silently trusted."""
    read = [c for c in extraction.cells if c.confidence is not None]
    if not read:
        return []
    from extract.read.ocr.tuning import LOW_CONFIDENCE

    return [Finding("cell.low_confidence", "warning",
                    f"{c.table}.{c.row}.{c.column} read by OCR as {c.raw!r} with confidence {c.confidence:.2f}",
                    c.table, c.row, c.column, None, c.value, "extraction")
            for c in read if c.confidence < LOW_CONFIDENCE]


def _cells_frame(extraction: Extraction, report_id: str, year: int | None) -> pd.DataFrame:
    fields = CELL_COLUMNS[2:]
    columns = {f: [getattr(c, f) for c in extraction.cells] for f in fields}
    n = len(extraction.cells)
    return pd.DataFrame({"report_id": [report_id] * n, "year": [year] * n, **columns}, columns=CELL_COLUMNS)


def _flags_frame(flags: list[Finding], report_id: str, year: int | None) -> pd.DataFrame:
    records = [{"report_id": report_id, "year": year, **vars(f)} for f in flags]
    return pd.DataFrame.from_records(records, columns=FLAG_COLUMNS)


def _failed(report_id: str, fmt: str, error: str, source_path, source_url, check: str) -> ParseResult:
    report = _report_row(report_id, Document(fmt), Metadata(), "unknown", "failed", error, source_path, source_url)
    report.update(cells=0, flags_error=1)
    flags = _flags_frame([Finding(check, "error", error, origin="source")], report_id, None)
    return ParseResult(report, pd.DataFrame(columns=CELL_COLUMNS), flags)
