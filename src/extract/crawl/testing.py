"""Real HTTP sites on 127.0.0.1 for the crawl's tests and benchmark.

A `LocalSite` is a threaded server on its own port (so its own host, as the crawl sees hosts),
serving the resources and responders it is given and logging every request with a server-side
timestamp. Static resources carry ETag / Last-Modified and answer conditional requests with 304.
`add_listing_site` fills a site with a forged 政府信息公开年报 column: paginated listings, report
pages that hold the report, report pages with attachments, and the usual noise.

    python -m extract.crawl.testing serve --sites 200    # for benchmarks: start URLs on stdout
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import socket
import struct
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Responder = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Hit:
    """One request as the server saw it."""

    at: float  # time.monotonic() when the request was read
    method: str
    path: str  # path and query, as sent
    headers: dict[str, str]
    status: int | None = None  # for static resources: what was answered


@dataclass
class Resource:
    body: bytes
    content_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = True  # send ETag and Last-Modified; answer conditional GETs with 304


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        pass  # clients hanging up mid-response are part of the tests


class LocalSite:
    """An HTTP/1.1 server on 127.0.0.1:<free port>."""

    LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)

    def __init__(self, poll_interval: float = 0.05) -> None:
        self.poll_interval = poll_interval  # how fast `close` takes effect
        self.log: list[Hit] = []
        self._resources: dict[str, Resource | Responder] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def do_GET(self) -> None:
                site._dispatch(self)

            def log_message(self, *args) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.base_url = f"http://{self.host}"
        self._thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        validators: bool = True,
    ) -> str:
        """Serve `body` at `path` (query included when given); returns the full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._resources[path] = Resource(data, content_type, status, dict(headers or {}), validators)
        return self.url(path)

    def route(self, path: str, responder: Responder) -> str:
        """Answer `path` with a function of the request handler (for misbehaviour)."""
        self._resources[path] = responder
        return self.url(path)

    def hits(self, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.log if path is None or hit.path == path]

    def start(self) -> LocalSite:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": self.poll_interval}, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        hit = Hit(time.monotonic(), handler.command, handler.path, dict(handler.headers.items()))
        with self._lock:
            self.log.append(hit)
        target = self._resources.get(handler.path) or self._resources.get(handler.path.split("?")[0])
        if target is None:
            hit.status = 404
            send(handler, 404, "<html><head><title>404</title></head><body>页面不存在</body></html>")
        elif callable(target):
            target(handler)
        else:
            hit.status = self._serve(handler, target)

    def _serve(self, handler: BaseHTTPRequestHandler, resource: Resource) -> int:
        headers = dict(resource.headers)
        if resource.validators and resource.status == 200:
            etag = '"' + hashlib.sha1(resource.body).hexdigest()[:16] + '"'
            headers.update({"ETag": etag, "Last-Modified": self.LAST_MODIFIED})
            asked_etag = handler.headers.get("If-None-Match")
            asked_date = handler.headers.get("If-Modified-Since")
            if asked_etag == etag or (asked_etag is None and asked_date == self.LAST_MODIFIED):
                send(handler, 304, b"", None, headers)
                return 304
        send(handler, resource.status, resource.body, resource.content_type, headers)
        return resource.status


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes | str = b"",
    content_type: str | None = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    """A complete response with Content-Length."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    handler.send_response(status)
    if content_type and status != 304:
        handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if status != 304:
        handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if data and status != 304:
        handler.wfile.write(data)


def reset_connection(handler: BaseHTTPRequestHandler) -> None:
    """Close the socket with a TCP RST (SO_LINGER 0) instead of an orderly FIN."""
    handler.close_connection = True
    try:
        handler.wfile.flush()
    except OSError:
        pass
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


# --- forged documents ----------------------------------------------------------------------------


def forged_pdf(agency: str, year: int, version: int = 1) -> bytes:
    """A small PDF-shaped file, distinct per agency, year and version."""
    text = f"{agency}{year}年政府信息公开工作年度报告 v{version}"
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n% " + text.encode("utf-8") + b"\n%%EOF\n"


def forged_docx(agency: str, year: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document><w:t>{agency}{year}年度报告</w:t></w:document>')
    return buffer.getvalue()


def report_html(agency: str, year: int, *, holds_tables: bool, attachments: list[tuple[str, str]] = ()) -> str:
    """A report page: the report itself (sections and a table) or a short note with attachments,
    inside the usual site furniture (a logo, a footer with the application form)."""
    title = f"{agency}{year}年政府信息公开工作年度报告"
    if holds_tables:
        body = (
            f"<p>本报告根据《中华人民共和国政府信息公开条例》编制。</p><p>一、总体情况</p><p>{year}年，{agency}扎实推进政务公开。</p>"
            "<p>二、主动公开政府信息情况</p><table border='1'><tr><td>信息内容</td><td>本年制发件数</td></tr>"
            "<tr><td>规章</td><td>0</td></tr><tr><td>行政规范性文件</td><td>3</td></tr></table>"
            "<p>三、收到和处理政府信息公开申请情况</p><table border='1'><tr><td>本年新收政府信息公开申请数量</td><td>12</td></tr></table>"
            "<p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p>"
        )
    else:
        body = f"<p>现将{title}予以公布（见附件）。</p>"
    files = "".join(f'<p>附件：<a href="{href}">{text}</a></p>' for href, text in attachments)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<div class='header'><img src='/images/logo.png'><a href='/'>首页</a></div>"
        f"<div class='main'><h1>{title}</h1><div class='TRS_Editor'>{body}</div>{files}</div>"
        "<div class='footer'><a href='/files/sqb.doc'>政府信息公开申请表.doc</a> 版权所有</div></body></html>"
    )


def listing_html(items: list[tuple[str, str]], pager: str, charset_meta: str | None = "utf-8") -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    rows = "".join(f'<li><a href="{href}" target="_blank">{text}</a><span>2024-03-08</span></li>' for href, text in items)
    return (
        f"<html><head>{meta}<title>政府信息公开年报</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
        f"<div class='list'><ul>{rows}</ul></div><div class='page'>{pager}</div></body></html>"
    )


@dataclass(frozen=True)
class ForgedFile:
    """A report file a crawl of the forged column must archive."""

    url: str
    format: str
    agency: str
    year: int


def add_listing_site(
    site: LocalSite,
    *,
    agency: str = "清河市生态环境局",
    years: range = range(2013, 2024),
    per_page: int = 4,
    pager: str = "trs",
    column: str = "/zfxxgk/ndbg/",
    encoding: str = "utf-8",
) -> list[ForgedFile]:
    """Forge a 政府信息公开年报 column on `site` and return the report files it holds.

    Even years: the report page holds the report (archived as html); odd years: a short page with
    a PDF (and for some a DOCX) attachment. Listing pages are paginated the TRS way
    (``createPageHTML``), by ``?page=N`` links, or by plain index_N.html anchors (`pager`). Noise
    the crawl must leave alone: a 通知 about the reports, a 解读, the application form, the logo.
    """
    expected: list[ForgedFile] = []
    items: list[tuple[str, str]] = []
    for n, year in enumerate(sorted(years, reverse=True)):
        page_path = f"{column}{year + 1}03/t{year + 1}0315_{1000 + n}.html"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        if year % 2 == 0:
            site.add(page_path, report_html(agency, year, holds_tables=True))
            expected.append(ForgedFile(site.url(page_path), "html", agency, year))
        else:
            attachments = [(f"P0{year}0315{n:04d}.pdf", f"{title}.pdf")]
            if year % 4 == 1:
                attachments.append((f"P0{year}0315{n:04d}.docx", f"{title}（文字版）.docx"))
            site.add(page_path, report_html(agency, year, holds_tables=False, attachments=attachments))
            directory = page_path.rsplit("/", 1)[0] + "/"
            for href, _ in attachments:
                fmt = href.rsplit(".", 1)[1]
                body = forged_pdf(agency, year) if fmt == "pdf" else forged_docx(agency, year)
                content_type = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                site.add(directory + href, body, content_type)
                expected.append(ForgedFile(site.url(directory + href), fmt, agency, year))
        items.append((site.url(page_path).removeprefix(site.base_url), title))
        if n == 1:
            notice = f"{column}{year + 1}01/t{year + 1}0110_9{n}.html"
            site.add(notice, "<html><body>通知</body></html>")
            items.append((notice, f"关于做好{year}年政府信息公开工作年度报告编制发布工作的通知"))
        if n == 2:
            reading = f"{column}{year + 1}03/t{year + 1}0316_8{n}.html"
            site.add(reading, "<html><body>解读</body></html>")
            items.append((reading, f"《{title}》解读"))
    site.add("/files/sqb.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "application/msword")
    site.add("/images/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    pages = [items[i : i + per_page] for i in range(0, len(items), per_page)]
    for number, chunk in enumerate(pages):
        path, pager_html = _pager(column, number, len(pages), pager)
        charset = None if encoding != "utf-8" and number == 0 else encoding
        html = listing_html(chunk, pager_html, charset_meta=charset)
        content_type = "text/html; charset=utf-8" if encoding == "utf-8" else "text/html"
        site.add(path, html.encode(encoding), content_type)
    return expected


def _pager(column: str, number: int, count: int, style: str) -> tuple[str, str]:
    if style == "trs":
        path = column if number == 0 else f"{column}index_{number}.html"
        return path, f'<script>createPageHTML({count}, {number}, "index", "html");</script>'
    if style == "query":
        path = f"{column}list.html" + ("" if number == 0 else f"?page={number + 1}")
        links = f'<a href="list.html?page={number + 2}">下一页</a>' if number + 1 < count else ""
        return path, links + f'<a href="list.html?page={count}">尾页</a>'
    path = column if number == 0 else f"{column}index_{number}.html"
    nxt = f'<a href="index_{number + 1}.html">下一页</a>' if number + 1 < count else ""
    return path, f'<a href="index.html">首页</a>{nxt}<a href="index_{count - 1}.html">尾页</a>'


# --- a fleet of sites for benchmarks -------------------------------------------------------------


def serve_fleet(sites: int, years: range = range(2015, 2024)) -> list[tuple[LocalSite, list[ForgedFile], str]]:
    """`sites` forged columns, each on its own port, with the three pager styles in turn."""
    fleet = []
    for i in range(sites):
        site = LocalSite(poll_interval=0.5)
        expected = add_listing_site(site, agency=f"清河市第{i}局", years=years, pager=("trs", "query", "links")[i % 3])
        column = "/zfxxgk/ndbg/" + ("list.html" if i % 3 == 1 else "")
        fleet.append((site.start(), expected, site.url(column)))
    return fleet


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m extract.crawl.testing", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve forged portals until stdin closes; one JSON line per site on stdout, "
                           "request statistics when done")
    serve.add_argument("--sites", type=int, default=10)
    args = parser.parse_args(argv)
    fleet = serve_fleet(args.sites)
    for site, expected, start in fleet:
        print(json.dumps({"start_url": start, "host": site.host, "reports": len(expected)}), flush=True)
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.read()
    gaps = [b.at - a.at for site, _, _ in fleet for a, b in zip(site.log, site.log[1:])]
    hosts_hit = sum(1 for site, _, _ in fleet if site.log)
    total = sum(len(site.log) for site, _, _ in fleet)
    print(json.dumps({"requests": total, "hosts": hosts_hit, "min_gap": min(gaps, default=None)}), flush=True)
    closers = [threading.Thread(target=site.close) for site, _, _ in fleet]  # each waits a poll interval
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join()


if __name__ == "__main__":
    main()
