"""The partner ranker: a linear model over the signals, fitted on the contract history.

``fit`` splits the history it is given in time: signals are computed on the contracts before a
cut-off, and a pairwise logistic regression learns, buyer by buyer, to put the suppliers that
became new partners after it above randomly drawn non-partners. The score of a candidate is
``Σ weight × signal``; each term is reported, so the contributions add up to the score.
``rank`` applies the filters, returns the top ``k`` new candidates with their reasons in
Chinese, and lists existing and lapsed partners separately.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from matching.market import Contract, ContractGraph, Market
from matching.reasons import Partner, Recommendation, partners_of, recommendation
from matching.signals import SIGNALS, Context, Query, Scope, all_signals, context

DEFAULT_WEIGHTS = dict.fromkeys(SIGNALS, 1.0)
HOLDOUT_SHARE = 0.3  # the latest share of new pairs that the fit learns to predict


@dataclass(frozen=True)
class Shortlist:
    query: Query
    recommendations: list[Recommendation]
    partners: list[Partner]  # existing and lapsed partners, never hiding new candidates
    candidates: int  # how many firms passed the filters


def candidate_mask(market: Market, ctx: Context, km: np.ndarray) -> np.ndarray:
    """Filters of the query; the asker and (by default) its partners are never candidates."""
    q = ctx.query
    keep = np.ones(len(market.ids), dtype=bool)
    if q.scope == Scope.LOCAL:
        keep &= market.local
    elif q.scope == Scope.G60:
        keep &= market.g60
    if q.max_km is not None:
        keep &= np.nan_to_num(km, nan=np.inf) <= q.max_km
    for label in q.labels:
        keep &= market.has_label(label)
    if q.min_revenue_yuan is not None:
        keep &= np.nan_to_num(market.log_revenue, nan=-1) >= np.log10(max(q.min_revenue_yuan, 1))
    if ctx.asker_index is not None:
        keep[ctx.asker_index] = False
        if q.exclude_partners:
            keep[ctx.role[ctx.asker_index].indices] = False
    return keep


class PartnerRanker:
    """fit(market, contracts) → score(query) / rank(query); interpretable by construction."""

    def __init__(
        self,
        *,
        weights: dict[str, float] | None = None,
        negatives: int = 30,
        max_buyers: int = 800,
        seed: int = 0,
    ):
        """Given ``weights`` (e.g. fitted on another market), ``fit`` only indexes the contracts."""
        self.learn = weights is None
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.negatives, self.max_buyers, self.seed = negatives, max_buyers, seed

    def fit(self, market: Market, contracts: Sequence[Contract]) -> PartnerRanker:
        self.market = market
        self.graph = market.graph(contracts)
        first = sorted(self.graph.first.items(), key=lambda item: item[1])
        if self.learn and len(first) >= 20:
            cutoff = first[int(len(first) * (1 - HOLDOUT_SHARE))][1]
            history = market.graph(c for c in contracts if c.signed_on < cutoff)
            new_pairs = [pair for pair, day in first if day >= cutoff and pair not in history.first]
            self._learn(market, history, new_pairs)
        return self

    def _learn(self, market: Market, history: ContractGraph, new_pairs: list[tuple[int, int]]) -> None:
        rng = random.Random(self.seed)
        wanted: dict[int, set[int]] = {}
        for customer, supplier in new_pairs:
            wanted.setdefault(customer, set()).add(supplier)
        buyers = sorted(wanted)
        differences = []
        for buyer in rng.sample(buyers, min(len(buyers), self.max_buyers)):
            ctx = context(market, history, Query(firm=market.ids[buyer]))
            features, km = all_signals(market, ctx)
            pool = np.flatnonzero(candidate_mask(market, ctx, km))
            drawn = rng.sample(range(len(pool)), min(len(pool), self.negatives))
            negatives = [int(pool[j]) for j in drawn if pool[j] not in wanted[buyer]]
            differences += [features[p] - features[n] for p in wanted[buyer] for n in negatives]
        if not differences:
            return
        pairs = np.array(differences)
        x, y = np.vstack([pairs, -pairs]), np.r_[np.ones(len(pairs)), np.zeros(len(pairs))]
        model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=1000).fit(x, y)
        self.weights = dict(zip(SIGNALS, (float(w) for w in model.coef_[0]), strict=True))

    def weight_vector(self) -> np.ndarray:
        return np.array([self.weights[s] for s in SIGNALS], dtype=np.float32)

    def score(self, query: Query) -> tuple[np.ndarray, np.ndarray, Context, np.ndarray]:
        """Scores of every firm, its signals (n × signals; weight × signal is a contribution), context, distances."""
        ctx = context(self.market, self.graph, query)
        features, km = all_signals(self.market, ctx)
        return features @ self.weight_vector(), features, ctx, km

    def rank(self, query: Query) -> Shortlist:
        scores, features, ctx, km = self.score(query)
        keep = candidate_mask(self.market, ctx, km)
        pool = np.flatnonzero(keep)
        k = min(query.k, len(pool))
        top = pool[np.argpartition(-scores[pool], k - 1)[:k]] if k else pool
        top = top[np.argsort(-scores[top], kind="stable")]
        weights = self.weight_vector()
        found = [
            recommendation(self.market, ctx, int(i), float(scores[i]), features[i] * weights, float(km[i])) for i in top
        ]
        return Shortlist(query, found, partners_of(self.market, self.graph, ctx), len(pool))
