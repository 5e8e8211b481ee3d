"""Repositories: domain records in, rows out, and back. Functions that write do not commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Table, case, delete, func, insert, or_
from sqlmodel import Session, select

from chainmap.demo import DemoDistrict
from chainmap.records import (
    EnterpriseRecord,
    InvalidRecord,
    Label,
    LocationPrecision,
    SegmentSource,
    TechCentreLevel,
    check_enterprise,
)
from chainmap.taxonomy import Chain as ChainSpec
from chainmap.uscc import normalize
from geodata import parks as park_layer
from geodata import towns as town_layer
from service import models as m

BATCH = 2000
_STORED = set(m.Enterprise.__table__.c.keys())


def _ids_by(session: Session, column, key_column) -> dict:
    return {key: id_ for id_, key in session.exec(select(column, key_column))}


def sync_chain(*, session: Session, spec: ChainSpec) -> m.Chain:
    """Insert or refresh a chain with its segments, supply edges and park focus plan."""
    chain = session.exec(select(m.Chain).where(m.Chain.code == spec.code)).first() or m.Chain(code=spec.code)
    chain.sqlmodel_update({"name": spec.name, "name_en": spec.name_en, "group_name": spec.group, "source": spec.source})
    session.add(chain)
    session.flush()
    existing = {s.code: s for s in session.exec(select(m.Segment).where(m.Segment.chain_id == chain.id))}
    for seg in spec.segments.values():
        row = existing.get(seg.code) or m.Segment(chain_id=chain.id, code=seg.code)
        row.sqlmodel_update(
            {
                "name": seg.name,
                "name_en": seg.name_en,
                "tier": seg.tier.value,
                "keywords": list(seg.keywords),
                "source": seg.source,
            }
        )
        existing[seg.code] = row
        session.add(row)
    session.flush()
    for seg in spec.segments.values():
        existing[seg.code].parent_id = existing[seg.parent].id if seg.parent else None
    session.execute(delete(m.SupplyEdge).where(m.SupplyEdge.chain_id == chain.id))
    session.execute(
        insert(m.SupplyEdge),
        [
            {
                "chain_id": chain.id,
                "supplier_segment_id": existing[e.supplier].id,
                "buyer_segment_id": existing[e.buyer].id,
                "weight": e.weight,
                "reason": e.why,
            }
            for e in spec.edges
        ],
    )
    _sync_park_focus(session, spec, {code: row.id for code, row in existing.items()})
    return chain


def _sync_park_focus(session: Session, spec: ChainSpec, segment_ids: dict[str, int]) -> None:
    park_ids = _ids_by(session, m.Park.id, m.Park.name)
    for plan in spec.park_focus:
        if plan.park not in park_ids:
            raise InvalidRecord("park", f"产业链“{spec.name}”的园区规划引用了未登记的园区“{plan.park}”")
        focus_ids = [segment_ids[code] for code in plan.focus]
        session.execute(
            delete(m.ParkFocus).where(m.ParkFocus.park_id == park_ids[plan.park], m.ParkFocus.segment_id.in_(focus_ids))
        )
        for segment_id in focus_ids:
            session.add(m.ParkFocus(park_id=park_ids[plan.park], segment_id=segment_id, source=plan.source))


def _unstored(session: Session, table: type[m.Town] | type[m.Park], layer) -> list:
    known = set(_ids_by(session, table.id, table.name))
    return [row for row in layer.itertuples() if row.name not in known]


def sync_places(*, session: Session) -> None:
    """Insert the shipped towns and parks that are not in the database yet, with their provenance."""
    for row in _unstored(session, m.Town, town_layer()):
        x, y, provenance = row.geometry.x, row.geometry.y, {"confidence": row.confidence, "source": row.source}
        session.add(m.Town(name=row.name, code=row.code, anchor_lon=x, anchor_lat=y, **provenance))
    for row in _unstored(session, m.Park, park_layer()):
        x, y, provenance = row.geometry.x, row.geometry.y, {"confidence": row.confidence, "source": row.source}
        session.add(m.Park(name=row.name, aliases=row.aliases, lon=x, lat=y, **provenance))
    session.flush()


def row_values(record: EnterpriseRecord, town_ids: dict[str, int], park_ids: dict[str, int]) -> dict:
    for field, name, ids in (("town", record.town, town_ids), ("park", record.park, park_ids)):
        if name is not None and name not in ids:
            raise InvalidRecord(field, f"未知的{'街镇' if field == 'town' else '园区'}“{name}”")
    row = {
        "uscc": record.uscc,
        "name": record.name,
        "aliases": list(record.aliases),
        "address": record.address,
        "lon": record.lon,
        "lat": record.lat,
        "location_precision": record.precision.value,
        "products": record.products,
        "business_scope": record.business_scope,
        "industry_code": record.industry_code,
        "tech_centre_level": record.tech_centre.value,
        "revenue_yuan": record.revenue_yuan,
        "employees": record.employees,
        "founded_year": record.founded_year,
        "is_demo": record.demo,
        "city": record.city,
        "placement": record.placement,
        "town_id": town_ids.get(record.town) if record.town else None,
        "park_id": park_ids.get(record.park) if record.park else None,
    }
    row.update({f"is_{label.value}": label in record.labels for label in Label})
    return row


def segment_ids(session: Session, chain_code: str) -> dict[str, int]:
    query = select(m.Segment.id, m.Segment.code).join(m.Chain).where(m.Chain.code == chain_code)
    return {code: id_ for id_, code in session.exec(query)}


def segment_rows(enterprise_id: int, record: EnterpriseRecord, segment_ids: dict[str, int]) -> list[dict]:
    unknown = [code for code in record.segments if code not in segment_ids]
    if unknown:
        raise InvalidRecord("segments", f"未知的产业链环节代码：{'、'.join(unknown)}")
    return [
        {
            "enterprise_id": enterprise_id,
            "segment_id": segment_ids[code],
            "confidence": confidence,
            "source": SegmentSource.DECLARED.value,
            "evidence": "",
        }
        for code, confidence in record.segments.items()
    ]


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Many rows into one table in the session's transaction: PostgreSQL's ``COPY`` on PostgreSQL (a bulk
    import spends half its write time in per-row parameters otherwise), an executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    from psycopg.types.json import Json

    # COPY skips SQLAlchemy, so the columns' Python-side defaults (e.g. created_at) are filled here
    defaults = {
        c.name: c.default.arg(None) if c.default.is_callable else c.default.arg  # type: ignore[attr-defined]
        for c in table.columns
        if c.default is not None and c.name not in rows[0] and not c.default.is_sequence
    }
    rows = [{**defaults, **row} for row in rows] if defaults else rows
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Json(v) if isinstance(v, list | dict) else v for v in (row[c] for c in columns)])


def add_enterprises(
    *,
    session: Session,
    records: Iterable[EnterpriseRecord],
    chain_code: str,
    progress: Callable[[int, int], None] | None = None,
    checked: bool = False,
) -> int:
    """Validate and insert enterprises with their declared segments; all or nothing.

    Raises InvalidRecord (field ``uscc``) for a USCC that is already stored or repeated.
    ``progress(done, total)`` is told after each batch of rows; ``checked``: the records come
    from ``check_enterprise`` already (an import checks each row once, to report every error).
    Rows go in as Core executemany batches (the ORM's bulk insert splits them into small groups).
    """
    checked_records = list(records) if checked else [check_enterprise(r) for r in records]
    codes = [r.uscc for r in checked_records]
    _refuse_duplicates(session, codes)
    town_ids = _ids_by(session, m.Town.id, m.Town.name)
    park_ids = _ids_by(session, m.Park.id, m.Park.name)
    codes_to_ids = segment_ids(session, chain_code)
    total = len(checked_records)
    for start in range(0, total, BATCH):
        rows = [row_values(r, town_ids, park_ids) for r in checked_records[start : start + BATCH]]
        insert_rows(session, m.Enterprise.__table__, rows)  # type: ignore[attr-defined]
        if progress:
            progress(start + len(rows), total)
    declaring = [r for r in checked_records if r.segments]
    stored = _ids_by(session, m.Enterprise.id, m.Enterprise.uscc) if declaring else {}
    links = [row for r in declaring for row in segment_rows(stored[r.uscc], r, codes_to_ids)]
    for start in range(0, len(links), BATCH):
        insert_rows(session, m.EnterpriseSegment.__table__, links[start : start + BATCH])  # type: ignore[attr-defined]
    return total


def _refuse_duplicates(session: Session, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise InvalidRecord("uscc", f"统一社会信用代码“{code}”在本批数据中重复出现")
        seen.add(code)
    for start in range(0, len(codes), BATCH):
        chunk = codes[start : start + BATCH]
        clash = session.exec(select(m.Enterprise.uscc, m.Enterprise.name).where(m.Enterprise.uscc.in_(chunk))).first()
        if clash:
            raise InvalidRecord("uscc", f"统一社会信用代码“{clash[0]}”已存在（企业：{clash[1]}）")


def create_enterprise(*, session: Session, data: m.EnterpriseCreate, chain_code: str) -> m.Enterprise:
    labels = frozenset(label for label in Label if getattr(data, f"is_{label.value}"))
    record = EnterpriseRecord(
        uscc=data.uscc,
        name=data.name,
        address=data.address,
        town=data.town,
        park=data.park,
        lon=data.lon,
        lat=data.lat,
        precision=LocationPrecision(data.location_precision),
        products=data.products,
        business_scope=data.business_scope,
        industry_code=data.industry_code,
        aliases=tuple(data.aliases),
        labels=labels,
        tech_centre=TechCentreLevel(data.tech_centre_level),
        revenue_yuan=data.revenue_yuan,
        employees=data.employees,
        founded_year=data.founded_year,
        segments=data.segments,
        city=data.city,
        placement=data.placement,
    )
    add_enterprises(session=session, records=[record], chain_code=chain_code)
    return session.exec(select(m.Enterprise).where(m.Enterprise.uscc == normalize(record.uscc))).one()


def replace_demo(
    *, session: Session, district: DemoDistrict, chain_code: str, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Remove earlier demo records, then store the demo district; real records are untouched."""
    demo_ids = select(m.Enterprise.id).where(m.Enterprise.is_demo)
    session.execute(
        delete(m.Contract).where(or_(m.Contract.buyer_id.in_(demo_ids), m.Contract.seller_id.in_(demo_ids)))
    )
    session.execute(delete(m.EnterpriseSegment).where(m.EnterpriseSegment.enterprise_id.in_(demo_ids)))
    session.execute(delete(m.Enterprise).where(m.Enterprise.is_demo))
    n = add_enterprises(session=session, records=district.enterprises, chain_code=chain_code, progress=progress)
    ids = _ids_by(session, m.Enterprise.id, m.Enterprise.uscc)
    rows = [
        {
            "buyer_id": ids[c.buyer_uscc],
            "seller_id": ids[c.seller_uscc],
            "year": c.year,
            "contracted_yuan": c.contracted_yuan,
            "performed_yuan": c.performed_yuan,
            "signed_on": c.signed_on,
            "is_demo": c.demo,
        }
        for c in district.contracts
    ]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(m.Contract), rows[start : start + BATCH])
    return n, len(rows)


