"""DOC and WPS → Document, through LibreOffice.

Word 97 ``.doc`` files and Kingsoft ``.wps`` files (the same binary format in an OLE2 container)
are converted to DOCX by LibreOffice headless, then read by the DOCX reader. Each conversion runs
with its own throw-away user profile (parallel runs never share a lock), no shell, and a timeout
after which the whole process group is killed: a file that cannot be converted is a `ReadError`
with the reason, never a hang.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from extract.model import Document, Grid, ReadError
from extract.read.docx import read_docx

TIMEOUT_S = 120.0
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_INSTALL_HINT = "apt-get install -y --no-install-recommends libreoffice-writer-nogui"


def read_doc(data: bytes, filename: str | None = None, timeout: float = TIMEOUT_S) -> Document:
    """A DOC or WPS file as lines and grids (grids have method ``doc``)."""
    fmt = "wps" if (filename or "").lower().endswith(".wps") else "doc"
    converted = convert_to_docx(data, _input_suffix(data, fmt), timeout)
    doc = read_docx(converted, filename)
    for block in doc.blocks:
        if isinstance(block, Grid):
            block.method = "doc"
    doc.format = fmt
    return doc


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _input_suffix(data: bytes, fmt: str) -> str:
    """The name LibreOffice sees: a Word stream is opened as Word whatever the extension said
    (``.wps`` also names Microsoft Works files, which LibreOffice reads through another filter)."""
    if data.startswith(_OLE) and _WORD_STREAM in data[:1 << 20]:
        return ".doc"
    return f".{fmt}"


def convert_to_docx(data: bytes, suffix: str = ".doc", timeout: float = TIMEOUT_S) -> bytes:
    """The DOCX LibreOffice makes of `data`; `ReadError` when it is missing, slow or unable."""
    soffice = soffice_path()
    if soffice is None:
        raise ReadError(f"LibreOffice (soffice) is not installed, so DOC/WPS files cannot be read; "
                        f"install it with `{_INSTALL_HINT}`", check="doc.converter_missing")
    with tempfile.TemporaryDirectory(prefix="ogi-doc-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"
        source.write_bytes(data)
        out_dir = work / "out"
        command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nologo", "--nolockcheck", "--nodefault", "--convert-to", "docx:MS Word 2007 XML",
                   "--outdir", str(out_dir), str(source)]
        returncode, output = run_with_timeout(command, timeout, work)
        target = out_dir / "input.docx"
        if not target.exists():
            reason = _last_error(output) or f"exit status {returncode}"
            raise ReadError(f"LibreOffice could not convert the file: {reason}", check="doc.unconvertible")
        return target.read_bytes()


def run_with_timeout(command: list[str], timeout: float, cwd: Path) -> tuple[int, str]:
    """Run without a shell in a new process group; on timeout kill the whole group (soffice
    starts helper processes) and raise `ReadError`."""
    env = {**os.environ, "HOME": str(cwd), "SAL_USE_VCLPLUGIN": "svp"}
    try:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        raise ReadError(f"LibreOffice could not be started: {exc}", check="doc.converter_missing") from exc
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise ReadError(f"LibreOffice did not convert the file within {timeout:g} s; stopped",
                        check="doc.timeout") from None
    finally:
        if proc.poll() is None:  # interrupted: leave no soffice behind
            _kill_group(proc)
            proc.wait()
    return proc.returncode, out.decode("utf-8", "replace")


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip() and "javaldx" not in line]
    errors = [line for line in lines if line.lower().startswith("error")]
    return (errors or lines or [""])[-1][:300]
