"""The template's identities as data: forged reports (exact truth) satisfy every one of them, a
broken cell breaks exactly the identities holding it, and the checks and the fused solver read
the same identities."""

import pytest

from extract import template as tpl
from extract.model import CHECKS
from extract.forge.model import Mess, generate
from extract.template.identities import BALANCE, ROW_IDENTITIES, column_identities, outcome_rows, outcomes_sum


def _values(report):
    return {(r.table, r.row, r.column): (r.value if r.kind == "number" else 0.0) for r in report.truth().itertuples()}


def _holds(ident, values, line) -> bool | None:
    """Σ coefficient × value = 0 along one row (across) or column (down); None when a term is absent."""
    keys = [(ident.table, line, k) if ident.along == "across" else (ident.table, k, line) for k in ident.terms]
    if not all(k in values for k in keys):
        return None
    return abs(sum(c * values[k] for k, c in zip(keys, ident.terms.values()))) < 1e-6


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("template", ["2021", "2019"])
def test_forged_reports_satisfy_every_identity(seed, template):
    report = generate(seed, template, Mess(org_subtotal=seed % 2 == 0))
    values = _values(report)
    rows = {r for t, r, _ in values if t == "requests"}
    columns = {c for t, _, c in values if t == "requests"}
    idents = [*column_identities(rows)]
    assert [i.name for i in idents] == ["requests.balance", "requests.outcomes_sum"]
    for ident in idents:
        assert all(_holds(ident, values, col) for col in columns)
    for ident in ROW_IDENTITIES:
        lines = {r for t, r, _ in values if t == ident.table}
        checked = [_holds(ident, values, row) for row in lines]
        assert all(h for h in checked if h is not None)
        assert any(h is not None for h in checked) == (ident.name != "requests.org_subtotal" or seed % 2 == 0)


def test_outcome_rows_follow_the_template_printed():
    rows_2021 = set(tpl.REQUESTS_2021.row_keys)
    rows_2019 = set(tpl.REQUESTS_2019.row_keys)
    assert "other_handling.fee_unpaid" in outcome_rows(rows_2021)
    assert "other_handling" in outcome_rows(rows_2019) and "other_handling.other" not in outcome_rows(rows_2019)
    assert outcome_rows(rows_2021 - {"withheld.state_secret"}) is None  # a missing row: not checkable
    assert outcomes_sum(rows_2021 - {"total_handled"}) is None
    assert column_identities(rows_2021 - {"carried_over"})[0].name == "requests.outcomes_sum"


def test_every_identity_is_a_registered_check_with_its_total_reported_where_it_is_printed():
    idents = [*ROW_IDENTITIES, BALANCE, outcomes_sum(tpl.REQUESTS_2021.row_keys)]
    for ident in idents:
        assert ident.name in CHECKS and CHECKS[ident.name].severity == "error"
        assert ident.at in ident.observed_keys and ident.expected_keys
        assert set(ident.terms.values()) == {1, -1}


def test_the_checks_and_the_fused_solver_flag_the_same_broken_identity():
    """A table whose own numbers break 总计 = Σ outcomes: the check on clean cells and the solver on
    fused digits both report `requests.outcomes_sum` at total_handled (origin source)."""
    from extract.check.report import check_report
    from extract.model import CellRead
    from extract.forge.model import generate
    from extract.find.fused.requests import equation_flags
    from extract.find.fused.rows import Candidate

    report = generate(5)
    truth = report.truth()
    cells = [CellRead(r.table, r.row, r.column, r.raw, r.kind, r.value, "", None, "html") for r in truth.itertuples()]
    broken = [c if (c.table, c.row, c.column) != ("requests", "granted", "total")
              else CellRead(c.table, c.row, c.column, "99999", "number", 99999.0, "", None, "html") for c in cells]
    checked = {(f.check, f.row, f.column) for f in check_report(broken, "2021") if f.check == "requests.outcomes_sum"}
    columns = list(tpl.REQUEST_APPLICANTS) + ["total"]
    by_row = {}
    for c in broken:
        if c.table == "requests":
            by_row.setdefault(c.row, {})[c.column] = c.value if c.kind == "number" else 0
    kept = {row: Candidate(tuple(v.get(col, 0) for col in columns), ()) for row, v in by_row.items()}
    solved = {(f.check, f.row, f.column) for f in equation_flags(kept, column_identities(kept), columns)}
    assert ("requests.outcomes_sum", "total_handled", "total") in checked
    assert ("requests.outcomes_sum", "total_handled", "total") in solved
