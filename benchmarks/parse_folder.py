"""What the folder filter and the typed portals loader cost, and what the filter saves.

    python benchmarks/parse_folder.py [--reports 60]

Forges a folder of HTML reports, each with the sidecars that travel with forged and downloaded
reports (a `.truth.csv` and a `.json`), then prints, each against a baseline measured in the same run:
- listing the folder with `expand_paths` (names checked, unknown names sniffed) vs a plain
  recursive listing (what `ogi parse DIR` did before);
- parsing what each listing yields: the reports only vs reports and sidecars (rows written,
  seconds, and the `not_a_report`/`failed` rows the sidecars added);
- loading the built-in portals.toml through the pydantic schema vs `tomllib` alone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tomllib
from importlib import resources
from pathlib import Path

from extract.crawl.portals import load_portals
from extract.store.curate import _skipped, expand_paths
from extract.forge import generate, render_html
from extract.parse import parse_path


def forge_folder(folder: Path, reports: int) -> None:
    for seed in range(reports):
        report = generate(seed)
        (folder / f"r{seed:03d}.html").write_bytes(render_html(report))
        (folder / f"r{seed:03d}.truth.csv").write_text(report.truth().to_csv(index=False), encoding="utf-8")
        (folder / f"r{seed:03d}.json").write_text('{"seed": %d}' % seed, encoding="utf-8")
        if seed % 10 == 0:  # now and then a report saved without its extension
            (folder / f"download{seed:03d}").write_bytes(render_html(generate(seed + 1000)))


def plain_listing(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and not _skipped(p, folder)]


def best_of(runs: int, work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def parse_all(files: list[Path]) -> tuple[int, int]:
    statuses = [parse_path(f).status for f in files]
    return len(statuses), sum(s in ("failed", "not_a_report") for s in statuses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        forge_folder(folder, args.reports)
        base_s, base_files = best_of(5, lambda: plain_listing(folder))
        new_s, new_files = best_of(5, lambda: expand_paths([folder]))
        print(f"folder: {len(base_files)} files, {len(new_files)} report-like")
        print(f"listing: plain {base_s * 1000:.1f} ms, expand_paths {new_s * 1000:.1f} ms "
              f"(x{new_s / base_s:.2f} of the baseline)")
        old_s, (old_rows, old_bad) = best_of(1, lambda: parse_all(base_files))
        now_s, (now_rows, now_bad) = best_of(1, lambda: parse_all(new_files))
        print(f"parse: every file {old_rows} rows ({old_bad} failed/not_a_report) in {old_s:.2f} s; "
              f"report-like only {now_rows} rows ({now_bad} failed/not_a_report) in {now_s:.2f} s "
              f"(x{now_s / old_s:.2f} of the baseline; listing overhead {new_s / now_s * 100:.2f}% of the parse)")
    source = resources.files("extract.crawl").joinpath("portals.toml")
    with resources.as_file(source) as path:
        raw = Path(path).read_bytes()
        toml_s, _ = best_of(50, lambda: tomllib.loads(raw.decode("utf-8")))
        typed_s, portals = best_of(50, lambda: load_portals(path))
    print(f"portals.toml ({len(portals)} portals): tomllib {toml_s * 1e6:.0f} µs, typed loader {typed_s * 1e6:.0f} µs "
          f"(x{typed_s / toml_s:.1f} of the baseline)")


if __name__ == "__main__":
    main()
