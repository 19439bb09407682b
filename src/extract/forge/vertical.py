"""A vertical CJK font for the PDF forge: an embedded TrueType subset set in Identity-V.

WPS writes a cell whose text direction is "vertical" (the rotated 三、本年度办理结果) in a Type 0
font with the ``Identity-V`` CMap: codes are glyph ids, and each glyph's origin advances *down*
the page (vertical writing) instead of to the right. Its descendant is a CIDFontType2 with the
embedded glyphs, ``/CIDToGIDMap /Identity``, vertical metrics ``/DW2`` and a ``/ToUnicode`` map
that turns the glyph ids back into text.

reportlab writes no such font, so `VerticalFont` is a small font object of its own that reportlab's
canvas accepts like its CID fonts (multi-byte codes, `addObjects` writing the PDF objects). The
glyphs come from the same Noto CJK TrueType subset the forge embeds for horizontal text, cut down
with fontTools to the characters the vertical text uses.
"""

from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache
from pathlib import Path

from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfdoc, pdfmetrics

#: vertical metrics: origin 880/1000 above the glyph's baseline, advance one em down
VERTICAL_ORIGIN_Y = 880
VERTICAL_ADVANCE = -1000


def subset_glyphs(font, chars: str) -> None:
    """Cut a fontTools font down to `chars` in place (glyph ids renumbered, no layout features or
    hinting): the subset a PDF writer embeds."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features, options.hinting, options.notdef_outline, options.name_IDs = [], False, True, ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)


def _subset(source: Path, chars: str) -> bytes:
    """`source` (a TrueType font) cut down to `chars` (glyph ids renumbered)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    subset_glyphs(font, chars)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class VerticalFont:
    """An Identity-V Type 0 font over an embedded TrueType subset, usable with reportlab's canvas
    (`pdfmetrics.registerFont`, `setFont`, `drawString`: glyphs then run down the page)."""

    _dynamicFont = False  # reportlab: not a subsetting TTFont …
    _multiByte = True  # … but a font whose codes `formatForPdf` writes
    shapable = False

    def __init__(self, name: str, program: bytes):
        from fontTools.ttLib import TTFont

        self.fontName = self.name = name
        self.substitutionFonts: list = []
        self.program = program
        font = TTFont(io.BytesIO(program))
        scale = 1000 / font["head"].unitsPerEm
        order = {g: i for i, g in enumerate(font.getGlyphOrder())}
        self.gids = {chr(u): order[g] for u, g in font.getBestCmap().items()}
        self.widths = {gid: round(font["hmtx"][g][0] * scale) for g, gid in order.items()}
        head, hhea = font["head"], font["hhea"]
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent, self.descent = round(hhea.ascent * scale), round(hhea.descent * scale)

    def codes(self, text: str) -> bytes:
        """Two bytes per glyph (its id): what Identity-V reads."""
        missing = [c for c in text if c not in self.gids]
        if missing:
            raise ValueError(f"{self.name} has no glyph for {''.join(missing)!r}")
        return b"".join(self.gids[c].to_bytes(2, "big") for c in text)

    def formatForPdf(self, text: str) -> str:  # reportlab's hook, hence the name
        return escapePDF(self.codes(text))

    def stringWidth(self, text: str, size: float, encoding=None) -> float:
        """The horizontal extent (reportlab asks it to advance its cursor; vertical text is
        one glyph wide)."""
        return max((self.widths.get(self.gids.get(c, 0), 1000) for c in text), default=0) * size / 1000

    def to_unicode(self) -> bytes:
        """The /ToUnicode CMap: glyph id → character."""
        pairs = sorted((gid, ch) for ch, gid in self.gids.items())
        body = []
        for k in range(0, len(pairs), 100):
            chunk = pairs[k:k + 100]
            body.append(f"{len(chunk)} beginbfchar")
            body += [f"<{gid:04X}> <{''.join(f'{b:02X}' for b in ch.encode('utf-16-be'))}>" for gid, ch in chunk]
            body.append("endbfchar")
        return "\n".join([
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            f"/CMapName /{self.name}-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange", *body,
            "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]).encode("ascii")

    def addObjects(self, doc) -> None:  # reportlab's hook: write the font's objects into `doc`
        internal = "F" + repr(len(doc.fontMapping) + 1)
        base = "/" + _tag(self.program) + "+" + self.name
        program = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Length1": len(self.program)}), self.program)
        unicode_map = pdfdoc.PDFStream(content=self.to_unicode())
        if doc.compression:
            program.filters = unicode_map.filters = [pdfdoc.PDFZCompress]
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor", "FontName": base, "Flags": 4, "FontBBox": pdfdoc.PDFArray(self.bbox),
            "ItalicAngle": 0, "Ascent": self.ascent, "Descent": self.descent, "CapHeight": self.ascent,
            "StemV": 80, "FontFile2": doc.Reference(program, f"vfont-program:{self.name}")})
        widths = pdfdoc.PDFArray([0, pdfdoc.PDFArray([self.widths[g] for g in range(len(self.widths))])])
        cid_font = pdfdoc.PDFDictionary({
            "Type": "/Font", "Subtype": "/CIDFontType2", "BaseFont": base,
            "CIDSystemInfo": pdfdoc.PDFDictionary({"Registry": pdfdoc.PDFString("Adobe"),
                                                   "Ordering": pdfdoc.PDFString("Identity"), "Supplement": 0}),
            "FontDescriptor": doc.Reference(descriptor, f"vfont-descriptor:{self.name}"),
            "DW": 1000, "W": widths, "DW2": pdfdoc.PDFArray([VERTICAL_ORIGIN_Y, VERTICAL_ADVANCE]),
            "CIDToGIDMap": "/Identity"})
        type0 = pdfdoc.PDFDictionary({
            "Type": "/Font", "Subtype": "/Type0", "BaseFont": base, "Encoding": "/Identity-V",
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(cid_font, f"vfont-cid:{self.name}")]),
            "ToUnicode": doc.Reference(unicode_map, f"vfont-tounicode:{self.name}")})
        ref = doc.Reference(type0, internal)
        doc.idToObject["BasicFonts"].dict[internal] = ref
        doc.fontMapping[self.fontName] = "/" + internal


def _tag(program: bytes) -> str:
    """The six capital letters a subset font's name starts with (ABCDEF+Name)."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


@lru_cache(maxsize=64)
def vertical_font(source: str, chars: str) -> str:
    """Register (once per character set) a vertical font of `chars` cut from the TrueType font
    file `source`; returns its reportlab name."""
    chars = "".join(sorted(set(chars)))
    digest = hashlib.sha256((os.path.basename(source) + chars).encode()).hexdigest()[:12]
    name = f"OgiForgeVertical-{digest}"
    pdfmetrics.registerFont(VerticalFont(name, _subset(Path(source), chars)))
    return name
