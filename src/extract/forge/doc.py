"""Forged reports as legacy Word 97 ``.doc`` files, converted from the forge's DOCX by LibreOffice.

LibreOffice runs headless with a throw-away user profile (so parallel runs never share a lock),
a timeout, and no shell. Where ``soffice`` is not installed, `SofficeMissing` says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from extract.forge.docx import render_docx
from extract.forge.model import Report

TIMEOUT_S = 180


class SofficeMissing(RuntimeError):
    """LibreOffice (``soffice``) is not installed, so DOC files cannot be made."""


class ConversionFailed(RuntimeError):
    """LibreOffice ran but produced no DOC file."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def render_doc(report: Report) -> bytes:
    """The report as a ``.doc`` file (LibreOffice's conversion of `render_docx`)."""
    return convert_docx_to_doc([render_docx(report)])[0]


def render_docs(reports: list[Report]) -> list[bytes]:
    """Several reports in one LibreOffice run (start-up is most of the cost)."""
    return convert_docx_to_doc([render_docx(r) for r in reports])


def convert_docx_to_doc(documents: list[bytes], timeout: float = TIMEOUT_S) -> list[bytes]:
    """Convert DOCX bytes to DOC bytes, all in one ``soffice --headless --convert-to doc`` call."""
    soffice = soffice_path()
    if soffice is None:
        raise SofficeMissing("LibreOffice is not installed (no `soffice` on PATH); install it with "
                             "`apt-get install -y --no-install-recommends libreoffice-writer` to forge DOC files")
    with tempfile.TemporaryDirectory(prefix="ogi-forge-doc-") as tmp:
        work = Path(tmp)
        inputs = []
        for i, data in enumerate(documents):
            path = work / f"report{i}.docx"
            path.write_bytes(data)
            inputs.append(path)
        out_dir = work / "out"
        command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nologo", "--nolockcheck", "--convert-to", "doc:MS Word 97", "--outdir", str(out_dir),
                   *map(str, inputs)]
        try:
            run = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise ConversionFailed(f"soffice did not finish within {timeout:.0f} s") from e
        results = []
        for path in inputs:
            target = out_dir / (path.stem + ".doc")
            if not target.exists():
                raise ConversionFailed(f"soffice made no {target.name} (exit {run.returncode}): "
                                       f"{run.stderr.decode('utf-8', 'replace')[-500:]}")
            results.append(target.read_bytes())
        return results
