"""Forged reports as HTML, the two ways portals publish them.

- ``style="word"``: a Word/WPS "save as web page" file — ``MsoNormalTable``, every cell text in
  ``<p class=MsoNormal><span style=…>`` runs split between CJK and Latin script, ``<o:p>&nbsp;</o:p>``
  in blank cells, mso styles, vertical text, and Word's zero-height alignment row.
- ``style="cms"``: the article page of a government CMS — header, navigation, breadcrumbs
  (首页 > 政府信息公开 > 政府信息公开年报), a layout table around the article, inline styles,
  ``商业<br/>企业`` headers, ``&nbsp;`` padding, and a footer.

- ``style="fragment"``: what a CMS stores when an editor pastes a Word report into its editor
  (Word "copy to editor"): no ``<html>``/``<body>``, the file starts with ``<p class="MsoNormal"
  style=…>``; inline-styled Word tables whose style attributes hold newlines, every line of a cell in
  its own ``<p class="p">`` (商业 / 企业), some header lines split by ``<br />`` instead, header and value
  cells padded with ``<font face="Calibri">&nbsp;</font>``, the 22-row vertical 三、本年度办理结果, and a
  misaligned column in table 三 (one applicant column two grid columns wide), as the Pingtan portal
  serves its reports.
- ``style="json"``: the same fragment as the ``content`` string of a CMS's JSON API answer
  (``{"data": {"title": …, "content": "<p style=\\"…\\">…"}}``), with ``\\"`` escapes, and for some
  seeds ``\\u`` escapes of every CJK character and ``\\/`` for ``/``.

All print the tables with the official rowspans and colspans (`extract.forge.spans`). Encodings
are UTF-8 or GBK, declared in ``<meta>`` or, as some portals do, not at all.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from html import escape

from extract.forge.model import Report
from extract.forge.prose import Prose, write_prose
from extract.forge.spans import Sheet, Span, sheets

STYLES = ("word", "cms", "fragment", "json")
ENCODINGS = ("utf-8", "gbk")


@dataclass
class Chrome:
    """The page around a CMS article: site name, navigation, breadcrumbs, attachments."""

    site: str = "清河市人民政府"
    nav: list[tuple[str, str]] = field(default_factory=lambda: [
        ("首页", "/"), ("政务公开", "/zwgk/"), ("政务服务", "/zwfw/"), ("互动交流", "/hdjl/"), ("走进清河", "/zjqh/")])
    breadcrumbs: list[tuple[str, str]] = field(default_factory=lambda: [
        ("首页", "/"), ("政府信息公开", "/zwgk/"), ("政府信息公开年报", "/zwgk/ndbg/index.html")])
    sidebar: list[tuple[str, str]] = field(default_factory=lambda: [
        ("政府信息公开指南", "/zwgk/znml/"), ("政府信息公开制度", "/zwgk/zd/"),
        ("法定主动公开内容", "/zwgk/fdzdgk/"), ("政府信息公开年报", "/zwgk/ndbg/index.html")])
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (link text, href)
    source: str | None = None  # 来源 shown under the title


def render_html(report: Report, *, encoding: str = "utf-8", style: str = "word", declare_charset: bool = True,
                chrome: Chrome | None = None, with_tables: bool = True) -> bytes:
    """The report as an HTML file in `encoding` (utf-8 or gbk).

    `declare_charset=False` leaves the charset out of the page, as some portals do.
    `chrome` only matters for ``style="cms"``; `with_tables=False` prints the prose only
    (an article whose tables are in an attachment).
    """
    if style not in STYLES:
        raise ValueError(f"unknown HTML style {style!r}; expected one of {STYLES}")
    prose = write_prose(report)
    if style == "word":
        return _encode(_word_document(report, prose, encoding, declare_charset, with_tables), encoding)
    if style == "fragment":
        return _encode(pasted_fragment(report, prose, with_tables), encoding)
    if style == "json":
        return _encode(json_article(report, pasted_fragment(report, prose, with_tables)), encoding)
    body = cms_article_body(report, prose, with_tables)
    return cms_page(report.title, body, chrome or Chrome(source=report.agency), encoding=encoding,
                    declare_charset=declare_charset, published=report.published.isoformat())


def _encode(text: str, encoding: str) -> bytes:
    if encoding.lower() not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {ENCODINGS}")
    return text.encode(encoding, errors="xmlcharrefreplace")


def _sheets_after(report: Report) -> dict[str, Sheet]:
    """The table printed after each section heading, keyed by the heading's numeral (二, 三, 四)."""
    laid_out = sheets(report)
    return {numeral: laid_out[table] for numeral, table in
            (("二", "active_disclosure"), ("三", "requests"), ("四", "review_litigation")) if table in laid_out}


