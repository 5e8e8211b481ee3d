"""A chain's vocabulary and the word segmentation that finds it in a text.

Phrases come from three sources, each kept with its origin (``Vocabulary.sources``):
the chain file (segment names, keywords, synonyms), the curated trade terms in
``chainmap/vocabulary/<chain>.yaml``, and the items of the GB/T 4754-2017 class notes
of the classes mapped to the chain. Every segment has phrases, parent segments included,
so a text that says only "芯片" still points to 智能终端芯片.

Matching is on jieba words (the vocabulary is its user dictionary), not on raw substrings:
"电脑电视盒" does not contain the word "脑电". Two rules follow how products are named:

* a device word directly followed by a part word (手机 + 天线, 照明 + 驱动芯片) names a part
  for that device: the device word is marked ``用于:`` and is no evidence of the device;
* scenario words (轨道交通, 智能制造, 公共安全) count only when no product word is found.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from chainmap.industry import CodeMap, class_phrases, industry_classes
from chainmap.taxonomy import Chain, Tier

VOCABULARY_DIR = Path(__file__).parent / "vocabulary"
PART_WORDS = frozenset(
    (
        "天线",
        "芯片",
        "模组",
        "模块",
        "零部件",
        "部件",
        "配件",
        "外壳",
        "壳体",
        "驱动",
        "电池",
        "屏",
        "结构件",
        "背光",
        "镜头",
        "电机",
        "马达",
        "线路板",
        "电路板",
        "主板",
        "连接器",
        "传感器",
        "散热",
        "电源",
        "线束",
        "按键",
        "中框",
        "盖板",
        "模具",
        "充电器",
        "适配器",
        "滤波器",
        "扬声器",
        "麦克风",
        "喇叭",
        "面板",
        "玻璃",
        "pcb",
        "fpc",
        "镜片",
    )
)
PART_OF = "用于:"
COMMON_WORD_FREQUENCY = 100
SUPPLY_TIERS = (Tier.UPSTREAM, Tier.MIDSTREAM)


@dataclass(frozen=True)
class Hit:
    code: str
    phrase: str


class Vocabulary:
    """Phrase -> segments for one chain, with the tokenizer that knows every phrase."""

    def __init__(self, chain: Chain):
        self.chain = chain
        self.sources: dict[str, dict[str, set[str]]] = {}
        for segment in chain.segments.values():
            for phrase in (segment.name, *segment.keywords, *segment.synonyms):
                self._add(phrase, segment.code, "产业链文件")
        self._add_curated(VOCABULARY_DIR / f"{chain.code}.yaml")
        self._add_class_notes(CodeMap.for_chain(chain.code))

    def _add(self, phrase: str, code: str, source: str) -> None:
        phrase = phrase.strip().lower()
        if len(phrase) >= 2 or phrase.isascii():
            self.sources.setdefault(phrase, {}).setdefault(code, set()).add(source)

    def _add_curated(self, path: Path) -> None:
        if not path.exists():
            return
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for code, words in data["segments"].items():
            for word in words:
                self._add(str(word), code, data["source"])

    def _add_class_notes(self, codes: CodeMap) -> None:
        known = set(self.sources)
        classes = industry_classes()
        for code, target in codes.targets.items():
            for item in classes[code].items:
                for phrase in class_phrases(item):
                    if phrase.lower() not in known:
                        self._add(phrase, target.segment, f"GB/T 4754-2017 {classes[code].label} 注释")

    def segments_of(self, phrase: str) -> set[str]:
        return set(self.sources.get(phrase, {}))

    @cached_property
    def tokenizer(self):
        jieba = _jieba()
        jieba.setLogLevel(60)
        tokenizer = jieba.Tokenizer(dictionary=str(self._dictionary()))
        tokenizer.initialize()
        return tokenizer

    def _dictionary(self) -> Path:
        """jieba's common words (frequency >= ``COMMON_WORD_FREQUENCY``) and this vocabulary, as a jieba dictionary.

        A tenth of jieba's full dictionary: it loads in a fraction of the time and still splits ordinary text.
        """
        jieba = _jieba()

        phrases = sorted(p for p in self.sources if not p.isascii())
        key = hashlib.sha256("\n".join([jieba.__version__, str(COMMON_WORD_FREQUENCY), *phrases]).encode())
        path = Path(tempfile.gettempdir()) / f"chainmap-words-{key.hexdigest()[:16]}.txt"
        if not path.exists():
            full = Path(jieba.__file__).parent / "dict.txt"
            common = [
                line
                for line in full.read_text(encoding="utf-8").splitlines()
                if _frequency(line) >= COMMON_WORD_FREQUENCY
            ]
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text("\n".join([*common, *(f"{p} 10000" for p in phrases)]) + "\n", encoding="utf-8")
            partial.replace(path)
        return path

    @cached_property
    def _device_words(self) -> frozenset[str]:
        return frozenset(p for p, codes in self.sources.items() if not self._is_supply(codes))

    @cached_property
    def _part_words(self) -> frozenset[str]:
        return PART_WORDS | {p for p, codes in self.sources.items() if self._is_supply(codes)}

    def _is_supply(self, codes) -> bool:
        return any(self.chain.segments[c].tier in SUPPLY_TIERS for c in codes if c in self.chain.segments)

    def tokens(self, text: str) -> list[str]:
        """The words of a text, lower case, device words that name a part's use marked ``用于:``."""
        if (known := self._seen.get(text)) is None:
            known = self._seen[text] = self._tokens(text)
        return known

    @cached_property
    def _seen(self) -> dict[str, list[str]]:
        return {}

    def __getstate__(self) -> dict:
        """Pickled without the tokenizer and the memo: both are rebuilt on first use."""
        return {k: v for k, v in self.__dict__.items() if k not in ("tokenizer", "_seen")}

    def _tokens(self, text: str) -> list[str]:
        words = [w for w in self.tokenizer.lcut(text.lower(), HMM=False) if w.strip()]
        devices = self._device_words
        return [PART_OF + w if w in devices and self._names_part(words, i) else w for i, w in enumerate(words)]

    def _names_part(self, words: list[str], i: int) -> bool:
        following = words[i + 1 : i + 3]
        if following[:1] == ["用"]:
            following = following[1:]
        return bool(following) and following[0] in self._part_words

    def hits(self, tokens: list[str]) -> list[Hit]:
        """Vocabulary phrases among the words; scenario phrases only when nothing else is found."""
        found = [Hit(code, word) for word in dict.fromkeys(tokens) for code in self.segments_of(word)]
        products = [h for h in found if self.chain.segments[h.code].tier is not Tier.SCENARIO]
        return products or found


def _frequency(line: str) -> int:
    parts = line.split(" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _jieba():
    """jieba, imported without pkg_resources: jieba uses it only if present (jieba/_compat.py) and reads its
    files directly otherwise, and importing it costs a quarter of a second of every classification's start-up."""
    if (loaded := sys.modules.get("jieba")) is not None:
        return loaded
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail
    try:
        import jieba
    finally:
        if hide:
            del sys.modules["pkg_resources"]
    return jieba
