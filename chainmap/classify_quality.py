"""How good is the segment classifier, measured where it can be trusted.

* ``evaluate`` on the frozen test split (``labelled/<chain>_test.csv``): written apart from
  the vocabulary and the training rows, never used to fit or tune. This is the figure to quote.
* ``cross_validate`` on the training rows: every row predicted by a model (with its own
  calibration) that did not see it. A development figure: the rows and the vocabulary come
  from the same project, so it flatters.

Reported: direction accuracy (the eight directions and 应用场景), segment accuracy (the answer
is a labelled segment) and path accuracy (the answer is a labelled segment or above one),
the share answered at leaf level, abstention (chain firms answered "none"), the share of
outside firms answered "none", and the expected calibration error of the direction-level
confidence (P(direction) for a chain answer, P(outside) for "none").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sklearn.model_selection import StratifiedKFold

from chainmap.classify import Level, SegmentClassifier
from chainmap.taxonomy import Chain
from chainmap.training import LabelledExample

BINS = 10


@dataclass(frozen=True)
class Outcome:
    labels: tuple[str, ...]
    answer: str  # "" for none
    level: Level | None
    confidence: float  # of the direction-level answer
    direction_right: bool


@dataclass(frozen=True)
class SplitQuality:
    name: str
    examples: int
    inside: int
    outside: int
    direction_accuracy: float  # over chain firms; "none" counts as wrong
    segment_accuracy: float
    path_accuracy: float
    leaf_share: float  # of chain answers
    abstention: float  # chain firms answered "none"
    outside_none: float  # outside firms answered "none"
    calibration_error: float

    def row(self) -> str:
        return (
            f"{self.name:<34}{self.examples:>5}{self.direction_accuracy:>8.3f}{self.segment_accuracy:>8.3f}"
            f"{self.path_accuracy:>8.3f}{self.leaf_share:>7.3f}{self.abstention:>7.3f}{self.outside_none:>7.3f}"
            f"{self.calibration_error:>7.3f}"
        )


HEADER = f"{'split':<34}{'n':>5}{'方向':>6}{'环节':>6}{'路径':>6}{'末级':>5}{'弃答':>5}{'域外无':>4}{'ECE':>7}"


def outcomes(classifier: SegmentClassifier, examples: list[LabelledExample]) -> list[Outcome]:
    chain = classifier.chain
    descriptions = [e.description for e in examples]
    inside, directions = classifier.node_probabilities(descriptions)
    answers = classifier.classify_many(descriptions)
    found = []
    for row, (example, answer) in enumerate(zip(examples, answers, strict=True)):
        wanted = {chain.root_of(code).code for code in example.segments}
        if answer:
            direction = chain.root_of(answer[0].code).code
            confidence = float(directions[row, classifier.nodes.index(direction)])
            found.append(Outcome(example.segments, answer[0].code, answer[0].level, confidence, direction in wanted))
        else:
            found.append(Outcome(example.segments, "", None, 1 - float(inside[row]), not wanted))
    return found


def summarise(name: str, chain: Chain, found: list[Outcome]) -> SplitQuality:
    inside = [o for o in found if o.labels]
    outside = [o for o in found if not o.labels]
    answered = [o for o in inside if o.answer]

    def on_path(o: Outcome) -> bool:
        return any(o.answer == code or o.answer in chain.ancestors(code) for code in o.labels)

    return SplitQuality(
        name=name,
        examples=len(found),
        inside=len(inside),
        outside=len(outside),
        direction_accuracy=_share(inside, lambda o: o.direction_right),
        segment_accuracy=_share(inside, lambda o: o.answer in o.labels),
        path_accuracy=_share(inside, on_path),
        leaf_share=_share(answered, lambda o: o.level is Level.LEAF),
        abstention=_share(inside, lambda o: not o.answer),
        outside_none=_share(outside, lambda o: not o.answer),
        calibration_error=calibration_error(found),
    )


def _share(items: list[Outcome], test) -> float:
    return sum(map(test, items)) / len(items) if items else 0.0


def calibration_error(found: list[Outcome]) -> float:
    confidence = np.array([o.confidence for o in found])
    right = np.array([o.direction_right for o in found], dtype=float)
    bins = np.minimum((confidence * BINS).astype(int), BINS - 1)
    gaps = [abs(confidence[bins == b].mean() - right[bins == b].mean()) * (bins == b).sum() for b in np.unique(bins)]
    return float(sum(gaps) / len(found))


def evaluate(classifier: SegmentClassifier, examples: list[LabelledExample], name: str) -> SplitQuality:
    """Quality on a held-out split; ``text only`` variants drop the industry codes."""
    return summarise(name, classifier.chain, outcomes(classifier, examples))


def without_codes(examples: list[LabelledExample]) -> list[LabelledExample]:
    return [replace(e, description=replace(e.description, industry_code="")) for e in examples]


def cross_validate(chain: Chain, examples: list[LabelledExample], *, folds: int = 4, seed: int = 0) -> SplitQuality:
    """Every training row predicted by a classifier fitted and calibrated without it."""
    labels = [e.primary for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    found: list[Outcome | None] = [None] * len(examples)
    directions = [chain.root_of(label).code if label else "" for label in labels]
    for train, test in splitter.split(np.zeros(len(labels)), directions):
        classifier = SegmentClassifier(chain).fit([examples[i] for i in train], folds=3, seed=seed)
        for i, outcome in zip(test, outcomes(classifier, [examples[i] for i in test]), strict=True):
            found[i] = outcome
    return summarise(f"training rows, {folds}-fold CV", chain, [o for o in found if o is not None])