# ---------------------------------------------------------------- Word / WPS


_WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
{meta}<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:View>Print</w:View>
  <w:SpellingState>Clean</w:SpellingState>
  <w:GrammarState>Clean</w:GrammarState>
  <w:PunctuationKerning/>
  <w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>
  <w:DisplayHorizontalDrawingGridEvery>0</w:DisplayHorizontalDrawingGridEvery>
  <w:DisplayVerticalDrawingGridEvery>2</w:DisplayVerticalDrawingGridEvery>
  <w:Compatibility>
   <w:SpaceForUL/>
   <w:BalanceSingleByteDoubleByteWidth/>
   <w:DoNotLeaveBackslashAlone/>
   <w:UseFELayout/>
  </w:Compatibility>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face
	{{font-family:宋体;
	panose-1:2 1 6 0 3 1 1 1 1 1;
	mso-font-charset:134;
	mso-generic-font-family:auto;
	mso-font-pitch:variable;}}
 @font-face
	{{font-family:仿宋_GB2312;
	mso-font-charset:134;
	mso-generic-font-family:modern;}}
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{mso-style-unhide:no;
	mso-style-qformat:yes;
	margin:0cm;
	text-align:justify;
	text-justify:inter-ideograph;
	mso-pagination:none;
	font-size:10.5pt;
	mso-bidi-font-size:12.0pt;
	font-family:"Times New Roman",serif;
	mso-fareast-font-family:宋体;
	mso-font-kerning:1.0pt;}}
@page WordSection1
	{{size:595.3pt 841.9pt;
	margin:72.0pt 90.0pt 72.0pt 90.0pt;
	mso-header-margin:42.55pt;
	mso-footer-margin:49.6pt;
	mso-paper-source:0;
	layout-grid:15.6pt;}}
div.WordSection1
	{{page:WordSection1;}}
-->
</style>
<!--[if gte mso 10]>
<style>
 /* Style Definitions */
 table.MsoNormalTable
	{{mso-style-name:普通表格;
	mso-tstyle-rowband-size:0;
	mso-tstyle-colband-size:0;
	mso-style-noshow:yes;
	mso-style-priority:99;
	mso-style-parent:"";
	mso-padding-alt:0cm 5.4pt 0cm 5.4pt;
	mso-para-margin:0cm;
	font-size:10.5pt;
	font-family:"Times New Roman",serif;}}
</style>
<![endif]-->
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>

