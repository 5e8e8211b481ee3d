"""The panorama on stored data, and its exports: JSON, SVG, PNG, Excel."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
from sqlmodel import Session, select

from chainmap.diagram import chain_svg
from chainmap.panorama import GradeRule, Panorama, build_panorama
from chainmap.records import EnterpriseRecord, Label, LocationPrecision
from chainmap.taxonomy import Chain
from service import models as m
from service.excel import write_workbook


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

    Without ``amounts`` the revenue columns (元) are left out.
    """
    segments = pd.DataFrame(
        [
            {
                "环节代码": s.code,
                "环节": s.name,
                "上级环节": chain.segments[s.parent].name if s.parent else "",
                "层级": s.tier.label,
                "强弱": s.grade.label if s.grade else "",
                "本地企业数": s.enterprises,
                "其中未细分": s.unresolved,
                "营业收入合计（元）": s.revenue_yuan,
                "链主": s.chain_leaders,
                "专精特新": s.specialized,
                "小巨人": s.little_giants,
                "龙头企业": "、".join(t.name for t in s.top),
            }
            for s in panorama.segments.values()
        ]
    )
    leaders = pd.DataFrame(
        [
            {
                "环节": s.name,
                "企业": t.name,
                "统一社会信用代码": t.uscc,
                "营业收入（元）": t.revenue_yuan,
                "标签": "、".join(t.labels),
            }
            for s in panorama.graded()
            for t in s.top
        ]
    )
    gaps = pd.DataFrame(
        [
            {
                "排名": rank,
                "缺口环节": g.name,
                "强弱": g.grade.label,
                "本地企业数": g.local_enterprises,
                "本地需求指数": g.demand,
                "主要需求方": "、".join(f"{d.name}({d.local_enterprises}家)" for d in g.needed_by[:4]),
                "招商方向": g.attract,
                "候选企业": "、".join(f"{c.name}（{c.city}）" for c in g.candidates),
            }
            for rank, g in enumerate(panorama.gaps, start=1)
        ]
    )
    parks = pd.DataFrame(
        [
            {
                "园区": p.park,
                "企业数": p.enterprises,
                "符合规划主导方向": p.in_focus,
                "占比": p.share,
                "规划方向": "、".join(p.focus),
            }
            for p in panorama.parks
        ]
    )
    rule = pd.DataFrame(
        {"口径": [*panorama.notes, panorama.rule.describe(), f"本次“弱”的门槛：{panorama.threshold} 家"]}
    )
    sheets = (("环节强弱", segments), ("龙头企业", leaders), ("缺口与招商", gaps), ("园区聚焦", parks), ("口径", rule))
    if not amounts:
        sheets = tuple(
            (name, frame.drop(columns=[c for c in frame.columns if c.endswith("（元）")])) for name, frame in sheets
        )
    return write_workbook(path, sheets)


def svg_for(*, session: Session, chain: Chain) -> str:
    return chain_svg(chain, panorama_from_db(session=session, chain=chain))
