"""统一社会信用代码 (unified social credit code, GB 32100-2015).

18 characters from a 31-symbol alphabet (digits and capitals without I, O, Z, S, V);
characters 3-8 are the administrative region code (digits); the last is a check character
computed from the first 17 with weights 3^i mod 31.

Why not ``stdnum.cn.uscc`` (python-stdnum): it requires the first 8 characters to be digits, so it
refuses codes of registration authority ``Y`` (其他, GB 32100-2015 table 1), which are valid; and its
errors (InvalidFormat, InvalidChecksum) cannot tell an office which character is wrong or what the
check character should be. The same check-character arithmetic is tested against it.
"""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: i for i, char in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714 organisation-code check


class InvalidUSCC(ValueError):
    """A code that is not a valid 统一社会信用代码; the message says why, in Chinese."""


def check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a code."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    """Strip whitespace and upper-case; validation happens in :func:`validate`."""
    return "".join(code.split()).upper()


def validate(code: str) -> str:
    """Return the normalised code, or raise InvalidUSCC saying exactly what is wrong."""
    if not isinstance(code, str):
        raise InvalidUSCC(f"统一社会信用代码必须是文本，收到 {type(code).__name__}")
    value = normalize(code)
    if len(value) != 18:
        raise InvalidUSCC(f"统一社会信用代码应为18位，“{value}”为{len(value)}位")
    for position, char in enumerate(value, start=1):
        if char not in _VALUE:
            raise InvalidUSCC(f"统一社会信用代码第{position}位“{char}”不是合法字符（不使用I、O、Z、S、V）")
    if not value[2:8].isdigit():
        raise InvalidUSCC(f"统一社会信用代码第3至8位应为行政区划代码（6位数字），“{value}”中为“{value[2:8]}”")
    expected = check_character(value[:17])
    if value[17] != expected:
        raise InvalidUSCC(f"统一社会信用代码“{value}”校验位错误：第18位应为“{expected}”，实为“{value[17]}”")
    return value


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except InvalidUSCC:
        return False
    return True


def _org_code(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    total = sum(_VALUE[char] * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def generate(rng: random.Random, region: str = "310117") -> str:
    """A syntactically valid enterprise code (登记机关 9, 类别 1) for demo data only."""
    first17 = "91" + region + _org_code(rng)
    return first17 + check_character(first17)
