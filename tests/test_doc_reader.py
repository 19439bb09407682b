"""DOC and WPS through LibreOffice: forged Word 97 files round-trip exactly; a missing or slow
converter is a failed report with its reason, and nothing is left running."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from conftest import cell_differences
from extract.forge.model import MESSES, generate
from extract.parse import parse_bytes
from extract.read import doc as doc_reader

needs_soffice = pytest.mark.skipif(doc_reader.soffice_path() is None,
                                   reason="LibreOffice (soffice) is not installed: DOC files can be neither "
                                          "forged nor read")

CASES = {"report.doc": generate(31, "2021", MESSES["blank_zeros"]),
         "report.wps": generate(32, "2019", MESSES["org_subtotal"])}


@pytest.fixture(scope="module")
def forged_docs() -> dict[str, bytes]:
    from extract.forge.doc import render_docs

    return dict(zip(CASES, render_docs(list(CASES.values()))))


@needs_soffice
@pytest.mark.parametrize("name", list(CASES))
def test_forged_doc_and_wps_round_trip_exactly(forged_docs, name):
    report = CASES[name]
    result = parse_bytes(forged_docs[name], name)
    diff = cell_differences(report.truth(), result.cells)
    assert diff.empty, diff.to_string()
    assert result.status == "ok"
    assert result.report["format"] == name.rsplit(".", 1)[1]
    assert set(result.cells["method"]) == {"doc"}
    assert result.report["agency"] == report.agency
    assert result.flags.empty, result.flags.to_string()


def test_missing_libreoffice_is_a_failed_report_with_the_reason(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), "old.doc")
    assert result.status == "failed"
    assert "LibreOffice" in result.report["error"] and "apt-get install" in result.report["error"]
    assert result.flags["check"].tolist() == ["doc.converter_missing"]


@needs_soffice
def test_timeout_kills_the_converter_and_leaves_nothing_running(forged_docs, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(doc_reader.ReadError) as caught:
        doc_reader.read_doc(forged_docs["report.doc"], "slow.doc", timeout=0.3)
    assert caught.value.check == "doc.timeout" and "0.3 s" in str(caught.value)
    assert not _processes_mentioning(str(tmp_path))
    assert not any(tmp_path.iterdir())  # the work directory and its profile are gone


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in args:
            found.append(args)
    return found
