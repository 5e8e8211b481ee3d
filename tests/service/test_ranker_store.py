"""Fitted rankers are saved once per state of the data and loaded by any other process."""

import os
import pickle
import random
import subprocess
import sys
from dataclasses import replace

import pytest

from matching.market import Contract, Market
from matching.rerank import RerankConfig
from matching.signals import Direction, Query
from service import ranker_store
from tests.matching.synthetic import supply_network


@pytest.fixture(scope="module")
def network():
    contracts = supply_network(firms=600, snapshots=6, seed=3)
    return Market.from_edges(contracts), contracts


def _top(ranker, firm: str) -> list[tuple[str, float]]:
    shortlist = ranker.rank(Query(direction=Direction.SUPPLIERS, firm=firm, k=10))
    return [(r.id, round(r.score, 9)) for r in shortlist.recommendations]


def test_the_second_process_loads_the_same_models_instead_of_fitting(network, tmp_path):
    market, contracts = network
    first = ranker_store.fitted_ranker(market, contracts, tmp_path)
    assert first.learn and all(first.models.values())
    shuffled = random.Random(1).sample(contracts, len(contracts))  # the order rows come from a database
    second = ranker_store.fitted_ranker(Market.from_edges(shuffled), shuffled, tmp_path)
    assert not second.learn  # loaded, not fitted
    assert len(list((tmp_path / "rankers").glob("*.json"))) == 1
    for firm in market.ids[:20]:
        assert _top(second, firm) == _top(first, firm)


def test_a_change_of_data_gets_its_own_models(network, tmp_path, monkeypatch):
    market, contracts = network
    monkeypatch.setattr(ranker_store, "KEEP", 1)
    ranker_store.fitted_ranker(market, contracts, tmp_path)
    more = [*contracts, Contract(market.ids[0], market.ids[1], contracts[-1].signed_on)]
    refitted = ranker_store.fitted_ranker(market, more, tmp_path)
    assert refitted.learn
    assert len(list((tmp_path / "rankers").glob("*.json"))) == 1  # the older one forgotten


def test_the_key_is_the_same_in_every_process(network):
    """Labels are a frozenset, whose order depends on the process's hash seed."""
    market, contracts = network
    labelled = [replace(market.firms[0], labels=frozenset({"专精特新", "链主", "高新技术企业"})), *market.firms[1:]]
    script = (
        "import pickle, sys; from matching.market import Market; from service.ranker_store import data_key; "
        "f, chain, c, k = pickle.load(sys.stdin.buffer); print(data_key(Market(f, chain), c, k))"
    )
    payload = pickle.dumps((labelled, market.chain, contracts[:100], RerankConfig()))
    keys = {
        subprocess.run(
            [sys.executable, "-c", script],
            input=payload,
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout.strip()
        for seed in (1, 2, 3)
    }
    assert len(keys) == 1 and len(keys.pop()) == 20
