"""The national industry classification (GB/T 4754-2017) as evidence for chain segments.

Two data files, both in ``chainmap/industry/`` (origin and checks in its PROVENANCE.md):

* ``gbt4754_2017.csv.gz``: all 1,382 classes (小类) with their official notes, whose
  "◇ 包括" items name the products of each class in the words registrations use;
* ``<chain>_codes.csv``: which classes belong to which segment (leaf, parent or direction)
  of a chain, with a reason per row. Classes not listed lie outside the chain.

The notes serve three ways: as vocabulary (``class_phrases``), as training text
(``class_items``), and a registered class code as evidence of its own (``CodeMap``).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

INDUSTRY_DIR = Path(__file__).parent / "industry"
CLASSES_FILE = INDUSTRY_DIR / "gbt4754_2017.csv.gz"
_ITEM = re.compile(r"^[—-]\s*(.+)$")
_VAGUE = ("其他", "未列明", "以上", "以下", "配件", "零件", "用品")


@dataclass(frozen=True)
class IndustryClass:
    section: str  # 门类 letter, e.g. C for manufacturing
    code: str  # 4 digits
    name: str
    items: tuple[str, ...]  # the "◇ 包括" items of the notes, "◆ 不包括" left out

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class CodeTarget:
    segment: str
    reason: str


def _included_items(notes: str) -> tuple[str, ...]:
    items, included = [], True
    for line in notes.splitlines():
        line = line.strip()
        if line.startswith("◆"):
            included = False
        elif line.startswith("◇"):
            included = True
        elif included and (match := _ITEM.match(line)):
            items.append(match.group(1).strip())
    return tuple(items)


@cache
def industry_classes() -> dict[str, IndustryClass]:
    """Class code -> class, for every class of the standard."""
    text = gzip.decompress(CLASSES_FILE.read_bytes()).decode("utf-8")
    return {
        row["code"]: IndustryClass(row["section"], row["code"], row["name"], _included_items(row["notes"]))
        for row in csv.DictReader(io.StringIO(text))
    }


def class_phrases(item: str) -> list[str]:
    """The product names in one notes item: "刚性印制电路板：单面…、双面…" -> head and each listed name."""
    head, _, rest = item.partition("：")
    names = [head, *re.split(r"[、，,；;（）()]", rest)]
    return [name.strip() for name in names if 2 <= len(name.strip()) <= 16 and not name.strip().startswith(_VAGUE)]


class CodeMap:
    """Which chain segment a registered industry class points to, if any."""

    def __init__(self, targets: dict[str, CodeTarget]):
        self.targets = targets

    @classmethod
    def for_chain(cls, chain_code: str) -> CodeMap:
        path = INDUSTRY_DIR / f"{chain_code}_codes.csv"
        if not path.exists():
            return cls({})
        with path.open(encoding="utf-8", newline="") as handle:
            return cls({row["code"]: CodeTarget(row["segment"], row["reason"]) for row in csv.DictReader(handle)})

    def target(self, code: str) -> CodeTarget | None:
        return self.targets.get(code)

    def describe(self, code: str) -> str:
        """How the code reads in evidence: "行业代码 3982 电子电路制造"."""
        known = industry_classes().get(code)
        return f"行业代码 {known.label if known else code}"
