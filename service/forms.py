"""What people type into HTML forms, read as plain values: amounts of money in 元 or 万元."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator

UNITS = {"": 1, "元": 1, "万": 10_000, "万元": 10_000, "亿": 100_000_000, "亿元": 100_000_000}
_AMOUNT = re.compile(r"(?P<number>[0-9][0-9,，]*(?:\.[0-9]+)?)\s*(?P<unit>万元|亿元|万|亿|元)?")
MONEY_HINT = "应为金额，如 500万、500万元、5,000,000 或 5000000元"


def parse_yuan(text: str) -> int | None:
    """``"500万"`` -> 5000000 (full-width ``５００万`` too); blank -> None. Raises ValueError (Chinese) for
    anything else, including amounts that are not whole yuan."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    found = _AMOUNT.fullmatch(text)
    if found is None:
        raise ValueError(MONEY_HINT)
    try:
        amount = Decimal(re.sub("[,，]", "", found["number"])) * UNITS[found["unit"] or ""]
    except InvalidOperation as exc:
        raise ValueError(MONEY_HINT) from exc
    if amount != amount.to_integral_value():
        raise ValueError("金额应精确到元")
    return int(amount)


def _yuan_or_text(value: object) -> object:
    return parse_yuan(value) if isinstance(value, str) else value


# A parameter in 元 that also accepts what people type: "500万", "5,000,000元".
Yuan = Annotated[int | None, BeforeValidator(_yuan_or_text)]
