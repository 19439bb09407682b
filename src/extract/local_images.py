"""The pictures a saved web page shows, read from the folder it was saved in.

A page saved to disk (``report.html`` with ``<img src="table1.png">`` beside it) carries its tables
as pictures the way a crawled page does; the crawl archives those pictures with the page, a local
file has them in its folder. `images_beside(path, data)` finds them with the crawl's own reading of
a page's content images (`extract.crawl.discover.read_page`: the body's pictures, not its logos and
buttons), resolving each relative ``src`` against the page's folder and keeping only files inside
that folder (no ``..``, no absolute or site-rooted paths, no links leaving it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence
from urllib.parse import unquote, urlsplit

#: the page's stand-in address: relative sources resolve below it, anything else leaves it
_HOST = "saved-page.invalid"
MAX_IMAGES = 40  # pictures read for one page at most
MAX_IMAGE_BYTES = 20 * 1024 * 1024


class PictureFiles(Sequence[bytes]):
    """The pictures' bytes, read from disk only when asked for (a page whose markup holds its tables
    never needs them); a file that cannot be read by then gives empty bytes, which OCR skips."""

    def __init__(self, files: list[Path]):
        self.files = files

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        try:
            return self.files[index].read_bytes()
        except OSError:
            return b""


def images_beside(path: Path, data: bytes) -> PictureFiles:
    """The pictures `data` (the HTML page saved at `path`) shows from its folder, in page order;
    missing files and files over MAX_IMAGE_BYTES are left out (the page is read without them)."""
    from extract.crawl.discover import read_page

    folder = path.resolve().parent
    base = f"http://{_HOST}/page/{path.name}"
    files: list[Path] = []
    try:
        links = read_page(data, base).attachments
    except Exception:  # noqa: BLE001 - the pictures are extra: a page they cannot be found for is read without them
        return PictureFiles([])
    for link in links:
        file = _inside(folder, link.url) if link.image else None
        try:
            if file is not None and file not in files and file.stat().st_size <= MAX_IMAGE_BYTES:
                files.append(file)
        except OSError:
            continue
        if len(files) >= MAX_IMAGES:
            break
    return PictureFiles(files)


def _inside(folder: Path, url: str) -> Path | None:
    """The file in `folder` a resolved image address names, or None when it leaves the folder."""
    parts = urlsplit(url)
    if parts.netloc != _HOST or not parts.path.startswith("/page/"):
        return None
    file = (folder / unquote(parts.path[len("/page/"):])).resolve()
    return file if file.is_file() and file.is_relative_to(folder) else None
