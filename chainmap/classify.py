"""Which segment of a chain does an enterprise belong to, at what level, how sure, and why.

The model: a linear SVM over the enterprise's words (jieba words with the chain's
vocabulary as user dictionary, word pairs, and character n-grams inside words) and the
vocabulary's hits counted for every segment and its parents; its margins become
probabilities by a softmax whose temperature is fitted on out-of-fold predictions of the
record-style examples, so that a confidence of 0.8 is right about 80 % of the time.

The answer is hierarchical. The probability of a segment is the sum over the segment and
everything below it. "Outside the chain" is answered only when the chain as a whole is
improbable; otherwise the answer walks down from the likeliest direction while the next
level is at least ``min_confidence`` sure, and says its level: ``leaf``, ``parent`` (shown
as e.g. 智能终端芯片（未细分）) or ``direction``.

A registered industry class (GB/T 4754-2017) is evidence too: the segments it maps to are
``code_weight`` times likelier, a class outside the chain makes "outside" likelier, and a
firm whose text says nothing but whose class maps to the chain gets that class's segment.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import numpy as np
from scipy import sparse
from scipy.special import expit, log_softmax, softmax

from chainmap.compiled import CompiledLinear, CompiledTfidf
from chainmap.industry import CodeMap, industry_classes
from chainmap.taxonomy import Chain
from chainmap.training import Description, LabelledExample, class_note_examples, segment_documents
from chainmap.vocabulary import PART_OF, Vocabulary

MIN_CALIBRATION_EXAMPLES = 40
DEFAULT_TEMPERATURE = 0.2  # what calibration finds for the smart-terminal chain; used where nothing is labelled
CODE_ONLY_CONFIDENCE = 0.5  # a class code alone: the direction is known, the segment is the class's, no more

__all__ = ["Description", "Level", "SegmentClassifier", "SegmentMatch"]


class Level(StrEnum):
    LEAF = "leaf"
    PARENT = "parent"
    DIRECTION = "direction"

    @property
    def label(self) -> str:
        return {"leaf": "末级环节", "parent": "上级环节", "direction": "发展方向"}[self.value]


@dataclass(frozen=True)
class SegmentMatch:
    code: str
    name: str
    confidence: float
    evidence: tuple[str, ...]  # the phrases behind it: vocabulary hits, the industry class, or strong words
    level: Level = Level.LEAF

    @property
    def display_name(self) -> str:
        return self.name if self.level is Level.LEAF else f"{self.name}（未细分）"

    def evidence_text(self) -> str:
        return "；".join(self.evidence)


class _Words:
    """The analyzer of the text model: words, word pairs and character n-grams inside words."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary

    def __call__(self, text: str) -> list[str]:
        words = self.vocabulary.tokens(text)
        grams = [f"w:{w}" for w in words] + [f"p:{a}|{b}" for a, b in pairwise(words)]
        for word in words:
            if not word.startswith(PART_OF):
                grams += [f"c:{word[i : i + n]}" for n in (2, 3) for i in range(len(word) - n + 1)]
        return grams


