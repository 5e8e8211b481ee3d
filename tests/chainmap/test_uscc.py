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
        ("9135A100M000100Y43", "第3至8位应为行政区划代码"),
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


def test_same_check_character_as_python_stdnum_and_authority_y_is_accepted():
    from stdnum.cn import uscc as stdnum_uscc

    rng = random.Random(5)
    codes = [uscc.generate(rng, region=f"{rng.randrange(110000, 660000)}") for _ in range(300)]
    assert all(stdnum_uscc.is_valid(code) and uscc.is_valid(code) for code in codes)
    other = "Y1310117" + "MA1FL8XQ0"  # registration authority Y (其他): valid by GB 32100-2015, refused by stdnum
    code = other + uscc.check_character(other)
    assert uscc.is_valid(code) and not stdnum_uscc.is_valid(code)
