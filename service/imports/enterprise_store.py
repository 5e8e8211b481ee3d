"""Checked enterprise rows into the database: new ones inserted in bulk, known ones updated field by field.

A re-import changes only what the file says: a blank cell leaves the stored value, an unplaced address
leaves the stored position, and segments set by a person (source ``manual``) are never replaced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, insert, update
from sqlmodel import Session, select

from chainmap.records import EnterpriseRecord, Label, SegmentSource
from geodata.placement import PlacementMethod
from service import models as m
from service import repository
from service.imports.rows import Progress, RowProblem, reported

# Field shown in a diff -> (its Chinese name, the enterprise table's columns it writes)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("企业名称", ("name",)),
    "address": ("地址", ("address",)),
    "products": ("主营产品", ("products",)),
    "business_scope": ("经营范围", ("business_scope",)),
    "industry_code": ("行业代码", ("industry_code",)),
    "city": ("所在城市", ("city",)),
    "revenue_yuan": ("营业收入（元）", ("revenue_yuan",)),
    "employees": ("从业人数", ("employees",)),
    "founded_year": ("成立年份", ("founded_year",)),
    "labels": ("标签", tuple(f"is_{label.value}" for label in Label)),
    "position": ("位置", ("lon", "lat", "location_precision", "placement", "town_id", "park_id")),
}
TEXT_FIELDS = frozenset({"name", "products", "business_scope", "industry_code"})  # a change re-runs the classifier


@dataclass(frozen=True)
class FieldChange:
    row: int
    uscc: str
    name: str  # the stored name
    field: str  # Chinese name of the field
    old: str
    new: str


@dataclass(frozen=True)
class Update:
    row: int
    enterprise_id: int
    record: EnterpriseRecord
    fields: tuple[str, ...]  # keys of FIELDS that change
    segments: bool  # the declared segments change
    manual_kept: bool  # the file declares segments but a person set them: kept


def duplicate_problems(codes: dict[int, str]) -> list[RowProblem]:
    """A code repeated in the file (``codes``: row -> valid USCC): every later row refers to the first."""
    first: dict[str, int] = {}
    problems = []
    for row, code in codes.items():
        if code in first:
            problems.append(RowProblem(row, "uscc", f"与第{first[code]}行的统一社会信用代码重复"))
        first.setdefault(code, row)
    return problems


def stored_by_uscc(session: Session, codes: list[str]) -> dict[str, m.Enterprise]:
    found: dict[str, m.Enterprise] = {}
    for start in range(0, len(codes), repository.BATCH):
        chunk = codes[start : start + repository.BATCH]
        found |= {e.uscc: e for e in session.exec(select(m.Enterprise).where(m.Enterprise.uscc.in_(chunk)))}
    return found


def _display(values: dict, field: str, names: dict[str, dict[int, str]]) -> str:
    if field == "labels":
        return "、".join(label.label for label in Label if values[f"is_{label.value}"]) or "（无）"
    if field == "position":
        town, park = names["town"].get(values["town_id"], ""), names["park"].get(values["park_id"], "")
        where = f"{values['lon']:.6f},{values['lat']:.6f}" if values["lon"] is not None else "无坐标"
        return " ".join(part for part in (town, park, where) if part)
    value = values[field]
    if field == "revenue_yuan" and value is not None:
        return f"{value:,}"
    return "" if value is None else str(value)


def _given(record: EnterpriseRecord, columns: set[str]) -> list[str]:
    """Fields the file says something about for this record (blank cells say nothing)."""
    given = [
        key
        for key in FIELDS
        if key in columns and key not in ("labels", "position") and getattr(record, key) not in (None, "")
    ]
    if "labels" in columns and record.labels:
        given.append("labels")
    if record.placement not in ("declared", PlacementMethod.UNPLACED.value):
        given.append("position")
    return given


class EnterpriseWriter:
    """Ids and names the import needs from the database, loaded once."""

    def __init__(self, session: Session, chain_code: str):
        self.session = session
        self.chain_code = chain_code
        self.segment_ids = repository.segment_ids(session, chain_code)
        self.town_ids = dict(session.exec(select(m.Town.name, m.Town.id)).all())
        self.park_ids = dict(session.exec(select(m.Park.name, m.Park.id)).all())
        self.names = {
            "town": {v: k for k, v in self.town_ids.items()},
            "park": {v: k for k, v in self.park_ids.items()},
        }

    def _links(self, enterprise_id: int) -> dict[str, set[str]]:
        query = (
            select(m.EnterpriseSegment.source, m.Segment.code)
            .join(m.Segment)
            .where(
                m.EnterpriseSegment.enterprise_id == enterprise_id, m.Segment.id.in_(list(self.segment_ids.values()))
            )
        )
        links: dict[str, set[str]] = defaultdict(set)
        for source, code in self.session.exec(query):
            links[source].add(code)
        return links

    def diff(
        self, row: int, stored: m.Enterprise, record: EnterpriseRecord, columns: set[str]
    ) -> tuple[Update, list[FieldChange]]:
        """What updating ``stored`` with ``record`` would change, field by field (old -> new)."""
        old = stored.model_dump()
        new = repository.row_values(record, self.town_ids, self.park_ids)
        changes, fields = [], []
        for key in _given(record, columns):
            before, after = _display(old, key, self.names), _display(new, key, self.names)
            if before != after:
                fields.append(key)
                changes.append(FieldChange(row, stored.uscc, stored.name, FIELDS[key][0], before, after))
        links = self._links(stored.id)  # type: ignore[arg-type]
        declares = "segments" in columns and bool(record.segments)
        manual = declares and bool(links[SegmentSource.MANUAL.value])
        segments = declares and not manual and links[SegmentSource.DECLARED.value] != set(record.segments)
        if segments:
            before = "、".join(sorted(links[SegmentSource.DECLARED.value])) or "（无）"
            changes.append(FieldChange(row, stored.uscc, stored.name, "环节代码", before, "、".join(record.segments)))
        return Update(row, stored.id, record, tuple(fields), segments, manual), changes  # type: ignore[arg-type]

    def apply(self, updates: list[Update]) -> list[int]:
        """Write the changed fields and declared segments; the ids whose text changed (to classify again)."""
        for item in updates:
            values = repository.row_values(item.record, self.town_ids, self.park_ids)
            written = {column: values[column] for key in item.fields for column in FIELDS[key][1]}
            if written:
                self.session.execute(
                    update(m.Enterprise).where(m.Enterprise.id == item.enterprise_id).values(**written)
                )
            if item.segments:
                self._declare(item.enterprise_id, item.record)
        return [item.enterprise_id for item in updates if TEXT_FIELDS & set(item.fields)]

    def _declare(self, enterprise_id: int, record: EnterpriseRecord) -> None:
        self.session.execute(
            delete(m.EnterpriseSegment).where(
                m.EnterpriseSegment.enterprise_id == enterprise_id,
                m.EnterpriseSegment.segment_id.in_(list(self.segment_ids.values())),
                m.EnterpriseSegment.source != SegmentSource.MANUAL.value,
            )
        )
        self.session.execute(
            insert(m.EnterpriseSegment), repository.segment_rows(enterprise_id, record, self.segment_ids)
        )

    def insert(self, records: list[EnterpriseRecord], progress: Progress) -> list[int]:
        """New enterprises in bulk; their ids."""
        advance = reported(progress, "写入", len(records))
        repository.add_enterprises(
            session=self.session,
            records=records,
            chain_code=self.chain_code,
            progress=lambda done, _: advance(done),
            checked=True,
        )
        return list(ids_by_uscc(self.session, [r.uscc for r in records]).values())


def ids_by_uscc(session: Session, codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), repository.BATCH):
        chunk = codes[start : start + repository.BATCH]
        found |= dict(
            session.exec(select(m.Enterprise.uscc, m.Enterprise.id).where(m.Enterprise.uscc.in_(chunk))).all()
        )
    return found
