"""Industrial chains as data: segments, tiers, supply edges and park focus plans.

A chain lives in one YAML file under ``chainmap/chains``. Loading validates it and
fails with the file, the line, the key and what is wrong.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

CHAINS_DIR = Path(__file__).parent / "chains"


class Tier(StrEnum):
    UPSTREAM = "upstream"
    MIDSTREAM = "midstream"
    DOWNSTREAM = "downstream"
    SCENARIO = "scenario"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)

    @property
    def label(self) -> str:
        return {"upstream": "上游", "midstream": "中游", "downstream": "下游", "scenario": "应用场景"}[self.value]


@dataclass(frozen=True)
class Segment:
    code: str
    name: str
    name_en: str
    tier: Tier
    source: str
    parent: str | None = None
    keywords: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupplyEdge:
    supplier: str
    buyer: str
    weight: float
    why: str


@dataclass(frozen=True)
class ParkFocus:
    park: str
    focus: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Chain:
    code: str
    name: str
    name_en: str
    group: str
    source: str
    segments: dict[str, Segment]
    edges: tuple[SupplyEdge, ...] = ()
    park_focus: tuple[ParkFocus, ...] = ()
    children: dict[str | None, list[str]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        tree: dict[str | None, list[str]] = defaultdict(list)
        for segment in self.segments.values():
            tree[segment.parent].append(segment.code)
        self.children.update(tree)

    def descendants(self, code: str) -> list[str]:
        """``code`` and every segment below it, depth first."""
        found = [code]
        for child in self.children.get(code, []):
            found.extend(self.descendants(child))
        return found

    @cached_property
    def leaves(self) -> list[Segment]:
        return [s for s in self.segments.values() if not self.children.get(s.code)]

    @cached_property
    def roots(self) -> list[Segment]:
        return [self.segments[code] for code in self.children.get(None, [])]

    def ancestors(self, code: str) -> list[str]:
        """The segments above ``code``, nearest first."""
        found = []
        while (parent := self.segments[code].parent) is not None:
            found.append(parent)
            code = parent
        return found

    def depth(self, code: str) -> int:
        """0 for a direction, 1 for its sub-segments, and so on."""
        return len(self.ancestors(code))

    def root_of(self, code: str) -> Segment:
        """The top-level direction (e.g. 智能机器人) a segment belongs to."""
        segment = self.segments[code]
        while segment.parent is not None:
            segment = self.segments[segment.parent]
        return segment


class ChainFileError(ValueError):
    """A malformed chain file; the message names file, line, key and the problem."""

    def __init__(self, path: Path, line: int | None, key: str, problem: str):
        self.path, self.line, self.key, self.problem = path, line, key, problem
        where = f"{path.name} 第{line}行" if line else path.name
        super().__init__(f"{where}，{key}：{problem}")


class _LineDict(dict):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings remember the line they start on."""


