"""Running Tesseract (and pdftoppm): no shell, a timeout, TSV output for boxes and confidences."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass

from PIL import Image

from extract.model import ReadError
from extract.read.ocr.tuning import LANG_TEXT, TESSERACT_TIMEOUT_S

#: the columns of Tesseract's TSV output
_TSV_FIELDS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num", "left", "top", "width",
               "height", "conf", "text")

@dataclass(frozen=True)
class Word:
    top: int
    left: int
    height: int
    conf: float
    text: str
    line: tuple[int, int, int]  # block, paragraph, line


def tesseract_words(image: Image.Image, psm: int, whitelist: str | None = None,
                    lang: str = LANG_TEXT) -> list[Word]:
    """The words Tesseract reads in `image`, with boxes and confidences (TSV output)."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise ReadError("Tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-chi-sim), so scans "
                        "cannot be read", check="ocr.unavailable")
    command = [exe, "stdin", "stdout", "-l", lang, "--psm", str(psm), "--dpi", "300"]
    if whitelist:
        command += ["-c", f"tessedit_char_whitelist={whitelist}"]
    png = io.BytesIO()
    image.save(png, format="PNG")
    out = run_tool(command + ["tsv"], TESSERACT_TIMEOUT_S, "tesseract", png.getvalue())
    words = []
    for row in out.decode("utf-8", "replace").splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) != len(_TSV_FIELDS) or parts[0] != "5" or not parts[11].strip():
            continue
        fields = dict(zip(_TSV_FIELDS, parts))
        words.append(Word(int(fields["top"]), int(fields["left"]), int(fields["height"]),
                          max(0.0, float(fields["conf"])) / 100,
                          fields["text"].strip(), (int(fields["block_num"]), int(fields["par_num"]),
                                                   int(fields["line_num"]))))
    return words


def run_tool(command: list[str], timeout: float, name: str, stdin: bytes | None = None) -> bytes:
    """Run an OCR tool (tesseract, pdftoppm) and return its stdout; a timeout, a missing tool or a
    failure is a `ReadError` with its ocr.* check."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise ReadError(f"{name} did not finish within {timeout:g} s; stopped", check="ocr.timeout") from None
    except OSError as exc:
        raise ReadError(f"{name} could not be started: {exc}", check="ocr.unavailable") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadError(f"{name} failed (exit {done.returncode}): {(message or [''])[-1][:300]}",
                        check="ocr.failed")
    return done.stdout
