"""Every check code the code can write to `flags.check` is registered in `extract.model.CHECKS`,
with a severity and a doc: found by reading the source (every place a code is spelled) and by
parsing forged reports of every format and real published ones."""

import ast
from pathlib import Path

import pytest

import extract
from extract.model import CHECKS, Finding

SOURCE = Path(extract.__file__).parent
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

#: callable name → index of the positional argument that is a check code
CODE_ARGUMENT = {"Finding": 0, "identity": 1, "legacy_sum": 1, "_record": 2, "source_flag": 0}


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _constant(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def spelled_codes(tree: ast.AST) -> set[str]:
    """The check codes a module spells where a finding is made: a finding's first argument, a
    `check=` keyword (ReadError, Finding), the code of an identity or a cross-report record, and
    the `(check, message)` pair of a region flag."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            index = CODE_ARGUMENT.get(name)
            if index is not None and len(node.args) > index:
                found.add(_constant(node.args[index]))
            found |= {_constant(k.value) for k in node.keywords if k.arg == "check"}
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            code = _constant(node.elts[0])
            if code and code.startswith("region."):
                found.add(code)
    return found - {None}


def source_codes() -> dict[str, str]:
    out = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "forge" in path.relative_to(SOURCE).parts:  # the forger writes reports, not flags
            continue
        for code in spelled_codes(ast.parse(path.read_text(encoding="utf-8"))):
            out.setdefault(code, str(path.relative_to(SOURCE)))
    return out


def test_the_scan_finds_codes_where_findings_are_made():
    tree = ast.parse('Finding("a.b", "info", "m")\nraise ReadError("m", check="c.d")\n'
                     'identity(cells, "e.f", total, parts, "w")\nflag = ("region.g", "m")\nprint("x.y")')
    assert spelled_codes(tree) == {"a.b", "c.d", "e.f", "region.g"}


def test_every_code_the_source_spells_is_registered():
    codes = source_codes()
    assert len(codes) > 30  # the scan reaches readers, finders, checks and the cross-report checks
    missing = {code: where for code, where in codes.items() if code not in CHECKS}
    assert not missing, f"check codes written but not registered in extract.model.CHECKS: {missing}"


def test_registered_codes_have_a_severity_and_a_doc():
    for code, check in CHECKS.items():
        assert check.code == code and check.severity in ("error", "warning", "info") and check.doc.strip()


def test_the_cross_report_checks_are_registered():
    from extract.check.collection import CROSS_CHECKS

    assert set(CROSS_CHECKS) <= set(CHECKS)


def test_one_finding_type_serves_readers_finders_and_checks():
    reader = Finding("pdf.cid_font", "warning", "12 glyphs have no Unicode mapping")
    check = Finding("requests.balance", "error", "m", "requests", "carried_forward", "total", 3.0, 4.0, "source")
    assert (reader.table, reader.origin) == (None, "unknown")
    assert (check.table, check.row, check.column, check.expected, check.observed) == (
        "requests", "carried_forward", "total", 3.0, 4.0)


def _flag_codes(paths) -> set[str]:
    from extract.parse import parse_path

    codes = set()
    for path in paths:
        result = parse_path(path)
        codes |= set(result.flags["check"])
    return codes


def test_every_code_forged_reports_raise_is_registered(tmp_path):
    from extract.forge import forge_samples

    codes = _flag_codes(forge_samples(tmp_path / "forged"))
    assert codes  # the messy cases raise findings
    assert codes <= set(CHECKS), codes - set(CHECKS)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")
def test_every_code_real_reports_raise_is_registered():
    codes = _flag_codes(sorted(CORPUS.glob("*.txt")))
    assert codes <= set(CHECKS), codes - set(CHECKS)
