"""Importing enterprises from a district's spreadsheet: placed, checked, stored all-or-nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session, select

from chainmap.records import EnterpriseRecord, InvalidRecord, Label, LocationPrecision, check_enterprise
from geodata import LOCAL_CITY, Datum
from geodata.placement import Placer
from service import models as m
from service import repository
from service.geo import place_or_refuse, placer_for
from service.tables import integer, read_table

COLUMNS = {
    "uscc": ("uscc", "统一社会信用代码"),
    "name": ("name", "企业名称", "名称"),
    "address": ("address", "地址", "注册地址", "经营地址"),
    "lon": ("lon", "经度"),
    "lat": ("lat", "纬度"),
    "products": ("products", "主营产品"),
    "business_scope": ("business_scope", "经营范围"),
    "industry_code": ("industry_code", "行业代码", "国民经济行业代码", "所属行业代码"),
    "city": ("city", "所在城市"),
    "revenue_yuan": ("revenue_yuan", "营业收入", "营业收入（元）"),
    "employees": ("employees", "从业人数"),
    "founded_year": ("founded_year", "成立年份"),
    "labels": ("labels", "标签"),
    "segments": ("segments", "环节代码"),
}
REQUIRED = ("uscc", "name")
LABELS_BY_NAME = {label.label: label for label in Label} | {label.value: label for label in Label}


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    stored: int
    errors: tuple[RowProblem, ...]
    placements: dict[str, int]  # placement method -> enterprises


def _number(row: dict[str, str], key: str) -> int | None:
    if not row.get(key, "").strip():
        return None
    value = integer(row[key])
    if value is None:
        raise InvalidRecord(key, f"“{row[key]}”不是整数")
    return value


def _coordinate(row: dict[str, str], key: str) -> float | None:
    text = row.get(key, "").strip()
    try:
        return float(text) if text else None
    except ValueError as exc:
        raise InvalidRecord(key, f"“{text}”不是数字坐标") from exc


def _labels(text: str) -> frozenset[Label]:
    names = [n.strip() for n in text.replace("；", "、").replace(";", "、").split("、") if n.strip()]
    unknown = [n for n in names if n not in LABELS_BY_NAME]
    if unknown:
        raise InvalidRecord("labels", f"未知标签：{'、'.join(unknown)}（可用：{'、'.join(LABELS_BY_NAME)}）")
    return frozenset(LABELS_BY_NAME[n] for n in names)


def record_from_row(row: dict[str, str], placer: Placer, datum: Datum) -> EnterpriseRecord:
    """One spreadsheet row as a checked, placed record; raises InvalidRecord naming the field."""
    city = row.get("city", "").strip() or LOCAL_CITY
    lon, lat = _coordinate(row, "lon"), _coordinate(row, "lat")
    record = EnterpriseRecord(
        uscc=row["uscc"],
        name=row["name"].strip(),
        address=row.get("address", "").strip(),
        products=row.get("products", "").strip(),
        business_scope=row.get("business_scope", "").strip(),
        industry_code=row.get("industry_code", ""),
        city=city,
        revenue_yuan=_number(row, "revenue_yuan"),
        employees=_number(row, "employees"),
        founded_year=_number(row, "founded_year"),
        labels=_labels(row.get("labels", "")),
        segments={code.strip(): 1.0 for code in row.get("segments", "").split(";") if code.strip()},
    )
    if city == LOCAL_CITY:
        place = place_or_refuse(placer, lon=lon, lat=lat, address=record.address, datum=datum)
        record = replace(
            record,
            lon=place.lon,
            lat=place.lat,
            town=place.town,
            park=place.park,
            precision=LocationPrecision(place.precision),
            placement=place.method.value,
        )
    return check_enterprise(record)


def _duplicates(session: Session, records: dict[int, EnterpriseRecord]) -> list[RowProblem]:
    errors, first_row = [], {}
    for row, record in records.items():
        if record.uscc in first_row:
            errors.append(RowProblem(row, "uscc", f"与第{first_row[record.uscc]}行的统一社会信用代码重复"))
        first_row.setdefault(record.uscc, row)
    stored = set(session.exec(select(m.Enterprise.uscc).where(m.Enterprise.uscc.in_(list(first_row)))).all())
    errors += [RowProblem(row, "uscc", f"“{code}”已在数据库中") for code, row in first_row.items() if code in stored]
    return errors


def import_enterprises(*, session: Session, path: Path, chain_code: str, datum: Datum | str) -> ImportReport:
    """Check every row; store all of them, or none when any row has an error."""
    placer = placer_for(session)
    records: dict[int, EnterpriseRecord] = {}
    errors: list[RowProblem] = []
    for row_number, row in read_table(path, COLUMNS, REQUIRED):
        try:
            records[row_number] = record_from_row(row, placer, Datum(datum))
        except InvalidRecord as exc:
            errors.append(RowProblem(row_number, exc.field, str(exc)))
    errors += _duplicates(session, records)
    known = repository.segment_ids(session, chain_code)
    errors += [
        RowProblem(row, "segments", f"未知的产业链环节代码“{code}”")
        for row, record in records.items()
        for code in record.segments
        if code not in known
    ]
    if errors:
        return ImportReport(0, tuple(sorted(errors, key=lambda e: e.row)), {})
    stored = repository.add_enterprises(session=session, records=list(records.values()), chain_code=chain_code)
    placements: dict[str, int] = {}
    for record in records.values():
        placements[record.placement] = placements.get(record.placement, 0) + 1
    return ImportReport(stored, (), placements)