class SegmentClassifier:
    """Fit on labelled examples; ``classify`` a description into at most a few segments.

    Two linear models share the features: a gate (inside the chain or not, with Platt-scaled
    probability) and the segment model (which segment, given inside; softmax with a fitted
    temperature). P(segment) = P(inside) x P(segment and below | inside).
    """

    def __init__(
        self,
        chain: Chain,
        *,
        min_confidence: float = 0.5,
        also_confidence: float = 0.3,
        code_weight: float = 4.0,
        regularisation: float = 0.5,
    ):
        self.chain = chain
        self.min_confidence = min_confidence
        self.also_confidence = also_confidence
        self.code_weight = code_weight
        self.regularisation = regularisation
        self.vocabulary = Vocabulary(chain)
        self.codes = CodeMap.for_chain(chain.code)
        self.nodes = list(chain.segments)
        self.temperature = DEFAULT_TEMPERATURE
        self.gate_scale = (1.0, 0.0)
        self.model_key = ""

    # -- features and models -----------------------------------------------------------
    def _hit_matrix(self, texts: list[str]) -> sparse.csr_matrix:
        column = {code: i for i, code in enumerate(self.nodes)}
        rows, cols = [], []
        for row, text in enumerate(texts):
            for hit in self.vocabulary.hits(self.vocabulary.tokens(text)):
                for code in (hit.code, *self.chain.ancestors(hit.code)):
                    rows.append(row)
                    cols.append(column[code])
        values = np.ones(len(rows))
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(self.nodes)))

    def _hit_features(self, texts: list[str]) -> sparse.csr_matrix:
        hits = self._hit_matrix(texts)
        hits.data = np.log1p(hits.data)
        return hits

    def _features(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.words.transform(texts), self._hit_features(texts)]).tocsr()

    def _fit_models(self, examples: list[LabelledExample]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        texts = [e.description.text for e in examples]
        vectorizer = TfidfVectorizer(analyzer=_Words(self.vocabulary), sublinear_tf=True, min_df=2)
        features = sparse.hstack([vectorizer.fit_transform(texts), self._hit_features(texts)]).tocsr()
        weights = np.array([e.weight for e in examples])
        inside = np.array([bool(e.segments) for e in examples])
        gate = LinearSVC(C=self.regularisation).fit(features, inside, sample_weight=weights)
        labels = [e.primary for e in examples if e.segments]
        segments = LinearSVC(C=self.regularisation, class_weight="balanced")
        segments.fit(features[inside], labels, sample_weight=weights[inside])
        self.words = CompiledTfidf.from_vectorizer(vectorizer)
        self.gate, self.segment_model = CompiledLinear.from_model(gate), CompiledLinear.from_model(segments)
        self.classes = self.segment_model.classes
        self._below = self._class_node_matrix()

    def _class_node_matrix(self) -> np.ndarray:
        """classes x nodes: 1 where the node is the class or above it."""
        matrix = np.zeros((len(self.classes), len(self.nodes)))
        index = {code: i for i, code in enumerate(self.nodes)}
        for row, code in enumerate(self.classes):
            for node in (code, *self.chain.ancestors(code)):
                matrix[row, index[node]] = 1.0
        return matrix

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        features = self._features(texts)
        return self.gate.decision_function(features), self.segment_model.decision_function(features)

    def fit(self, examples: list[LabelledExample], *, folds: int = 4, seed: int = 0) -> SegmentClassifier:
        """Fit on the examples and the class notes; calibrate on out-of-fold predictions of the examples."""
        notes = [*class_note_examples(self.chain, self.vocabulary), *segment_documents(self.chain)]
        if len(examples) < MIN_CALIBRATION_EXAMPLES:  # a chain without a labelled set: default calibration
            self._fit_models([*examples, *notes])
            return self
        gate, segments = _out_of_fold_scores(self, examples, notes, folds, seed)
        self.gate_scale = _platt(gate, np.array([bool(e.segments) for e in examples]))
        inside = [i for i, e in enumerate(examples) if e.segments]
        classes = sorted({e.primary for e in [*examples, *notes] if e.segments})
        truth = np.array([classes.index(examples[i].primary) for i in inside])
        self.temperature = _best_temperature(segments[inside], truth)
        self._fit_models([*examples, *notes])
        return self

    def probabilities(self, descriptions: list[Description]) -> tuple[np.ndarray, np.ndarray]:
        """P(inside the chain) per description, and P(class | inside) (columns: ``classes``)."""
        gate, segments = self._scores([d.text for d in descriptions])
        slope, intercept = self.gate_scale
        inside = expit(slope * gate + intercept)
        given_inside = softmax(segments / self.temperature, axis=1)
        for row, description in enumerate(descriptions):
            inside[row], given_inside[row] = self._with_code(inside[row], given_inside[row], description.industry_code)
        return inside, given_inside

    def _with_code(self, inside: float, given: np.ndarray, code: str) -> tuple[float, np.ndarray]:
        """Bayes with a likelihood ratio of ``code_weight`` for what the registered class says."""
        if code not in industry_classes():
            return inside, given
        target = self.codes.target(code)
        ratio = self.code_weight if target else 1 / self.code_weight
        inside = ratio * inside / (ratio * inside + 1 - inside)
        if target is not None:
            related = {*self.chain.descendants(target.segment), *self.chain.ancestors(target.segment)}
            given = given * np.array([self.code_weight if c in related else 1.0 for c in self.classes])
            given = given / given.sum()
        return inside, given

    # -- answers ----------------------------------------------------------------------
    def classify(self, description: Description) -> list[SegmentMatch]:
        """The answer first (at the deepest level the evidence supports), then other likely leaves."""
        return self.classify_many([description])[0]

    def classify_many(self, descriptions: list[Description]) -> list[list[SegmentMatch]]:
        inside, nodes = self.node_probabilities(descriptions)
        return [self._answer(d, nodes[row], float(inside[row])) for row, d in enumerate(descriptions)]

    def node_probabilities(self, descriptions: list[Description]) -> tuple[np.ndarray, np.ndarray]:
        """P(inside the chain), and P(segment and everything below it) per segment (columns: ``nodes``)."""
        inside, given_inside = self.probabilities(descriptions)
        return inside, inside[:, None] * (given_inside @ self._below)

    def _answer(self, description: Description, node_p: np.ndarray, inside: float) -> list[SegmentMatch]:
        if inside < 0.5:
            return self._code_only(description)
        p = dict(zip(self.nodes, node_p.tolist(), strict=True))
        code = max((s.code for s in self.chain.roots), key=p.__getitem__)
        while (children := self.chain.children.get(code)) and p[best := max(children, key=p.__getitem__)] >= (
            self.min_confidence
        ):
            code = best
        answer = [self._match(code, p[code], description)]
        taken = {code, *self.chain.descendants(code), *self.chain.ancestors(code)}
        others = [s.code for s in self.chain.leaves if s.code not in taken and p[s.code] >= self.also_confidence]
        return answer + [self._match(c, p[c], description) for c in sorted(others, key=lambda c: -p[c])]

    def _code_only(self, description: Description) -> list[SegmentMatch]:
        target = self.codes.target(description.industry_code)
        if target is None:
            return []
        evidence = (self.codes.describe(description.industry_code), target.reason)
        segment = self.chain.segments[target.segment]
        return [SegmentMatch(segment.code, segment.name, CODE_ONLY_CONFIDENCE, evidence, self._level(segment.code))]

    def _level(self, code: str) -> Level:
        if not self.chain.children.get(code):
            return Level.LEAF
        return Level.DIRECTION if self.chain.segments[code].parent is None else Level.PARENT

    def _match(self, code: str, confidence: float, description: Description) -> SegmentMatch:
        return SegmentMatch(
            code,
            self.chain.segments[code].name,
            round(confidence, 3),
            self._evidence(code, description),
            self._level(code),
        )

    def _evidence(self, code: str, description: Description) -> tuple[str, ...]:
        below = set(self.chain.descendants(code))
        hits = self.vocabulary.hits(self.vocabulary.tokens(description.text))
        phrases = [f"“{h.phrase}”" for h in hits if h.code in below]
        target = self.codes.target(description.industry_code)
        if target is not None and (target.segment in below or code in self.chain.descendants(target.segment)):
            phrases.append(self.codes.describe(description.industry_code))
        return tuple(dict.fromkeys(phrases))[:6] or ("文本用词与该环节的已标注企业相近",)


def _out_of_fold_scores(
    classifier: SegmentClassifier,
    examples: list[LabelledExample],
    always: list[LabelledExample],
    folds: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Gate and segment scores for every example from models that did not see it."""
    from sklearn.model_selection import StratifiedKFold

    labels = [e.primary for e in examples]
    classes = sorted({e.primary for e in [*examples, *always] if e.segments})
    gate = np.zeros(len(examples))
    segments = np.full((len(examples), len(classes)), -2.0)  # a class a fold never saw: clearly not chosen
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # rare parent-level labels have fewer examples than folds
        warnings.simplefilter("ignore", UserWarning)
        splits = list(splitter.split(np.zeros(len(labels)), labels))
    for train, test in splits:
        classifier._fit_models([*(examples[i] for i in train), *always])
        gate[test], fold = classifier._scores([examples[i].description.text for i in test])
        segments[np.ix_(test, [classes.index(c) for c in classifier.classes])] = fold
    return gate, segments


def _platt(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the logistic curve that best turns gate scores into probabilities."""
    from scipy.optimize import minimize

    def loss(params: np.ndarray) -> float:
        p = np.clip(expit(params[0] * scores + params[1]), 1e-9, 1 - 1e-9)
        return -float(np.mean(truth * np.log(p) + (1 - truth) * np.log(1 - p)))

    slope, intercept = minimize(loss, np.array([1.0, 0.0]), method="Nelder-Mead").x
    return float(slope), float(intercept)


def _best_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    def negative_log_likelihood(temperature: float) -> float:
        return -float(np.mean(log_softmax(scores / temperature, axis=1)[np.arange(len(truth)), truth]))

    return float(minimize_scalar(negative_log_likelihood, bounds=(0.02, 20.0), method="bounded").x)
