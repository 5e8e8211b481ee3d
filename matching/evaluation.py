"""How good the recommendations are: a time split of the contracts, ranked against baselines.

Protocol: the ranker is fitted on contracts signed before ``split`` (it splits that history again
in time to learn and to choose its model; it never sees the test period); a test pair is a
(customer, supplier) pair whose first contract is on or after it. Each test asker's full
candidate set (every firm but itself and its partners before the split) is ranked, and its new
partners are looked up: Hits@k and Hits@100 (a new partner in the top k), NDCG@k (binary
relevance) and MRR (first new partner). The full ranker scores its short list; every firm left
off it ties below. Tied scores take their mean rank, so a baseline that scores many candidates
equally gains nothing from the order they happen to be in. Askers are *cold* when they had no
partner in that role before the split, *warm* otherwise. In the supplier direction the askers
are buyers; in the customer direction, suppliers.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from matching.features import candidate_mask
from matching.market import Contract, Market
from matching.ranker import PartnerRanker, Scored
from matching.rerank import RerankConfig, new_partners
from matching.signals import Direction, Query
from matching.textfiles import UnreadableFile, parse_date, read_text

BASELINES = ("random", "popularity", "chain", "text", "graph", "l3_popularity", "l3_undirected")
METHOD_LABELS = {
    "random": "random",
    "popularity": "popularity",
    "chain": "chain adjacency only",
    "text": "text only",
    "graph": "L3 graph only",
    "l3_popularity": "L3, ties broken by popularity",
    "l3_undirected": "L3 on the undirected graph",
    "full": "full ranker (candidates + LambdaMART)",
}
GROUPS = ("all", "warm", "cold")
METRICS = ("hits", "hits100", "ndcg", "mrr")
WIDE_K = 100


class EdgeListError(ValueError):
    """A bare edge list that cannot be read; the message names the row."""


def read_edge_list(path: Path) -> list[Contract]:
    """``supplier,customer,date`` rows (a header row is required; any encoding Excel saves, Chinese date forms)."""
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        raise EdgeListError(str(exc)) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = {"supplier", "customer", "date"} - {name.strip() for name in reader.fieldnames or ()}
    if missing:
        raise EdgeListError(f"{path.name}：缺少列 {', '.join(sorted(missing))}（需要 supplier,customer,date）")
    contracts = []
    for row_number, row in enumerate(reader, start=2):
        row = {str(key).strip(): (value or "").strip() for key, value in row.items() if key is not None}
        try:
            signed = parse_date(row["date"])
        except ValueError as exc:
            raise EdgeListError(f"{path.name} 第{row_number}行 date：{exc}") from exc
        if not row["supplier"] or not row["customer"]:
            raise EdgeListError(f"{path.name} 第{row_number}行：supplier 和 customer 不能为空")
        contracts.append(Contract(row["supplier"], row["customer"], signed))
    if not contracts:
        raise EdgeListError(f"{path.name} 只有表头，没有数据行")
    return contracts


@dataclass
class MatchQuality:
    split: date
    direction: Direction
    train_pairs: int
    test_pairs: int
    candidates: int
    methods: list[str]
    scores: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)  # (method, group) -> metrics
    buyers: dict[str, int] = field(default_factory=dict)  # group -> askers evaluated
    shortlist_recall: float = 0.0  # share of askers with a new partner in the re-ranker's short list

    def metric(self, method: str, group: str, name: str) -> float:
        return self.scores[(method, group)][name]

    def table(self, k: int = 10) -> str:
        asker = "buyers" if self.direction == Direction.SUPPLIERS else "suppliers"
        names = {"hits": f"Hits@{k}", "hits100": f"Hits@{WIDE_K}", "ndcg": f"NDCG@{k}", "mrr": "MRR"}
        lines = [
            f"{self.direction}, split {self.split}: {self.train_pairs} pairs before, {self.test_pairs} new pairs "
            f"after; {self.candidates} candidates; {asker}: "
            + ", ".join(f"{g} {self.buyers.get(g, 0)}" for g in GROUPS)
            + f"; a new partner in the short list for {self.shortlist_recall:.1%}",
            "",
            "| method | " + " | ".join(f"{g} {names[m]}" for g in GROUPS for m in METRICS) + " |",
            "|---" + "|---:" * (len(METRICS) * len(GROUPS)) + "|",
        ]
        for method in self.methods:
            cells = []
            for group in GROUPS:
                values = self.scores.get((method, group))
                cells += [f"{values[m]:.3f}" for m in METRICS] if values else ["—"] * len(METRICS)
            lines.append(f"| {METHOD_LABELS[method]} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "direction": str(self.direction),
            "split": self.split.isoformat(),
            "train_pairs": self.train_pairs,
            "test_pairs": self.test_pairs,
            "candidates": self.candidates,
            "askers": self.buyers,
            "shortlist_recall": self.shortlist_recall,
            "scores": {m: {g: self.scores[(m, g)] for g in GROUPS if (m, g) in self.scores} for m in self.methods},
        }


def split_pairs(
    contracts: Sequence[Contract], split: date, direction: Direction = Direction.SUPPLIERS
) -> tuple[list[Contract], dict[str, set[str]]]:
    """Contracts before the split, and per asker the partners it first contracted on or after it."""
    return [c for c in contracts if c.signed_on < split], new_partners(contracts, direction, split, None)


def _ranks(scores: np.ndarray, positives: np.ndarray) -> np.ndarray:
    """Mean rank (1 = best) of each positive among all scores, ties shared."""
    ordered = np.sort(scores)
    values = scores[positives]
    above = len(scores) - np.searchsorted(ordered, values, side="right")
    tied = np.searchsorted(ordered, values, side="right") - np.searchsorted(ordered, values, side="left")
    return 1 + above + (tied - 1) / 2


def _metrics(ranks: np.ndarray, k: int) -> dict[str, float]:
    ideal = sum(1 / np.log2(i + 2) for i in range(min(k, len(ranks))))
    gains = sum(1 / np.log2(r + 1) for r in ranks if r <= k)
    best = float(ranks.min())
    return {"hits": float(best <= k), "hits100": float(best <= WIDE_K), "ndcg": gains / ideal, "mrr": 1 / best}


def available_methods(market: Market) -> list[str]:
    """Baselines that the market's data support (a bare edge list has no segments and no text)."""
    skip = {"chain"} if not market.supply.nnz else set()
    skip |= {"text"} if not market.has_text else set()
    return [m for m in (*BASELINES, "full") if m not in skip]


