"""Each signal on small hand-made markets where the right answer is known."""

from datetime import date
from itertools import product

import numpy as np
import pytest

from geodata import haversine_km
from matching import signals
from matching.market import DIRECTNESS, OUTSIDE_DISTRICT, ChainData, Contract, Firm, Market
from matching.signals import Direction, Query, context

CHAIN = ChainData(
    edges=[("CHIP", "ROBOT", 1.0), ("LIDAR", "ROBOT", 0.8)],
    parents={"CHIP": None, "CHIP.MCU": "CHIP", "LIDAR": None, "ROBOT": None, "FOOD": None},
    names={"CHIP": "芯片", "CHIP.MCU": "MCU芯片", "LIDAR": "激光雷达", "ROBOT": "服务机器人", "FOOD": "食品"},
)
FIRMS = [
    Firm("robot", "机器人厂", ("ROBOT",), "服务机器人整机", 121.25, 31.09, town="洞泾镇", park="洞泾人工智能产业基地"),
    Firm(
        "mcu", "MCU厂", ("CHIP.MCU",), "32位MCU芯片 微控制器", 121.26, 31.10, town="洞泾镇", park="洞泾人工智能产业基地"
    ),
    Firm(
        "lidar",
        "雷达厂",
        ("LIDAR",),
        "激光雷达 测距传感器",
        121.20,
        31.00,
        labels=frozenset({"专精特新", "高新技术企业"}),
    ),
    Firm("food", "食品厂", ("FOOD",), "面包 糕点", 121.23, 31.03),
    Firm("suzhou", "苏州芯片", ("CHIP",), "芯片设计", city="苏州市"),
    Firm("far", "外省企业", ("CHIP",), "芯片封装", city="深圳市"),
]
NO_HISTORY: list[Contract] = []


@pytest.fixture(scope="module")
def market():
    return Market(FIRMS, CHAIN)


def _signal(market, fn, query, contracts=NO_HISTORY):
    ctx = context(market, market.graph(contracts), query)
    return dict(zip(market.ids, fn(market, ctx), strict=True))


def test_chain_counts_direct_edges_fully_and_parent_edges_less(market):
    scores = _signal(market, signals.chain, Query(firm="robot"))
    assert scores["lidar"] == pytest.approx(0.8) and scores["suzhou"] == pytest.approx(1.0)
    assert scores["mcu"] == pytest.approx(DIRECTNESS)  # the edge is drawn from its parent 芯片
    assert scores["food"] == 0 and scores["robot"] == 0
    customers = _signal(market, signals.chain, Query(firm="mcu", direction=Direction.CUSTOMERS))
    assert customers["robot"] == pytest.approx(DIRECTNESS) and customers["food"] == 0


def test_a_wanted_segment_matches_the_segments_under_it(market):
    scores = _signal(market, signals.chain, Query(segments=("CHIP",)))
    assert scores["suzhou"] == 1 and scores["mcu"] == pytest.approx(DIRECTNESS) and scores["lidar"] == 0


def test_text_finds_the_firm_whose_products_match_the_need(market):
    scores = _signal(market, signals.text, Query(text="需要激光雷达"))
    assert max(scores, key=scores.get) == "lidar" and scores["food"] == 0
    implicit = _signal(market, signals.text, Query(firm="robot"))  # what a robot maker buys, by segment names
    assert implicit["lidar"] > 0 and implicit["food"] == 0
    assert not any(_signal(market, signals.text, Query(text="")).values())


def test_geography_prefers_near_same_park_and_knows_the_g60_cities(market):
    ctx = context(market, market.graph(NO_HISTORY), Query(firm="robot"))
    km = signals.distances(market, ctx)
    scores = dict(zip(market.ids, signals.geography(market, ctx, km), strict=True))
    assert scores["mcu"] > scores["food"] > 0
    assert scores["suzhou"] == pytest.approx(0.7 * OUTSIDE_DISTRICT) and scores["far"] == 0
    exact = haversine_km(121.25, 31.09, market.lon, market.lat)
    located = ~np.isnan(exact)
    assert np.allclose(km[located], exact[located], rtol=0.002)


def test_profile_rewards_quality_labels_and_leaves_unknown_revenue_neutral(market):
    scores = _signal(market, signals.profile, Query(firm="robot"))
    assert scores["lidar"] == pytest.approx(0.5 + 0.25) and scores["food"] == pytest.approx(0.25)


def test_l3_equals_the_degree_normalised_count_of_length_three_paths():
    rng = np.random.default_rng(5)
    edges = {(f"s{rng.integers(8)}", f"b{rng.integers(8)}") for _ in range(30)}
    contracts = [Contract(s, b, date(2024, 1, 1)) for s, b in edges]
    market = Market.from_edges(contracts)
    for buyer in sorted({b for _, b in edges})[:4]:
        got = _signal(market, signals.l3, Query(firm=buyer), contracts)
        supplier_degree = {s: sum(1 for e in edges if e[0] == s) for s, _ in edges}
        customer_degree = {b: sum(1 for e in edges if e[1] == b) for _, b in edges}
        expected = dict.fromkeys(market.ids, 0.0)
        for (s1, b1), (s2, b2) in product(edges, edges):
            if b1 == buyer and s1 == s2 and b2 != buyer:  # buyer–s1–b2 ...
                for s3, b3 in edges:
                    if b3 == b2:  # ... –s3
                        expected[s3] += 1 / np.sqrt(supplier_degree[s1] * customer_degree[b2])
        top = max(expected.values())
        assert got == pytest.approx({k: v / top for k, v in expected.items()}, abs=1e-5)


def test_popularity_follows_the_number_of_partners():
    contracts = [Contract("s1", f"b{i}", date(2024, 1, 1)) for i in range(5)] + [Contract("s2", "b0", date(2024, 1, 1))]
    market = Market.from_edges(contracts)
    scores = _signal(market, signals.popularity, Query(firm="b1"), contracts)
    assert scores["s1"] == 1 and 0 < scores["s2"] < 1 and scores["b3"] == 0


def test_a_need_is_weighed_as_scikit_learn_weighs_it_over_the_index_terms(market):
    from sklearn.feature_extraction.text import TfidfVectorizer

    index = market.vectorizer
    reference = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, vocabulary=index.columns)
    reference.fit(["x"]).idf_ = index.idf
    for need in ("激光雷达，激光测距", "MCU芯片 微控制器 MCU", "从未见过的说法"):
        columns, weights = index.weights(need)
        expected = reference.transform([need]).toarray().ravel()
        np.testing.assert_allclose(np.bincount(columns, weights, minlength=len(expected)), expected, atol=1e-6)
