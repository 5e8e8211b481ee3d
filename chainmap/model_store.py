"""Fitted classifiers saved once and loaded instantly, keyed by everything they learn from.

The key hashes the chain file, its vocabulary, its industry-code map, the industry
classification, the training files, the source of the modules that fit the model, and
``MODEL_VERSION`` (raise it when the saved format changes). A changed input gives a new key, hence a new fit; the
stored enterprises classified under an older key are re-run by ``chainmap classify``.
Models live in ``$CHAINMAP_MODEL_DIR`` or, by default, ``~/.cache/chainmap/models``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

from chainmap import classify, industry, training, vocabulary
from chainmap.classify import SegmentClassifier
from chainmap.industry import CLASSES_FILE, INDUSTRY_DIR
from chainmap.taxonomy import available_chains, load_named_chain
from chainmap.training import record_examples, training_files
from chainmap.vocabulary import VOCABULARY_DIR

MODEL_VERSION = "2"


def model_dir() -> Path:
    configured = os.environ.get("CHAINMAP_MODEL_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "chainmap" / "models"


def model_key(chain_code: str) -> str:
    """A short hash of every input of the fit."""
    inputs = [
        available_chains()[chain_code],
        VOCABULARY_DIR / f"{chain_code}.yaml",
        INDUSTRY_DIR / f"{chain_code}_codes.csv",
        CLASSES_FILE,
        *training_files(chain_code),
        *(Path(str(module.__file__)) for module in (classify, industry, training, vocabulary)),
    ]
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for path in inputs:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


@cache
def classifier_for(chain_code: str) -> SegmentClassifier:
    """The fitted classifier of a shipped chain, once per process."""
    return load_or_fit(chain_code, model_dir())


def load_or_fit(chain_code: str, directory: Path) -> SegmentClassifier:
    """Loaded if saved under its key, else fitted and saved (written whole, then renamed into place)."""
    key = model_key(chain_code)
    path = directory / f"{chain_code}-{key}.pickle"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)  # our own file, written below under a key of its inputs
    classifier = SegmentClassifier(load_named_chain(chain_code)).fit(record_examples(chain_code))
    classifier.model_key = key
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(pickle.dumps(classifier, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)
    return classifier
