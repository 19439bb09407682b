"""`ogi report`: one self-contained page, checked as a file and in a real headless Chromium.

The browser is driven over the DevTools protocol (a websocket): the test loads the page, collects
console messages, uncaught exceptions, log entries (failed resource loads) and every network
request, and takes a full-page screenshot. A broken page must make the same probe complain.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree
from lxml import html as lxml_html

from extract.crawl.archive import Archive
from extract.store.curate import curate
from extract.store.datasets import read_dataset
from extract.forge import Mess, generate, render_html
from extract.forge.text import render_text
from extract.parse import parse_bytes
from extract.research import quality_report
from extract.store.corrections import apply_corrections
from extract.check.collection import run_cross_checks

BROKEN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%% cut here"


def truth_accuracy(report, cells: pd.DataFrame) -> tuple[int, int]:
    """(truth cells, cells read with the same kind and value)."""
    truth = report.truth()
    merged = truth.merge(cells, on=["table", "row", "column"], how="left", suffixes=("", "_read"))
    same = (merged["kind"] == merged["kind_read"]) & (
        (merged["value"] == merged["value_read"]) | (merged["value"].isna() & merged["value_read"].isna()))
    return len(truth), int(same.sum())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Forged reports of three agencies over three years (one copied, one anomalous, one twice), a
    damaged PDF in the archive, a correction, the cross checks and an evaluation."""
    base = tmp_path_factory.mktemp("demo")
    root, raw = base / "curated", base / "raw"
    forged = [generate(200 + i, "2021", Mess(anomaly=(i == 4)), year=2022 + i % 3, agency=i // 3) for i in range(8)]
    forged.append(generate(300, "2019", year=2020, agency=1))
    files = [(f"r{i}.html", render_html(r, style="cms" if i % 2 else "word")) for i, r in enumerate(forged)]
    files.append(("r0.txt", render_text(forged[0], style="tsv")))  # the same report in another format
    files.append(("broken.pdf", BROKEN_PDF))
    archive = Archive(raw)
    for _, data in files:
        archive.put(data)
    results = [parse_bytes(data, name) for name, data in files]
    curate(results, root)
    first = results[1].report["report_id"]
    corrections = base / "corrections.csv"
    corrections.write_text("report_id,agency,year,table,row,column,value,reason,who,date\n"
                           f"{first},,,requests,granted,total,1,test correction,me,2025-01-01\n", encoding="utf-8")
    apply_corrections(root, corrections)
    run_cross_checks(root, raw)
    documents = []
    for (name, _), result, report in zip(files, results, forged):
        cells, correct = truth_accuracy(report, result.cells)
        documents.append({"name": name, "format": result.report["format"], "cells": cells, "correct": correct})
    quality_report.write_evaluation(root, documents, source="tests/test_quality_report.py")
    out = base / "site" / "report.html"
    page = quality_report.build_report(root, out, raw)
    return page, root, raw, documents


def test_the_page_is_one_self_contained_file(demo):
    page, *_ = demo
    text = page.path.read_text(encoding="utf-8")
    tree = lxml_html.fromstring(text)
    assert page.bytes == len(text.encode("utf-8")) and page.plots == 5
    assert not tree.xpath("//script | //link | //iframe | //object | //embed")
    images = tree.xpath("//img/@src")
    assert len(images) == page.plots
    for src in images:
        assert src.startswith("data:image/svg+xml;base64,")
        svg = etree.fromstring(base64.b64decode(src.split(",", 1)[1]))
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        links = [v for el in svg.iter() for k, v in el.attrib.items() if k.endswith("href")]
        assert links and all(v.startswith("#") for v in links)  # glyphs and clips inside the image only
    assert "url(" not in "".join(tree.xpath("//style/text()"))


def test_the_page_tells_the_state_of_the_data(demo):
    page, root, raw, documents = demo
    tree = lxml_html.fromstring(page.path.read_text(encoding="utf-8"))
    tiles = {t.xpath("string(span)"): t.xpath("string(b)") for t in tree.xpath("//div[@class='tiles']/div")
             if t.xpath("span")} or {t.xpath("string(span)"): t.xpath("string(b)")
                                     for t in tree.xpath("//section[@class='tiles']/div")}
    reports = read_dataset(root, "reports")
    assert tiles["reports"] == str(len(reports))
    assert tiles["corrections applied"] == "1"
    accuracy = sum(d["correct"] for d in documents) / sum(d["cells"] for d in documents)
    assert tiles["cell accuracy"] == f"{accuracy:.1%}"
    headings = tree.xpath("//h2/text()")
    assert headings[:5] == ["Reports by year", "Reports by format", "Flags by check",
                            "Cell accuracy of the last evaluation", "Request outcomes by year"]


def test_worst_reports_link_to_their_raw_files(demo):
    page, root, raw, _ = demo
    tree = lxml_html.fromstring(page.path.read_text(encoding="utf-8"))
    section = next(s for s in tree.xpath("//section") if s.xpath("string(h2)") == "Worst reports")
    rows = section.xpath(".//tr[td]")
    first = rows[0].xpath("td")
    assert first[3].text_content() == "failed" and first[2].text_content() == "pdf"
    href = rows[0].xpath(".//a/@href")[0]
    target = (page.path.parent / href).resolve()
    assert target.read_bytes() == BROKEN_PDF
    assert target.relative_to(raw.resolve()).parts[0] == "objects"
    why = " ".join(r.xpath("string(td[7])") for r in rows)
    assert "requests.balance" in why and "carry.cross_year" in why


def test_without_a_cjk_font_the_plots_fall_back_to_keys(demo, tmp_path, monkeypatch):
    _, root, raw, _ = demo
    monkeypatch.setattr(quality_report, "CJK_FONTS", ("No Such Font Family",))
    quality_report.cjk_font.cache_clear()
    try:
        page = quality_report.build_report(root, tmp_path / "plain.html", raw)
        assert page.plots == 5
    finally:
        quality_report.cjk_font.cache_clear()


def test_an_empty_collection_still_makes_a_page(tmp_path):
    page = quality_report.build_report(tmp_path / "nothing", tmp_path / "empty.html")
    assert page.plots == 0 and "No report failed" in page.path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- a real browser


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class DevTools:
    """A headless Chromium and one page, driven over the DevTools protocol."""

    def __init__(self, profile: Path):
        from websockets.sync.client import connect

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1100,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            target = next(t for t in json.load(response) if t["type"] == "page")
        self.socket = connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str) -> dict:
        while True:
            for i, message in enumerate(self.events):
                if message.get("method") == event:
                    return self.events.pop(i)
            self.events.append(json.loads(self.socket.recv(timeout=30)))

    def load(self, url: str) -> tuple[list[str], list[str]]:
        """Open `url`; (problems the console and log reported, URLs requested other than file:/data:)."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.call("Runtime.evaluate", expression="new Promise(r => setTimeout(r, 200))", awaitPromise=True)
        problems, requests = [], []
        for message in self.events:
            method, params = message.get("method"), message.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                problems.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
                problems.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                problems.append(params["entry"]["text"] + " " + params["entry"].get("url", ""))
            elif method == "Network.requestWillBeSent":
                if not params["request"]["url"].startswith(("file:", "data:")):
                    requests.append(params["request"]["url"])
        return problems, requests

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def screenshot(self) -> bytes:
        height = self.evaluate("document.documentElement.scrollHeight")
        self.call("Emulation.setDeviceMetricsOverride", width=1100, height=int(height), deviceScaleFactor=1,
                  mobile=False)
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def close(self) -> None:
        if getattr(self, "socket", None) is not None:
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/install-system-packages installs it)")
    tools = DevTools(tmp_path_factory.mktemp("chromium-profile"))
    yield tools
    tools.close()


def test_chromium_loads_the_page_without_errors(demo, browser, tmp_path):
    page, *_ = demo
    problems, requests = browser.load(page.path.resolve().as_uri())
    assert problems == [] and requests == []
    images = browser.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(images) == page.plots and all(done and w > 300 and h > 80 for done, w, h in images)
    assert browser.evaluate("document.querySelectorAll('h2').length") >= 7
    from PIL import Image

    shot = Image.open(io.BytesIO(browser.screenshot()))
    assert shot.width == 1100 and shot.height > 1500
    colours = shot.convert("RGB").resize((64, 64)).getcolors(64 * 64)
    assert len(colours) > 20  # plots and tables, not a blank page
    shot.save(tmp_path / "report.png")
    if os.environ.get("OGI_SCREENSHOT"):
        shot.save(os.environ["OGI_SCREENSHOT"])


def test_the_browser_probe_sees_a_broken_page(browser, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><img src='missing.png'>"
                      "<script>console.error('boom'); undefinedFunction();</script></body></html>", encoding="utf-8")
    problems, _ = browser.load(broken.as_uri())
    text = " ".join(problems)
    assert "boom" in text and "undefinedFunction" in text and "missing.png" in text


def test_ogi_report_writes_the_page(demo, tmp_path):
    import typer
    from typer.testing import CliRunner

    from extract.research.commands import report

    _, root, raw, _ = demo
    app = typer.Typer()
    app.command()(report)
    app.command()(lambda: None)
    out = tmp_path / "out" / "quality.html"
    result = CliRunner().invoke(app, ["report", "--root", str(root), "--out", str(out), "--raw", str(raw)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "5 plots" in result.output
