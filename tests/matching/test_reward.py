"""Worked examples for each clause of 沪松经规〔2024〕4号 二(二) and its 附则."""

from dataclasses import replace

import pytest

from matching.reward import (
    ContractRow,
    FirstYearBase,
    IncrementBasis,
    Party,
    RewardParams,
    ThresholdBasis,
    budget,
    compute_rewards,
    threshold_gap,
)

WAN = 10_000
PARTIES = {
    "B": Party("采购方甲", "洞泾镇"),
    "B2": Party("采购方乙", "经开区"),
    "S1": Party("供应方一", "九亭镇"),
    "S2": Party("供应方二", "泗泾镇"),
    "S3": Party("供应方三", "新桥镇"),
    "FAR": Party("外区供应方", "外区", local=False),
    "OFF": Party("链外企业", "车墩镇", in_chain=False),
}


def rows(*specs):
    """(buyer, seller, year, 万元[, contracted 万元]) -> ContractRow with 1-based rows."""
    out = []
    for i, (buyer, seller, year, amount, *contracted) in enumerate(specs, start=1):
        out.append(
            ContractRow(i, buyer, seller, year, int(amount * WAN), int(contracted[0] * WAN) if contracted else None)
        )
    return out


def line(report, seller="S1", year=2025):
    return next(item for item in report.lines if item.seller == seller and item.year == year)


def test_below_threshold_earns_nothing_and_says_how_far_it_is():
    result = line(compute_rewards(rows(("B", "S1", 2025, 250)), PARTIES))
    assert (result.stage, result.reward_yuan, result.gap_to_threshold_yuan) == ("below_threshold", 0, 50 * WAN)
    assert result.explanation == "2025年累计履约250万元，未达300万元，尚差50万元"


def test_first_qualifying_year_under_the_cap_pays_ten_percent():
    result = line(compute_rewards(rows(("B", "S1", 2025, 320)), PARTIES))
    assert (result.stage, result.reward_yuan) == ("first", 32 * WAN)
    assert result.explanation.startswith("2025年累计履约320万元，首次达到300万元，按10%计32万元")


def test_first_qualifying_year_over_the_cap_pays_two_million():
    result = line(compute_rewards(rows(("B", "S1", 2025, 2500)), PARTIES))
    assert result.reward_yuan == 200 * WAN
    assert "按10%计250万元，超过单笔上限200万元，核定200万元" in result.explanation


def test_later_years_pay_five_percent_of_growth_and_nothing_on_decline():
    report = compute_rewards(rows(("B", "S1", 2025, 320), ("B", "S1", 2026, 500), ("B", "S1", 2027, 400)), PARTIES)
    growth, decline = line(report, year=2026), line(report, year=2027)
    assert (growth.stage, growth.reward_yuan) == ("later", 9 * WAN)
    assert "较上一年度（320万元）增加180万元，按增量5%计9万元" in growth.explanation
    assert decline.reward_yuan == 0 and "未增长，本年度奖励0元" in decline.explanation


def test_increment_over_the_qualifying_year_changes_result_and_explanation():
    contracts = rows(("B", "S1", 2025, 320), ("B", "S1", 2026, 500), ("B", "S1", 2027, 400))
    params = RewardParams(increment_basis=IncrementBasis.QUALIFYING_YEAR)
    report = compute_rewards(contracts, PARTIES, params)
    result = line(report, year=2027)
    assert result.reward_yuan == 4 * WAN  # (400 - 320) * 5 %
    assert "较首次达标的2025年（320万元）增加80万元" in result.explanation
    assert "本年度履约额 − 首次达标年度履约额" in report.choices[1]
    assert "上一年度履约额" in compute_rewards(contracts, PARTIES).choices[1]


def test_the_five_million_enterprise_cap_is_reached_mid_year():
    contracts = rows(("B", "S1", 2025, 2500), ("B", "S2", 2025, 2500), ("B", "S3", 2025, 2500), ("B", "S1", 2026, 4000))
    report = compute_rewards(contracts, PARTIES)
    assert [line(report, s).reward_yuan for s in ("S1", "S2", "S3")] == [200 * WAN, 200 * WAN, 100 * WAN]
    assert "受单个企业上限500万元限制，核减为100万元" in line(report, "S3").explanation
    later = line(report, "S1", 2026)
    assert later.reward_yuan == 0 and "已达单个企业上限500万元，本年度奖励0元" in later.explanation
    assert report.totals["reward_yuan"] == 500 * WAN


def test_the_district_may_lift_the_caps_for_a_major_project():
    contracts = rows(("B", "S1", 2025, 2500), ("B", "S2", 2025, 2500), ("B", "S3", 2025, 2500))
    report = compute_rewards(contracts, PARTIES, RewardParams(uncapped_buyers=frozenset({"B"})))
    assert report.totals["reward_yuan"] == 750 * WAN


def test_contracts_outside_the_policy_window_are_exclusions_not_errors():
    report = compute_rewards(rows(("B", "S1", 2024, 900), ("B", "S1", 2030, 900), ("B", "S1", 2025, 100)), PARTIES)
    assert not report.errors and [x.row for x in report.exclusions] == [1, 2]
    assert report.excluded_by_reason() == {"不在政策有效期（2025—2029年）内": 2}
    assert report.exclusions[0].message == "年度2024不在政策有效期（2025—2029年）内"
    assert report.totals["reward_yuan"] == 0 and len(report.lines) == 1


