"""The fault matrix: a misbehaving portal on 127.0.0.1. Whatever a server does, the crawl
finishes; what could be fetched is archived, what could not is in the manifest with its status
and reason."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from extract.crawl import Archive, FetchPolicy, crawl, read_manifest
from extract.crawl.fetch import parse_retry_after
from extract.crawl.testing import LocalSite, forged_pdf, listing_html, reset_connection, send

POLICY = FetchPolicy(
    read_timeout=0.3, connect_timeout=1.0, total_timeout=3.0, retries=2, backoff=0.05,
    max_retry_after=5.0, max_bytes=1 << 20,
)
AGENCY = "清河市人民政府"
GOOD = forged_pdf(AGENCY, 2015)


class Faults:
    """Responders that misbehave in one way each, with what they did."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.huge_bytes_sent = 0

    def _count(self, name: str) -> int:
        self.calls[name] = self.calls.get(name, 0) + 1
        return self.calls[name]

    def flaky(self, h):  # 500, then the file
        if self._count("flaky") == 1:
            send(h, 500, "<html><body>Internal Server Error</body></html>")
        else:
            send(h, 200, forged_pdf(AGENCY, 2016), "application/pdf")

    def busy(self, h):  # 429 with Retry-After: 1, then the file
        if self._count("busy") == 1:
            send(h, 429, "slow down", "text/plain", {"Retry-After": "1"})
        else:
            send(h, 200, forged_pdf(AGENCY, 2017), "application/pdf")

    def come_back_tomorrow(self, h):
        self._count("tomorrow")
        send(h, 503, "maintenance", "text/plain", {"Retry-After": "86400"})

    def slow(self, h):  # headers only after 2 s: past the 0.3 s read timeout
        self._count("slow")
        time.sleep(2)
        try:
            send(h, 200, GOOD, "application/pdf")
        except OSError:
            pass

    def reset(self, h):  # a connection reset mid-body
        self._count("reset")
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", "200000")
        h.end_headers()
        h.wfile.write(GOOD + b"\x00" * 20000)
        reset_connection(h)

    def truncated(self, h):  # Content-Length larger than what is sent, then an orderly close
        self._count("truncated")
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", "50000")
        h.end_headers()
        h.wfile.write(GOOD)
        h.close_connection = True

    def huge(self, h):  # "2 GB" without Content-Length, generated lazily, until the client hangs up
        self._count("huge")
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        chunk = b"%PDF-1.4\n" + b"0" * (64 * 1024 - 9)
        try:
            while self.huge_bytes_sent < 2 * 1024**3:
                h.wfile.write(chunk)
                self.huge_bytes_sent += len(chunk)
        except OSError:
            pass