def to_public(session: Session, enterprise: m.Enterprise) -> m.EnterprisePublic:
    return to_public_many(session, [enterprise])[0]


def to_public_many(session: Session, enterprises: list[m.Enterprise]) -> list[m.EnterprisePublic]:
    """Enterprises with their segment codes, town and park: three queries, whatever the number of rows."""
    codes = _segment_codes(session, [e.id for e in enterprises if e.id is not None])
    towns = _names(session, m.Town, {e.town_id for e in enterprises})
    parks = _names(session, m.Park, {e.park_id for e in enterprises})
    return [
        m.EnterprisePublic.model_validate(
            e, update={"segments": codes.get(e.id, []), "town": towns.get(e.town_id), "park": parks.get(e.park_id)}
        )
        for e in enterprises
    ]


def _segment_codes(session: Session, ids: list[int]) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    links = select(m.EnterpriseSegment.enterprise_id, m.Segment.code).join(m.Segment)
    for enterprise_id, code in session.exec(links.where(m.EnterpriseSegment.enterprise_id.in_(ids))):
        codes.setdefault(enterprise_id, []).append(code)
    return codes


def _names(session: Session, table: type[m.Town] | type[m.Park], ids: set[int | None]) -> dict[int, str]:
    wanted = [id_ for id_ in ids if id_ is not None]
    return dict(session.exec(select(table.id, table.name).where(table.id.in_(wanted))).all()) if wanted else {}


