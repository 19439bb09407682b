"""The Prefect crawl flow, run for real against a temporary Prefect server: one task per portal
(portals sharing a host share a task), each with its own HTTP client."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

# the Prefect server is the session-wide `prefect_harness` of tests/conftest.py
from extract.crawl import read_manifest  # noqa: E402
from extract.crawl.testing import LocalSite, add_listing_site  # noqa: E402

FLOW_FILE = Path(__file__).resolve().parents[1] / "flows" / "crawl.py"


def _load_flow_module():
    spec = importlib.util.spec_from_file_location("ogi_flows_crawl", FLOW_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flow_crawls_each_portal_in_its_own_task(prefect_harness, tmp_path):
    flows = _load_flow_module()
    with LocalSite() as city, LocalSite() as bureau:
        city_files = add_listing_site(city, agency="清河市人民政府", years=range(2018, 2024))
        bureau_files = add_listing_site(bureau, agency="清河市生态环境局", years=range(2020, 2024), pager="query")
        config = tmp_path / "portals.toml"
        config.write_text(
            f'[[portal]]\nname = "清河市人民政府"\nstart_urls = ["{city.url("/zfxxgk/ndbg/")}"]\n\n'
            f'[[portal]]\nname = "清河市生态环境局"\nstart_urls = ["{bureau.url("/zfxxgk/ndbg/list.html")}"]\n',
            encoding="utf-8",
        )
        result = flows.crawl_flow(portals_file=str(config), raw_dir=str(tmp_path / "raw"), rate=100)
    expected = {f.url for f in city_files + bureau_files}
    assert result["new"] == len(expected) and result["failed"] == 0
    manifest = read_manifest(tmp_path / "raw")
    reports = manifest[manifest["role"] == "report"]
    assert set(reports["url"]) == expected
    assert set(reports["portal"]) == {"清河市人民政府", "清河市生态环境局"}
    assert manifest.groupby("portal")["run_id"].nunique().to_dict() == {"清河市人民政府": 1, "清河市生态环境局": 1}
    assert manifest["run_id"].nunique() == 2  # two tasks, two runs, two sets of manifest parts


def test_portals_sharing_a_host_share_a_task():
    from extract.crawl import Portal
    from extract.crawl.portals import group_by_host

    a = Portal("市政府", ("http://www.qh.gov.cn/zwgk/ndbg/",))
    b = Portal("市生态环境局", ("http://www.qh.gov.cn/bm/sthjj/ndbg/",))
    c = Portal("县政府", ("http://www.ap.gov.cn/ndbg/",))
    d = Portal("县教育局", ("http://jyj.ap.gov.cn/ndbg/",), allowed_hosts=("www.ap.gov.cn",))
    groups = group_by_host([a, b, c, d])
    assert {frozenset(p.name for p in g) for g in groups} == {frozenset({"市政府", "市生态环境局"}), frozenset({"县政府", "县教育局"})}


def test_flow_script_has_a_command_line(capsys):
    flows = _load_flow_module()
    with pytest.raises(SystemExit) as exit_info:
        flows.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--portals" in out and "--raw" in out and "URL" in out
    assert 'if __name__ == "__main__":\n    main()' in FLOW_FILE.read_text(encoding="utf-8")
