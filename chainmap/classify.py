"""Which segments of a chain does an enterprise belong to, how sure, and why.

Two parts, combined in one model:

* **rules**: the chain file's keywords, synonyms and segment names, found in the
  enterprise's name, products and business scope (经营范围). A hit is evidence a person
  can check.
* **learned**: a linear SVM (one-vs-rest) over character 1-3-grams (no word segmentation is
  needed for Chinese) plus the rule hits as features, trained on the labelled set in
  ``chainmap/labelled/<chain>.csv`` and on one pseudo-description per segment built
  from the chain file, so that chains without a labelled set still get a model.

The SVM's margins become probabilities by a softmax whose temperature is fitted on
out-of-fold margins, so that a confidence of 0.8 is right about 80 % of the time
(``chainmap.classify_quality`` measures it). The class ``""`` means
"in no segment of this chain".
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from chainmap.taxonomy import Chain, Tier, load_named_chain

LABELLED_DIR = Path(__file__).parent / "labelled"
NONE = ""  # the class of enterprises outside the chain
FIELDS = ("name", "products", "business_scope")


@dataclass(frozen=True)
class Description:
    """What is known of an enterprise in words."""

    name: str = ""
    products: str = ""
    business_scope: str = ""

    @property
    def text(self) -> str:
        return "\n".join((self.name, self.products, self.business_scope))


@dataclass(frozen=True)
class SegmentMatch:
    code: str
    name: str
    confidence: float
    evidence: tuple[str, ...]  # the phrases behind it: rule hits first, then the model's strongest n-grams

    def evidence_text(self) -> str:
        return "；".join(self.evidence)


@dataclass(frozen=True)
class LabelledExample:
    description: Description
    segments: tuple[str, ...]  # empty: outside the chain

    @property
    def primary(self) -> str:
        return self.segments[0] if self.segments else NONE


class RuleMatcher:
    """Finds the chain's keywords, synonyms and segment names in a text."""

    def __init__(self, chain: Chain):
        self.codes = [s.code for s in chain.leaves if s.tier is not Tier.SCENARIO] + [
            s.code for s in chain.leaves if s.tier is Tier.SCENARIO
        ]
        self.phrase_codes: dict[str, set[str]] = {}
        for code in self.codes:
            segment = chain.segments[code]
            for phrase in (segment.name, *segment.keywords, *segment.synonyms):
                self.phrase_codes.setdefault(phrase.lower(), set()).add(code)
        phrases = sorted(self.phrase_codes, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(p) for p in phrases))
        self.column = {code: i for i, code in enumerate(self.codes)}

    def hits(self, text: str) -> dict[str, list[str]]:
        """Segment code -> the distinct phrases found for it, in order of appearance."""
        found: dict[str, list[str]] = {}
        for match in self.pattern.finditer(text.lower()):
            phrase = match.group(0)
            for code in self.phrase_codes[phrase]:
                if phrase not in found.setdefault(code, []):
                    found[code].append(phrase)
        return found

    def matrix(self, texts: list[str]) -> sparse.csr_matrix:
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            for code, phrases in self.hits(text).items():
                rows.append(row)
                cols.append(self.column[code])
                values.append(float(len(phrases)))
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(self.codes)))


def load_labelled(path: Path) -> list[LabelledExample]:
    """Rows of ``segments,name,products,scope``; several segments are separated by ``;``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            LabelledExample(
                Description(row["name"], row["products"], row["scope"]),
                tuple(code for code in row["segments"].split(";") if code),
            )
            for row in csv.DictReader(handle)
        ]


def _segment_documents(chain: Chain, matcher: RuleMatcher) -> list[LabelledExample]:
    """One pseudo-description per segment, from the chain file's own words."""
    docs = []
    for code in matcher.codes:
        segment = chain.segments[code]
        words = "、".join((*segment.keywords, *segment.synonyms))
        docs.append(LabelledExample(Description(segment.name, words, segment.name_en), (code,)))
    return docs


