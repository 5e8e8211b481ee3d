"""Enterprises exported as GeoJSON or Excel, filtered like the map: segment, town, park, label."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter, itemgetter
from pathlib import Path

from sqlmodel import Session, select

from chainmap.records import EnterpriseRecord, InvalidRecord, Label
from chainmap.taxonomy import Chain
from service import models as m
from service.excel import DEMO_NOTE, Column, Cover, Kind, Sheet, write_workbook
from service.panorama import members_from_db

SOURCE = "数据库中登记的企业（位置为 WGS-84 经纬度）"


@dataclass(frozen=True)
class EnterpriseFilter:
    """The map's filters; ``None`` means any. A segment includes everything below it."""

    segment: str | None = None
    town: str | None = None
    park: str | None = None
    label: Label | None = None

    def describe(self) -> str:
        given = [("环节", self.segment), ("街镇", self.town), ("园区", self.park)]
        given.append(("标签", self.label.label if self.label else None))
        return "筛选：" + ("；".join(f"{name} = {value}" for name, value in given if value) or "全部企业")


def parse_label(text: str | None) -> Label | None:
    """A label by its code (``specialized``) or its Chinese name (专精特新)."""
    if not text:
        return None
    for label in Label:
        if text.strip() in (label.value, label.label):
            return label
    names = "、".join(f"{label.label}（{label.value}）" for label in Label)
    raise InvalidRecord("label", f"未知标签“{text}”，可选：{names}")


def checked_filter(
    *, session: Session, chain: Chain, segment: str | None, town: str | None, park: str | None, label: str | None
) -> EnterpriseFilter:
    """A filter whose segment, town, park and label exist; ``InvalidRecord`` naming the wrong one otherwise."""
    if segment and segment not in chain.segments:
        raise InvalidRecord("segment", f"产业链“{chain.name}”没有环节代码“{segment}”")
    for value, table, field, kind in ((town, m.Town, "town", "街镇"), (park, m.Park, "park", "园区")):
        if value and session.exec(select(table.id).where(table.name == value)).first() is None:
            raise InvalidRecord(field, f"未知{kind}“{value}”")
    return EnterpriseFilter(segment or None, town or None, park or None, parse_label(label))


def selected(*, session: Session, chain: Chain, where: EnterpriseFilter) -> list[EnterpriseRecord]:
    """Stored enterprises that pass the filter, by name."""
    wanted = {where.segment, *chain.descendants(where.segment)} if where.segment else None
    return sorted(
        (
            e
            for e in members_from_db(session=session, chain_code=chain.code)
            if (wanted is None or wanted & e.segments.keys())
            and (where.town is None or e.town == where.town)
            and (where.park is None or e.park == where.park)
            and (where.label is None or where.label in e.labels)
        ),
        key=attrgetter("name"),
    )


def _segment_names(chain: Chain, record: EnterpriseRecord) -> str:
    return "、".join(chain.segments[code].name for code in record.segments if code in chain.segments)


def _labels(record: EnterpriseRecord) -> str:
    return "、".join(label.label for label in sorted(record.labels))


def enterprises_geojson(
    chain: Chain, records: list[EnterpriseRecord], where: EnterpriseFilter, *, amounts: bool
) -> dict:
    """A FeatureCollection (WGS-84, as GeoJSON requires); enterprises without a position have no geometry."""
    features = []
    for e in records:
        properties = {
            "uscc": e.uscc,
            "name": e.name,
            "city": e.city,
            "town": e.town,
            "park": e.park,
            "address": e.address,
            "segments": sorted(e.segments),
            "segment_names": _segment_names(chain, e),
            "labels": _labels(e),
            "precision": e.precision.value,
            "demo": e.demo,
        }
        if amounts:
            properties["revenue_yuan"] = e.revenue_yuan
        point = None if e.lon is None or e.lat is None else {"type": "Point", "coordinates": [e.lon, e.lat]}
        features.append({"type": "Feature", "geometry": point, "properties": properties})
    notes = [where.describe(), *([DEMO_NOTE] if any(e.demo for e in records) else [])]
    return {"type": "FeatureCollection", "features": features, "metadata": {"source": SOURCE, "notes": notes}}


