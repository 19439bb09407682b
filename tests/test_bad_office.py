"""Bad Word files and images: each is one failed (or not_a_report) row with a readable reason,
never a crash, a hang or an expanded bomb."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib

import pytest

from extract.model import ReadError
from extract.forge.docx import render_docx
from extract.forge.model import generate
from extract.parse import parse_bytes
from extract.read import doc as doc_reader
from extract.read.docx import read_docx

DOCX = render_docx(generate(51, "2021"))


def rebuilt(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The DOCX archive with some members replaced or added (a well-formed ZIP)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def failed(result, check: str, *words: str) -> None:
    assert result.status == "failed", result.report
    assert result.cells.empty
    assert check in set(result.flags["check"]), result.flags.to_string()
    for word in words:
        assert word in result.report["error"], result.report["error"]


def test_corrupt_docx_member():
    archive = bytearray(DOCX)
    at = archive.index(b"word/document.xml") + 200  # inside the compressed document part
    archive[at:at + 64] = bytes(64)
    failed(parse_bytes(bytes(archive), "report.docx"), "docx.corrupt", "document.xml")


def test_truncated_docx_is_unreadable():
    with pytest.raises(ReadError) as caught:
        read_docx(DOCX[: len(DOCX) // 2])
    assert caught.value.check == "docx.corrupt" and "ZIP" in str(caught.value)
    assert parse_bytes(DOCX[: len(DOCX) // 2], "report.docx").status == "failed"


def test_zip_bomb_refused_before_inflating():
    bomb = rebuilt(DOCX, add={"word/media/image1.png": bytes(40 * 1024 * 1024)})
    assert len(bomb) < 200_000  # 40 MB of zeros in a small file
    failed(parse_bytes(bomb, "report.docx"), "docx.hostile", "zip bomb", "image1.png")


def test_entity_expansion_refused():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>'
              b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              b"<w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>")
    failed(parse_bytes(rebuilt(DOCX, replace={"word/document.xml": laughs}), "report.docx"), "docx.hostile", "DTD")


def test_zip_without_a_word_document():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/readme.txt", "not a document")
    with pytest.raises(ReadError) as caught:
        read_docx(out.getvalue())
    assert caught.value.check == "docx.corrupt" and "word/document.xml" in str(caught.value)


def ole_header_only() -> bytes:
    """The 512-byte OLE2 header of a Word 97 file whose sectors never arrived (a download cut
    short): the container points at sectors that are not there."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH6xIIIIIIIII", 0x3B, 3, 0xFFFE, 9, 6, 0, 2, 149, 0, 4096, 2, 1, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", 0, 1, *([0xFFFFFFFF] * 107))
    assert len(header) == 512
    return header


@pytest.mark.skipif(doc_reader.soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_doc_that_libreoffice_cannot_open():
    failed(parse_bytes(ole_header_only(), "report.doc"), "doc.unconvertible", "LibreOffice", "could not")


needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")


@needs_tesseract
def test_image_with_no_table():
    from PIL import Image, ImageDraw

    image = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(image)
    for i in range(12):  # a photograph-like picture: shapes, no ruled table, no text
        draw.ellipse((60 * i, 40 * i, 60 * i + 300, 40 * i + 200), outline=40 + 15 * i, width=3)
    png = io.BytesIO()
    image.save(png, format="PNG")
    result = parse_bytes(png.getvalue(), "photo.png")
    assert result.status == "not_a_report", result.report
    assert result.report["error"] and result.cells.empty
    assert "ocr.no_table" in set(result.flags["check"])


def test_corrupt_and_oversized_images():
    png = io.BytesIO()
    from PIL import Image

    Image.new("L", (400, 300), 255).save(png, format="PNG")
    failed(parse_bytes(png.getvalue()[:120], "scan.png"), "image.corrupt", "not a readable image")
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)  # 3.6 gigapixels announced
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    huge = b"\x89PNG\r\n\x1a\n" + chunk + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    failed(parse_bytes(huge, "scan.png"), "image.too_large", "too large")
