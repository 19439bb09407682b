"""One reader per format: bytes → `Document`. Readers know formats, not the template.

Readers are imported on first use, so parsing text never pays for importing pdfplumber.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable

from extract.model import Document, ReadError

Reader = Callable[[bytes, "str | None"], Document]

#: format (as sniffed) → "module:function"
READERS: dict[str, str] = {
    "html": "extract.read.html:read_html",
    "txt": "extract.read.text:read_text",
    "pdf": "extract.read.pdf:read_pdf",
    "docx": "extract.read.docx:read_docx",
    "doc": "extract.read.doc:read_doc",
    "wps": "extract.read.doc:read_doc",
    "image": "extract.read.ocr:read_image",
}


def reader_for(fmt: str) -> Reader:
    target = READERS.get(fmt)
    if target is None:
        raise ReadError(f"no reader for {fmt} files", check="file.unsupported")
    module, _, name = target.partition(":")
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ReadError(f"the {fmt} reader is not available: {exc}", check="file.unsupported") from exc


def read_document(data: bytes, fmt: str, filename: str | None = None) -> Document:
    return reader_for(fmt)(data, filename)