def write_enterprises_excel(
    chain: Chain, records: list[EnterpriseRecord], where: EnterpriseFilter, path: Path, *, amounts: bool
) -> Path:
    columns = [
        Column("统一社会信用代码", attrgetter("uscc")),
        Column("企业名称", attrgetter("name")),
        Column("所在城市", attrgetter("city")),
        Column("街镇", attrgetter("town")),
        Column("园区", attrgetter("park")),
        Column("地址", attrgetter("address")),
        Column("环节", lambda e: _segment_names(chain, e)),
        Column("环节代码", lambda e: "；".join(sorted(e.segments))),
        Column("标签", _labels),
        Column("营业收入", attrgetter("revenue_yuan"), Kind.WAN),
        Column("经度", attrgetter("lon"), Kind.COORDINATE),
        Column("纬度", attrgetter("lat"), Kind.COORDINATE),
        Column("定位精度", lambda e: e.precision.value),
        Column("示例数据", lambda e: "是" if e.demo else ""),
    ]
    cover = Cover(
        title=f"{chain.name}企业名录",
        source=SOURCE,
        choices=[where.describe()],
        notes=[f"共 {len(records):,} 家企业", "经纬度为 WGS-84；在高德等 GCJ-02 底图上使用前需转换"],
        demo=any(e.demo for e in records),
    )
    kept = columns if amounts else [c for c in columns if c.kind is not Kind.WAN]
    return write_workbook(path, cover, [Sheet("企业", kept, records)])


def _reward(key: str):
    return lambda r: (r["reward"] or {}).get(key)


def write_shortlist(answer: dict, path: Path, *, demo: bool) -> Path:
    """A partner shortlist (``service.matching.find_partners``'s answer) as a workbook to send."""
    wanted = "供应商" if answer["direction"] == "suppliers" else "客户"
    recommendations = [
        Column("排名", itemgetter("rank"), Kind.INTEGER),
        Column("企业", itemgetter("name")),
        Column("统一社会信用代码", itemgetter("id")),
        Column("所在城市", itemgetter("city")),
        Column("环节", lambda r: "、".join(r["segments"])),
        Column("标签", lambda r: "、".join(r["labels"])),
        Column("得分", itemgetter("score"), Kind.DECIMAL),
        Column("距离（公里）", itemgetter("distance_km"), Kind.DECIMAL),
        Column("推荐理由", lambda r: "；".join(r["reasons"])),
        Column("距300万元门槛", _reward("gap_to_threshold_yuan"), Kind.YUAN),
        Column("首年奖励测算", _reward("first_year_reward_yuan"), Kind.YUAN),
        Column("协同奖励说明", _reward("note")),
    ]
    partners = [
        Column("企业", itemgetter("name")),
        Column("统一社会信用代码", itemgetter("id")),
        Column("关系", itemgetter("status")),
        Column("首次合同", itemgetter("first"), Kind.DATE),
        Column("最近合同", itemgetter("last"), Kind.DATE),
    ]
    asker = answer["asker"]
    segments = "、".join(s["name"] for s in answer["inferred_segments"])
    cover = Cover(
        title=f"{wanted}推荐名单" + (f"：{asker['name']}" if asker else ""),
        source=f"数据库中登记的企业与合同；在 {answer['candidates']:,} 家企业中排序",
        choices=[f"查找{wanted}", *([f"按需求识别的环节：{segments}"] if segments else [])],
        notes=["得分为各信号贡献之和，仅用于排序；已有合作伙伴单列，不进入推荐"],
        demo=demo,
    )
    ranked = [{**r, "rank": rank} for rank, r in enumerate(answer["recommendations"], start=1)]
    sheets = [Sheet("推荐名单", recommendations, ranked), Sheet("已有合作伙伴", partners, answer["partners"])]
    return write_workbook(path, cover, sheets)
