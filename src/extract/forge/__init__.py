"""The forge: reports rendered from known numbers, in every shape portals publish, and a demo portal.

    from extract.forge import generate, MESSES, render_html, render_text, render_docx
    report = generate(seed=3, template="2021", mess=MESSES["blank_zeros"])
    data = render_html(report, encoding="gbk", style="word")
    report.truth()          # every cell the file contains, exactly

Names are imported on first use (the renderers pull in python-docx, reportlab, …).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

_EXPORTS = {
    "generate": "model", "Mess": "model", "MESSES": "model", "Report": "model", "Printed": "model",
    "render_html": "html", "render_text": "text", "render_docx": "docx", "render_doc": "doc",
    "SofficeMissing": "doc", "sheets": "spans", "write_prose": "prose",
    "DemoPortal": "portal", "serve_demo_portal": "portal",
}

__all__ = [*_EXPORTS, "forge_samples"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f"extract.forge.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'extract.forge' has no attribute {name!r}")


def forge_samples(out_dir: Path, seed: int = 0) -> list[Path]:
    """Write one file per format and per messy case into `out_dir`, each with its truth CSV.

    HTML (Word and CMS, UTF-8 and GBK, charset declared or not), text (tsv, spaces, fused), DOCX,
    DOC where LibreOffice is installed, PDF where `extract.forge.pdf` exists, every case of
    `MESSES` as Word HTML, and pre-2019 reports of both families in every format (`legacy_*`). Returns the paths of the report files written (truth CSVs excluded).
    """
    from extract.forge.doc import SofficeMissing, render_docs
    from extract.forge.docx import render_docx
    from extract.forge.html import render_html
    from extract.forge.model import MESSES, generate
    from extract.forge.text import render_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(name: str, data: bytes, report) -> None:
        path = out / name
        _write_atomic(path, data)
        _write_atomic(out / f"{path.stem}.truth.csv", report.truth().to_csv(index=False).encode("utf-8"))
        written.append(path)

    base = generate(seed, "2021")
    old = generate(seed + 1, "2019")
    for style in ("word", "cms"):
        for encoding in ("utf-8", "gbk"):
            save(f"{style}_{encoding}.html", render_html(base, style=style, encoding=encoding), base)
        save(f"{style}_gbk_undeclared.html", render_html(base, style=style, encoding="gbk", declare_charset=False),
             base)
    save("word_2019.html", render_html(old), old)
    for style in ("tsv", "spaces", "fused"):
        save(f"text_{style}.txt", render_text(base, style=style), base)
    save("report.docx", render_docx(base), base)
    save("report_2019.docx", render_docx(old), old)
    for name, mess in MESSES.items():
        report = generate(seed, "2021", mess)
        save(f"mess_{name}.html", render_html(report, style="word"), report)
    try:
        doc, doc_old = render_docs([base, old])
        save("report.doc", doc, base)
        save("report_2019.doc", doc_old, old)
    except SofficeMissing:
        pass
    _pdf_samples(base, old, save)
    _legacy_samples(seed, save)
    return written


def _legacy_samples(seed: int, save) -> None:
    """Pre-2019 reports (extract.forge.legacy), both families, in every format."""
    from extract.forge.legacy import FAMILIES, FORMATS, generate_legacy, render_legacy

    suffix = {"html": "html", "word-html": "html", "docx": "docx", "pdf": "pdf", "text": "txt", "fused": "txt"}
    for family in FAMILIES:
        for fmt in FORMATS:
            report = generate_legacy(seed, family, levels=False if fmt == "fused" else None)
            save(f"legacy_{family}_{fmt}.{suffix[fmt]}", render_legacy(report, fmt), report)


def _pdf_samples(base, old, save) -> None:
    """PDFs in each layout the PDF renderer offers, when it is there."""
    try:
        pdf = import_module("extract.forge.pdf")
    except ImportError:
        return
    layouts = getattr(pdf, "LAYOUTS", None) or {"default": None}
    for name, layout in layouts.items():
        data = pdf.render_pdf(base, layout=layout) if layout is not None else pdf.render_pdf(base)
        save(f"pdf_{name}.pdf", data, base)
    save("pdf_2019.pdf", pdf.render_pdf(old), old)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