<div class=WordSection1 style='layout-grid:15.6pt'>
"""

_LATIN = re.compile(r"[0-9A-Za-z.%/\-+]+")
_CJK_FONT = "font-family:仿宋_GB2312;mso-hansi-font-family:宋体"


def _word_runs(text: str, size: str, font: str = _CJK_FONT, bold: bool = False) -> str:
    """Text as Word writes it: CJK and Latin in separate spans."""
    out, at = [], 0
    for m in _LATIN.finditer(text):
        if m.start() > at:
            out.append(f"<span style='font-size:{size};{font}'>{escape(text[at:m.start()], quote=False)}</span>")
        out.append(f"<span lang=EN-US style='font-size:{size};font-family:\"Times New Roman\",serif;"
                   f"mso-fareast-font-family:仿宋_GB2312'>{escape(m.group(), quote=False)}</span>")
        at = m.end()
    if at < len(text):
        out.append(f"<span style='font-size:{size};{font}'>{escape(text[at:], quote=False)}</span>")
    html = "".join(out)
    return f"<b style='mso-bidi-font-weight:normal'>{html}</b>" if bold else html


def _word_paragraph(text: str, *, size: str = "16.0pt", align: str | None = None, indent: bool = True,
                    bold: bool = False, font: str = _CJK_FONT) -> str:
    style = ["line-height:28.0pt;mso-line-height-rule:exactly"]
    if indent:
        style.insert(0, "text-indent:32.0pt;mso-char-indent-count:2.0")
    attrs = f" align={align}" if align else ""
    if align:
        style.insert(0, f"text-align:{align}")
    runs = _word_runs(text, size, font, bold)
    # Word wraps its source lines inside tags, never changing the text
    runs = runs.replace("><span ", ">\n<span ")
    return f"<p class=MsoNormal{attrs} style='{';'.join(style)}'>{runs}<span lang=EN-US " \
           f"style='font-size:{size}'><o:p></o:p></span></p>\n\n"


def _word_document(report: Report, prose: Prose, encoding: str, declare: bool, with_tables: bool) -> str:
    charset = "gb2312" if encoding == "gbk" else "utf-8"
    meta = f'<meta http-equiv=Content-Type content="text/html; charset={charset}">\n' if declare else ""
    rng = random.Random(f"word-{report.seed}")
    parts = [_WORD_HEAD.format(meta=meta, title=escape(report.title))]
    parts.append(_word_paragraph(prose.title, size="22.0pt", align="center", indent=False,
                                 font="font-family:方正小标宋简体;mso-hansi-font-family:宋体"))
    parts.append("<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>\n\n")
    for text in prose.preface:
        parts.append(_word_paragraph(text))
    tables = _sheets_after(report) if with_tables else {}
    for heading, paragraphs in prose.sections:
        parts.append(_word_paragraph(heading, font="font-family:黑体;mso-hansi-font-family:宋体"))
        for text in paragraphs:
            parts.append(_word_paragraph(text))
        sheet = tables.get(heading[0])
        if sheet is not None:
            parts.append(_word_table(sheet, rng))
            parts.append("<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>\n\n")
    parts.append(_word_paragraph(prose.signature, align="right", indent=False))
    parts.append(_word_paragraph(prose.date_line, align="right", indent=False))
    parts.append("</div>\n\n</body>\n\n</html>\n")
    return "".join(parts)


_COL_WIDTHS = {"active_disclosure": (150, 100, 100, 100), "requests": (28, 62, 160),
               "legacy": (230, 50)}  # extract.forge.legacy: indicator, unit, then the figures


def _column_widths(sheet: Sheet) -> list[int]:
    if sheet.table == "review_litigation":
        return [36] * 15
    fixed = _COL_WIDTHS[sheet.table]
    return [*fixed, *([42] * (sheet.width - len(fixed)))]


def _word_table(sheet: Sheet, rng: random.Random) -> str:
    widths = _column_widths(sheet)
    total = sum(widths)
    size = "9.0pt" if sheet.width > 10 else "10.5pt"
    out = [f"<div align=center>\n\n<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width={total}\n"
           f" style='width:{total * 0.75:.1f}pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;\n"
           f" mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt;mso-border-insideh:.5pt solid windowtext;\n"
           f" mso-border-insidev:.5pt solid windowtext'>\n"]
    origins = sheet.origins()
    for r, row in enumerate(origins):
        first = ";mso-yfti-firstrow:yes" if r == 0 else ""
        last = ";mso-yfti-lastrow:yes" if r == len(origins) - 1 else ""
        out.append(f" <tr style='mso-yfti-irow:{r}{first}{last};height:19.85pt'>\n")
        for c, span in row:
            width = sum(widths[c:c + span.colspan])
            out.append(_word_cell(span, width, size, rng))
        out.append(" </tr>\n")
    if sheet.table == "requests":
        # Word's alignment row for tables whose columns do not line up between rows
        out.append(" <![if !supportMisalignedColumns]>\n <tr height=0>\n")
        out.extend(f"  <td width={w} style='border:none'></td>\n" for w in widths)
        out.append(" </tr>\n <![endif]>\n")
    out.append("</table>\n\n</div>\n\n")
    return "".join(out)


def _word_cell(span: Span, width: int, size: str, rng: random.Random) -> str:
    attrs = f" width={width}"
    if span.colspan > 1:
        attrs += f" colspan={span.colspan}"
    if span.rowspan > 1:
        attrs += f" rowspan={span.rowspan}"
    style = (f"width:{width * 0.75:.1f}pt;border:solid windowtext 1.0pt;border-top:none;"
             f"mso-border-top-alt:solid windowtext .5pt;mso-border-alt:solid windowtext .5pt;"
             f"padding:0cm 5.4pt 0cm 5.4pt;height:19.85pt")
    if span.vertical:
        style += ";layout-flow:vertical-ideographic"
    align = "left" if span.role in ("title", "label", "extra") and span.colspan < 4 else "center"
    if span.role == "title":
        align = "left"
    paragraphs = []
    for line in span.lines:
        if line:
            pad = "<span lang=EN-US style='font-size:" + size + "'>&nbsp;</span>" if (
                span.role == "value" and rng.random() < 0.15) else ""
            body = _word_runs(line, size, "font-family:宋体;mso-ascii-font-family:\"Times New Roman\"",
                              bold=span.role in ("head", "title")) + pad
        else:
            body = f"<span lang=EN-US style='font-size:{size}'><o:p>&nbsp;</o:p></span>"
        paragraphs.append(f"  <p class=MsoNormal align={align} style='text-align:{align}'>{body}"
                          f"<span lang=EN-US style='font-size:{size}'><o:p></o:p></span></p>\n" if line else
                          f"  <p class=MsoNormal align={align} style='text-align:{align}'>{body}</p>\n")
    return f"  <td{attrs} valign=center style='{style}'>\n{''.join(paragraphs)}  </td>\n"


# ---------------------------------------------------------------- CMS


def cms_page(title: str, main_html: str, chrome: Chrome, *, encoding: str = "utf-8", declare_charset: bool = True,
             published: str | None = None) -> bytes:
    """An article page of a government CMS around `main_html` (the article's body)."""
    charset = "gb2312" if encoding == "gbk" else "utf-8"
    meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n' if declare_charset else "")
    nav = "".join(f'<li><a href="{escape(h)}" target="_self">{escape(t)}</a></li>' for t, h in chrome.nav)
    crumbs = " &gt; ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in chrome.breadcrumbs)
    side = "\n".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in chrome.sidebar)
    info = []
    if published:
        info.append(f"发布日期：{published}")
    if chrome.source:
        info.append(f"来源：{escape(chrome.source)}")
    attachments = ""
    if chrome.attachments:
        links = "".join(f'<li><a href="{escape(h)}" target="_blank">{escape(t)}</a></li>' for t, h in chrome.attachments)
        attachments = f'<div class="fujian"><p><strong>附件：</strong></p><ul>{links}</ul></div>\n'
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta}<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{escape(title)}_{escape(chrome.site)}</title>
<meta name="SiteName" content="{escape(chrome.site)}" />
<meta name="ArticleTitle" content="{escape(title)}" />
<link href="/images/common.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/images/jquery.min.js"></script>
</head>
<body>
<div class="top"><div class="w1000"><span class="date">{escape(published or "")}</span>
<a href="/" class="logo">{escape(chrome.site)}</a><form class="search" action="/search" method="get">
<input type="text" name="q" /><input type="submit" value="搜索" /></form></div></div>
<div class="nav"><ul class="w1000">{nav}</ul></div>
<div class="position w1000">当前位置：{crumbs}</div>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="layout">
  <tr>
    <td width="230" valign="top" class="left">
      <div class="lm_title">政府信息公开</div>
      <ul class="lm_list">
{side}
      </ul>
    </td>
    <td width="20">&nbsp;</td>
    <td valign="top" class="right">
      <div class="article">
        <h1 class="article_title">{escape(title)}</h1>
        <div class="article_info">{"&nbsp;&nbsp;&nbsp;&nbsp;".join(info)}&nbsp;&nbsp;&nbsp;&nbsp;字号：[<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>]</div>
        <div class="TRS_Editor" id="zoom">
{main_html}
        </div>
{attachments}        <div class="article_tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
      </div>
    </td>
  </tr>