def _construct_located_map(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_located_map)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class _Reader:
    """Builds a Chain from parsed YAML, raising ChainFileError with locations."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, entry: Any, key: str, problem: str) -> ChainFileError:
        return ChainFileError(self.path, getattr(entry, "line", None), key, problem)

    def require(self, entry: dict, key: str, where: str) -> Any:
        if not isinstance(entry, dict) or entry.get(key) in (None, ""):
            raise self.fail(entry, f"{where}.{key}", "缺少必填字段")
        return entry[key]

    def segment(self, entry: dict, where: str) -> Segment:
        tier = self.require(entry, "tier", where)
        if tier not in set(Tier):
            raise self.fail(entry, f"{where}.tier", f"未知层级“{tier}”，应为 {', '.join(Tier)}")
        return Segment(
            code=str(self.require(entry, "code", where)),
            name=str(self.require(entry, "name", where)),
            name_en=str(self.require(entry, "name_en", where)),
            tier=Tier(tier),
            source=str(self.require(entry, "source", where)),
            parent=entry.get("parent"),
            keywords=tuple(_as_list(entry.get("keywords", []))),
            synonyms=tuple(_as_list(entry.get("synonyms", []))),
        )

    def segments(self, entries: list) -> dict[str, Segment]:
        found: dict[str, Segment] = {}
        for i, entry in enumerate(entries):
            segment = self.segment(entry, f"segments[{i}]")
            if segment.code in found:
                raise self.fail(entry, f"segments[{i}].code", f"环节代码“{segment.code}”重复")
            found[segment.code] = segment
        for i, entry in enumerate(entries):
            parent = entry.get("parent")
            if parent is not None and parent not in found:
                raise self.fail(entry, f"segments[{i}].parent", f"上级环节“{parent}”不存在")
        return found

    def known(self, entry: dict, key: str, codes: list[str], segments: dict) -> None:
        for code in codes:
            if code not in segments:
                raise self.fail(entry, key, f"未知环节代码“{code}”")

    def edges(self, entries: list, segments: dict[str, Segment]) -> tuple[SupplyEdge, ...]:
        edges: list[SupplyEdge] = []
        for i, entry in enumerate(entries):
            where = f"edges[{i}]"
            suppliers = _as_list(self.require(entry, "from", where))
            buyers = _as_list(self.require(entry, "to", where))
            self.known(entry, f"{where}.from", suppliers, segments)
            self.known(entry, f"{where}.to", buyers, segments)
            weight = float(entry.get("weight", 1.0))
            if not 0 < weight <= 1:
                raise self.fail(entry, f"{where}.weight", f"权重应在(0, 1]之间，收到 {weight}")
            for supplier in suppliers:
                for buyer in buyers:
                    self.check_tiers(entry, where, segments[supplier], segments[buyer])
                    edges.append(SupplyEdge(supplier, buyer, weight, str(self.require(entry, "why", where))))
        return tuple(edges)

    def check_tiers(self, entry: dict, where: str, supplier: Segment, buyer: Segment) -> None:
        if supplier.code == buyer.code:
            raise self.fail(entry, where, f"环节“{supplier.code}”不能供货给自己")
        if supplier.tier.rank > buyer.tier.rank:
            raise self.fail(
                entry,
                where,
                f"供货方向逆向：{supplier.code}（{supplier.tier.label}）→ {buyer.code}（{buyer.tier.label}）",
            )

    def park_focus(self, entries: list, segments: dict) -> tuple[ParkFocus, ...]:
        plans = []
        for i, entry in enumerate(entries):
            focus = _as_list(self.require(entry, "focus", f"parks[{i}]"))
            self.known(entry, f"parks[{i}].focus", focus, segments)
            park, source = self.require(entry, "park", f"parks[{i}]"), self.require(entry, "source", f"parks[{i}]")
            plans.append(ParkFocus(str(park), tuple(focus), str(source)))
        return tuple(plans)


def _find_cycle(edges: tuple[SupplyEdge, ...]) -> list[str] | None:
    graph: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        graph[edge.supplier].append(edge.buyer)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, nxt])):
                return cycle
        state[node] = 2
        return None

    for start in list(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def load_chain(path: Path | str) -> Chain:
    """Load and validate one chain file."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ChainFileError(path, mark.line + 1 if mark else None, "YAML", str(exc)) from exc
    reader = _Reader(path)
    if not isinstance(data, dict):
        raise ChainFileError(path, None, "(文件)", "顶层应为映射（code、name、segments…）")
    segments = reader.segments(reader.require(data, "segments", "(文件)"))
    edges = reader.edges(data.get("edges") or [], segments)
    if cycle := _find_cycle(edges):
        raise ChainFileError(path, None, "edges", f"供货关系存在环：{' → '.join(cycle)}")
    return Chain(
        code=str(reader.require(data, "code", "(文件)")),
        name=str(reader.require(data, "name", "(文件)")),
        name_en=str(reader.require(data, "name_en", "(文件)")),
        group=str(data.get("group", "")),
        source=str(data.get("source", "")),
        segments=segments,
        edges=edges,
        park_focus=reader.park_focus(data.get("parks") or [], segments),
    )


def available_chains() -> dict[str, Path]:
    """Chain code -> file, for every chain file shipped with the package."""
    return {path.stem: path for path in sorted(CHAINS_DIR.glob("*.yaml"))}


def load_named_chain(code: str) -> Chain:
    files = available_chains()
    if code not in files:
        raise KeyError(f"未找到产业链“{code}”，可用：{', '.join(files)}")
    return load_chain(files[code])
