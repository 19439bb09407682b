"""Link discovery and pagination on listing pages shaped like real portals' (TRS column pages,
?page=N pagers, GBK pages that declare no charset), and a crawl of such listings over HTTP."""

from __future__ import annotations

import pytest

from extract.crawl import crawl, read_manifest
from extract.crawl.discover import file_format, holds_report, is_report_link, read_page, report_year
from extract.crawl.testing import LocalSite, add_listing_site, listing_html, report_html

BASE = "http://www.qinghe.gov.cn/zwgk/zfxxgk/zfxxgknb/"

TRS_LISTING = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="ColumnName" content="政府信息公开年报">
<title>政府信息公开年报_政府信息公开_清河市人民政府</title></head>
<body>
<div class="header"><a href="/"><img src="/images/site_logo.png"></a>
  <ul class="menu"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul></div>
<div class="left-nav">
  <a href="/zwgk/zfxxgk/zfxxgkzn/">政府信息公开指南</a>
  <a href="/zwgk/zfxxgk/zfxxgknb/">政府信息公开年报</a>
</div>
<div class="list">
<ul>
  <li><a href="./202401/t20240126_1205.html" title="清河市人民政府2023年政府信息公开工作年度报告" target="_blank">清河市人民政府2023年政府信息公开工作年度报...</a><span>2024-01-26</span></li>
  <li><a href="./202401/t20240120_1199.html">清河市人民政府办公室关于做好2023年政府信息公开工作年度报告编制发布工作的通知</a><span>2024-01-20</span></li>
  <li><a href="./202302/t20230210_1101.html">清河市２０２２年度政府信息公开工作报告</a><span>2023-02-10</span></li>
  <li><a href="./202302/t20230215_1104.html">《清河市2022年政府信息公开工作年度报告》解读</a><span>2023-02-15</span></li>
  <li><a href="./202202/P020220128398.pdf">清河市生态环境局2021年政府信息公开年报</a><span>2022-01-28</span></li>
  <li><a href="http://www.other.gov.cn/ndbg/2021.html">清河市教育局2021年度报告</a><span>2022-01-27</span></li>
  <li><a href="./200803/t20080301_11.html">清河市2007年政府信息公开工作年度报告</a><span>2008-03-01</span></li>
  <li><a href="javascript:void(0)">2020年政府信息公开工作年度报告</a></li>
