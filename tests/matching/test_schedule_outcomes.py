"""Meeting outcomes after the event: checked, counted, and signed contracts with their reward estimate."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching.reward import Party, compute_rewards
from matching.scheduling.model import Meeting, ScheduleInputError
from matching.scheduling.outcomes import (
    Outcome,
    check_outcomes,
    contract_rows,
    outcome_counts,
    signed_contracts,
)

MEETINGS = (
    Meeting("链主甲", "企业一", 0, "A1"),
    Meeting("链主甲", "企业二", 1, "A1"),
    Meeting("区教育局", "企业三", 0, "B1"),
    Meeting("区教育局", "企业一", 1, "B1"),
)
OUTCOMES = (
    Outcome("链主甲", "企业一", "contract", 5_000_000),
    Outcome("链主甲", "企业二", "nda"),
    Outcome("区教育局", "企业三", "contract", 1_200_000, host_buys=False),
)


def test_outcomes_are_counted_with_the_meetings_still_open():
    check_outcomes(MEETINGS, OUTCOMES)
    assert outcome_counts(MEETINGS, OUTCOMES) == {
        "无合作意向": 0,
        "继续跟进": 0,
        "签署保密协议": 1,
        "签约": 2,
        "待登记": 1,
    }


def test_signed_contracts_carry_direction_and_the_300wan_estimate():
    big, small = signed_contracts(OUTCOMES)
    assert (big.buyer, big.seller, big.gap_to_threshold_yuan, big.first_year_reward_yuan) == (
        "链主甲",
        "企业一",
        0,
        500_000,
    )
    assert (small.buyer, small.seller) == ("企业三", "区教育局")
    assert small.gap_to_threshold_yuan == 1_800_000 and small.first_year_reward_yuan == 0
    huge = signed_contracts([Outcome("链主甲", "企业一", "contract", 90_000_000)])[0]
    assert huge.first_year_reward_yuan == 2_000_000  # the 200万 cap


def test_contract_rows_feed_the_reward_rules_once_performed():
    rows = contract_rows(signed_contracts(OUTCOMES), year=2026)
    assert [(r.buyer, r.seller, r.year, r.performed_yuan, r.contracted_yuan) for r in rows] == [
        ("链主甲", "企业一", 2026, 0, 5_000_000),
        ("企业三", "区教育局", 2026, 0, 1_200_000),
    ]
    parties = {name: Party(name, "经开区") for name in ("链主甲", "企业一", "企业三", "区教育局")}
    performed = [replace(r, performed_yuan=r.contracted_yuan) for r in rows]
    rewards = {(line.buyer, line.seller): line.reward_yuan for line in compute_rewards(performed, parties).lines}
    assert rewards == {("链主甲", "企业一"): 500_000, ("企业三", "区教育局"): 0}


@pytest.mark.parametrize(
    ("outcome", "field", "words"),
    [
        (Outcome("链主甲", "企业三", "nda"), "outcomes[3]", "没有安排会面"),
        (Outcome("链主甲", "企业一", "nda"), "outcomes[3]", "重复登记"),
        (Outcome("区教育局", "企业一", "maybe"), "outcomes[3].kind", "未知的会面结果"),
        (Outcome("区教育局", "企业一", "contract"), "outcomes[3].amount_yuan", "正整数"),
        (Outcome("区教育局", "企业一", "contract", -5), "outcomes[3].amount_yuan", "正整数"),
        (Outcome("区教育局", "企业一", "follow_up", 100), "outcomes[3].amount_yuan", "只有签约"),
    ],
)
def test_bad_outcomes_name_the_field_in_chinese(outcome, field, words):
    with pytest.raises(ScheduleInputError) as error:
        check_outcomes(MEETINGS, (*OUTCOMES, outcome))
    assert error.value.field == field and words in error.value.message