# EnterprisePublic's stored fields, read as plain columns for the list (no ORM objects, no model per row)
_PUBLIC_COLUMNS = [m.Enterprise.__table__.c[name] for name in m.EnterprisePublic.model_fields if name in _STORED]


def list_enterprises(*, session: Session, q: str | None, offset: int, limit: int) -> tuple[int, list[dict]]:
    """How many enterprises match ``q`` (name or products), and one page of them as EnterprisePublic's JSON
    fields plus ``town_id`` and ``park_id``: four queries for the whole page."""
    query = select(m.Enterprise)
    if q:
        query = query.where(or_(m.Enterprise.name.contains(q), m.Enterprise.products.contains(q)))
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    table = m.Enterprise.__table__
    page = query.with_only_columns(*_PUBLIC_COLUMNS, table.c.town_id, table.c.park_id)
    rows = [dict(row) for row in session.execute(page.order_by(table.c.id).offset(offset).limit(limit)).mappings()]
    codes = _segment_codes(session, [row["id"] for row in rows])
    towns = _names(session, m.Town, {row["town_id"] for row in rows})
    parks = _names(session, m.Park, {row["park_id"] for row in rows})
    for row in rows:
        row.update(town=towns.get(row["town_id"]), park=parks.get(row["park_id"]), segments=codes.get(row["id"], []))
    return count, rows