def _lexicographic(first: np.ndarray, then: np.ndarray) -> np.ndarray:
    """Scores that order by ``first`` and break its ties by ``then``."""
    dense = np.unique(then, return_inverse=True)[1]
    return np.unique(first, return_inverse=True)[1].astype(np.float64) * (dense.max(initial=0) + 1) + dense


def _method_scores(scored: Scored, pool: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    values = scored.vectors.values
    full = np.full(len(values["l3"]), -np.inf)
    full[scored.rows] = scored.scores
    columns = {m: values[m][pool] for m in ("popularity", "chain", "text", "l3_undirected")}
    return {
        **columns,
        "random": rng.random(len(pool)),
        "graph": values["l3"][pool],
        "l3_popularity": _lexicographic(values["l3"][pool], values["popularity"][pool]),
        "full": full[pool],
    }


def evaluate(
    market: Market,
    contracts: Sequence[Contract],
    split: date,
    *,
    direction: Direction = Direction.SUPPLIERS,
    k: int = 10,
    max_buyers: int = 2000,
    seed: int = 0,
    ranker: PartnerRanker | None = None,
) -> MatchQuality:
    """The ranker (fitted here on the contracts before the split, unless given) against the baselines."""
    train, new = split_pairs(contracts, split, direction)
    ranker = ranker or PartnerRanker(config=RerankConfig(seed=seed), directions=(direction,)).fit(market, train)
    methods = available_methods(market)
    rng = np.random.default_rng(seed)
    askers = sorted(b for b in new if b in market.index)
    askers = random.Random(seed).sample(askers, min(len(askers), max_buyers))
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    counts = dict.fromkeys(GROUPS, 0)
    listed = 0
    for asker in askers:
        scored = ranker.scored(Query(direction=direction, firm=asker, k=k))
        pool = np.flatnonzero(candidate_mask(market, scored.ctx, scored.vectors.km))
        positives = np.flatnonzero(np.isin(pool, [market.index[s] for s in new[asker] if s in market.index]))
        if not len(positives):
            continue
        group = "warm" if scored.ctx.role[scored.ctx.asker_index].nnz else "cold"
        counts["all"] += 1
        counts[group] += 1
        listed += bool(np.isin(pool[positives], scored.rows).any())
        method_scores = _method_scores(scored, pool, rng)
        for method in methods:
            values = _metrics(_ranks(method_scores[method], positives), k)
            for g in ("all", group):
                results.setdefault((method, g), []).append(values)
    quality = MatchQuality(
        split,
        direction,
        len({(c.customer, c.supplier) for c in train}),
        sum(map(len, new.values())),
        len(market.ids),
        methods,
    )
    quality.buyers = counts
    quality.shortlist_recall = listed / max(counts["all"], 1)
    for key, rows in results.items():
        quality.scores[key] = {m: float(np.mean([r[m] for r in rows])) for m in METRICS}
    return quality
