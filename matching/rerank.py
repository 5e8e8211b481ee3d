"""Stage two: a LightGBM lambdarank model over the short list, fitted on the question's own shape.

The history given to ``fit_model`` is cut in time into label periods. Queries are the firms
that gain new partners in a period, seen on the history before it; their short-listed candidates
are labelled 1 when they became partners. The model learns on the ``learn_periods`` periods
before the last one; the number of boosting rounds is chosen on the last period (NDCG@10 with
early stopping), and the final model is refitted on all periods with that many rounds. ``models``
such fits, each learning on its own random share of the queries, are averaged (subagging): one fit's
query sample alone decides much of what askers without history are shown.

On snapshot data (few distinct dates) the periods are the last snapshots; otherwise they are
the last ``PERIOD_SHARE`` slices of new pairs. Without enough history there is no model and
the ranker falls back to a plain sum of signals.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from matching.features import FEATURES, candidate_mask, feature_matrix, query_vectors, shortlist
from matching.market import Contract, Market
from matching.signals import Direction, Query, context

if TYPE_CHECKING:
    import lightgbm

PERIOD_SHARE = 0.2  # each label period holds this share of the history's new pairs
SNAPSHOT_DATES = 60  # a history with at most this many distinct dates is read as snapshots
MIN_QUERIES = 20  # fewer labelled queries than this in a period: no model


@dataclass(frozen=True)
class RerankConfig:
    per_signal: int = 100  # candidates each source contributes to the short list
    max_queries: int = 1500  # labelled queries per period at most
    learn_periods: int = 2  # label periods to learn on, before the validation period
    rounds: int = 300
    learning_rate: float = 0.05
    leaves: int = 31
    min_leaf: int = 50
    models: int = 3  # fits averaged
    query_share: float = 0.7  # of the learning queries, each fit's share
    seed: int = 0

    def params(self) -> dict:
        return {
            "objective": "lambdarank",
            "metric": "ndcg",
            "eval_at": [10],
            "lambdarank_truncation_level": 20,
            "learning_rate": self.learning_rate,
            "num_leaves": self.leaves,
            "min_data_in_leaf": self.min_leaf,
            "feature_fraction": 0.8,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "seed": self.seed,
            "num_threads": 2,
            "deterministic": True,
            "force_row_wise": True,
            "verbose": -1,
        }


@dataclass
class Examples:
    features: list[np.ndarray]
    labels: list[np.ndarray]

    def add(self, other: Examples) -> Examples:
        return Examples(self.features + other.features, self.labels + other.labels)

    def share(self, rng: random.Random, share: float) -> Examples:
        """A random ``share`` of the queries."""
        chosen = sorted(rng.sample(range(len(self.labels)), max(1, round(share * len(self.labels)))))
        return Examples([self.features[i] for i in chosen], [self.labels[i] for i in chosen])

    def dataset(self) -> lightgbm.Dataset:
        import lightgbm

        return lightgbm.Dataset(
            np.vstack(self.features),
            np.concatenate(self.labels),
            group=[len(y) for y in self.labels],
            feature_name=list(FEATURES),
            free_raw_data=False,
        )


def label_cuts(contracts: Sequence[Contract], periods: int) -> list[date] | None:
    """Cut-offs of ``periods`` consecutive label periods; the last starts the validation period."""
    first: dict[tuple[str, str], date] = {}
    for c in contracts:
        key = (c.customer, c.supplier)
        first[key] = min(first.get(key, c.signed_on), c.signed_on)
    days = sorted(first.values())
    distinct = sorted(set(days))
    if len(distinct) <= periods:
        return None
    if len(distinct) <= SNAPSHOT_DATES:
        return distinct[-periods:]
    return [days[int(len(days) * (1 - i * PERIOD_SHARE))] for i in range(periods, 0, -1)]


def new_partners(
    contracts: Sequence[Contract], direction: Direction, start: date, end: date | None
) -> dict[str, set[str]]:
    """Per asker, the partners (in the direction's role) first contracted in [start, end), never before."""
    known = {(c.customer, c.supplier) for c in contracts if c.signed_on < start}
    wanted: dict[str, set[str]] = {}
    for c in contracts:
        in_period = c.signed_on >= start and (end is None or c.signed_on < end)
        if in_period and c.customer != c.supplier and (c.customer, c.supplier) not in known:
            pair = (c.customer, c.supplier) if direction == Direction.SUPPLIERS else (c.supplier, c.customer)
            wanted.setdefault(pair[0], set()).add(pair[1])
    return wanted


def examples(
    market: Market,
    contracts: Sequence[Contract],
    direction: Direction,
    period: tuple[date, date | None],
    config: RerankConfig,
) -> Examples:
    """Short lists of the askers that gain partners in the period, on the history before it."""
    start, end = period
    history = market.graph(c for c in contracts if c.signed_on < start)
    wanted = new_partners(contracts, direction, start, end)
    askers = sorted(wanted)
    found = Examples([], [])
    for asker in random.Random(config.seed).sample(askers, min(len(askers), config.max_queries)):
        ctx = context(market, history, Query(direction=direction, firm=asker))
        vectors = query_vectors(market, ctx)
        rows = shortlist(vectors, candidate_mask(market, ctx, vectors.km), config.per_signal)
        labels = np.isin(rows, [market.index[p] for p in wanted[asker]]).astype(np.float32)
        if labels.any():
            found.features.append(feature_matrix(vectors, rows))
            found.labels.append(labels)
    return found


@dataclass(frozen=True)
class Ensemble:
    """LightGBM rankers whose mean is the score."""

    boosters: tuple[lightgbm.Booster, ...]

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.mean([b.predict(features, num_threads=1) for b in self.boosters], axis=0)

    def leaves(self, features: np.ndarray) -> np.ndarray:
        """Rows × every booster's trees: the leaf each row falls in."""
        found = [np.asarray(b.predict(features, pred_leaf=True, num_threads=1)) for b in self.boosters]
        return np.hstack([f.reshape(len(features), -1) for f in found]).astype(np.int64)

    def to_text(self) -> list[str]:
        return [b.model_to_string() for b in self.boosters]

    @classmethod
    def from_text(cls, texts: Sequence[str]) -> Ensemble:
        import lightgbm

        return cls(tuple(lightgbm.Booster(model_str=text) for text in texts))


def fit_model(
    market: Market, contracts: Sequence[Contract], direction: Direction, config: RerankConfig
) -> Ensemble | None:
    cuts = label_cuts(contracts, config.learn_periods + 1)
    if cuts is None:
        return None
    learn = Examples([], [])
    for start, end in pairwise(cuts):
        learn = learn.add(examples(market, contracts, direction, (start, end), config))
    check = examples(market, contracts, direction, (cuts[-1], None), config)
    if min(len(learn.labels), len(check.labels)) < MIN_QUERIES:
        return None
    return Ensemble(tuple(_fit_one(learn, check, config, config.seed + i) for i in range(config.models)))


def _fit_one(learn: Examples, check: Examples, config: RerankConfig, seed: int) -> lightgbm.Booster:
    """One booster on a share of the learning queries; its rounds chosen on the validation period."""
    import lightgbm

    own = learn.share(random.Random(seed), config.query_share) if config.models > 1 else learn
    params = {**config.params(), "seed": seed}
    chosen = lightgbm.train(
        params,
        own.dataset(),
        num_boost_round=config.rounds,
        valid_sets=[check.dataset()],
        callbacks=[lightgbm.early_stopping(30, verbose=False)],
    )
    return lightgbm.train(params, own.add(check).dataset(), num_boost_round=max(chosen.best_iteration, 1))
