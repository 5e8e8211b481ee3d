"""The panorama (产业链全景) of one chain: where it is strong, weak or missing, and what to attract.

Plain records in, plain results out. Only enterprises registered in Songjiang
(``city == LOCAL_CITY``) count towards strength; those elsewhere in the G60 cities are
candidates for 招商.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

from chainmap.records import EnterpriseRecord, Label
from chainmap.taxonomy import Chain, Segment, Tier
from geodata import LOCAL_CITY


class Grade(StrEnum):
    STRONG = "strong"
    WEAK = "weak"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {"strong": "强", "weak": "弱", "missing": "缺失"}[self.value]


MAX_MIN_ENTERPRISES = 100_000


@dataclass(frozen=True)
class GradeRule:
    """A segment is *missing* with no local enterprise, *weak* below the threshold, else *strong*.

    threshold = max(min_enterprises, median_share x the median local count of the chain's
    non-scenario leaf segments that have any), so the grade adapts to the size of the
    district's database. Scenario segments (demand, not supply) are not graded.
    """

    min_enterprises: int = 3
    median_share: float = 0.4

    def __post_init__(self) -> None:
        if not 0 <= self.min_enterprises <= MAX_MIN_ENTERPRISES:
            raise ValueError(f"min_enterprises：应在 0 到 {MAX_MIN_ENTERPRISES} 之间")
        if not 0 <= self.median_share <= 1:  # also refuses NaN and infinity
            raise ValueError("median_share：应在 0 到 1 之间")

    def threshold(self, counts: list[int]) -> int:
        present = [c for c in counts if c > 0]
        median = statistics.median(present) if present else 0
        return max(self.min_enterprises, round(self.median_share * median))

    def describe(self) -> str:
        return (
            f"缺失：本地0家；弱：少于 max({self.min_enterprises}, "
            f"{self.median_share:.0%} × 各环节本地企业数中位数) 家；强：其余。应用场景环节不评级。"
        )


@dataclass(frozen=True)
class Leader:
    uscc: str
    name: str
    revenue_yuan: int
    labels: tuple[str, ...]


@dataclass(frozen=True)
class SegmentStrength:
    code: str
    name: str
    tier: Tier
    parent: str | None
    enterprises: int  # local, this segment and those below it
    revenue_yuan: int
    chain_leaders: int
    specialized: int  # 专精特新, 小巨人 included
    little_giants: int
    top: tuple[Leader, ...]
    grade: Grade | None  # None: a parent or a scenario segment
    unresolved: int = 0  # local enterprises assigned to this parent segment itself, not yet to a leaf below it


@dataclass(frozen=True)
class ParkFit:
    park: str
    enterprises: int
    in_focus: int
    focus: tuple[str, ...]  # the planned segments' names (000 一(三))

    @property
    def share(self) -> float | None:
        return self.in_focus / self.enterprises if self.focus and self.enterprises else None


@dataclass(frozen=True)
class Demand:
    code: str
    name: str
    local_enterprises: int
    weight: float
    why: str


@dataclass(frozen=True)
class Candidate:
    uscc: str
    name: str
    city: str
    revenue_yuan: int
    why: str


@dataclass(frozen=True)
class Gap:
    code: str
    name: str
    grade: Grade
    local_enterprises: int
    demand: float  # sum over supply edges of weight x local enterprises in the buying segment
    needed_by: tuple[Demand, ...]
    attract: str  # what kind of enterprise to attract
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Panorama:
    chain: str
    chain_name: str
    rule: GradeRule
    threshold: int
    segments: dict[str, SegmentStrength]
    parks: tuple[ParkFit, ...]
    gaps: tuple[Gap, ...]
    local_enterprises: int
    notes: tuple[str, ...] = field(default=())
    unresolved: int = 0  # local enterprises whose segments in the chain are all parent segments
    demo: bool = False  # demo (synthetic) enterprises are among those counted

    def graded(self) -> list[SegmentStrength]:
        return [s for s in self.segments.values() if s.grade is not None]

    def to_json(self) -> dict:
        data = asdict(self)
        data["rule"] = {**asdict(self.rule), "description": self.rule.describe()}
        data["parks"] = [{**asdict(p), "share": p.share} for p in self.parks]
        return data


def _leaders(members: list[EnterpriseRecord], limit: int) -> tuple[Leader, ...]:
    ranked = sorted(members, key=lambda e: (-(e.revenue_yuan or 0), e.name))[:limit]
    return tuple(
        Leader(e.uscc, e.name, e.revenue_yuan or 0, tuple(label.label for label in sorted(e.labels))) for e in ranked
    )


def _strength(segment: Segment, members: list[EnterpriseRecord], grade: Grade | None, top: int) -> SegmentStrength:
    return SegmentStrength(
        code=segment.code,
        name=segment.name,
        tier=segment.tier,
        parent=segment.parent,
        enterprises=len(members),
        revenue_yuan=sum(e.revenue_yuan or 0 for e in members),
        chain_leaders=sum(Label.CHAIN_LEADER in e.labels for e in members),
        specialized=sum(bool({Label.SPECIALIZED, Label.LITTLE_GIANT} & e.labels) for e in members),
        little_giants=sum(Label.LITTLE_GIANT in e.labels for e in members),
        top=_leaders(members, top),
        grade=grade,
    )


def _members_below(chain: Chain, enterprises: list[EnterpriseRecord]) -> dict[str, list[EnterpriseRecord]]:
    """Segment code -> the distinct enterprises in it or below it."""
    direct: dict[str, list[EnterpriseRecord]] = defaultdict(list)
    for e in enterprises:
        for code in e.segments:
            if code in chain.segments:
                direct[code].append(e)
    below = {}
    for code in chain.segments:
        seen: dict[str, EnterpriseRecord] = {}
        for c in chain.descendants(code):
            seen.update((e.uscc, e) for e in direct.get(c, []))
        below[code] = list(seen.values())
    return below


def _park_fits(chain: Chain, local: list[EnterpriseRecord]) -> tuple[ParkFit, ...]:
    plans = {p.park: {c for code in p.focus for c in chain.descendants(code)} for p in chain.park_focus}
    names = {p.park: tuple(chain.segments[c].name for c in p.focus) for p in chain.park_focus}
    by_park: dict[str, list[EnterpriseRecord]] = defaultdict(list)
    for e in local:
        if e.park:
            by_park[e.park].append(e)
    fits = [
        ParkFit(
            park,
            len(members),
            sum(bool(plans.get(park, set()) & set(e.segments)) for e in members),
            names.get(park, ()),
        )
        for park, members in by_park.items()
    ]
    return tuple(sorted(fits, key=lambda f: (-f.enterprises, f.park)))


def _candidates(segment: Segment, members: list[EnterpriseRecord], limit: int) -> tuple[Candidate, ...]:
    """Enterprises elsewhere in the G60 cities first (to attract), then local ones (to grow)."""
    ranked = sorted(members, key=lambda e: (e.city == LOCAL_CITY, -(e.revenue_yuan or 0), e.name))[:limit]
    return tuple(
        Candidate(
            e.uscc,
            e.name,
            e.city,
            e.revenue_yuan or 0,
            f"已在{segment.name}环节（{e.city}），可引进或设立分支" if e.city != LOCAL_CITY else "本地已有，可扶持扩产",
        )
        for e in ranked
    )


def _gaps(
    chain: Chain,
    strengths: dict[str, SegmentStrength],
    everyone_below: dict[str, list[EnterpriseRecord]],
    candidates: int,
) -> tuple[Gap, ...]:
    needs: dict[str, list[Demand]] = defaultdict(list)
    for edge in chain.edges:
        buyers = strengths[edge.buyer].enterprises
        if buyers:
            needs[edge.supplier].append(
                Demand(edge.buyer, chain.segments[edge.buyer].name, buyers, edge.weight, edge.why)
            )
    gaps = []
    for code, demands in needs.items():
        strength = strengths[code]
        if strength.grade not in (Grade.MISSING, Grade.WEAK):
            continue
        segment = chain.segments[code]
        gaps.append(
            Gap(
                code=code,
                name=segment.name,
                grade=strength.grade,
                local_enterprises=strength.enterprises,
                demand=round(sum(d.weight * d.local_enterprises for d in demands), 2),
                needed_by=tuple(sorted(demands, key=lambda d: -d.weight * d.local_enterprises)),
                attract=f"{segment.name}企业，主营{'、'.join(segment.keywords[:4])}",
                candidates=_candidates(segment, everyone_below[code], candidates),
            )
        )
    return tuple(sorted(gaps, key=lambda g: (-g.demand, g.grade != Grade.MISSING, g.code)))


def build_panorama(
    chain: Chain,
    enterprises: list[EnterpriseRecord],
    rule: GradeRule = GradeRule(),
    *,
    top: int = 5,
    candidates: int = 8,
) -> Panorama:
    local = [e for e in enterprises if e.city == LOCAL_CITY]
    local_below = _members_below(chain, local)
    graded = [s for s in chain.leaves if s.tier is not Tier.SCENARIO]
    threshold = rule.threshold([len(local_below[s.code]) for s in graded])
    strengths = {}
    for code, segment in chain.segments.items():
        grade = None
        if segment in graded:
            count = len(local_below[code])
            grade = Grade.MISSING if count == 0 else Grade.WEAK if count < threshold else Grade.STRONG
        strengths[code] = _strength(segment, local_below[code], grade, top)
    direct = Counter(code for e in local for code in e.segments if chain.children.get(code))
    strengths.update({code: replace(strengths[code], unresolved=count) for code, count in direct.items()})
    unresolved = sum(1 for e in local if _only_parents(chain, e))
    demo = any(e.demo for e in enterprises)
    notes: tuple[str, ...] = ("含示例数据：名称带“示例”的企业均为虚构。",) if demo else ()
    if unresolved:
        notes += (f"{unresolved} 家本地企业尚未细分到末级环节（显示为“某环节（未细分）”），计入其上级环节。",)
    return Panorama(
        chain=chain.code,
        chain_name=chain.name,
        rule=rule,
        threshold=threshold,
        segments=strengths,
        parks=_park_fits(chain, local),
        gaps=_gaps(chain, strengths, _members_below(chain, enterprises), candidates),
        local_enterprises=len(local),
        notes=notes,
        unresolved=unresolved,
        demo=demo,
    )


def _only_parents(chain: Chain, enterprise: EnterpriseRecord) -> bool:
    codes = [code for code in enterprise.segments if code in chain.segments]
    return bool(codes) and all(chain.children.get(code) for code in codes)
