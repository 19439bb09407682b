"""portals.toml: a typed loader that names every problem, one line each, and never falls back to
the built-in portals when a file was given but holds none."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.crawl.portals import PortalsError, builtin_portals, load_portals, resolve_portals

runner = CliRunner()


def write(tmp_path, text: str):
    path = tmp_path / "portals.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_as_portals(tmp_path):
    path = write(tmp_path, '[[portal]]\nname = "清河市人民政府"\nstart_urls = ["https://www.qh.gov.cn/ndbg/"]\n'
                           'rate = 0.5\nmax_pages = 20\nallowed_hosts = ["*.qh.gov.cn"]\n')
    [portal] = load_portals(path)
    assert portal.name == "清河市人民政府" and portal.start_urls == ("https://www.qh.gov.cn/ndbg/",)
    assert portal.rate == 0.5 and portal.max_pages == 20 and portal.allowed_hosts == ("*.qh.gov.cn",)


def test_the_builtin_file_is_valid():
    assert len(builtin_portals()) >= 8


def test_a_file_without_portal_tables_is_an_error_not_the_builtin_list(tmp_path):
    path = write(tmp_path, '[[portals]]\nname = "清河"\nstart_urls = ["https://www.qh.gov.cn/ndbg/"]\n')
    with pytest.raises(PortalsError) as caught:
        resolve_portals(None, path)
    assert str(path) in str(caught.value) and "[[portal]]" in str(caught.value)
    assert "portals" in str(caught.value)  # the unknown top-level table is named


def test_every_problem_gets_one_line(tmp_path):
    path = write(tmp_path, '[[portal]]\nname = "甲"\nstart_urls = ["ftp://x.gov.cn/"]\ncolour = "red"\n\n'
                           '[[portal]]\nname = "乙"\nstart_urls = "https://y.gov.cn/"\nrate = "fast"\n\n'
                           '[[portal]]\nstart_urls = ["https://z.gov.cn/"]\nreport_pattern = "(["\n')
    with pytest.raises(PortalsError) as caught:
        load_portals(path)
    lines = caught.value.problems
    assert len(lines) == 6, lines
    text = "\n".join(lines)
    assert "portal 1" in text and "colour" in text and "ftp://x.gov.cn/" in text
    assert "portal 2" in text and "start_urls" in text and "rate" in text
    assert "portal 3" in text and "name" in text and "report_pattern" in text
    assert all("\n" not in line for line in lines)


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path):
    path = write(tmp_path, '[[portal]]\nname = "甲\n')
    with pytest.raises(PortalsError) as caught:
        load_portals(path)
    assert str(path) in str(caught.value) and "line 2" in str(caught.value)


@pytest.mark.parametrize("command", ["run", "crawl", "serve"])
def test_a_bad_portals_file_is_a_usage_error_of_every_command(tmp_path, command):
    path = write(tmp_path, '[[portals]]\nname = "清河"\nstart_urls = ["https://www.qh.gov.cn/ndbg/"]\n')
    result = runner.invoke(app, [command, "--portals", str(path)])
    assert result.exit_code == 2, result.output
    assert "[[portal]]" in result.output and "Traceback" not in result.output
    assert not (tmp_path / ".prefect").exists()
