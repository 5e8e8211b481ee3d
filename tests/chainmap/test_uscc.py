import random

import pytest

from chainmap import uscc


def test_the_standard_example_is_valid():
    assert uscc.validate(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "第18位应为“3”"),
        ("91350100M000100Y4", "应为18位"),
        ("91350100M0001O0Y43", "第14位“O”"),
    ],
)
def test_invalid_codes_say_what_is_wrong(code, message):
    with pytest.raises(uscc.InvalidUSCC, match=message):
        uscc.validate(code)


def test_every_single_character_change_is_caught():
    code = "91350100M000100Y43"
    for position in range(17):
        for char in uscc.ALPHABET:
            if char != code[position]:
                changed = code[:position] + char + code[position + 1 :]
                assert not uscc.is_valid(changed), changed


def test_generated_codes_are_valid_and_seeded():
    first = [uscc.generate(random.Random(3)) for _ in range(2)]
    assert first[0] == first[1]
    assert all(uscc.is_valid(uscc.generate(random.Random(i))) for i in range(500))
