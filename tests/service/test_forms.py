"""Money as people type it into forms."""

import pytest

from service.forms import parse_yuan


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("500万", 5_000_000),
        ("500万元", 5_000_000),
        ("5,000,000", 5_000_000),
        ("5000000元", 5_000_000),
        (" 1.5万 ", 15_000),
        ("2亿元", 200_000_000),
        ("５００万", 5_000_000),  # typed with a full-width input method
        ("１，２００，０００元", 1_200_000),
        ("0", 0),
        ("", None),
        ("   ", None),
    ],
)
def test_amounts_in_yuan_or_wan(text, yuan):
    assert parse_yuan(text) == yuan


@pytest.mark.parametrize(
    ("text", "message"), [("abc", "应为金额"), ("-5万", "应为金额"), ("5 美元", "应为金额"), ("0.5元", "精确到元")]
)
def test_anything_else_is_a_chinese_error(text, message):
    with pytest.raises(ValueError, match=message):
        parse_yuan(text)
