"""How good is the segment classifier: cross-validated on the labelled set.

Every example is predicted by a classifier (with its own calibration) fitted without it.
Reported: top-1 accuracy, macro-F1 over the classes (outside-the-chain included), the
expected calibration error, a reliability table, and the same for the rules alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from chainmap.classify import NONE, LabelledExample, SegmentClassifier
from chainmap.taxonomy import Chain


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True)
class ClassifierQuality:
    examples: int
    folds: int
    top1_accuracy: float
    macro_f1: float
    calibration_error: float  # expected calibration error of the top-1 confidence
    rules_top1_accuracy: float
    rules_macro_f1: float
    reliability: tuple[ReliabilityBin, ...]

    def table(self) -> str:
        lines = [
            f"labelled examples: {self.examples}, {self.folds}-fold cross-validation",
            f"{'method':<22}{'top-1 accuracy':>16}{'macro-F1':>10}",
            f"{'rules only':<22}{self.rules_top1_accuracy:>16.3f}{self.rules_macro_f1:>10.3f}",
            f"{'rules + model':<22}{self.top1_accuracy:>16.3f}{self.macro_f1:>10.3f}",
            f"expected calibration error: {self.calibration_error:.3f}",
            "confidence bin   n  mean conf  accuracy",
        ]
        lines += [
            f"{b.low:.1f}-{b.high:.1f}  {b.count:>7}  {b.mean_confidence:>9.3f}  {b.accuracy:>8.3f}"
            for b in self.reliability
        ]
        return "\n".join(lines)


def _rules_guess(classifier: SegmentClassifier, example: LabelledExample) -> str:
    """The segment with the most distinct rule hits (ties: the longer phrase), else outside."""
    hits = classifier.matcher.hits(example.description.text)
    if not hits:
        return NONE
    return max(hits, key=lambda code: (len(hits[code]), max(len(p) for p in hits[code])))


def _reliability(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 5
) -> tuple[tuple[ReliabilityBin, ...], float]:
    edges = np.linspace(0, 1, bins + 1)
    table, error = [], 0.0
    for low, high in pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            mean_conf, accuracy = float(confidence[inside].mean()), float(correct[inside].mean())
            table.append(ReliabilityBin(float(low), float(high), int(inside.sum()), mean_conf, accuracy))
            error += inside.mean() * abs(mean_conf - accuracy)
    return tuple(table), float(error)


def evaluate(chain: Chain, examples: list[LabelledExample], *, folds: int = 4, seed: int = 0) -> ClassifierQuality:
    labels = [e.primary for e in examples]
    predicted: list[str] = [NONE] * len(examples)
    by_rules: list[str] = [NONE] * len(examples)
    confidence = np.zeros(len(examples))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        classifier = SegmentClassifier(chain).fit([examples[i] for i in train], seed=seed)
        probabilities = classifier.probabilities([examples[i].description for i in test])
        for row, i in enumerate(test):
            best = int(np.argmax(probabilities[row]))
            predicted[i], confidence[i] = classifier.classes[best], probabilities[row, best]
            by_rules[i] = _rules_guess(classifier, examples[i])
    correct = np.array(
        [p in e.segments or (p == NONE and not e.segments) for p, e in zip(predicted, examples, strict=True)]
    )
    rules_correct = [p in e.segments or (p == NONE and not e.segments) for p, e in zip(by_rules, examples, strict=True)]
    reliability, calibration_error = _reliability(confidence, correct)
    return ClassifierQuality(
        examples=len(examples),
        folds=folds,
        top1_accuracy=float(correct.mean()),
        macro_f1=float(f1_score(labels, predicted, average="macro", zero_division=0)),
        calibration_error=calibration_error,
        rules_top1_accuracy=float(np.mean(rules_correct)),
        rules_macro_f1=float(f1_score(labels, by_rules, average="macro", zero_division=0)),
        reliability=reliability,
    )
