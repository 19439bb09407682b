"""Decoding bytes of Chinese web pages and text exports.

Portals often declare GBK only in ``<meta>``, or not at all, or declare it wrongly; httpx and
most HTML parsers do not look. Order: byte-order mark, HTTP header, ``<meta>``, then detection.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# GB2312 and GBK pages routinely use characters only GB18030 (their superset) decodes
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030"}


def charset_from_content_type(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w\-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def detect_encoding(data: bytes, declared: str | None = None) -> str:
    """The encoding to decode `data` with: BOM, then `declared` (an HTTP header's charset),
    then an HTML ``<meta>`` charset, then statistical detection. GB variants widen to GB18030."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    for candidate in (declared, _meta_charset(data)):
        name = _usable(candidate)
        if name and _decodes(data, name):
            return name
    if _decodes(data, "utf-8"):
        return "utf-8"
    best = from_bytes(data[:200_000]).best()
    return _usable(best.encoding if best else None) or "gb18030"


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding) — never raises; undecodable bytes become U+FFFD. The same order as
    `detect_encoding`, decoding each candidate once."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    for candidate in (declared, _meta_charset(data), "utf-8"):
        name = _usable(candidate)
        if name:
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                continue
    encoding = detect_encoding(data, declared)
    return data.decode(encoding, errors="replace"), encoding


def _meta_charset(data: bytes) -> str | None:
    match = _META.search(data[:8192])
    return match.group(1).decode("ascii", "replace") if match else None


def _usable(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _WIDEN.get(name.lower(), _WIDEN.get(canonical, canonical))


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