@pytest.fixture(scope="module")
def misbehaving(tmp_path_factory):
    """One crawl of a column whose every report link misbehaves differently; then a recrawl."""
    raw = tmp_path_factory.mktemp("raw")
    faults = Faults()
    with LocalSite() as site, LocalSite() as elsewhere:
        site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
        site.add("/r/good.pdf", GOOD, "application/pdf")
        site.route("/r/flaky.pdf", faults.flaky)
        site.route("/r/busy.pdf", faults.busy)
        site.route("/r/tomorrow.pdf", faults.come_back_tomorrow)
        site.route("/r/slow.pdf", faults.slow)
        site.route("/r/reset.pdf", faults.reset)
        site.route("/r/truncated.pdf", faults.truncated)
        site.route("/r/huge.pdf", faults.huge)
        site.add("/r/loop.pdf", b"", status=302, headers={"Location": "/r/loop2.pdf"})
        site.add("/r/loop2.pdf", b"", status=302, headers={"Location": "/r/loop.pdf"})
        site.add("/r/away.pdf", b"", status=302, headers={"Location": elsewhere.url("/r/away.pdf")})
        elsewhere.add("/r/away.pdf", GOOD, "application/pdf")
        site.add("/r/moved.pdf", b"", status=301, headers={"Location": "/files/2019.pdf"})
        site.add("/files/2019.pdf", forged_pdf(AGENCY, 2019), "application/pdf")
        site.add("/private/2020.pdf", forged_pdf(AGENCY, 2020), "application/pdf")
        site.add("/r/fake.pdf", "<html><head><title>出错了</title></head><body>404 页面不存在</body></html>", "application/pdf")
        names = ["good", "flaky", "busy", "tomorrow", "slow", "reset", "truncated", "huge", "loop", "away", "moved", "fake", "gone"]
        items = [(f"/r/{name}.pdf", f"{AGENCY}{2008 + i}年政府信息公开工作年度报告") for i, name in enumerate(names)]
        items.append(("/private/2020.pdf", f"{AGENCY}2021年政府信息公开工作年度报告"))
        site.add("/ndbg/", listing_html(items, ""))

        first = crawl([site.url("/ndbg/")], raw_dir=raw, rate=50, policy=POLICY)
        first_calls = dict(faults.calls)
        first_log = list(site.log)
        del site.log[:]
        second = crawl([site.url("/ndbg/")], raw_dir=raw, rate=50, policy=POLICY)
        yield {
            "site": site, "elsewhere": elsewhere, "faults": faults, "raw": raw, "first": first, "second": second,
            "first_log": first_log, "calls": first_calls, "second_log": list(site.log), "manifest": read_manifest(raw),
        }


