"""The fitted ranker on the demo district: contributions, filters, partners, reasons, reward."""

import numpy as np
import pytest

from matching.features import FEATURES
from matching.market import Market
from matching.ranker import CONTRIBUTORS, PartnerRanker
from matching.reasons import shared_phrases
from matching.signals import Direction, Query, Scope


@pytest.fixture(scope="module")
def ranker(demo_market, demo_contracts):
    return PartnerRanker().fit(demo_market, demo_contracts)


@pytest.fixture(scope="module")
def warm_buyer(demo_market, ranker):
    """A local, located terminal maker with several suppliers."""
    degrees = ranker.graph.customer_degree
    return next(
        demo_market.ids[i]
        for i in np.argsort(-degrees)
        if demo_market.local[i] and demo_market.firms[i].lon is not None and demo_market.firms[i].park
    )


def test_fitting_learns_that_chain_text_and_geography_matter(ranker):
    boosters = ranker.models[Direction.SUPPLIERS].boosters
    gain = dict(zip(FEATURES, sum(b.feature_importance("gain") for b in boosters), strict=True))
    assert gain["chain"] + gain["chain_rank"] > 0 and gain["text"] + gain["text_rank"] > 0
    assert gain["geography"] + gain["geography_rank"] > 0 and gain["blend"] + gain["blend_rank"] > 0


def test_contributions_add_up_to_the_score_and_the_list_is_sorted(ranker, warm_buyer):
    found = ranker.rank(Query(firm=warm_buyer, k=15)).recommendations
    assert len(found) == 15
    for r in found:
        assert set(r.contributions) == set(CONTRIBUTORS)
        assert sum(r.contributions.values()) == pytest.approx(r.score, abs=1e-4)
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)


def test_partners_are_listed_apart_and_never_hide_new_candidates(ranker, warm_buyer):
    shortlist = ranker.rank(Query(firm=warm_buyer))
    partner_ids = {p.id for p in shortlist.partners}
    assert len(partner_ids) >= 3 and not partner_ids & {r.id for r in shortlist.recommendations}
    assert all(p.status == "现有合作" or p.status.startswith("曾合作") for p in shortlist.partners)
    assert any(p.status.startswith("曾合作") for p in shortlist.partners) or len(shortlist.partners) < 6
    with_partners = ranker.rank(Query(firm=warm_buyer, exclude_partners=False, k=3000))
    assert partner_ids <= {r.id for r in with_partners.recommendations}
    assert warm_buyer not in {r.id for r in with_partners.recommendations}


def test_reasons_are_chinese_and_follow_the_signals(ranker, warm_buyer, demo_market):
    found = ranker.rank(Query(firm=warm_buyer, k=10)).recommendations
    assert all(r.reasons for r in found)
    assert sum(any(x.startswith("上游：") and " → " in x for x in r.reasons) for r in found) >= 8
    asker = demo_market.firms[demo_market.index[warm_buyer]]
    near = ranker.rank(Query(firm=warm_buyer, k=5, max_km=2.0)).recommendations
    assert all(r.distance_km <= 2.0 for r in near)
    assert any(f"同在{asker.park}" in x or f"同在{asker.town}" in x for r in near for x in r.reasons)


def test_filters_scope_labels_and_revenue(ranker, demo_market, warm_buyer):
    local = ranker.rank(Query(firm=warm_buyer, scope=Scope.LOCAL, k=50)).recommendations
    assert all(r.city == "松江区" for r in local)
    g60 = ranker.rank(Query(segments=("ST.CHIP.RF",), scope=Scope.G60, k=200)).recommendations
    assert any(r.city != "松江区" for r in g60)
    assert all(any(x.startswith("G60科创走廊城市") for x in r.reasons) for r in g60 if r.city != "松江区")
    labelled = ranker.rank(Query(firm=warm_buyer, labels=frozenset({"专精特新"}), k=20)).recommendations
    assert labelled and all("专精特新" in r.labels for r in labelled)
    big = ranker.rank(Query(firm=warm_buyer, min_revenue_yuan=100_000_000, k=20)).recommendations
    assert all(demo_market.firms[demo_market.index[r.id]].revenue_yuan >= 100_000_000 for r in big)


def test_a_free_text_need_with_a_segment_and_the_reward_it_could_earn(ranker):
    need = Query(
        text="激光雷达，用于服务机器人避障", segments=("ST.SENS.LIDAR",), scope=Scope.LOCAL, budget_yuan=5_000_000
    )
    found = ranker.rank(need).recommendations
    assert found[0].reasons[0] == "所需环节：激光雷达与测距感知"
    assert found[0].reward["first_year_reward_yuan"] == 500_000 and found[0].reward["gap_to_threshold_yuan"] == 0
    assert found[0].reward["note"] == (
        "按预算500万元测算：年度履约满300万元即可申请，奖励为合同金额的10%（最高200万元），首年约50万元"
    )
    small = ranker.rank(Query(segments=("ST.SENS.LIDAR",), scope=Scope.LOCAL, budget_yuan=1_000_000)).recommendations
    assert small[0].reward["gap_to_threshold_yuan"] == 2_000_000 and "还差200万元" in small[0].reward["note"]
    outside = ranker.rank(Query(segments=("ST.CHIP.RF",), scope=Scope.G60, k=300)).recommendations
    assert all(r.reward is None for r in outside if r.city != "松江区")


def test_customers_for_a_supplier_point_downstream(ranker, demo_market):
    mcu = next(f.id for f in demo_market.firms if f.segments == ("ST.CHIP.MCU",) and f.city == "松江区")
    found = ranker.rank(Query(firm=mcu, direction=Direction.CUSTOMERS, k=10)).recommendations
    assert sum(any(x.startswith("下游：MCU芯片 → ") for x in r.reasons) for r in found) >= 5


def test_given_models_skip_learning_and_unknown_firms_are_refused(demo_market, demo_contracts, ranker):
    fixed = PartnerRanker(models=ranker.models).fit(demo_market, demo_contracts[:100])
    assert fixed.models == ranker.models
    with pytest.raises(KeyError, match="未找到企业"):
        fixed.rank(Query(firm="nobody"))


def test_an_empty_pool_gives_an_empty_list_not_an_error(demo_market, demo_contracts):
    ranker = PartnerRanker(models={}).fit(demo_market, demo_contracts)
    assert ranker.rank(Query(segments=("ST.CHIP.MCU",), max_km=0.0001, lon=121.0, lat=30.0)).recommendations == []
    assert Market.from_edges([]).ids == []


def test_filters_that_leave_no_candidate_give_an_empty_list_with_a_fitted_model(ranker):
    query = Query(text="智能家居", min_revenue_yuan=570, max_km=19999.99, k=21)  # no firm is located for a need
    assert ranker.models[Direction.SUPPLIERS] is not None
    assert ranker.rank(query).recommendations == []


def test_shared_phrases_are_the_longest_common_pieces():
    assert shared_phrases("车规级MCU芯片，用于座舱", "主营32位MCU芯片与车规级控制器") == ["MCU芯片", "车规级"]
    assert shared_phrases("面包", "激光雷达") == []
