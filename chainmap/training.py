"""The examples a chain's classifier learns from, and the split it is judged on.

* Descriptions in the styles of real records (``labelled/<chain>.csv`` and
  ``labelled/<chain>_train.csv``): registration business scopes, annual-report product
  lists, trade-show blurbs; the model is tuned by cross-validation on these.
* The items of the GB/T 4754-2017 class notes: an item of a class mapped to the chain is an
  example of its segment (of the more precise segment when the item names one of its
  phrases); an item of any other class is an example of "outside the chain", unless it
  contains a chain phrase (then it is ambiguous and left out).
* ``labelled/<chain>_test.csv`` is the frozen test split, written separately from the
  vocabulary and the training rows; it is read only by the evaluation, never for fitting.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from chainmap.industry import CodeMap, industry_classes
from chainmap.taxonomy import Chain
from chainmap.vocabulary import Vocabulary

LABELLED_DIR = Path(__file__).parent / "labelled"
NONE = ""  # the class of enterprises outside the chain
CLASS_NOTE_WEIGHT = 0.3  # a notes item is a product name, not an enterprise: it counts less


@dataclass(frozen=True)
class Description:
    """What is known of an enterprise: its words and its registered industry class."""

    name: str = ""
    products: str = ""
    business_scope: str = ""
    industry_code: str = ""

    @property
    def text(self) -> str:
        return "\n".join((self.name, self.products, self.business_scope))


@dataclass(frozen=True)
class LabelledExample:
    description: Description
    segments: tuple[str, ...]  # empty: outside the chain
    weight: float = 1.0

    @property
    def primary(self) -> str:
        return self.segments[0] if self.segments else NONE


def load_labelled(path: Path) -> list[LabelledExample]:
    """Rows of ``segments,name,products,scope[,industry_code]``; several segments are separated by ``;``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            LabelledExample(
                Description(row["name"], row["products"], row["scope"], row.get("industry_code") or ""),
                tuple(code for code in row["segments"].split(";") if code),
            )
            for row in csv.DictReader(handle)
        ]


def training_files(chain_code: str) -> list[Path]:
    return [p for p in (LABELLED_DIR / f"{chain_code}.csv", LABELLED_DIR / f"{chain_code}_train.csv") if p.exists()]


def frozen_test_file(chain_code: str) -> Path:
    return LABELLED_DIR / f"{chain_code}_test.csv"


def record_examples(chain_code: str) -> list[LabelledExample]:
    return [example for path in training_files(chain_code) for example in load_labelled(path)]


def class_note_examples(chain: Chain, vocabulary: Vocabulary) -> list[LabelledExample]:
    """Examples from the class notes (see the module text): an item each for the chain's classes, a class each else."""
    codes = CodeMap.for_chain(chain.code)
    examples = []
    for code, industry_class in industry_classes().items():
        items = (industry_class.name, *industry_class.items)
        found = [{hit.code for hit in vocabulary.hits(vocabulary.tokens(item))} for item in items]
        if (target := codes.target(code)) is not None:
            pairs = zip(items, found, strict=True)
            examples += [_example(item, _precise_label(chain, target.segment, hits)) for item, hits in pairs]
        elif outside := [item for item, hits in zip(items, found, strict=True) if not hits]:
            examples.append(_example("、".join(outside), NONE))
    return examples


def segment_documents(chain: Chain) -> list[LabelledExample]:
    """One pseudo-description per segment from the chain file's own words, so every chain has examples."""
    return [
        LabelledExample(Description(segment.name, "、".join((*segment.keywords, *segment.synonyms))), (segment.code,))
        for segment in chain.segments.values()
    ]


def _example(text: str, label: str) -> LabelledExample:
    return LabelledExample(Description(products=text), (label,) if label else (), CLASS_NOTE_WEIGHT)


def _precise_label(chain: Chain, target: str, found: set[str]) -> str:
    """The deepest segment the item names by a phrase, else the class's own segment."""
    return max(found, key=lambda code: (chain.depth(code), code)) if found else target
