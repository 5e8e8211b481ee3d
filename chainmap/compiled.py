"""Fitted text models reduced to arrays, so that loading and using one needs no scikit-learn.

scikit-learn fits them; these classes keep what prediction needs (the n-gram index, the idf
weights, the coefficients) and repeat scikit-learn's arithmetic, so a saved classifier loads
in milliseconds and its module imports stay light.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse


@dataclass
class CompiledTfidf:
    """``TfidfVectorizer(sublinear_tf=True, norm="l2")``'s transform."""

    index: dict[str, int]
    idf: np.ndarray
    analyzer: Callable[[str], list[str]]

    @classmethod
    def from_vectorizer(cls, vectorizer: Any) -> CompiledTfidf:
        return cls({str(k): int(v) for k, v in vectorizer.vocabulary_.items()}, vectorizer.idf_, vectorizer.analyzer)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            counts = Counter(self.index[g] for g in self.analyzer(text) if g in self.index)
            rows += [row] * len(counts)
            cols += list(counts)
            values += list(counts.values())
        weights = (1 + np.log(np.array(values, dtype=float))) * self.idf[np.array(cols, dtype=int)]
        matrix = sparse.csr_matrix((weights, (rows, cols)), shape=(len(texts), len(self.idf)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        return sparse.diags(1 / np.where(norms > 0, norms, 1)) @ matrix


@dataclass
class CompiledLinear:
    """A linear model's ``decision_function``: one column for a binary model, one per class otherwise."""

    coef: np.ndarray
    intercept: np.ndarray
    classes: list[str]

    @classmethod
    def from_model(cls, model: Any) -> CompiledLinear:
        return cls(model.coef_.astype(np.float32), model.intercept_, [str(c) for c in model.classes_])

    def decision_function(self, features: sparse.csr_matrix) -> np.ndarray:
        # in the coefficients' float32: a float64 product would first copy them all (0.9 ms for 79 × 30,000)
        scores = np.asarray(features.astype(self.coef.dtype) @ self.coef.T) + self.intercept
        return scores.ravel() if self.coef.shape[0] == 1 else scores
