import pytest

from extract.values import parse_value


@pytest.mark.parametrize("text, kind, value", [
    ("0", "number", 0), ("０", "number", 0), ("零", "number", 0), ("0件", "number", 0), ("１２件", "number", 12),
    ("1,234", "number", 1234), ("96171.6", "number", 96171.6), ("24252.311082", "number", 24252.311082),
    ("−18", "number", -18), ("-18", "number", -18), ("3 ", "number", 3), (" 7\u00a0", "number", 7),
    ("9116.36万元", "number", 9116.36),
    ("", "blank", None), ("\u00a0", "blank", None), ("\u3000 ", "blank", None), (None, "blank", None),
    ("/", "na", None), ("／", "na", None), ("-", "na", None), ("—", "na", None), ("无", "na", None),
    ("不适用", "na", None),
    ("详见附表", "text", None), ("略", "text", None), ("12a", "text", None),
])
def test_every_spelling_is_classified(text, kind, value):
    got = parse_value(text)
    assert got.kind == kind
    assert got.value == value


def test_a_blank_is_never_a_zero():
    assert parse_value("").value is None
    assert parse_value("&nbsp;".replace("&nbsp;", "\u00a0")).kind == "blank"
