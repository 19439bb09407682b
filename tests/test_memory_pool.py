"""The pipeline's processes allocate Arrow memory from the C library (`settings.ARROW_POOL`), which
gives a freed buffer back at once, so a long run's memory does not keep its largest commit's; a
pool the user names in `$ARROW_DEFAULT_MEMORY_POOL` wins; a process that only imports the
library keeps pyarrow's default."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from extract.forge import generate, render_html

PARSE_AND_SAY = """
import json, sys
import pyarrow as pa
from typer.testing import CliRunner
from extract.cli import app
before = pa.default_memory_pool().backend_name
result = CliRunner().invoke(app, ["parse", sys.argv[1], "--curated", sys.argv[2]])
print(json.dumps([result.exit_code, before, pa.default_memory_pool().backend_name]))
"""


def _parse_in_fresh_process(tmp_path, pool: str | None) -> list:
    report = tmp_path / "report.html"
    report.write_bytes(render_html(generate(3)))
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if pool:
        env["ARROW_DEFAULT_MEMORY_POOL"] = pool
    proc = subprocess.run([sys.executable, "-c", PARSE_AND_SAY, str(report), str(tmp_path / "curated")],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_ogi_parses_with_the_system_allocator(tmp_path):
    exit_code, before, during = _parse_in_fresh_process(tmp_path, None)
    assert exit_code == 0
    assert before != "system"  # importing the library changed nothing
    assert during == "system"


@pytest.mark.parametrize("pool", ["mimalloc", "jemalloc"])
def test_a_pool_the_user_names_wins(tmp_path, pool):
    import pyarrow as pa

    try:
        getattr(pa, f"{pool}_memory_pool")()
    except NotImplementedError:
        pytest.skip(f"this pyarrow has no {pool}")
    assert _parse_in_fresh_process(tmp_path, pool) == [0, pool, pool]


FREE_AND_GIVE_BACK = """
import json
import psutil
import pyarrow as pa
import pyarrow.compute as pc
from extract.memory import give_back, use_pipeline_memory
use_pipeline_memory()
rss = lambda: psutil.Process().memory_info().rss
base = pa.array(range(8192), pa.int64())
before = rss()
buffers = [pc.add(base, i) for i in range(3200)]  # 200 MB written in heap-sized pieces (64 KB)
keep = buffers[::50]  # a few survivors spread through the heap, as a parse leaves them
del buffers
freed = rss()
give_back()
print(json.dumps({"before": before, "freed": freed, "given_back": rss()}))
"""


def test_freed_memory_goes_back_to_the_system():
    """What a batch or a commit freed in the middle of the heap leaves the process's memory when
    `give_back` runs (as the pipeline does after each), not at the end of the run."""
    proc = subprocess.run([sys.executable, "-c", FREE_AND_GIVE_BACK], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rss = json.loads(proc.stdout.strip().splitlines()[-1])
    assert rss["freed"] - rss["before"] > 150 * 2**20  # freed, but still the process's
    assert rss["given_back"] - rss["before"] < 40 * 2**20


SLIDING_THRESHOLD = """
import ctypes, json, sys
import psutil
from extract.memory import use_pipeline_memory
if sys.argv[1] == "pipeline":
    use_pipeline_memory()
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes, libc.free.argtypes = ctypes.c_void_p, [ctypes.c_size_t], [ctypes.c_void_p]
rss = lambda: psutil.Process().memory_info().rss
MB = 1 << 20
big = libc.malloc(30 * MB)  # one big table freed ...
ctypes.memset(big, 1, 30 * MB)
libc.free(big)
before = rss()
blocks = [libc.malloc(MB) for _ in range(50)]  # ... then smaller buffers, at the heap's top
for block in blocks:
    ctypes.memset(block, 1, MB)
for block in reversed(blocks):
    libc.free(block)
print(json.dumps({"kept": rss() - before}))
"""


@pytest.mark.skipif(__import__("platform").libc_ver()[0] != "glibc", reason="glibc's malloc")
def test_memory_freed_at_the_top_of_the_heap_leaves_at_once():
    """glibc slides its thresholds up with the biggest block freed so far: after one 30 MB buffer,
    50 MB freed at the heap's top stay the process's. With the pipeline's thresholds fixed they
    go back when freed."""
    kept = {}
    for mode in ("default", "pipeline"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
        proc = subprocess.run([sys.executable, "-c", SLIDING_THRESHOLD, mode], capture_output=True, text=True,
                              env=env, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        kept[mode] = json.loads(proc.stdout.strip().splitlines()[-1])["kept"]
    assert kept["default"] > 40 * 2**20, kept  # what the pipeline's processes did before
    assert kept["pipeline"] < 5 * 2**20, kept


ALIVE_AT_EXIT = """
import os, sys
from extract.memory import end_without_last_collection
if sys.argv[1] == "ogi":
    end_without_last_collection()
class Noisy:
    def __del__(self):
        os.write(1, b"finalised")
kept = Noisy()
kept.self = kept  # a reference cycle, alive until the interpreter tears the modules down
"""


@pytest.mark.parametrize("process, finalised", [("ogi", False), ("python", True)])
def test_a_command_ends_without_the_collectors_last_pass(process, finalised):
    """What an `ogi` command built is frozen at exit, not walked by the interpreter's last
    collection; the price, named in `end_without_last_collection`: a cycle alive at exit is not
    finalised. A plain Python process finalises it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", ALIVE_AT_EXIT, process], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert ("finalised" in done.stdout) is finalised
