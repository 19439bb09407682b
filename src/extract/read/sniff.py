"""What a file really is, from its bytes (an HTML error page served as `.pdf` is common)."""

from __future__ import annotations

import io
import re
import zipfile

FORMATS = ("pdf", "html", "docx", "doc", "wps", "xls", "xlsx", "txt", "image", "other")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")


def sniff_format(data: bytes, filename: str | None = None) -> str:
    """One of `FORMATS`. The bytes decide; the file name only separates look-alikes
    (OLE2 is DOC, WPS or XLS; a ZIP is DOCX or XLSX)."""
    head = data[:4096]
    name = (filename or "").lower()
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE):
        return _sniff_ole(data, name)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, name)
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if _looks_like_html(head):
        return "html"
    if _looks_like_text(head):
        return "txt"
    return "other"


def _sniff_ole(data: bytes, name: str) -> str:
    if name.endswith(".wps"):
        return "wps"
    if name.endswith((".xls", ".et")) or b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data[:65536]:
        return "xls"
    if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data[:65536] or name.endswith(".doc"):
        return "doc"
    return "wps" if b"WPS" in data[:65536] else "doc"


def _sniff_zip(data: bytes, name: str) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:  # a broken archive: its name says what it meant to be
        return next((fmt for fmt in ("docx", "xlsx") if name.endswith("." + fmt)), "other")
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return "other"


#: an opening or closing tag of an element a report page is made of (also inside a JSON string,
#: where a CMS API escapes its quotes and slashes: ``<p style=\"…\">``, ``<\/p>``)
_TAG = re.compile(rb"<\\?/?(?:p|span|font|table|tbody|tr|td|th|div|br|strong|b|h[1-6]|img|a|o:p|section|"
                  rb"center|ul|li)(?=[\s>/\\])", re.I)
_MIN_TAGS = 6  # tags in the head before a file without a doctype counts as markup


def _looks_like_html(head: bytes) -> bool:
    """A page or a fragment: a doctype or document tag, or markup by its tags (a CMS stores a
    report as a bare ``<p style=…>`` fragment, or as the ``content`` string of a JSON answer)."""
    probe = head[:1024].lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml")) or any(
            tag in probe for tag in (b"<html", b"<head", b"<body", b"<table", b"<meta", b"<div")):
        return True
    if _TAG.match(probe):  # the file begins with an element: a fragment
        return True
    tags = _TAG.findall(head)
    return len(tags) >= _MIN_TAGS and len({t.lower().lstrip(b"<\\/") for t in tags}) >= 2


def _looks_like_text(head: bytes) -> bool:
    if not head.strip():
        return False
    if b"\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    return controls <= len(head) // 100
