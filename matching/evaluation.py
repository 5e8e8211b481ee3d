"""How good the recommendations are: a time split of the contracts, ranked against baselines.

Protocol: the ranker is fitted on contracts signed before ``split``; a test pair is a
(customer, supplier) pair whose first contract is on or after it. Each test buyer's full
candidate set (every firm but itself and its suppliers before the split) is ranked, and its
new suppliers are looked up: Hits@k (a new supplier in the top k), NDCG@k (binary relevance)
and MRR (first new supplier). Tied scores take their mean rank, so a baseline that scores many
candidates equally gains nothing from the order they happen to be in. Buyers are *cold* when
they had no supplier before the split, *warm* otherwise.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from matching.market import Contract, Market
from matching.ranker import PartnerRanker, candidate_mask
from matching.signals import SIGNALS, Query, all_signals, context

BASELINES = ("random", "popularity", "chain", "text", "graph")
METHOD_LABELS = {
    "random": "random",
    "popularity": "popularity",
    "chain": "chain adjacency only",
    "text": "text only",
    "graph": "L3 graph only",
    "full": "full ranker",
}
GROUPS = ("all", "cold", "warm")


class EdgeListError(ValueError):
    """A bare edge list that cannot be read; the message names the row."""


def read_edge_list(path: Path) -> list[Contract]:
    """``supplier,customer,date`` rows (ISO dates; a header row is required)."""
    contracts = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"supplier", "customer", "date"} - set(reader.fieldnames or ())
        if missing:
            raise EdgeListError(f"{path.name}：缺少列 {', '.join(sorted(missing))}（需要 supplier,customer,date）")
        for row_number, row in enumerate(reader, start=2):
            try:
                signed = date.fromisoformat(row["date"].strip())
            except ValueError as exc:
                raise EdgeListError(f"{path.name} 第{row_number}行 date：“{row['date']}”不是 YYYY-MM-DD 日期") from exc
            if not row["supplier"] or not row["customer"]:
                raise EdgeListError(f"{path.name} 第{row_number}行：supplier 和 customer 不能为空")
            contracts.append(Contract(row["supplier"].strip(), row["customer"].strip(), signed))
    return contracts


@dataclass
class MatchQuality:
    split: date
    train_pairs: int
    test_pairs: int
    candidates: int
    methods: list[str]
    scores: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)  # (method, group) -> metrics
    buyers: dict[str, int] = field(default_factory=dict)  # group -> buyers evaluated

    def metric(self, method: str, group: str, name: str) -> float:
        return self.scores[(method, group)][name]

    def table(self, k: int = 10) -> str:
        lines = [
            f"split {self.split}: {self.train_pairs} pairs before, {self.test_pairs} new pairs after; "
            f"{self.candidates} candidates; buyers: " + ", ".join(f"{g} {self.buyers.get(g, 0)}" for g in GROUPS),
            "",
            "| method | " + " | ".join(f"{g} Hits@{k} | {g} NDCG@{k} | {g} MRR" for g in GROUPS) + " |",
            "|---" + "|---:" * (3 * len(GROUPS)) + "|",
        ]
        for method in self.methods:
            cells = []
            for group in GROUPS:
                values = self.scores.get((method, group))
                cells += [f"{values[m]:.3f}" for m in ("hits", "ndcg", "mrr")] if values else ["—"] * 3
            lines.append(f"| {METHOD_LABELS[method]} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def split_pairs(contracts: Sequence[Contract], split: date) -> tuple[list[Contract], dict[str, set[str]]]:
    """Contracts before the split, and per buyer the suppliers it first contracted on or after it."""
    train = [c for c in contracts if c.signed_on < split]
    known = {(c.customer, c.supplier) for c in train}
    new: dict[str, set[str]] = {}
    for c in contracts:
        if c.signed_on >= split and (c.customer, c.supplier) not in known and c.customer != c.supplier:
            new.setdefault(c.customer, set()).add(c.supplier)
    return train, new


def _ranks(scores: np.ndarray, positives: np.ndarray) -> np.ndarray:
    """Mean rank (1 = best) of each positive among all scores, ties shared."""
    return np.array([1 + (scores > scores[p]).sum() + ((scores == scores[p]).sum() - 1) / 2 for p in positives])


def _metrics(ranks: np.ndarray, k: int) -> dict[str, float]:
    ideal = sum(1 / np.log2(i + 2) for i in range(min(k, len(ranks))))
    gains = sum(1 / np.log2(r + 1) for r in ranks if r <= k)
    return {"hits": float(ranks.min() <= k), "ndcg": gains / ideal, "mrr": 1 / float(ranks.min())}


def available_methods(market: Market) -> list[str]:
    """Baselines that the market's data support (a bare edge list has no segments and no text)."""
    skip = {"chain"} if not market.supply.nnz else set()
    skip |= {"text"} if not market.has_text else set()
    return [m for m in (*BASELINES, "full") if m not in skip]


def evaluate(
    market: Market,
    contracts: Sequence[Contract],
    split: date,
    *,
    k: int = 10,
    max_buyers: int = 2000,
    seed: int = 0,
) -> MatchQuality:
    train, new = split_pairs(contracts, split)
    ranker = PartnerRanker(seed=seed).fit(market, train)
    methods = available_methods(market)
    weights = ranker.weight_vector()
    rng = np.random.default_rng(seed)
    buyers = sorted(b for b in new if b in market.index)
    buyers = random.Random(seed).sample(buyers, min(len(buyers), max_buyers))
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    counts = dict.fromkeys(GROUPS, 0)
    for buyer in buyers:
        ctx = context(market, ranker.graph, Query(firm=buyer))
        features, km = all_signals(market, ctx)
        pool = np.flatnonzero(candidate_mask(market, ctx, km))
        wanted = {market.index[s] for s in new[buyer] if s in market.index}
        positives = np.flatnonzero(np.isin(pool, list(wanted)))
        if not len(positives):
            continue
        group = "warm" if ctx.role[ctx.asker_index].nnz else "cold"
        counts["all"] += 1
        counts[group] += 1
        columns = {s: features[pool, i] for i, s in enumerate(SIGNALS)}
        scored = {"random": rng.random(len(pool)), "full": features[pool] @ weights, **columns}
        for method in methods:
            values = _metrics(_ranks(scored[method], positives), k)
            for g in ("all", group):
                results.setdefault((method, g), []).append(values)
    quality = MatchQuality(
        split, len({(c.customer, c.supplier) for c in train}), sum(map(len, new.values())), len(market.ids), methods
    )
    quality.buyers = counts
    for key, rows in results.items():
        quality.scores[key] = {m: float(np.mean([r[m] for r in rows])) for m in ("hits", "ndcg", "mrr")}
    return quality
