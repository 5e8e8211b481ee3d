"""The partner ranker: candidate generation, then a learning-to-rank model over the short list.

``fit`` indexes the contract history and, per direction, fits a LightGBM lambdarank model on
the history's own time split (``matching.rerank``). ``rank`` applies the filters, short-lists
the union of each signal's top candidates, scores them, and returns the top ``k`` new
candidates with their reasons in Chinese and per-signal contributions (the model's contributions
read along each row's path through the trees, ``matching.paths``, grouped by signal, plus ``base``:
the model's bias and the asker's own features; they add up to the score). Existing and lapsed
partners are listed separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.features import (
    BLENDED,
    FEATURE_SIGNAL,
    FEATURES,
    QueryVectors,
    candidate_mask,
    feature_matrix,
    query_vectors,
)
from matching.features import shortlist as short_list
from matching.market import Contract, Market
from matching.paths import PathContributions
from matching.reasons import Partner, Recommendation, partners_of, recommendation
from matching.rerank import Ensemble, RerankConfig, fit_model
from matching.signals import SIGNALS, Context, Direction, Query, context

CONTRIBUTORS = (*SIGNALS, "base")


@dataclass(frozen=True)
class Shortlist:
    query: Query
    recommendations: list[Recommendation]
    partners: list[Partner]  # existing and lapsed partners, never hiding new candidates
    candidates: int  # how many firms passed the filters


@dataclass(frozen=True)
class Scored:
    """One query's short list with its features and scores."""

    ctx: Context
    vectors: QueryVectors
    rows: np.ndarray  # firm indices of the short list
    features: np.ndarray
    scores: np.ndarray
    passed: int  # firms that passed the filters


class PartnerRanker:
    """fit(market, contracts) → rank(query), with reasons and contributions."""

    def __init__(
        self,
        *,
        config: RerankConfig | None = None,
        models: dict[Direction, Ensemble | None] | None = None,
        directions: Sequence[Direction] = tuple(Direction),
    ):
        """Given ``models`` (e.g. fitted on another market), ``fit`` only indexes the contracts."""
        self.config = config or RerankConfig()
        self.learn = models is None
        self.models: dict[Direction, Ensemble | None] = dict(models or {})
        self.directions = tuple(directions)
        self.paths: dict[Direction, PathContributions] = {}

    def fit(self, market: Market, contracts: Sequence[Contract]) -> PartnerRanker:
        self.market = market
        self.graph = market.graph(contracts)
        if self.learn:
            self.models = {d: fit_model(market, contracts, d, self.config) for d in self.directions}
        self.paths = {d: PathContributions.of(model) for d, model in self.models.items() if model is not None}
        return self

    def scored(self, query: Query) -> Scored:
        ctx = context(self.market, self.graph, query)
        model = self.models.get(Direction(query.direction))
        vectors = query_vectors(self.market, ctx)
        keep = candidate_mask(self.market, ctx, vectors.km)
        rows = short_list(vectors, keep, max(self.config.per_signal, query.k))
        features = feature_matrix(vectors, rows)
        if model is not None and len(rows):
            scores = model.predict(features)
        else:
            scores = features[:, [FEATURES.index(f) for f in BLENDED]].sum(axis=1)  # without a model
        return Scored(ctx, vectors, rows, features, np.asarray(scores, dtype=np.float64), int(keep.sum()))

    def contributions(self, direction: Direction, features: np.ndarray) -> list[dict[str, float]]:
        """Per row, the score split by signal: the model's path contributions (``matching.paths``; the blend's
        shared out over the signals it sums, in proportion to their values), or the fallback's terms."""
        model = self.models.get(direction)
        if not len(features):
            return []
        terms = features[:, [FEATURES.index(name) for name in BLENDED]]
        total = terms.sum(axis=1, keepdims=True)
        shares = np.divide(terms, total, out=np.zeros_like(terms), where=np.abs(total) > 1e-9)
        moved = self.paths[direction].explain(model, features) if model else None
        totals = np.zeros((len(features), len(CONTRIBUTORS)))
        for j, name in enumerate(FEATURES):
            signal = FEATURE_SIGNAL[name]
            value = moved[:, j] if moved is not None else (features[:, j] if name in BLENDED else 0)
            if signal == "blend":
                for b, part in enumerate(BLENDED):
                    totals[:, CONTRIBUTORS.index(FEATURE_SIGNAL[part])] += value * shares[:, b]
            else:
                totals[:, CONTRIBUTORS.index(signal)] += value
        if moved is not None:
            totals[:, -1] += self.paths[direction].bias
        return [dict(zip(CONTRIBUTORS, (float(v) for v in row), strict=True)) for row in totals]

    def rank(self, query: Query) -> Shortlist:
        s = self.scored(query)
        top = np.argsort(-s.scores, kind="stable")[: query.k]
        parts = self.contributions(Direction(query.direction), s.features[top])
        km = s.vectors.km
        found = [
            recommendation(self.market, s.ctx, int(s.rows[t]), float(s.scores[t]), part, float(km[s.rows[t]]))
            for t, part in zip(top, parts, strict=True)
        ]
        return Shortlist(query, found, partners_of(self.market, self.graph, s.ctx), s.passed)
