"""The template module against the data contract in ../shared/spec/template.md."""

import re

import pytest

from extract import template as tpl

from conftest import CORPUS

SPEC = CORPUS.parent / "spec" / "template.md"


@pytest.fixture(scope="module")
def spec_text() -> str:
    if not SPEC.exists():
        pytest.skip("spec not found")
    return SPEC.read_text(encoding="utf-8")


def _spec_row_keys(spec: str, heading: str) -> set[str]:
    section = spec.split(heading, 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*(?:[^|]*\|\s*)?`([a-z_.]+)`", section, re.M))


def test_request_rows_are_the_specs(spec_text):
    spec_rows = _spec_row_keys(spec_text, "## Table `requests`")
    assert set(tpl.REQUESTS_2021.row_keys) == spec_rows
    assert set(tpl.REQUESTS_2019.row_keys) == (spec_rows - {k for k in spec_rows if k.startswith("other_handling.")}) | {"other_handling"}
    assert len(tpl.REQUESTS_2021.rows) == 25 and len(tpl.REQUESTS_2019.rows) == 23


def test_every_key_in_code_is_in_the_spec(spec_text):
    for template in (tpl.TEMPLATE_2021, tpl.TEMPLATE_2019):
        for table in template.tables.values():
            assert f"`{table.key}`" in spec_text
            for row in table.rows:
                assert f"`{row.key}`" in spec_text, row.key
            for col in table.columns:
                assert f"`{col.key}`" in spec_text, col.key


@pytest.mark.parametrize("template, cells", [("2021", 200), ("2019", 198)])
def test_cell_counts(template, cells):
    assert len(list(tpl.get(template).cell_keys())) == cells


def test_every_entry_has_a_label():
    for template in (tpl.TEMPLATE_2021, tpl.TEMPLATE_2019):
        for table in template.tables.values():
            assert all(r.label for r in table.rows) and all(c.label for c in table.columns)


def test_unknown_template_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown template"):
        tpl.get("2007")
