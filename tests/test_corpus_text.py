"""Real text exports from ../shared/corpus, cell by cell against their truth."""

from extract.parse import parse_path

from conftest import cell_differences, read_truth


def test_jiantouji_reproduces_every_truth_cell(corpus):
    result = parse_path(corpus / "jiantouji_2024.txt")
    diff = cell_differences(read_truth("jiantouji_2024"), result.cells)
    assert diff.empty, diff.to_string()
    assert len(result.cells) == 101


def test_jiantouji_is_partial_with_what_is_missing_flagged(corpus):
    result = parse_path(corpus / "jiantouji_2024.txt")
    assert result.status == "partial"
    flags = result.flags
    assert set(flags.loc[flags.check == "table.missing", "table"]) == {"review_litigation"}
    missing_rows = set(flags.loc[flags.check == "row.missing", "row"])
    assert missing_rows == {"unavailable.needs_creation", "unavailable.unclear", "not_processed.complaint",
                            "not_processed.repeated", "not_processed.publication", "not_processed.excessive",
                            "not_processed.confirm_existing", "other_handling.no_correction",
                            "other_handling.fee_unpaid", "other_handling.other", "total_handled", "carried_forward"}
    # identities that cannot be evaluated are not reported as failures
    assert not flags["check"].isin(["requests.balance", "requests.outcomes_sum"]).any()


def test_jiantouji_metadata(corpus):
    report = parse_path(corpus / "jiantouji_2024.txt").report
    assert report["agency"] == "枣庄市台儿庄区涧头集镇人民政府"
    assert report["year"] == 2024
    assert report["template"] == "2021"
    assert str(report["published"]) == "2025-01-18"
    assert report["level"] == "township"
    assert (report["city"], report["county"]) == ("枣庄市", "台儿庄区")


def test_jiantouji_keeps_the_header_typo_mapped(corpus):
    cells = parse_path(corpus / "jiantouji_2024.txt").cells
    repealed = cells[(cells.table == "active_disclosure") & (cells.column == "repealed")]
    assert set(repealed.row) == {"regulations", "normative_documents"}
