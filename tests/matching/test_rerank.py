"""Candidate generation and the learning-to-rank model on a seeded synthetic supply network
(hubs, triadic closure, reversals; see synthetic.py), in both directions."""

from datetime import date

import numpy as np
import pytest

from matching.evaluation import evaluate
from matching.features import FEATURES
from matching.market import Contract, Market
from matching.ranker import PartnerRanker
from matching.rerank import RerankConfig, label_cuts
from matching.signals import Direction, Query
from tests.matching.synthetic import snapshot_dates, supply_network

SNAPSHOTS = 10
SPLIT = snapshot_dates(SNAPSHOTS)[-1]
CONFIG = RerankConfig(per_signal=40, max_queries=300)
SINGLE_SIGNALS = ("random", "popularity", "graph", "l3_undirected")


@pytest.fixture(scope="module")
def network():
    contracts = supply_network(firms=2000, snapshots=SNAPSHOTS, seed=7)
    return Market.from_edges(contracts), contracts


@pytest.fixture(scope="module")
def ranker(network):
    market, contracts = network
    return PartnerRanker(config=CONFIG).fit(market, [c for c in contracts if c.signed_on < SPLIT])


@pytest.fixture(scope="module")
def qualities(network, ranker):
    market, contracts = network
    return {d: evaluate(market, contracts, SPLIT, direction=d, max_buyers=400, ranker=ranker) for d in Direction}


def test_suppliers_beat_every_single_signal_and_match_the_two_line_rule(qualities):
    quality = qualities[Direction.SUPPLIERS]
    print(quality.table())
    full = quality.metric("full", "all", "hits")
    assert all(full > quality.metric(m, "all", "hits") for m in SINGLE_SIGNALS)
    assert full >= 0.95 * quality.metric("l3_popularity", "all", "hits") and full >= 0.45
    assert quality.metric("full", "warm", "hits") >= 0.95 * quality.metric("graph", "warm", "hits")
    assert quality.metric("full", "cold", "hits") >= 0.9 * quality.metric("popularity", "cold", "hits")
    assert quality.metric("full", "all", "hits100") > quality.metric("full", "all", "hits")
    assert quality.shortlist_recall >= 0.8


def test_customers_beat_every_baseline(qualities):
    quality = qualities[Direction.CUSTOMERS]
    print(quality.table())
    for metric in ("hits", "ndcg", "mrr"):
        full = quality.metric("full", "all", metric)
        assert all(full > quality.metric(m, "all", metric) for m in (*SINGLE_SIGNALS, "l3_popularity")), metric
    assert quality.metric("full", "all", "hits") >= 0.2


def test_a_model_is_fitted_per_direction_and_contributions_add_up(network, ranker):
    market, _ = network
    assert set(ranker.models) == set(Direction) and all(ranker.models.values())
    buyer = market.ids[int(np.argmax(ranker.graph.customer_degree))]
    found = ranker.rank(Query(firm=buyer, k=10)).recommendations
    assert len(found) == 10 and [r.score for r in found] == sorted((r.score for r in found), reverse=True)
    for r in found:
        assert sum(r.contributions.values()) == pytest.approx(r.score, abs=1e-6)
        assert r.reasons and all(isinstance(x, str) for x in r.reasons)


def test_a_customer_of_the_buyer_is_offered_as_a_reverse_supplier(network, ranker):
    market, _ = network
    reasons = [
        x for buyer in market.ids[:300] for r in ranker.rank(Query(firm=buyer, k=10)).recommendations for x in r.reasons
    ]
    assert "已是您的客户，可反向供货" in reasons


def test_learning_periods_are_the_last_snapshots_or_the_last_slices_of_new_pairs(network):
    _, contracts = network
    days = snapshot_dates(SNAPSHOTS)
    assert label_cuts([c for c in contracts if c.signed_on < SPLIT], 3) == days[-4:-1]
    daily = [Contract(f"s{i}", f"b{i % 7}", date.fromordinal(738000 + i)) for i in range(200)]
    assert label_cuts(daily, 2) == [date.fromordinal(738000 + 120), date.fromordinal(738000 + 160)]
    assert label_cuts(daily[:2], 2) is None


def test_without_enough_history_the_ranker_falls_back_to_a_sum_of_signals():
    contracts = [Contract("s", "b", date(2024, 1, 1)), Contract("t", "c", date(2024, 6, 1))]
    ranker = PartnerRanker().fit(Market.from_edges(contracts), contracts)
    assert ranker.models == {Direction.SUPPLIERS: None, Direction.CUSTOMERS: None}
    found = ranker.rank(Query(firm="b", k=5)).recommendations
    assert {r.id for r in found} == {"t", "c"}
    assert all(sum(r.contributions.values()) == pytest.approx(r.score) for r in found)
    assert len(FEATURES) == len(set(FEATURES))
