"""The data dictionary is generated, complete, and agrees with the code and the Parquet files."""

from __future__ import annotations

from dataclasses import replace

import pyarrow.parquet as pq
import pytest

from extract import template as tpl
from extract.store.curate import curate
from extract.forge import Mess, generate, render_html
from extract.parse import parse_bytes
from extract.research import dictionary
from extract.store.descriptions import with_descriptions

DOC = dictionary.DICTIONARY_FILE


def test_the_file_is_what_the_code_generates():
    assert DOC.exists(), "run python -m extract.research.dictionary"
    assert DOC.read_text(encoding="utf-8") == dictionary.render(), (
        "docs/data-dictionary.md is out of date: run python -m extract.research.dictionary")
    assert dictionary.main(["--check"]) == 0


def test_every_column_is_described_and_every_description_has_its_column():
    assert dictionary.undescribed() == []


def test_every_template_key_has_a_label():
    assert dictionary.missing_labels() == []


def test_a_key_added_without_a_label_is_caught():
    requests = tpl.TEMPLATE_2021["requests"]
    unlabelled = replace(requests, rows=(*requests.rows, tpl.Row("withheld.new_reason", "", group="不予公开")),
                         columns=(*requests.columns, tpl.Column("new_applicant", " ")))
    template = replace(tpl.TEMPLATE_2021, tables={**tpl.TEMPLATE_2021.tables, "requests": unlabelled})
    assert dictionary.missing_labels({"2021": template}) == [
        "2021:requests.withheld.new_reason", "2021:requests.new_applicant"]


def test_every_key_is_listed_with_its_printed_label():
    text = DOC.read_text(encoding="utf-8")
    for name, template in tpl.BY_NAME.items():
        for table in template.tables.values():
            section = text.split(f"### `{table.key}` (")[1].split("\n### ")[0]
            for item in (*table.rows, *table.columns):
                line = next((li for li in section.splitlines() if li.startswith(f"| `{item.key}` |")), None)
                assert line is not None, f"{name}:{table.key}.{item.key} missing from the dictionary"
                assert item.label in line, f"{name}:{table.key}.{item.key}: label {item.label} not printed"


def test_every_dataset_column_and_type_is_listed():
    text = DOC.read_text(encoding="utf-8")
    for name, schema in dictionary.schemas().items():
        section = text.split(f"### `{name}`\n")[1].split("\n### ")[0]
        for field in schema:
            assert f"| `{field.name}` | {dictionary._type(field.type)} |" in section, f"{name}.{field.name}"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("curated")
    report = generate(91, "2021", Mess(anomaly=True), year=2023, agency=1)  # a flag too
    curate([parse_bytes(render_html(report), "r.html")], root)
    return root


@pytest.mark.parametrize("name", ["reports", "cells", "flags"])
def test_each_parquet_file_carries_the_dictionary_description(written, name):
    files = list((written / name).rglob("*.parquet"))
    assert files
    for file in files:
        metadata = pq.read_schema(file).metadata
        assert metadata[b"ogi.dataset"].decode() == name
        assert metadata[b"ogi.description"].decode() == dictionary.descriptions()[name]
        assert dictionary.descriptions()[name] in DOC.read_text(encoding="utf-8")


def test_column_descriptions_in_parquet_match_the_dictionary(written):
    schema = pq.read_schema(next((written / "cells").rglob("*.parquet")))
    if not any(f.metadata for f in schema):
        pytest.skip("datasets.to_table does not write column descriptions yet (lead: with_descriptions)")
    for field in schema:
        assert field.metadata[b"description"].decode() == dictionary.column_description("cells", field.name)


def test_with_descriptions_describes_every_field():
    for name, schema in dictionary.schemas().items():
        described = with_descriptions(name, schema)
        assert described.equals(schema)  # same names and types
        assert all(f.metadata[b"description"] for f in described)
