"""Dependencies point one way: every import inside the package (at the top of a module or inside a
function) goes to a module of the same layer or a lower one, read from the source with `ast`.

    base        model, values, settings, memory, template/ (labels, units, identities, printed), region, agencies
    read        read/ (one reader per format, pdf/ and ocr/ split at their seams)
    crawl       crawl/ (portals, fetching, the archive); local_images (the pictures a saved page shows,
                found by the crawl's reading of a page, imported only when a page has some)
    find        find/ (tables, fused/ by table, legacy, statements, metadata, disambiguate)
    check       check/report (one report against the template)
    parse       parse (bytes → frames: read, find, check)
    store       store/ (schemas and descriptions, writes, curate, incremental, corrections)
    collection  check/collection (the reports against each other, over the store)
    flows       flows/ (Prefect flows, runtime, artifacts)
    research  research/ (views, checks across reports, the dictionary, the quality report)
    cli       cli (`ogi`)

`forge/` makes test reports from known numbers; it may use the readers' helpers (to check what it
drew) and is used only by tests, benchmarks, the demo portal and the cli. Research is a leaf:
nothing but the cli imports it."""

import ast
from pathlib import Path

import extract

PACKAGE = Path(extract.__file__).parent

LAYERS = [
    ("base", ("model", "values", "settings", "memory", "atomic", "template", "region", "agencies", "__init__")),
    ("read", ("read",)),
    ("crawl", ("crawl", "local_images")),
    ("find", ("find",)),
    ("check", ("check", "check.report")),
    ("parse", ("parse",)),
    ("store", ("store",)),
    ("collection", ("check.collection",)),
    ("forge", ("forge",)),
    ("flows", ("flows",)),
    ("research", ("research",)),
    ("cli", ("cli",)),
]
RANK = {top: i for i, (_, tops) in enumerate(LAYERS) for top in tops}


def layer_of(module: str) -> int:
    """The layer rank of a dotted module name inside `extract` (by its first component)."""
    parts = module.split(".")
    assert parts[0] == "extract"
    if ".".join(parts[1:3]) in RANK:  # a module placed on its own (check.collection)
        return RANK[".".join(parts[1:3])]
    top = parts[1] if len(parts) > 1 else "__init__"
    return RANK[top]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1] if len(parts) > 2 else parts
    return ".".join(parts)


def imports_of(tree: ast.AST, module: str) -> set[str]:
    """Every module of the package `tree` imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "extract"}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:  # relative: resolve against the module's package
                base = module.split(".")[: -node.level]
                name = ".".join(base + [node.module])
            else:
                name = node.module
            if name.split(".")[0] != "extract":
                continue
            if name == "extract":  # from extract import template, settings, __version__
                found |= {f"extract.{a.name}" for a in node.names if not a.name.startswith("__")}
                found.add("extract")
            else:
                found.add(name)
    return found


def edges() -> list[tuple[str, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        out += [(module, target) for target in sorted(imports_of(tree, module))]
    return out


def test_the_scan_sees_imports_at_the_top_and_inside_functions():
    tree = ast.parse("from extract.find.tables import X\n"
                     "def f():\n    from extract.store.datasets import read_dataset\n    import extract.cli\n"
                     "from extract import template, settings\n")
    assert imports_of(tree, "extract.x") == {"extract.find.tables", "extract.store.datasets", "extract.cli",
                                             "extract.template", "extract.settings", "extract"}


def test_every_module_belongs_to_a_layer():
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path))


def test_dependencies_point_one_way():
    upward = [(src, dst) for src, dst in edges()
              if layer_of(dst) > layer_of(src) and not (src.startswith("extract.forge") and dst.startswith("extract.read"))]
    assert not upward, "imports against the layer order:\n" + "\n".join(f"{s} -> {d}" for s, d in upward)


def test_research_is_a_leaf():
    users = {src for src, dst in edges() if dst.startswith("extract.research") and not src.startswith("extract.research")}
    assert users <= {"extract.cli"}, users


def test_readers_know_formats_not_how_tables_are_found():
    """read/ sits below find/: a reader may use the template's labels, never the finder."""
    wrong = [(s, d) for s, d in edges()
             if s.split(".")[1:2] == ["read"] and d.split(".")[1:2] in (["find"], ["check"], ["store"])]
    assert not wrong, wrong
