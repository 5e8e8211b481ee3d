"""The evaluation protocol, its quality floors on the demo, and the bare edge list."""

import csv
from datetime import date

import pytest

from matching.evaluation import BASELINES, EdgeListError, evaluate, read_edge_list, split_pairs
from matching.market import Contract, Market

SPLIT = date(2025, 7, 1)


@pytest.fixture(scope="module")
def quality(demo_market, demo_contracts):
    return evaluate(demo_market, demo_contracts, SPLIT)


def test_the_full_ranker_beats_every_single_signal_baseline_on_the_demo(quality):
    print(quality.table())
    for metric in ("hits", "ndcg", "mrr"):
        full = quality.metric("full", "all", metric)
        assert all(full > quality.metric(b, "all", metric) for b in BASELINES), metric


def test_quality_floors_hold(quality):
    assert quality.metric("full", "all", "hits") >= 0.22
    assert quality.metric("full", "all", "ndcg") >= 0.10
    assert quality.metric("full", "cold", "hits") >= 0.25 and quality.metric("full", "warm", "hits") >= 0.18
    assert quality.metric("random", "all", "hits") < 0.02  # the protocol is not trivially easy
    assert quality.buyers["all"] == quality.buyers["cold"] + quality.buyers["warm"] > 500


def test_split_keeps_only_pairs_first_seen_after_the_date():
    contracts = [
        Contract("s1", "b1", date(2024, 5, 1)),
        Contract("s1", "b1", date(2025, 8, 1)),  # an old pair again: not new
        Contract("s2", "b1", date(2025, 9, 1)),
        Contract("s3", "b2", date(2026, 1, 1)),
    ]
    train, new = split_pairs(contracts, SPLIT)
    assert len(train) == 1 and new == {"b1": {"s2"}, "b2": {"s3"}}


def _write(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_a_bare_edge_list_is_measured_with_graph_signals_only(tmp_path, demo_contracts):
    rows = [
        ["supplier", "customer", "date"],
        *[[c.supplier, c.customer, c.signed_on.isoformat()] for c in demo_contracts],
    ]
    contracts = read_edge_list(_write(tmp_path / "edges.csv", rows))
    quality = evaluate(Market.from_edges(contracts), contracts, SPLIT)
    assert quality.methods == ["random", "popularity", "graph", "l3_popularity", "l3_undirected", "full"]
    assert "chain adjacency only" not in quality.table() and "L3 graph only" in quality.table()
    assert quality.metric("graph", "warm", "hits") > 5 * quality.metric("random", "warm", "hits")
    assert quality.metric("graph", "cold", "hits") == 0  # no paths from a buyer without suppliers


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["from", "to", "date"], ["a", "b", "2024-01-01"]], "缺少列 customer, supplier"),
        ([["supplier", "customer", "date"], ["a", "b", "2024-01-01"], ["a", "c", "01/02/2024"]], "第3行 date"),
        ([["supplier", "customer", "date"], ["", "b", "2024-01-01"]], "第2行：supplier 和 customer 不能为空"),
    ],
)
def test_edge_list_errors_name_the_row(tmp_path, rows, message):
    with pytest.raises(EdgeListError, match=message):
        read_edge_list(_write(tmp_path / "bad.csv", rows))