class SegmentClassifier:
    """Rules and a calibrated text model; ``fit`` on labelled examples, ``classify`` a description."""

    def __init__(self, chain: Chain, *, min_confidence: float = 0.25, regularisation: float = 1.0):
        self.chain = chain
        self.matcher = RuleMatcher(chain)
        self.min_confidence = min_confidence
        self.regularisation = regularisation
        self.temperature = 1.0

    def _features(self, texts: list[str], *, fit: bool = False) -> sparse.csr_matrix:
        grams = self.vectorizer.fit_transform(texts) if fit else self.vectorizer.transform(texts)
        return sparse.hstack([grams, self.matcher.matrix(texts)]).tocsr()

    def _fit_model(self, examples: list[LabelledExample]) -> None:
        examples = [*examples, *_segment_documents(self.chain, self.matcher)]
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        features = self._features([e.description.text for e in examples], fit=True)
        self.model = LinearSVC(C=self.regularisation)
        self.model.fit(features, [e.primary for e in examples])
        self.classes = [str(c) for c in self.model.classes_]

    def fit(self, examples: list[LabelledExample], *, calibration_folds: int = 4, seed: int = 0) -> SegmentClassifier:
        """Fit, then choose the temperature that best explains out-of-fold predictions."""
        scores, truth = _out_of_fold_scores(self, examples, calibration_folds, seed)
        self.temperature = _best_temperature(scores, truth)
        self._fit_model(examples)
        return self

    def probabilities(self, descriptions: list[Description]) -> np.ndarray:
        scores = self.model.decision_function(self._features([d.text for d in descriptions]))
        return softmax(scores / self.temperature, axis=1)

    def classify(self, description: Description) -> list[SegmentMatch]:
        """The segments at or above ``min_confidence``, best first; empty when outside the chain."""
        return self.classify_many([description])[0]

    def classify_many(self, descriptions: list[Description]) -> list[list[SegmentMatch]]:
        probabilities = self.probabilities(descriptions)
        return [self._matches(d, p) for d, p in zip(descriptions, probabilities, strict=True)]

    def _matches(self, description: Description, probabilities: np.ndarray) -> list[SegmentMatch]:
        hits = self.matcher.hits(description.text)
        matches = []
        for index in np.argsort(-probabilities):
            code, confidence = self.classes[index], float(probabilities[index])
            if confidence < self.min_confidence:
                break
            if code == NONE:
                continue
            evidence = tuple(hits.get(code, [])) or self._strongest_ngrams(description.text, index)
            matches.append(SegmentMatch(code, self.chain.segments[code].name, round(confidence, 3), evidence))
        return matches

    def _strongest_ngrams(self, text: str, class_index: int, limit: int = 3) -> tuple[str, ...]:
        """The character n-grams of ``text`` that pushed hardest towards the class."""
        grams = self.vectorizer.transform([text])
        weights = self.model.coef_[class_index][: grams.shape[1]]
        contribution = grams.multiply(weights).tocsr()
        names = self.vectorizer.get_feature_names_out()
        ranked = [names[contribution.indices[i]] for i in np.argsort(-contribution.data) if contribution.data[i] > 0]
        return tuple(f"“{gram}”" for gram in ranked if gram.strip() == gram and "\n" not in gram)[:limit]


def _out_of_fold_scores(
    classifier: SegmentClassifier, examples: list[LabelledExample], folds: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Decision scores for every example from a model that did not see it, and the true class index."""
    labels = [e.primary for e in examples]
    classes = sorted({*labels, *classifier.matcher.codes})
    scores = np.zeros((len(examples), len(classes)))
    folds = max(2, min(folds, *Counter(labels).values()))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        classifier._fit_model([examples[i] for i in train])
        fold_scores = classifier.model.decision_function(
            classifier._features([examples[i].description.text for i in test])
        )
        columns = [classes.index(c) for c in classifier.classes]
        scores[np.ix_(test, columns)] = fold_scores
        missing = [i for i, c in enumerate(classes) if c not in classifier.classes]
        scores[np.ix_(test, missing)] = -np.inf
    return scores, np.array([classes.index(label) for label in labels])


def _best_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    def negative_log_likelihood(temperature: float) -> float:
        return -float(np.mean(log_softmax(scores / temperature, axis=1)[np.arange(len(truth)), truth]))

    return float(minimize_scalar(negative_log_likelihood, bounds=(0.05, 20.0), method="bounded").x)


@cache
def classifier_for(chain_code: str) -> SegmentClassifier:
    """The fitted classifier of a shipped chain (its labelled set, if it has one)."""
    chain = load_named_chain(chain_code)
    path = LABELLED_DIR / f"{chain_code}.csv"
    examples = load_labelled(path) if path.exists() else []
    classifier = SegmentClassifier(chain)
    if len(examples) >= 20:
        return classifier.fit(examples)
    classifier._fit_model(examples)
    return classifier
