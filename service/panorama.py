"""The panorama on stored data, and its exports: JSON, SVG, PNG, Excel."""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter
from pathlib import Path

from sqlmodel import Session, select

from chainmap.diagram import chain_svg
from chainmap.panorama import Gap, GradeRule, Panorama, build_panorama
from chainmap.records import EnterpriseRecord, Label, LocationPrecision
from chainmap.taxonomy import Chain
from service import models as m
from service.excel import Column, Cover, Kind, Sheet, write_workbook


def members_from_db(*, session: Session, chain_code: str) -> list[EnterpriseRecord]:
    """Stored enterprises with their segments in the chain, as plain records."""
    links = session.exec(
        select(m.EnterpriseSegment.enterprise_id, m.Segment.code, m.EnterpriseSegment.confidence)
        .join(m.Segment)
        .join(m.Chain)
        .where(m.Chain.code == chain_code)
    )
    segments: dict[int, dict[str, float]] = defaultdict(dict)
    for enterprise_id, code, confidence in links:
        segments[enterprise_id][code] = confidence
    parks = dict(session.exec(select(m.Park.id, m.Park.name)).all())
    towns = dict(session.exec(select(m.Town.id, m.Town.name)).all())
    return [
        EnterpriseRecord(
            uscc=e.uscc,
            name=e.name,
            address=e.address,
            town=towns.get(e.town_id),
            park=parks.get(e.park_id),
            lon=e.lon,
            lat=e.lat,
            precision=LocationPrecision(e.location_precision),
            labels=frozenset(label for label in Label if getattr(e, f"is_{label.value}")),
            revenue_yuan=e.revenue_yuan,
            products=e.products,
            business_scope=e.business_scope,
            segments=segments.get(e.id, {}),
            demo=e.is_demo,
            city=e.city,
        )
        for e in session.exec(select(m.Enterprise))
    ]


def panorama_from_db(*, session: Session, chain: Chain, rule: GradeRule = GradeRule()) -> Panorama:
    return build_panorama(chain, members_from_db(session=session, chain_code=chain.code), rule)


def diagram_png(svg: str, path: Path | None = None, *, width: int = 2400) -> bytes:
    """Rasterise the chain diagram (needs libcairo2 and a CJK font, e.g. fonts-noto-cjk)."""
    import cairosvg

    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width)
    if path is not None:
        path.write_bytes(png)
    return png


def write_panorama_excel(chain: Chain, panorama: Panorama, path: Path, *, amounts: bool = True) -> Path:
    """Segments with their grade and leading enterprises, the gaps with 招商 targets, the parks.

    Without ``amounts`` the revenue columns (万元) are left out.
    """
    segments = [
        Column("环节代码", attrgetter("code")),
        Column("环节", attrgetter("name")),
        Column("上级环节", lambda s: chain.segments[s.parent].name if s.parent else ""),
        Column("层级", lambda s: s.tier.label),
        Column("强弱", lambda s: s.grade.label if s.grade else ""),
        Column("本地企业数", attrgetter("enterprises"), Kind.COUNT),
        Column("其中未细分", attrgetter("unresolved"), Kind.COUNT),
        Column("营业收入合计", attrgetter("revenue_yuan"), Kind.WAN),
        Column("链主", attrgetter("chain_leaders"), Kind.COUNT),
        Column("专精特新", attrgetter("specialized"), Kind.COUNT),
        Column("小巨人", attrgetter("little_giants"), Kind.COUNT),
        Column("龙头企业", lambda s: "、".join(t.name for t in s.top)),
    ]
    leaders = [
        Column("环节", lambda pair: pair[0].name),
        Column("企业", lambda pair: pair[1].name),
        Column("统一社会信用代码", lambda pair: pair[1].uscc),
        Column("营业收入", lambda pair: pair[1].revenue_yuan, Kind.WAN),
        Column("标签", lambda pair: "、".join(pair[1].labels)),
    ]
    gaps = [
        Column("排名", lambda pair: pair[0], Kind.INTEGER),
        Column("缺口环节", lambda pair: pair[1].name),
        Column("强弱", lambda pair: pair[1].grade.label),
        Column("本地企业数", lambda pair: pair[1].local_enterprises, Kind.COUNT),
        Column("本地需求指数", lambda pair: pair[1].demand, Kind.DECIMAL),
        Column("主要需求方", lambda pair: _needed_by(pair[1])),
        Column("招商方向", lambda pair: pair[1].attract),
        Column("候选企业", lambda pair: "、".join(f"{c.name}（{c.city}）" for c in pair[1].candidates)),
    ]
    parks = [
        Column("园区", attrgetter("park")),
        Column("企业数", attrgetter("enterprises"), Kind.COUNT),
        Column("符合规划主导方向", attrgetter("in_focus"), Kind.COUNT),
        Column("占比", attrgetter("share"), Kind.PERCENT),
        Column("规划方向", lambda p: "、".join(p.focus)),
    ]
    if not amounts:
        segments, leaders = ([c for c in columns if c.kind is not Kind.WAN] for columns in (segments, leaders))
    cover = Cover(
        title=f"{panorama.chain_name}全景表",
        source=f"数据库中登记的企业及其环节归属（松江区内 {panorama.local_enterprises:,} 家）；产业链：{chain.source}",
        choices=[panorama.rule.describe(), f"本次“弱”的门槛：{panorama.threshold} 家"],
        notes=[note for note in panorama.notes if not note.startswith("含示例数据")],
        demo=panorama.demo,
    )
    sheets = [
        Sheet("环节强弱", segments, panorama.segments.values()),
        Sheet("龙头企业", leaders, [(s, t) for s in panorama.graded() for t in s.top]),
        Sheet("缺口与招商", gaps, enumerate(panorama.gaps, start=1)),
        Sheet("园区聚焦", parks, panorama.parks),
    ]
    return write_workbook(path, cover, sheets)


def _needed_by(gap: Gap) -> str:
    return "、".join(f"{d.name}({d.local_enterprises}家)" for d in gap.needed_by[:4])


def svg_for(*, session: Session, chain: Chain) -> str:
    return chain_svg(chain, panorama_from_db(session=session, chain=chain))
