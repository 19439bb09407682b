"""A fused text parses to the same cells, in the same order, whatever Python's hash seed: the
solver walks rows in the table's order, never a set's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from extract.forge.model import Mess, generate
from extract.forge.text import render_text

PARSE = """
import json, sys
from extract.parse import parse_bytes
result = parse_bytes(open(sys.argv[1], "rb").read(), "report.txt")
print(json.dumps([[c.table, c.row, c.column, None if c.value != c.value else c.value]
                  for c in result.cells.itertuples()], ensure_ascii=False))
"""


def _cells(path, seed: str) -> list:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-c", PARSE, str(path)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_the_same_cells_in_the_same_order_under_any_hash_seed(tmp_path, seed):
    report = generate(seed, "2021", Mess())
    path = tmp_path / "report.txt"
    path.write_bytes(render_text(report, style="fused"))
    first = _cells(path, "1")
    assert any(table == "requests" for table, *_ in first)
    for other in ("2", "3", "4"):
        assert _cells(path, other) == first
