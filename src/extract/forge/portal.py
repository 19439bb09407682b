"""A small forged government site on 127.0.0.1, for demos and for tests of the crawl.

`DemoPortal(seed)` serves, from a background thread, a portal shaped like real ones:

- a home page, a 政府信息公开 page, and two annual-report columns:
  the city government's ``/zwgk/ndbg/index.html``, ``index_1.html``, … (TRS-style pagination,
  with the ``createPageHTML`` script and plain links) and the environment bureau's
  ``/bm/sthjj/ndbg/?page=2`` style;
- one article page per report with the tables in the page and/or attachment links (PDF, DOCX,
  DOC, a Word-saved HTML file, a ``downfile.jsp?filename=…`` download); relative, root-relative
  and absolute links; pages in UTF-8 or GBK, with or without a declared charset;
- items in the same columns that are not annual reports (a 政务公开工作要点, a notice, news);
- ``robots.txt`` disallowing ``/admin/`` (which the home page links to, as a trap);
- ``ETag`` and ``Last-Modified`` on every response, and ``304`` for ``If-None-Match`` /
  ``If-Modified-Since``.

`expected` lists every report file a crawl must archive; `requests_log` records each request
(time, path, headers). Reports are 2019–2025 (2019 and 2020 in the 2019 format), and the city's
2012–2018 reports before the national template (`extract.forge.legacy`: the Fujian-style list until
2013, the 2014 national form after), deterministic for a seed. Files are rendered on first request and cached, so start-up takes milliseconds; PDFs come
from `extract.forge.pdf` when that module exists and DOCs from LibreOffice when installed, and
otherwise those reports are served as DOCX.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from extract.forge.html import Chrome, cms_page, render_html
from extract.forge.legacy import LegacyReport, generate_legacy, render_legacy, render_legacy_html
from extract.forge.model import MESSES, Mess, Report, generate
from extract.forge.prose import write_prose
from extract.forge.render_cache import RenderCache

SITE = "清河市人民政府"
CITY_AGENCY = "江南省清河市人民政府"
BUREAU_AGENCY = "清河市生态环境局"
TOWN_AGENCY = "清河市河东区望江街道办事处"

CITY_COLUMN = "/zwgk/ndbg/"
BUREAU_COLUMN = "/bm/sthjj/ndbg/"
CITY_PAGE_SIZE = 5
_CITY_INDEX = 1  # CITY_AGENCY in extract.forge.model.AGENCIES
BUREAU_PAGE_SIZE = 3

CONTENT_TYPES = {
    "html": "text/html", "pdf": "application/pdf", "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class ExpectedFile:
    """A report file the portal holds: what a crawl must archive."""

    url: str
    format: str  # html, pdf, docx, doc
    agency: str
    year: int
    report: Report | LegacyReport

    def __getitem__(self, key: str):
        return getattr(self, key)


@dataclass
class Resource:
    """One servable path: how to make its bytes, and how to serve them."""

    path: str  # with query for downfile.jsp links
    make: Callable[[], bytes]
    content_type: str
    modified: datetime
    charset: str | None = None  # appended to Content-Type when set
    disposition: str | None = None  # Content-Disposition filename
    status: int = 200
    portable: bool = True  # the same bytes whatever the portal's address: kept in the disk cache


@dataclass
class Item:
    """An entry of a column listing."""

    title: str
    href: str  # as written in the listing page (relative or absolute)
    published: date


@dataclass
class _Plan:
    """One report: where it lives and how it is published."""

    agency: str
    year: int
    page: str  # the article path
    tables_in_page: bool
    attachment: str | None  # pdf, docx, doc, html (a Word-saved page) or None
    encoding: str = "utf-8"
    declare: str = "meta"  # meta, header, both, none
    mess: str = "clean"
    download_jsp: bool = False
    report: Report | LegacyReport | None = None
    family: str | None = None  # a pre-2019 report: fujian or national (extract.forge.legacy)
    attachment_path: str | None = None


def _pdf_available() -> bool:
    try:
        return importlib.util.find_spec("extract.forge.pdf") is not None
    except (ImportError, ValueError):
        return False


def _soffice_available() -> bool:
    from extract.forge.doc import soffice_path

    return soffice_path() is not None


class DemoPortal:
    """The forged site, served from a background thread.

    Use as a context manager, or call `start()` and `stop()`. `port=0` takes a free port. With a
    `cache` folder, rendered files are kept there for the next portal of the same seed and code
    (`extract.forge.render_cache`); without, each portal renders its files anew.
    """

    def __init__(self, seed: int = 0, host: str = "127.0.0.1", port: int = 0, cache: Path | None = None):
        self.seed = seed
        self.host = host
        self.port = port
        self.requests_log: list[tuple[float, str, dict[str, str]]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._cache: dict[str, tuple[bytes, str]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._docs: dict[int, bytes] | None = None
        self.has_pdf = _pdf_available()
        self.has_doc = _soffice_available()
        self._disk = RenderCache(cache, "demo portal", seed, self.has_pdf, self.has_doc) if cache else None
        self._plans = self._plan_reports()
        self._resources: dict[str, Resource] = {}
        self._city_items: list[Item] = []
        self._bureau_items: list[Item] = []
        self._build_site()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> "DemoPortal":
        if self._server is not None:
            return self
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="demo-portal", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "DemoPortal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ public facts

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo portal is not running: call start() or use it as a context manager")
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def start_urls(self) -> list[str]:
        """The listing pages of the two annual-report columns."""
        return [self.url(CITY_COLUMN + "index.html"), self.url(BUREAU_COLUMN)]

    @property
    def expected(self) -> list[ExpectedFile]:
        """Every report file on the site: report pages with tables, and report attachments."""
        out = []
        for plan in self._plans:
            if plan.tables_in_page:
                out.append(ExpectedFile(self.url(plan.page), "html", plan.agency, plan.year, plan.report))
            if plan.attachment:
                out.append(ExpectedFile(self.url(plan.attachment_path), plan.attachment, plan.agency, plan.year,
                                        plan.report))
        return out

    @property
    def paths(self) -> list[str]:
        """Every path the site serves (for tests and the CLI's summary)."""
        return list(self._resources)

    def content(self, path: str) -> bytes:
        """The bytes served at `path` (rendered once, then cached)."""
        return self._render(self._resources[path])[0]

    # ------------------------------------------------------------ the site

    def _plan_reports(self) -> list[_Plan]:
        attach_pdf = "pdf" if self.has_pdf else "docx"
        attach_doc = "doc" if self.has_doc else "docx"
        plans = [
            # the city government: 2019-2025 in its TRS column
            _Plan(CITY_AGENCY, 2025, "", True, None, encoding="gbk", declare="none"),
            _Plan(CITY_AGENCY, 2024, "", False, attach_doc),
            _Plan(CITY_AGENCY, 2023, "", True, None, mess="unit_suffix"),
            _Plan(CITY_AGENCY, 2022, "", False, "docx"),
            _Plan(CITY_AGENCY, 2021, "", True, attach_pdf, encoding="gbk", declare="header", download_jsp=True),
            _Plan(CITY_AGENCY, 2020, "", False, attach_pdf),
            _Plan(CITY_AGENCY, 2019, "", True, None, encoding="gbk", declare="meta"),
            # a sub-district office publishing in the same column
            _Plan(TOWN_AGENCY, 2024, "", False, "docx"),
            _Plan(TOWN_AGENCY, 2023, "", True, None, mess="blank_zeros"),
            # the environment bureau's own column, ?page=N style
            _Plan(BUREAU_AGENCY, 2025, "", True, "docx", mess="fullwidth"),
            _Plan(BUREAU_AGENCY, 2024, "", False, attach_doc),
            _Plan(BUREAU_AGENCY, 2023, "", True, None, mess="org_subtotal", declare="both"),
            _Plan(BUREAU_AGENCY, 2022, "", False, "html"),
            _Plan(BUREAU_AGENCY, 2021, "", False, attach_pdf),
            _Plan(BUREAU_AGENCY, 2020, "", True, None, mess="na_cells", encoding="gbk", declare="meta"),
            _Plan(BUREAU_AGENCY, 2019, "", False, "docx"),
            # the city's reports before the national template: 2012–2018
            _Plan(CITY_AGENCY, 2018, "", True, None, family="national"),
            _Plan(CITY_AGENCY, 2017, "", False, "docx", family="national"),
            _Plan(CITY_AGENCY, 2016, "", True, None, family="national", encoding="gbk", declare="meta"),
            _Plan(CITY_AGENCY, 2015, "", False, attach_pdf, family="national"),
            _Plan(CITY_AGENCY, 2014, "", True, None, family="fujian"),
            _Plan(CITY_AGENCY, 2013, "", True, None, family="fujian", encoding="gbk", declare="none"),
            _Plan(CITY_AGENCY, 2012, "", False, "docx", family="fujian"),
        ]
        previous = None  # the city's legacy reports continue each other's 历年累计, oldest first
        for i, plan in sorted(enumerate(plans), key=lambda item: item[1].year):
            if plan.family:
                plan.report = previous = generate_legacy(self.seed * 1000 + i, plan.family, plan.year, _CITY_INDEX,
                                                         levels=False, previous=previous)
                continue
            template = "2019" if plan.year < 2021 else "2021"
            plan.report = generate(self.seed * 1000 + i, template, MESSES.get(plan.mess, Mess()), plan.year,
                                   plan.agency)
        return plans

    def _doc_id(self, n: int) -> int:
        return 10000 + (self.seed * 7919 + n * 104729) % 90000

    def _build_site(self) -> None:
        for n, plan in enumerate(self._plans):
            self._place_report(n, plan)
        self._add_non_reports()
        self._city_items.sort(key=lambda i: i.published, reverse=True)
        self._bureau_items.sort(key=lambda i: i.published, reverse=True)
        self._add_listings()
        self._add_fixed_pages()

    def _place_report(self, n: int, plan: _Plan) -> None:
        report = plan.report
        published = report.published
        doc_id = self._doc_id(n)
        stamp = published.strftime("%Y%m%d")
        if plan.agency == BUREAU_AGENCY:
            plan.page = f"{BUREAU_COLUMN}content_{doc_id}.html"
            href = None  # absolute, filled in by the listing at serve time
            attach_dir = f"/uploadfiles/sthjj/{plan.year + 1}/"
            attach_href = lambda name: attach_dir + name  # noqa: E731  (root-relative)
        else:
            folder = f"{CITY_COLUMN}{published.strftime('%Y%m')}/"
            plan.page = f"{folder}t{stamp}_{doc_id}.html"
            href = f"./{published.strftime('%Y%m')}/t{stamp}_{doc_id}.html"
            attach_dir = folder
            attach_href = lambda name: "./" + name  # noqa: E731  (relative to the article)
        attachments = []
        if plan.attachment:
            ext = "htm" if plan.attachment == "html" else plan.attachment
            name = f"P0{stamp}{doc_id}{n:02d}.{ext}"
            if plan.download_jsp:
                plan.attachment_path = f"/module/download/downfile.jsp?classid=0&filename={name}"
                link = plan.attachment_path
                disposition = name
            else:
                plan.attachment_path = attach_dir + name
                link = attach_href(name)
                disposition = None
            attachments.append((f"{report.title}.{ext}", link))
            self._add(Resource(plan.attachment_path, self._attachment_maker(plan), _content_type(plan, disposition),
                               _moment(published), charset=None, disposition=disposition))
        chrome = self._chrome(plan.agency, attachments)
        encoding = plan.encoding
        declare_meta = plan.declare in ("meta", "both")
        header_charset = ("GBK" if encoding == "gbk" else "utf-8") if plan.declare in ("header", "both") else None
        if isinstance(report, LegacyReport):
            make = lambda r=report, c=chrome, e=encoding, d=declare_meta, t=plan.tables_in_page: render_legacy_html(  # noqa
                r, c, e, d, with_table=t)
        elif plan.tables_in_page:
            make = lambda r=report, c=chrome, e=encoding, d=declare_meta: render_html(  # noqa: E731
                r, style="cms", encoding=e, declare_charset=d, chrome=c)
        else:
            make = lambda r=report, c=chrome, e=encoding, d=declare_meta: _attachment_article(r, c, e, d)  # noqa
        self._add(Resource(plan.page, make, "text/html", _moment(published), charset=header_charset))
        item = Item(report.title, href or plan.page, published)
        (self._bureau_items if plan.agency == BUREAU_AGENCY else self._city_items).append(item)

    def _attachment_maker(self, plan: _Plan) -> Callable[[], bytes]:
        report, kind = plan.report, plan.attachment
        if isinstance(report, LegacyReport):
            def make() -> bytes:
                return render_legacy(report, kind)
        elif kind == "pdf":
            def make() -> bytes:
                from extract.forge.pdf import render_pdf

                return render_pdf(report)
        elif kind == "doc":
            def make() -> bytes:
                return self._doc_batch()[id(report)]
        elif kind == "html":
            def make() -> bytes:  # a Word "save as web page" file, GBK, charset only in <meta>
                return render_html(report, style="word", encoding="gbk")
        else:
            def make() -> bytes:
                from extract.forge.docx import render_docx

                return render_docx(report)
        return make

    def _doc_batch(self) -> dict[int, bytes]:
        """Every DOC of the site, made in one LibreOffice run on the first request for any of them."""
        with self._locks_guard:
            lock = self._locks.setdefault("<doc-batch>", threading.Lock())
        with lock:
            if self._docs is None:
                from extract.forge.doc import render_docs

                reports = [p.report for p in self._plans if p.attachment == "doc"]
                self._docs = {id(r): data for r, data in zip(reports, render_docs(reports))}
        return self._docs

    def _chrome(self, agency: str, attachments: list[tuple[str, str]]) -> Chrome:
        if agency == BUREAU_AGENCY:
            crumbs = [("首页", "/"), ("部门", "/bm/"), ("清河市生态环境局", "/bm/sthjj/"),
                      ("政府信息公开年报", BUREAU_COLUMN)]
        else:
            crumbs = [("首页", "/"), ("政府信息公开", "/zwgk/"), ("政府信息公开年报", CITY_COLUMN + "index.html")]
        return Chrome(site=SITE, breadcrumbs=crumbs, attachments=attachments, source=agency,
                      sidebar=[("政府信息公开指南", "/zwgk/znml/"), ("政府信息公开年报", CITY_COLUMN + "index.html"),
                               ("部门信息公开", "/bm/sthjj/")])

    def _add_non_reports(self) -> None:
        """Items of the same columns that are not annual reports."""
        city = [
            ("清河市2023年政务公开工作要点", date(2023, 4, 12),
             ["为深入推进政务公开标准化规范化，现将本年度政务公开工作要点印发如下，请结合实际抓好落实。",
              "一、围绕稳增长、优服务做好政策公开。二、围绕群众关切做好解读回应。三、夯实公开平台基础。"]),
            ("关于做好2024年度政府信息公开工作年度报告编制发布工作的通知", date(2025, 1, 3),
             ["各县（区）人民政府，市各委办局：请各单位按照国家规定的年度报告格式，于1月31日前在门户网站"
              "政府信息公开专栏发布本机关年度报告，并报市政府办公室备案。"]),
            ("清河市召开政务公开工作推进会", date(2024, 6, 20),
             ["6月20日，清河市召开政务公开工作推进会，总结上半年工作，部署下一阶段重点任务。"]),
        ]
        bureau = [("清河市生态环境局政府信息公开指南", date(2022, 3, 1),
                   ["本指南说明本局主动公开的范围、依申请公开的办理程序和监督方式。"])]
        for column, entries in ((CITY_COLUMN, city), (BUREAU_COLUMN, bureau)):
            for k, (title, published, paragraphs) in enumerate(entries):
                n = 500 + k + (100 if column == BUREAU_COLUMN else 0)
                doc_id = self._doc_id(n)
                if column == CITY_COLUMN:
                    path = f"{CITY_COLUMN}{published.strftime('%Y%m')}/t{published.strftime('%Y%m%d')}_{doc_id}.html"
                    href = "./" + path[len(CITY_COLUMN):]
                    agency = CITY_AGENCY
                else:
                    path = f"{BUREAU_COLUMN}content_{doc_id}.html"
                    href = path
                    agency = BUREAU_AGENCY
                body = "\n".join(f'<p style="text-indent: 2em;">{escape(p)}</p>' for p in paragraphs)
                chrome = self._chrome(agency, [])
                self._add(Resource(path, lambda t=title, b=body, c=chrome, d=published: cms_page(
                    t, b, c, published=d.isoformat()), "text/html", _moment(published)))
                item = Item(title, href, published)
                (self._city_items if column == CITY_COLUMN else self._bureau_items).append(item)

    def _add_listings(self) -> None:
        pages = _chunks(self._city_items, CITY_PAGE_SIZE)
        for k, items in enumerate(pages):
            path = CITY_COLUMN + ("index.html" if k == 0 else f"index_{k}.html")
            self._add(Resource(path, lambda i=items, k=k, n=len(pages): self._trs_listing(i, k, n), "text/html",
                               _moment(max(x.published for x in self._city_items))))
        self._alias(CITY_COLUMN, CITY_COLUMN + "index.html")
        pages = _chunks(self._bureau_items, BUREAU_PAGE_SIZE)
        for k, items in enumerate(pages):
            path = BUREAU_COLUMN + ("" if k == 0 else f"?page={k + 1}")
            self._add(Resource(path, lambda i=items, k=k, n=len(pages): self._query_listing(i, k, n), "text/html",
                               _moment(max(x.published for x in self._bureau_items)), portable=False))
        self._alias(BUREAU_COLUMN + "?page=1", BUREAU_COLUMN)

    def _trs_listing(self, items: list[Item], page: int, pages: int) -> bytes:
        rows = "\n".join(f'<li><a href="{escape(i.href)}" target="_blank" title="{escape(i.title)}">'
                         f'{escape(i.title)}</a><span class="date">{i.published.isoformat()}</span></li>'
                         for i in items)
        links = []
        name = lambda k: "index.html" if k == 0 else f"index_{k}.html"  # noqa: E731
        links.append(f'<a href="{name(0)}">首页</a>')
        if page > 0:
            links.append(f'<a href="{name(page - 1)}">上一页</a>')
        if page < pages - 1:
            links.append(f'<a href="{name(page + 1)}">下一页</a>')
        links.append(f'<a href="{name(pages - 1)}">尾页</a>')
        pager = (f'<div class="page"><script type="text/javascript">createPageHTML({pages}, {page}, "index", '
                 f'"html");</script>\n<noscript>{" ".join(links)}</noscript>{" ".join(links)}'
                 f'<span>共{pages}页</span></div>')
        return self._listing_page("政府信息公开年报", CITY_COLUMN + "index.html", f'<ul class="list">\n{rows}\n</ul>',
                                  pager)

    def _query_listing(self, items: list[Item], page: int, pages: int) -> bytes:
        rows = "\n".join(f'<tr><td class="bt"><a href="{escape(self._absolute(i.href))}" target="_blank">'
                         f'{escape(i.title)}</a></td><td class="rq">{i.published.isoformat()}</td></tr>'
                         for i in items)
        numbers = " ".join(f'<a href="?page={k + 1}">{k + 1}</a>' if k != page else f"<b>{k + 1}</b>"
                           for k in range(pages))
        nxt = f' <a href="?page={page + 2}">下一页</a>' if page < pages - 1 else ""
        body = f'<table class="list" width="100%">{rows}</table>'
        return self._listing_page("清河市生态环境局 政府信息公开年报", BUREAU_COLUMN, body,
                                  f'<div class="pagination">{numbers}{nxt}</div>')

    def _absolute(self, href: str) -> str:
        return self.url(href) if href.startswith("/") and self._server is not None else href

    def _listing_page(self, heading: str, here: str, rows: str, pager: str) -> bytes:
        crumbs = (f'<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; '
                  f'<a href="{escape(here)}">政府信息公开年报</a>')
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(heading)}_{SITE}</title>
<link href="/images/common.css" rel="stylesheet" type="text/css" /></head>
<body>
<div class="top"><a href="/" class="logo">{SITE}</a></div>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政府信息公开</a> <a href="/bm/sthjj/">部门</a></div>
<div class="position">当前位置：{crumbs}</div>
<div class="main"><h2>{escape(heading)}</h2>
{rows}
{pager}
</div>
<div class="footer">主办单位：{SITE}办公室</div>
</body></html>
""".encode("utf-8")

    def _add_fixed_pages(self) -> None:
        home = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{SITE}</title></head>
<body>
<div class="top"><a href="/" class="logo">{SITE}</a> <a href="/admin/login.html">管理登录</a></div>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政府信息公开</a> <a href="/bm/sthjj/">部门</a>
<a href="/search?q=年报">搜索</a></div>
<div class="news"><h3>清河要闻</h3><ul>
<li><a href="/zwgk/ndbg/index.html">政府信息公开年报</a></li>
<li><a href="{CITY_COLUMN}">年报栏目</a></li>
</ul></div>
<div class="footer">主办单位：{SITE}办公室</div>
</body></html>
""".encode("utf-8")
        zwgk = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政府信息公开_{SITE}</title></head>
