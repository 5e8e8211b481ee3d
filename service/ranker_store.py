"""Fitted ranking models kept on disk, so that every process of the machine fits a state of the data once.

The server's workers and the command line (``chainmap challenge shortlist``, ``event propose``) each
need the ranker of the stored data. The first to need it fits it and saves each direction's LightGBM
model as text under a key of everything the fit learns from: the firms and contracts, the ranker's
settings, the LightGBM version and the source of the modules that compute features and fit. A file
lock makes the others wait for that fit and load it (a second or two) instead of fitting again. The
newest ``KEEP`` files are kept. Models live beside the classifiers (``$CHAINMAP_MODEL_DIR``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from filelock import FileLock

from chainmap.model_store import model_dir
from matching import features, market, paths, ranker, rerank, signals
from matching.market import Contract, Market
from matching.ranker import PartnerRanker
from matching.signals import Direction

KEEP = 10
FORMAT = "2"  # raise when the file's layout changes
CODE = (features, market, paths, ranker, rerank, signals)


def data_key(market: Market, contracts: Sequence[Contract], config: rerank.RerankConfig) -> str:
    """A short hash of the fit's inputs; the contracts' order does not matter."""
    import lightgbm

    digest = hashlib.sha256(f"{FORMAT} {lightgbm.__version__} {config}".encode())
    for module in CODE:
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(repr(market.chain).encode())
    for firm in sorted(market.firms, key=lambda f: f.id):
        values = [getattr(firm, f.name) for f in fields(firm) if f.name != "labels"]
        digest.update(repr((values, sorted(firm.labels))).encode())  # a frozenset's order varies by process
    for contract in sorted(contracts):
        digest.update(repr(contract).encode())
    return digest.hexdigest()[:20]


def fitted_ranker(market: Market, contracts: Sequence[Contract], directory: Path | None = None) -> PartnerRanker:
    """The ranker of this data: loaded if any process saved it, else fitted here and saved."""
    config = rerank.RerankConfig()
    folder = (directory or model_dir()) / "rankers"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data_key(market, contracts, config)}.json"
    with FileLock(path.with_suffix(".lock")):
        if path.exists():
            return PartnerRanker(config=config, models=_read(path)).fit(market, contracts)
        fitted = PartnerRanker(config=config).fit(market, contracts)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({d.value: m.to_text() if m else None for d, m in fitted.models.items()}))
        partial.replace(path)
    _forget_old(folder)
    return fitted


def _read(path: Path) -> dict:
    saved = json.loads(path.read_text())
    return {Direction(d): rerank.Ensemble.from_text(texts) if texts else None for d, texts in saved.items()}


def _forget_old(folder: Path) -> None:
    saved = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in saved[KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".lock").unlink(missing_ok=True)