</table>
<div class="footer"><div class="w1000">
<p>主办单位：{escape(chrome.site)}办公室&nbsp;&nbsp;&nbsp;&nbsp;网站标识码：3301000007</p>
<p>版权所有：{escape(chrome.site)}&nbsp;&nbsp;&nbsp;&nbsp;江ICP备05012345号&nbsp;&nbsp;&nbsp;&nbsp;<a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>
</div></div>
</body>
</html>
"""
    return _encode(page, encoding)


_CMS_P = '<p style="text-indent: 2em; line-height: 2em; margin: 0px;"><span style="font-family: 仿宋_GB2312; font-size: 16pt;">{}</span></p>'
_CMS_HEADING = '<p style="text-indent: 2em; line-height: 2em; margin: 0px;"><strong><span style="font-family: 黑体; font-size: 16pt;">{}</span></strong></p>'


def cms_article_body(report: Report, prose: Prose | None = None, with_tables: bool = True,
                     table_html=None) -> str:
    """The article as a CMS editor stores it: inline-styled paragraphs and tables (`table_html`,
    a function of the table's `Sheet`, prints something else in a table's place: its pictures)."""
    prose = prose or write_prose(report)
    rng = random.Random(f"cms-{report.seed}")
    parts = [_CMS_P.format(escape(t)) for t in prose.preface]
    tables = _sheets_after(report) if with_tables else {}
    for heading, paragraphs in prose.sections:
        parts.append(_CMS_HEADING.format(escape(heading)))
        parts.extend(_CMS_P.format(escape(t)) for t in paragraphs)
        sheet = tables.get(heading[0])
        if sheet is not None:
            parts.append(table_html(sheet) if table_html else _cms_table(sheet, rng))
    parts.append(f'<p style="text-align: right; line-height: 2em;"><span style="font-family: 仿宋_GB2312; '
                 f'font-size: 16pt;">{escape(prose.signature)}</span></p>')
    parts.append(f'<p style="text-align: right; line-height: 2em;"><span style="font-family: 仿宋_GB2312; '
                 f'font-size: 16pt;">{escape(prose.date_line)}</span></p>')
    return "\n".join(parts)


def _cms_table(sheet: Sheet, rng: random.Random) -> str:
    out = ['<div style="overflow-x:auto;"><table border="1" cellspacing="0" cellpadding="0" width="100%" '
           'style="border-collapse: collapse; border: none; margin: 0 auto;"><tbody>']
    for row in sheet.origins():
        out.append("<tr>")
        for _, span in row:
            out.append(_cms_cell(span, rng))
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _cms_cell(span: Span, rng: random.Random) -> str:
    attrs = ""
    if span.rowspan > 1:
        attrs += f' rowspan="{span.rowspan}"'
    if span.colspan > 1:
        attrs += f' colspan="{span.colspan}"'
    style = "border: 1px solid windowtext; padding: 0px 7px;"
    if span.vertical:
        style += " writing-mode: tb-rl;"
    align = "left" if span.role in ("label", "title", "extra") else "center"
    if not span.text:
        # editors leave a blank cell empty or put a non-breaking space in it
        inner = "&nbsp;" if rng.random() < 0.6 else ""
        return f'<td{attrs} style="{style}">{inner}</td>'
    text = "<br/>".join(escape(line, quote=False) for line in span.lines)
    if span.role == "value" and rng.random() < 0.25:
        text = f"&nbsp;{text}&nbsp;"
    if span.role == "head" and "\n" not in span.text and rng.random() < 0.3:
        return f'<td{attrs} style="{style}" align="center"><strong>{text}</strong></td>'
    return (f'<td{attrs} style="{style}"><p style="text-align: {align}; margin: 0px;">'
            f'<span style="font-family: 宋体; font-size: 14px;">{text}</span></p></td>')


# ---------------------------------------------------------------- Word pasted into a CMS editor (fragments)


_PASTE_P = ('<p class="MsoNormal" style="margin: 0pt; text-indent: 31.4pt; padding: 0pt; background-image: '
            'initial; background-position: initial;"><span style="font-family: {font}; color: rgb(76, 76, 76); '
            'letter-spacing: -0.3pt; font-size: 16pt;"><font face="{font}">{text}</font></span>'
            '<span style="font-family: 微软雅黑; color: rgb(76, 76, 76); font-size: 12pt;"><o:p></o:p></span></p>')
_PASTE_TD = ('<td width="{width}" valign="center"{spans} style="width:{pt:.4f}pt;padding:3.7500pt 3.7500pt 3.7500pt '
             '3.7500pt ;border-left:1.0000pt outset windowtext;\nmso-border-left-alt:1.0000pt outset windowtext;'
             'border-right:1.0000pt outset windowtext;\nborder-top:none;mso-border-top-alt:none;border-bottom:'
             '1.0000pt outset windowtext;\nmso-border-bottom-alt:1.0000pt outset windowtext;{extra}">{body}</td>')
_PASTE_LINE = ('<p class="p" align="{align}" style="margin-top:1.5000pt;margin-right:0.0000pt;margin-bottom:0.0000pt;'
               '\nmargin-left:0.0000pt;text-indent:{indent};word-break:break-all;\nmso-pagination:widow-orphan;'
               'text-align:{align};line-height:21.0000pt;"><span style="font-family:仿宋_GB2312;mso-hansi-font-family:'
               'Calibri;color:rgb(51,51,51);\nletter-spacing:0.0000pt;font-size:14.0000pt;mso-font-kerning:0.0000pt;'
               '">{text}</span><span style="font-family:Calibri;mso-fareast-font-family:宋体;mso-bidi-font-family:'
               '\'Times New Roman\';\nfont-size:12.0000pt;mso-font-kerning:0.0000pt;"><o:p></o:p></span></p>')
_PASTE_BLANK = ('<p class="MsoNormal" style="margin: 0pt;"><span style="font-family:仿宋_GB2312;color:rgb(34,34,34);'
                '\nfont-size:14.0000pt;"><font face="Calibri">&nbsp;</font></span><span style="font-family:Calibri;'
                'font-size:10.5000pt;"><o:p></o:p></span></p>')
_NBSP_PAD = '<font face="Calibri">&nbsp;</font>'
_WIDE_COLUMN = "commercial"  # the applicant column Word leaves two grid columns wide


def pasted_fragment(report: Report, prose: Prose | None = None, with_tables: bool = True) -> str:
    """The report as a CMS editor stores a pasted Word document: a bare fragment, no page around it."""
    prose = prose or write_prose(report)
    rng = random.Random(f"paste-{report.seed}")
    parts = [_PASTE_P.format(font="方正小标宋简体", text=escape(prose.title, quote=False))] if rng.random() < 0.5 else []
    parts += [_PASTE_P.format(font="仿宋_GB2312", text=escape(t, quote=False)) for t in prose.preface]
    tables = _sheets_after(report) if with_tables else {}
    for heading, paragraphs in prose.sections:
        parts.append(_PASTE_P.format(font="黑体", text=escape(heading, quote=False)))
        parts.extend(_PASTE_P.format(font="仿宋_GB2312", text=escape(t, quote=False)) for t in paragraphs)
        sheet = tables.get(heading[0])
        if sheet is not None:
            parts.append(_pasted_table(sheet, rng))
    for line in (prose.signature, prose.date_line):
        parts.append(_PASTE_P.format(font="仿宋_GB2312", text=escape(line, quote=False)).replace(
            "text-indent: 31.4pt", "text-align: right"))
    return "".join(parts)


def _wide_column(sheet: Sheet) -> int | None:
    """The grid column of table 三 that Word prints two columns wide (None for other tables)."""
    if sheet.table != "requests":
        return None
    for row in sheet.origins():
        for c, span in row:
            if span.key and span.key[2] == _WIDE_COLUMN:
                return c
    return None


def _pasted_table(sheet: Sheet, rng: random.Random) -> str:
    widths = _column_widths(sheet)
    wide = _wide_column(sheet)
    out = ['<div align="center"><table border="1" cellspacing="0" style="border-collapse:collapse;border:none;'
           'mso-border-left-alt:none;\nmso-border-top-alt:none;mso-border-insideh:0.7500pt outset windowtext;'
           'mso-padding-alt:0.0000pt 0.0000pt 0.0000pt 0.0000pt ;"><tbody>']
    for row in sheet.origins():
        out.append("<tr>")
        for c, span in row:
            colspan = span.colspan + (wide is not None and c <= wide < c + span.colspan)
            width = sum(widths[c:c + span.colspan])
            out.append(_pasted_cell(span, colspan, width, rng))
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _pasted_cell(span: Span, colspan: int, width: int, rng: random.Random) -> str:
    spans = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{span.rowspan}"' if span.rowspan > 1 else "")
    extra = "layout-flow:vertical-ideographic;" if span.vertical else ""
    align = "justify" if span.role in ("label", "title", "extra", "group") else "center"
    if not span.text:
        body = _PASTE_BLANK
    elif span.role == "head" and len(span.lines) > 1 and rng.random() < 0.4:
        body = _PASTE_LINE.format(align=align, indent="0.0000pt", text="<br />".join(
            escape(line, quote=False) for line in span.lines))  # one paragraph, lines split by <br />
    else:
        lines = []
        for line in span.lines:
            text = escape(line, quote=False)
            if span.role in ("head", "title") and rng.random() < 0.3:
                text = "&nbsp;&nbsp;" + text  # Word's first-line indent, pasted as padding
            elif span.role == "value" and rng.random() < 0.2:
                text = f'{_NBSP_PAD}<font face="仿宋_GB2312">{text}</font>'
            lines.append(_PASTE_LINE.format(align=align, indent="24.0000pt" if span.role == "title" else "0.0000pt",
                                            text=text))
        body = "".join(lines)
    return _PASTE_TD.format(width=width, spans=spans, pt=width * 0.75, extra=extra, body=body)


def json_article(report: Report, content: str) -> str:
    """A CMS API's answer holding the article: its HTML as the `content` string."""
    rng = random.Random(f"json-{report.seed}")
    article = {"id": 80000 + report.seed, "title": report.title, "publishTime": f"{report.published.isoformat()} 16:34",
               "source": report.agency, "content": content, "attachments": []}
    text = json.dumps({"code": 200, "msg": "success", "data": article}, ensure_ascii=rng.random() < 0.5)
    return text.replace("/", "\\/") if rng.random() < 0.5 else text