<body><div class="position">当前位置：<a href="/">首页</a> &gt; 政府信息公开</div>
<ul><li><a href="znml/">政府信息公开指南</a></li><li><a href="ndbg/index.html">政府信息公开年报</a></li>
<li><a href="/bm/sthjj/ndbg/">清河市生态环境局 政府信息公开年报</a></li></ul></body></html>
""".encode("utf-8")
        bureau = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>清河市生态环境局_{SITE}</title></head>
<body><h2>清河市生态环境局</h2><ul><li><a href="ndbg/">政府信息公开年报</a></li></ul></body></html>
""".encode("utf-8")
        admin = b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>login</title></head><body>" \
                b"<form method='post'><input name='u'><input name='p' type='password'></form></body></html>"
        robots = ("User-agent: *\nDisallow: /admin/\nDisallow: /search\n\n"
                  "User-agent: BadBot\nDisallow: /\n").encode("ascii")
        since = datetime(2024, 1, 1, tzinfo=timezone.utc)
        for path, body, ctype in (("/", home, "text/html"), ("/zwgk/", zwgk, "text/html"),
                                  ("/bm/sthjj/", bureau, "text/html"), ("/admin/login.html", admin, "text/html"),
                                  ("/robots.txt", robots, "text/plain"),
                                  ("/images/common.css", b"body{font-family:SimSun,serif}", "text/css")):
            self._add(Resource(path, lambda b=body: b, ctype, since, charset="utf-8" if ctype != "text/css" else None))

    def _add(self, resource: Resource) -> None:
        self._resources[resource.path] = resource

    def _alias(self, path: str, target: str) -> None:
        self._resources[path] = self._resources[target]

    # ------------------------------------------------------------ serving

    def _render(self, resource: Resource) -> tuple[bytes, str]:
        key = resource.path
        if key in self._cache:
            return self._cache[key]
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                disk = self._disk if resource.portable else None
                body = disk.get(key) if disk else None
                if body is None:
                    body = resource.make()
                    if disk:
                        disk.put(key, body)
                self._cache[key] = (body, '"' + hashlib.sha1(body).hexdigest()[:20] + '"')
        return self._cache[key]

    def resolve(self, raw_path: str) -> Resource | None:
        """The resource for a request path (query kept where it matters)."""
        parts = urlsplit(raw_path)
        path = parts.path
        if parts.query:
            query = parse_qs(parts.query)
            if path == BUREAU_COLUMN and "page" in query:
                return self._resources.get(f"{BUREAU_COLUMN}?page={query['page'][0]}")
            if path.endswith("downfile.jsp"):
                return self._resources.get(f"{path}?{parts.query}")
        return self._resources.get(path)


