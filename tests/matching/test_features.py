"""The short list's exact top-k, and the averaged models' path contributions."""

import lightgbm
import numpy as np

from matching.features import top_indices
from matching.paths import PathContributions
from matching.rerank import Ensemble


def test_top_indices_are_the_exact_top_among_kept_firms_with_ties_broken():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(1, 5000))
        values = (np.round(rng.random(n) * rng.integers(1, 20)) * (rng.random(n) < rng.random())).astype(np.float32)
        ties, keep = rng.random(n), rng.random(n) < rng.random()
        count, positive = int(rng.integers(1, 200)), bool(rng.integers(0, 2))
        pool = np.flatnonzero(keep & (values > 0)) if positive else np.flatnonzero(keep)
        expected = pool[np.lexsort((-ties[pool], -values[pool]))[:count]]
        assert set(top_indices(values, keep, count, positive, ties)) == set(expected)


def test_path_contributions_add_up_to_the_ensemble_score_and_share_treeshap_bias():
    rng = np.random.default_rng(0)
    x = rng.random((600, 5))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0.8).astype(float)
    params = {"objective": "regression", "num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1, "bagging_freq": 1}
    boosters = tuple(
        lightgbm.train(
            {**params, "seed": seed, "bagging_fraction": 0.6}, lightgbm.Dataset(x, y), num_boost_round=rounds
        )
        for seed, rounds in ((0, 20), (1, 12))
    )
    model = Ensemble(boosters)
    paths = PathContributions.of(model)
    rows = rng.random((8, 5))
    moved = paths.explain(model, rows)
    raw = np.mean([b.predict(rows, raw_score=True) for b in boosters], axis=0)  # regression: raw is the score
    assert not np.allclose(*(b.predict(rows, raw_score=True) for b in boosters))  # two different fits
    assert np.allclose(moved.sum(axis=1) + paths.bias, raw) and np.allclose(model.predict(rows), raw)
    shap = np.mean([b.predict(rows, pred_contrib=True) for b in boosters], axis=0)
    assert np.isclose(paths.bias, shap[0, -1])
    assert (np.abs(moved[:, 0]) > np.abs(moved[:, 2:]).max(axis=1)).all()  # the feature that decides leads
    assert paths.explain(model, rows[:0]).shape == (0, 5)
