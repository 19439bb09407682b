"""The demo portal's rendered files on disk (`extract.forge.render_cache`): a second portal of the
same seed and code serves the very bytes of the first without rendering; anything the bytes depend
on starts a new folder; a broken cache only costs the rendering."""

from __future__ import annotations

import os

import httpx
import pytest

from extract.forge import render_cache
from extract.forge.portal import DemoPortal
from extract.forge.render_cache import prune_folders


def served(portal: DemoPortal) -> dict[str, bytes]:
    """Every report file's bytes, fetched over HTTP as the crawl fetches them."""
    with httpx.Client(timeout=120) as client:
        return {f.url.removeprefix(portal.base_url): client.get(f.url).content for f in portal.expected}


def unrenderable(portal: DemoPortal) -> DemoPortal:
    """The portal with every renderer replaced by one that fails: it can only serve from a cache."""
    for resource in {id(r): r for r in portal._resources.values()}.values():
        resource.make = lambda path=resource.path: pytest.fail(f"{path} was rendered again")
    return portal


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    with DemoPortal(seed=0, cache=cache) as portal:
        return cache, served(portal)


def test_a_second_portal_serves_the_first_ones_bytes_without_rendering(first):
    cache, bodies = first
    with unrenderable(DemoPortal(seed=0, cache=cache)) as portal:
        assert served(portal) == bodies
    assert len(bodies) == 25 and {b[:4] for b in bodies.values()} >= {b"%PDF", b"PK\x03\x04"}


def test_the_cache_answers_conditional_gets_with_304(first):
    cache, _ = first
    with unrenderable(DemoPortal(seed=0, cache=cache)) as portal, httpx.Client(timeout=60) as client:
        url = next(f.url for f in portal.expected if f.format == "pdf")
        etag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("change", ["seed", "code"])
def test_a_new_seed_or_new_code_renders_into_a_new_folder(first, monkeypatch, change):
    cache, bodies = first
    if change == "code":
        monkeypatch.setattr(render_cache, "package_fingerprint", lambda: "an edited forge")
    seed = 1 if change == "seed" else 0
    with DemoPortal(seed=seed, cache=cache) as portal:
        path, body = next(iter(served(portal).items()))
        folder = portal._disk.folder
    assert folder.parent == cache and folder.is_dir()
    assert len([p for p in cache.iterdir() if p.is_dir()]) >= 2  # the first one's folder is still there
    if change == "code":
        assert body == bodies[path]  # the forge itself did not change: the same bytes, rendered anew


def test_a_broken_cache_only_costs_the_rendering(tmp_path, first):
    _, bodies = first
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    with DemoPortal(seed=0, cache=blocked) as portal:
        assert served(portal) == bodies
    with DemoPortal(seed=0, cache=None) as portal:
        assert portal._disk is None and served(portal) == bodies


def test_only_the_most_recently_used_folders_are_kept(tmp_path):
    for age, name in enumerate(["new", "newer-ish", "old", "older", "oldest"]):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "body").write_bytes(b"x")
        os.utime(folder, (1_000_000 - age * 1000, 1_000_000 - age * 1000))
    prune_folders(tmp_path, keep=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "newer-ish", "old"]