def _handler_for(portal: DemoPortal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "TRS WCM/7.0"
        disable_nagle_algorithm = True  # headers and body in separate writes: no 40 ms delayed-ACK stall
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            self._respond(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(with_body=False)

        def _respond(self, with_body: bool) -> None:
            portal.requests_log.append((time.time(), self.path, dict(self.headers.items())))
            resource = portal.resolve(self.path)
            if resource is None:
                body = "<html><head><meta charset='utf-8'><title>404</title></head><body>页面不存在</body></html>"
                self._send(404, body.encode("utf-8"), "text/html; charset=utf-8", {}, with_body)
                return
            try:
                body, etag = portal._render(resource)
            except Exception as exc:  # a renderer failing must not kill the server
                self._send(500, f"render failed: {exc}".encode("utf-8"), "text/plain; charset=utf-8", {}, with_body)
                return
            headers = {"ETag": etag, "Last-Modified": format_datetime(resource.modified, usegmt=True),
                       "Cache-Control": "max-age=600"}
            if resource.disposition:
                headers["Content-Disposition"] = f'attachment; filename="{resource.disposition}"'
            if _not_modified(self.headers, etag, resource.modified):
                self._send(304, b"", None, headers, False)
                return
            ctype = resource.content_type + (f"; charset={resource.charset}" if resource.charset else "")
            self._send(resource.status, body, ctype, headers, with_body)

        def _send(self, status: int, body: bytes, ctype: str | None, headers: dict, with_body: bool) -> None:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body and status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # quiet: the log is `requests_log`
            pass

    return Handler


def _not_modified(headers, etag: str, modified: datetime) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    since = headers.get("If-Modified-Since")
    if since:
        try:
            return modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _moment(day: date) -> datetime:
    return datetime.combine(day, dtime(9, 30), tzinfo=timezone.utc)


def _content_type(plan: _Plan, disposition: str | None) -> str:
    if disposition:  # downfile.jsp serves everything as a download
        return "application/octet-stream"
    return CONTENT_TYPES[plan.attachment] if plan.attachment != "html" else "text/html"


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _attachment_article(report: Report, chrome: Chrome, encoding: str, declare: bool) -> bytes:
    """An article whose report is in the attachment: a short note and the link."""
    prose = write_prose(report)
    body = "\n".join(f'<p style="text-indent: 2em;">{escape(p)}</p>' for p in prose.preface[:1])
    body += '\n<p style="text-indent: 2em;">全文详见附件。</p>'
    return cms_page(report.title, body, chrome, encoding=encoding, declare_charset=declare,
                    published=report.published.isoformat())


def serve_demo_portal(port: int = 8000, seed: int = 0, host: str = "127.0.0.1", cache: Path | None = None) -> None:
    """Serve the demo portal until interrupted (``ogi demo-portal``)."""
    portal = DemoPortal(seed=seed, host=host, port=port, cache=cache).start()
    print(f"demo portal on {portal.base_url}/ — {len(portal.expected)} report files; start URLs:")
    for url in portal.start_urls:
        print(f"  {url}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