def _row(world, name, run=0):
    manifest = world["manifest"]
    run_id = (world["first"], world["second"])[run].run_id
    rows = manifest[(manifest["url"] == world["site"].url(name)) & (manifest["run_id"] == run_id)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _hits(log, path):
    return [hit for hit in log if hit.path == path]


def test_the_crawl_finishes_and_accounts_for_every_link(misbehaving):
    first = misbehaving["first"]
    manifest = misbehaving["manifest"]
    rows = manifest[manifest["run_id"] == first.run_id]
    assert len(rows[rows["role"] == "report"]) == 14  # every report link has its row
    assert first.new == 4  # good, flaky, busy, moved
    assert first.failed == 8 and first.disallowed == 1 and first.not_reports == 1


def test_good_file_is_archived_byte_for_byte(misbehaving):
    row = _row(misbehaving, "/r/good.pdf")
    assert row["outcome"] == "new" and row["status"] == 200 and row["format"] == "pdf"
    assert Archive(misbehaving["raw"]).read(row["sha256"]) == GOOD
    assert row["etag"] and row["last_modified"]


def test_500_then_success_is_retried_and_archived(misbehaving):
    row = _row(misbehaving, "/r/flaky.pdf")
    assert row["outcome"] == "new" and row["status"] == 200
    assert len(_hits(misbehaving["first_log"], "/r/flaky.pdf")) == 2


def test_429_waits_for_retry_after(misbehaving):
    row = _row(misbehaving, "/r/busy.pdf")
    assert row["outcome"] == "new"
    first, second = _hits(misbehaving["first_log"], "/r/busy.pdf")
    assert second.at - first.at >= 0.95  # server-side clock: Retry-After: 1 honoured


def test_retry_after_beyond_the_cap_is_left_for_a_later_crawl(misbehaving):
    row = _row(misbehaving, "/r/tomorrow.pdf")
    assert row["outcome"] == "failed" and row["status"] == 503
    assert "Retry-After" in row["error"] and pd_isna(row["sha256"])
    assert misbehaving["calls"]["tomorrow"] == 1


def test_slow_response_times_out_after_bounded_retries(misbehaving):
    row = _row(misbehaving, "/r/slow.pdf")
    assert row["outcome"] == "failed" and pd_isna(row["status"])
    assert "timeout" in row["error"] and "3 attempts" in row["error"]
    assert misbehaving["calls"]["slow"] == 3


def test_connection_reset_mid_body(misbehaving):
    row = _row(misbehaving, "/r/reset.pdf")
    assert row["outcome"] == "failed" and pd_isna(row["sha256"])
    assert any(word in row["error"] for word in ("ReadError", "RemoteProtocolError", "reset"))


def test_truncated_body_is_not_archived(misbehaving):
    row = _row(misbehaving, "/r/truncated.pdf")
    assert row["outcome"] == "failed" and "RemoteProtocolError" in row["error"]
    assert misbehaving["calls"]["truncated"] == 3


def test_huge_body_is_aborted_at_the_size_cap(misbehaving):
    row = _row(misbehaving, "/r/huge.pdf")
    assert row["outcome"] == "failed" and row["status"] == 200
    assert "cap" in row["error"]
    assert misbehaving["calls"]["huge"] == 1  # not retried
    assert misbehaving["faults"].huge_bytes_sent < 64 * 2**20  # the client hung up early, not after 2 GB


def test_redirect_loop_is_detected(misbehaving):
    row = _row(misbehaving, "/r/loop.pdf")
    assert row["outcome"] == "failed" and row["status"] == 302 and "loop" in row["error"]
    assert len(_hits(misbehaving["first_log"], "/r/loop.pdf")) == 1


def test_redirect_to_another_host_is_not_followed(misbehaving):
    row = _row(misbehaving, "/r/away.pdf")
    assert row["outcome"] == "failed" and row["status"] == 302 and "allowed hosts" in row["error"]
    assert misbehaving["elsewhere"].log == []


def test_redirect_on_the_same_host_is_followed(misbehaving):
    row = _row(misbehaving, "/r/moved.pdf")
    assert row["outcome"] == "new" and row["final_url"] == misbehaving["site"].url("/files/2019.pdf")


def test_robots_txt_disallowed_path_is_never_requested(misbehaving):
    row = _row(misbehaving, "/private/2020.pdf")
    assert row["outcome"] == "disallowed" and "robots.txt" in row["error"]
    assert _hits(misbehaving["first_log"], "/private/2020.pdf") == []
    assert len(_hits(misbehaving["first_log"], "/robots.txt")) == 1


def test_html_error_page_named_pdf_is_recorded_not_archived(misbehaving):
    row = _row(misbehaving, "/r/fake.pdf")
    assert row["outcome"] == "not_report" and row["format"] == "html" and row["status"] == 200
    assert pd_isna(row["sha256"]) and "HTML" in row["error"]
    objects = list(Path(misbehaving["raw"], "objects").rglob("*"))
    assert not any(b"404" in p.read_bytes() for p in objects if p.is_file())


def test_404_is_recorded(misbehaving):
    row = _row(misbehaving, "/r/gone.pdf")
    assert row["outcome"] == "failed" and row["status"] == 404 and row["error"] == "HTTP 404"


def test_recrawl_gets_304_and_downloads_no_report_body_again(misbehaving):
    second = misbehaving["second"]
    for name in ("/r/good.pdf", "/r/moved.pdf"):  # static files with ETag / Last-Modified
        row = _row(misbehaving, name, run=1)
        assert row["outcome"] == "not_modified" and row["status"] == 304
        assert row["sha256"] == _row(misbehaving, name)["sha256"]
    for name in ("/r/flaky.pdf", "/r/busy.pdf"):  # no validators: downloaded again, stored once
        row = _row(misbehaving, name, run=1)
        assert row["outcome"] == "unchanged" and row["sha256"] == _row(misbehaving, name)["sha256"]
    assert second.not_modified == 2 and second.unchanged == 2 and second.new == 0
    log = misbehaving["second_log"]
    conditional = [hit for hit in log if hit.path in ("/r/good.pdf", "/files/2019.pdf")]
    assert conditional and all("If-None-Match" in hit.headers for hit in conditional)
    assert all(hit.status == 304 for hit in conditional)


def test_retry_after_forms():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def pd_isna(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


