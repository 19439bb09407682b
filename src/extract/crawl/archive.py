"""The raw archive: every report's bytes, named by their SHA-256, written once and never touched
again; and the manifest, one row per fetch (spec/datasets.md, data/raw).

Layout::

    data/raw/objects/<sha[:2]>/<sha256>          the bytes, read-only
    data/raw/manifest/<run_id>-<part>.parquet     manifest rows, one small file per flush

The manifest is a dataset of small Parquet files rather than one file rewritten on every append:
each crawl run (and each Prefect task of a run) adds its own files, atomically (temp file +
rename, temp names start with "." so readers skip them), without reading or locking the others,
and a crawl that dies keeps every part it flushed. Read it whole with `read_manifest`, with
``pandas.read_parquet("data/raw/manifest")`` or DuckDB's ``read_parquet('data/raw/manifest/*.parquet')``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from extract import __version__, settings
from extract.atomic import write_parquet_atomic  # the one atomic write of every Parquet file

MANIFEST_DESCRIPTION = (
    "ogi-reports raw archive manifest: one row per fetch. sha256 names the archived bytes "
    "(objects/<sha[:2]>/<sha256>) when outcome is new, unchanged or not_modified and role is report "
    "(or image: a picture in the body of the report page named by referrer)."
)

# the contract of spec/datasets.md, then this package's own columns
MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("sha256", pa.string()),
        pa.field("url", pa.string()),
        pa.field("final_url", pa.string()),
        pa.field("portal", pa.string()),
        pa.field("referrer", pa.string()),
        pa.field("title", pa.string()),
        pa.field("status", pa.int16()),
        pa.field("content_type", pa.string()),
        pa.field("format", pa.string()),
        pa.field("bytes", pa.int64()),
        pa.field("etag", pa.string()),
        pa.field("last_modified", pa.string()),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC")),
        # role: listing (a listing page), page (a page opened for its attachments), report (archived or meant to be),
        # image (a picture inside a report page's body, archived beside it: `referrer` is that page)
        pa.field("role", pa.string()),
        # outcome: new, unchanged, not_modified (304), page (read for links, not archived),
        # not_report, failed, disallowed (robots.txt), unreachable (the host did not answer:
        # DNS failure, connection refused, timeout; the reason in error), skipped (page budget spent)
        pa.field("outcome", pa.string()),
        pa.field("error", pa.string()),
        pa.field("run_id", pa.string()),
    ],
    metadata={b"description": MANIFEST_DESCRIPTION.encode(), b"writer": f"ogi-reports {__version__}".encode()},
)
MANIFEST_COLUMNS = tuple(MANIFEST_SCHEMA.names)
ARCHIVED_OUTCOMES = ("new", "unchanged", "not_modified")


@dataclass(frozen=True)
class Known:
    """What the archive holds for a URL from its latest good fetch: enough for a conditional GET."""

    sha256: str
    format: str | None
    bytes: int | None
    content_type: str | None
    etag: str | None
    last_modified: str | None


class Archive:
    """Content-addressed objects plus the manifest, under one root (default ``data/raw``)."""

    def __init__(self, root: str | Path = settings.RAW_DIR) -> None:
        self.root = Path(root)
        self.objects_dir = self.root / "objects"
        self.manifest_dir = self.root / "manifest"

    def path_for(self, sha256: str) -> Path:
        return self.objects_dir / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store `data` under its hash: (sha256, True when it was not there before). An object
        is written to a temp file, fsynced, then linked into place; an existing one is never
        rewritten."""
        sha = hashlib.sha256(data).hexdigest()
        final = self.path_for(sha)
        if final.exists():
            return sha, False
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o444)
            return sha, _link_into_place(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def manifest(self, columns: list[str] | None = None) -> pd.DataFrame:
        return read_manifest(self.root, columns)

    def known(self) -> dict[str, Known]:
        """URL -> its latest archived version (for conditional GET and resuming)."""
        frame = self.manifest(["url", "sha256", "format", "bytes", "content_type", "etag", "last_modified", "fetched_at", "outcome", "role"])
        if frame.empty:
            return {}
        good = frame[frame["outcome"].isin(ARCHIVED_OUTCOMES) & frame["sha256"].notna() & (frame["role"] == "report")]
        latest = good.sort_values("fetched_at", kind="stable").groupby("url", sort=False).tail(1)
        return {
            row.url: Known(
                row.sha256, _none(row.format), None if _none(row.bytes) is None else int(row.bytes),
                _none(row.content_type), _none(row.etag), _none(row.last_modified),
            )
            for row in latest.itertuples(index=False)
        }

    def writer(self, run_id: str | None = None, flush_every: int = 500) -> ManifestWriter:
        return ManifestWriter(self.manifest_dir, run_id or new_run_id(), flush_every)


class ManifestWriter:
    """Collects a run's rows and writes them as atomic Parquet parts."""

    def __init__(self, directory: Path, run_id: str, flush_every: int = 500) -> None:
        self.directory = Path(directory)
        self.run_id = run_id
        self.flush_every = flush_every
        self.files: list[Path] = []
        self.rows_written = 0
        self._rows: list[dict] = []

    def add(self, row: dict) -> None:
        unknown = set(row) - set(MANIFEST_COLUMNS)
        if unknown:
            raise KeyError(f"not manifest columns: {sorted(unknown)}")
        self._rows.append({**row, "run_id": self.run_id})
        if len(self._rows) >= self.flush_every:
            self.flush()

    def flush(self) -> Path | None:
        if not self._rows:
            return None
        table = pa.Table.from_pylist(self._rows, schema=MANIFEST_SCHEMA)
        path = self.directory / f"{self.run_id}-{len(self.files):05d}.parquet"
        write_parquet_atomic(table, path)
        self.files.append(path)
        self.rows_written += len(self._rows)
        self._rows = []
        return path


def read_manifest(root: str | Path = settings.RAW_DIR, columns: list[str] | None = None) -> pd.DataFrame:
    """Every manifest row under `root`, with the manifest's schema (empty frame if none yet)."""
    directory = Path(root) / "manifest"
    files = sorted(directory.glob("*.parquet")) if directory.is_dir() else []
    schema = MANIFEST_SCHEMA if columns is None else pa.schema([MANIFEST_SCHEMA.field(c) for c in columns])
    nullable = {pa.int16(): pd.Int16Dtype(), pa.int64(): pd.Int64Dtype(), pa.string(): pd.StringDtype()}
    if not files:
        return schema.empty_table().to_pandas(types_mapper=nullable.get)
    dataset = ds.dataset([str(f) for f in files], schema=MANIFEST_SCHEMA, format="parquet")
    return dataset.to_table(columns=list(schema.names)).to_pandas(types_mapper=nullable.get)


def new_run_id() -> str:
    """Sortable by time, unique across concurrent runs."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def _link_into_place(tmp: str, final: Path) -> bool:
    try:
        os.link(tmp, final)  # fails rather than replace an object another writer just stored
    except FileExistsError:
        return False
    except OSError:  # a filesystem without hard links
        if final.exists():
            return False
        os.replace(tmp, final)
    return True


def _none(value):
    return None if value is None or pd.isna(value) else value