def test_several_contracts_of_a_pair_in_a_year_are_summed_unless_the_choice_says_otherwise():
    contracts = rows(("B", "S1", 2025, 150), ("B", "S1", 2025, 160))
    assert line(compute_rewards(contracts, PARTIES)).reward_yuan == 31 * WAN
    single = compute_rewards(contracts, PARTIES, RewardParams(sum_contracts=False))
    assert line(single).stage == "below_threshold"
    assert "每份合同单独计算" in single.choices[3]


def test_cumulative_threshold_basis_counts_across_years():
    contracts = rows(("B", "S1", 2025, 200), ("B", "S1", 2026, 150))
    annual = compute_rewards(contracts, PARTIES)
    cumulative = compute_rewards(contracts, PARTIES, RewardParams(threshold_basis=ThresholdBasis.CUMULATIVE))
    assert annual.totals["reward_yuan"] == 0
    assert line(cumulative, year=2026).reward_yuan == 15 * WAN
    assert "政策期内累计履约350万元" in line(cumulative, year=2026).explanation


def test_first_year_base_can_be_the_contracted_amount():
    contracts = rows(("B", "S1", 2025, 320, 400))
    assert line(compute_rewards(contracts, PARTIES)).reward_yuan == 32 * WAN
    by_contract = compute_rewards(contracts, PARTIES, RewardParams(first_year_base=FirstYearBase.CONTRACTED))
    assert line(by_contract).reward_yuan == 40 * WAN


def test_the_seven_three_split_follows_the_buyers_budget_unit():
    report = compute_rewards(rows(("B", "S1", 2025, 320), ("B2", "S1", 2025, 500)), PARTIES)
    first, second = line(report), next(item for item in report.lines if item.buyer == "B2")
    assert (first.district_yuan, first.town_yuan, first.budget_unit) == (224_000, 96_000, "洞泾镇")
    assert "区级承担22.4万元，洞泾镇承担9.6万元" in first.explanation
    assert (second.district_yuan, second.town_yuan, second.budget_unit) == (350_000, 150_000, "经开区")
    table = budget(report)
    assert [(r["budget_unit"], r["town_yuan"]) for r in table] == [("洞泾镇", 96_000), ("经开区", 150_000)]


def test_bad_rows_are_errors_policy_exclusions_are_not_and_good_rows_still_computed():
    contracts = [
        *rows(("B", "S1", 2025, 320)),
        ContractRow(2, "B", "S2", 2025, -5),
        ContractRow(3, "B", "NOBODY", 2025, 400 * WAN),
        ContractRow(4, "B", "B", 2025, 400 * WAN),
        ContractRow(5, "B", "S1", 2025, 320 * WAN),
        ContractRow(6, "B", "FAR", 2025, 400 * WAN),
        ContractRow(7, "B", "OFF", 2025, 400 * WAN),
    ]
    report = compute_rewards(contracts, PARTIES)
    messages = {e.row: (e.field, e.message) for e in report.errors}
    assert messages[2] == ("performed_yuan", "金额必须是非负整数（元），收到 -5")
    assert messages[3] == ("seller", "未登记的企业“NOBODY”")
    assert messages[4][1] == "采购方与供应方是同一家企业"
    assert messages[5][1] == "与第1行重复，未重复计入"
    assert set(messages) == {2, 3, 4, 5}
    excluded = {x.row: x for x in report.exclusions}
    assert "不是松江区内企业" in excluded[6].message and "不属于智能终端产业链" in excluded[7].message
    assert report.excluded_by_reason() == {"一方不是松江区内企业": 1, "一方不属于智能终端产业链": 1}
    assert [(item.seller, item.reward_yuan) for item in report.lines] == [("S1", 32 * WAN)]


def test_locality_and_chain_requirements_are_choices():
    contracts = rows(("B", "FAR", 2025, 400), ("B", "OFF", 2025, 400))
    relaxed = compute_rewards(contracts, PARTIES, RewardParams(require_local=False, require_chain=False))
    assert not relaxed.errors and not relaxed.exclusions and relaxed.totals["reward_yuan"] == 80 * WAN
    assert "不要求双方均为松江区内企业" in relaxed.choices


def test_threshold_gap_for_the_matcher():
    assert threshold_gap(120 * WAN, already_qualified=False) == 180 * WAN
    assert threshold_gap(420 * WAN, already_qualified=False) == 0
    assert threshold_gap(10 * WAN, already_qualified=True) == 0


@pytest.mark.parametrize("amount", [3_000_000, 3_000_001])
def test_exactly_three_million_qualifies(amount):
    report = compute_rewards([ContractRow(1, "B", "S1", 2025, amount)], PARTIES)
    assert report.lines[0].stage == "first"
    assert report.lines[0].reward_yuan == round(amount / 10)


def test_rewards_round_half_up_to_the_yuan():
    report = compute_rewards([replace(rows(("B", "S1", 2025, 320))[0], performed_yuan=3_000_005)], PARTIES)
    assert report.lines[0].reward_yuan == 300_001  # 300000.5 rounds up
