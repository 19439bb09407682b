"""The demo portal's rendered files, kept on disk between runs.

Rendering the demo portal's 25 report files (PDFs, DOCX, legacy pages) costs seconds of CPU, and a
rerun of `ogi run` needs every one of them again only to answer the crawl's conditional GETs with
304. A `RenderCache` keeps each rendered body in a folder named by a fingerprint of everything the
bytes depend on: the seed, which renderers the machine has, and the source of the whole `extract`
package (so any change to the forge, the template or the code they use starts a new folder). A
folder is never updated in place: same fingerprint, same bytes.

Each body is written to a temporary file and renamed, so a reader never sees half of one; a file
that cannot be read or written is rendered again (the cache is an optimisation, never a source of
truth). Only the `KEEP` most recently used folders are kept.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import extract

KEEP = 4  # fingerprint folders kept: a few checkouts of different versions share one cache


def package_fingerprint() -> str:
    """SHA-256 of every file of the installed `extract` package (names and bytes, in name order)."""
    root = Path(extract.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class RenderCache:
    """Bodies by name under `root/<fingerprint of parts, the package and Python>/`."""

    def __init__(self, root: Path, *parts: object):
        key = repr((parts, sys.version_info[:2], package_fingerprint()))
        self.folder = Path(root) / hashlib.sha256(key.encode()).hexdigest()[:24]
        self._used = False

    def get(self, name: str) -> bytes | None:
        try:
            body = self._path(name).read_bytes()
        except OSError:
            return None
        if not self._used:  # a folder in use is recent: pruning keeps it
            self._used = True
            os.utime(self.folder)
        return body

    def put(self, name: str, body: bytes) -> None:
        try:
            self._open_folder()
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.replace(tmp, self._path(name))
        except OSError:  # a read-only or full disk: the portal still serves what it rendered
            pass

    def _path(self, name: str) -> Path:
        return self.folder / hashlib.sha1(name.encode()).hexdigest()

    def _open_folder(self) -> None:
        if self.folder.is_dir():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            prune_folders(self.folder.parent, KEEP)
        except OSError:  # another process is pruning or filling one of them: next time
            pass


def prune_folders(root: Path, keep: int) -> None:
    """Remove all but the `keep` most recently modified fingerprint folders under `root`."""
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in folders[keep:]:
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        folder.rmdir()