def find_enterprises(*, session: Session, q: str, limit: int) -> list[m.Enterprise]:
    """Enterprises whose name contains ``q``, whose USCC starts with it, or whose products mention it
    (激光 finds the lidar makers): matches by name or code first, shortest names first."""
    q = q.strip()
    if not q:
        return []
    by_name = or_(
        m.Enterprise.name.contains(q, autoescape=True), m.Enterprise.uscc.startswith(q.upper(), autoescape=True)
    )
    query = select(m.Enterprise).where(or_(by_name, m.Enterprise.products.contains(q, autoescape=True)))
    order = (case((by_name, 0), else_=1), func.length(m.Enterprise.name), m.Enterprise.id)
    return list(session.exec(query.order_by(*order).limit(limit)).all())


def get_enterprise(*, session: Session, uscc: str) -> m.Enterprise | None:
    return session.exec(select(m.Enterprise).where(m.Enterprise.uscc == normalize(uscc))).first()


def counts(*, session: Session) -> dict[str, int]:
    """Row counts the home page and the CLI show."""
    tables = {
        "enterprises": m.Enterprise,
        "contracts": m.Contract,
        "segments": m.Segment,
        "parks": m.Park,
        "towns": m.Town,
    }
    return {name: session.exec(select(func.count()).select_from(table)).one() for name, table in tables.items()}


def segment_counts(*, session: Session, chain_code: str) -> dict[str, int]:
    """Segment code -> number of enterprises assigned to it."""
    query = (
        select(m.Segment.code, func.count(m.EnterpriseSegment.enterprise_id))
        .join(m.EnterpriseSegment)
        .join(m.Chain)
        .where(m.Chain.code == chain_code)
        .group_by(m.Segment.code)
    )
    return dict(session.exec(query).all())


def has_demo(*, session: Session) -> bool:
    return session.exec(select(m.Enterprise.id).where(m.Enterprise.is_demo).limit(1)).first() is not None