</ul>
</div>
<div class="page"><script>createPageHTML(5, 0, "index", "html");</script></div>
<div class="footer"><a href="http://beian.miit.gov.cn/">备案号</a></div>
</body></html>
"""


def _urls(links):
    return {link.url for link in links}


def test_trs_listing_finds_reports_and_every_page():
    page = read_page(TRS_LISTING.encode("utf-8"), BASE, "text/html")
    assert _urls(page.reports) == {
        BASE + "202401/t20240126_1205.html",
        BASE + "202302/t20230210_1101.html",
        BASE + "202202/P020220128398.pdf",
        "http://www.other.gov.cn/ndbg/2021.html",  # discovery reports it; the crawl keeps to allowed hosts
    }
    titles = {link.url: link.text for link in page.reports}
    # a truncated title ("…年度报...") is read from the title attribute
    assert titles[BASE + "202401/t20240126_1205.html"] == "清河市人民政府2023年政府信息公开工作年度报告"
    assert _urls(page.listings) == {BASE + f"index_{n}.html" for n in range(1, 5)}
    assert page.title.startswith("政府信息公开年报")
    assert not page.holds_report


def test_query_pager_is_expanded_from_the_last_page_link():
    html = listing_html(
        [("/ndbg/a.html", "2021年度政府信息公开工作年度报告")],
        '<a href="list.aspx?cid=7&page=1">首页</a><a href="list.aspx?cid=7&page=2">下一页</a>'
        '<a href="list.aspx?cid=7&page=6">尾页</a><a href="/">网站首页</a>',
    )
    page = read_page(html.encode(), "http://x.gov.cn/xxgk/list.aspx?cid=7&page=1")
    assert _urls(page.listings) == {f"http://x.gov.cn/xxgk/list.aspx?cid=7&page={n}" for n in range(2, 7)}


def test_index_n_pager_with_a_window_of_numbers_fills_in_the_hidden_pages():
    pager = (
        '<a href="index.html">首页</a><a href="index_1.html">2</a><a href="index_2.html">3</a>'
        '<a href="index_1.html">下一页</a><a href="index_8.html">尾页</a>'
    )
    html = listing_html([("t1.html", "2019年政府信息公开工作年度报告")], pager)
    page = read_page(html.encode(), "http://x.gov.cn/col/ndbg/index.html")
    assert _urls(page.listings) == {f"http://x.gov.cn/col/ndbg/index_{n}.html" for n in range(1, 9)}


def test_article_links_and_site_home_are_not_pagination():
    html = listing_html(
        [("./201903/t20190301_2019.html", "2018年政府信息公开工作年度报告")],
        '<a href="/">首页</a><a href="/zwgk/index_1.html">1</a>',
    )
    page = read_page(html.encode(), "http://x.gov.cn/zwgk/zfxxgknb/")
    assert page.listings == []


def test_portal_listing_pattern_follows_year_sub_columns():
    html = listing_html([("gknb2019/", "2019年"), ("gknb2018/", "2018年"), ("/about/", "关于我们")], "")
    page = read_page(html.encode(), "https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/", listing_pattern=r"/zfxxgknb/gknb20\d\d/$")
    assert _urls(page.listings) == {
        "https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/gknb2019/",
        "https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/gknb2018/",
    }


def test_gbk_listing_without_any_declared_charset():
    html = listing_html(
        [("/ndbg/t1.html", "安平县人民政府2022年政府信息公开工作年度报告"), ("/ndbg/t2.html", "安平县2021年度报告")],
        '<a href="index_1.html">下一页</a>',
        charset_meta=None,
    )
    data = html.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    page = read_page(data, "http://ap.gov.cn/ndbg/", content_type="text/html")
    assert page.encoding in ("gb18030", "gbk", "gb2312")
    assert {link.text for link in page.reports} == {"安平县人民政府2022年政府信息公开工作年度报告", "安平县2021年度报告"}
    assert _urls(page.listings) == {"http://ap.gov.cn/ndbg/index_1.html"}


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("清河市2023年政府信息公开工作年度报告", "/a.html", True),
        ("2019年度政府信息公开年报", "/a.html", True),
        ("清河市2016年度政府信息公开工作报告", "/a.html", True),
        ("二〇一五年政府信息公开工作年度报告", "/a.html", True),
        ("２０２２年政府信息公开工作年度报告", "/a.html", True),
        ("下载", "/xxgk/ndbg/2020.pdf", True),
        ("2007年政府信息公开工作年度报告", "/a.html", False),  # before the regulation
        ("2031年政府信息公开工作年度报告", "/a.html", False),
        ("政府信息公开年报", "/zfxxgknb/", False),  # the column itself
        ("关于2023年度企业年报公示的通知", "/a.html", False),
        ("2022年部门决算报告", "/a.html", False),
        ("《2022年政府信息公开工作年度报告》解读", "/a.html", False),
        ("2023年政府工作报告", "/a.html", False),
    ],
)
def test_report_links_by_text_and_url(text, url, expected):
    assert is_report_link(text, "http://x.gov.cn" + url) is expected


def test_a_portal_pattern_adds_reports_the_default_rules_miss():
    assert not is_report_link("公开情况统计（2020）", "http://x.gov.cn/tj/2020.html")
    assert is_report_link("公开情况统计（2020）", "http://x.gov.cn/tj/2020.html", pattern=r"公开情况统计")


def test_years_and_formats():
    assert report_year("二〇二一年度报告") == 2021
    assert report_year("no year") is None
    assert file_format("http://x/P0201.PDF") == "pdf"
    assert file_format("http://x/down.jsp?id=3&filename=%E6%8A%A5%E5%91%8A.docx") == "docx"
    assert file_format("http://x/download?id=7", "2020年报.wps") == "wps"
    assert file_format("http://x/scan.jpg") == "image"
    assert file_format("http://x/t20200101_1.html") is None


def test_report_page_holding_the_report_and_its_attachments():
    html = report_html(
        "清河市人民政府", 2022, holds_tables=True,
        attachments=[("P02023.pdf", "2022年报.pdf"), ("/pdfjs/web/viewer.html?file=/files/P02023b.pdf", "在线阅读")],
    ).replace("<p>一、总体情况", "<p><img src='scan1.jpg' alt='报告扫描件'></p><p>一、总体情况")
    page = read_page(html.encode(), "http://x.gov.cn/ndbg/202301/t20230101_5.html")
    assert page.holds_report
    assert _urls(page.attachments) == {
        "http://x.gov.cn/ndbg/202301/P02023.pdf",
        "http://x.gov.cn/files/P02023b.pdf",  # unwrapped from the pdf.js viewer
        "http://x.gov.cn/ndbg/202301/scan1.jpg",
    }  # not the footer's 申请表.doc, not the header's logo


def test_a_page_with_only_a_title_is_not_a_report():
    html = report_html("清河市人民政府", 2021, holds_tables=False, attachments=[("a.pdf", "附件")])
    assert not read_page(html.encode(), "http://x.gov.cn/a/t.html").holds_report
    assert holds_report("一、总体情况 …… 二、主动公开政府信息情况 ……")


def test_empty_and_broken_pages_give_an_empty_result():
    assert read_page(b"", "http://x.gov.cn/").reports == []
    assert read_page(b"\x00\x01\x02", "http://x.gov.cn/").reports == []
    assert read_page(b"<html><body><a href='2020.pdf'>2020", "http://x.gov.cn/").reports == []


@pytest.mark.parametrize("pager", ["trs", "query", "links"])
def test_crawl_of_a_paginated_column_archives_every_report(tmp_path, pager):
    with LocalSite() as site:
        expected = add_listing_site(site, pager=pager, per_page=3)
        start = site.url("/zfxxgk/ndbg/" + ("list.html" if pager == "query" else ""))
        summary = crawl([start], raw_dir=tmp_path, rate=100)
    manifest = read_manifest(tmp_path)
    reports = manifest[manifest["role"] == "report"]
    assert set(reports["url"]) == {f.url for f in expected}
    assert dict(zip(reports["url"], reports["format"])) == {f.url: f.format for f in expected}
    assert summary.new == len(expected) and summary.failed == 0
    served = {hit.path for hit in site.log}
    assert "/files/sqb.doc" not in served and "/images/logo.png" not in served  # noise left alone
    assert not any("t2024011" in path or "0316_8" in path for path in served)  # the 通知 and 解读


def test_crawl_of_a_gbk_column_without_charset(tmp_path):
    with LocalSite() as site:
        expected = add_listing_site(site, encoding="gbk", agency="安平县人民政府", years=range(2016, 2024), per_page=3)
        crawl([site.url("/zfxxgk/ndbg/")], raw_dir=tmp_path, rate=100)
    manifest = read_manifest(tmp_path)
    reports = manifest[manifest["role"] == "report"]
    assert set(reports["url"]) == {f.url for f in expected}
    titles = set(reports["title"].dropna())
    assert "安平县人民政府2020年政府信息公开工作年度报告" in titles  # decoded, not mojibake
