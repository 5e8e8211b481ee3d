"""Enterprise rows: read with header synonyms, every problem of a row reported, placed in one vectorised pass."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from chainmap.records import (
    EnterpriseRecord,
    InvalidRecord,
    Label,
    LocationPrecision,
    check_enterprise,
    check_industry_code,
    check_uscc,
    normalise_city,
)
from geodata import LOCAL_CITY, Datum
from geodata.placement import Placement, Placer
from service.imports.rows import Progress, RowCheck, RowProblem, amount_yuan, reported, whole_number

# Canonical key -> the headers offices use (the first is the Chinese name shown in messages).
COLUMNS = {
    "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "USCC", "uscc"),
    "name": ("企业名称", "单位名称", "名称", "name"),
    "address": ("地址", "注册地址", "经营地址", "address"),
    "lonlat": ("经纬度", "坐标", "lonlat"),
    "lon": ("经度", "lon"),
    "lat": ("纬度", "lat"),
    "products": ("主营产品", "主要产品", "products"),
    "business_scope": ("经营范围", "business_scope"),
    "industry_code": ("行业代码", "国民经济行业代码", "所属行业代码", "industry_code"),
    "city": ("所在城市", "城市", "city"),
    "revenue_yuan": ("营业收入", "营业收入（元）", "revenue_yuan"),
    "employees": ("从业人数", "员工人数", "employees"),
    "founded_year": ("成立年份", "founded_year"),
    "labels": ("标签", "企业标签", "labels"),
    "segments": ("环节代码", "segments"),
}
REQUIRED = ("uscc", "name")
SHORT_LABELS = {"规上": Label.ABOVE_SCALE, "上市": Label.LISTED, "小巨人": Label.LITTLE_GIANT}  # as offices write them
LABELS_BY_NAME = {label.label: label for label in Label} | {label.value: label for label in Label} | SHORT_LABELS
SEPARATORS = re.compile(r"[、;；,，]")
PAIR = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*[,，\s]\s*([-+]?\d+(?:\.\d+)?)\s*")


@dataclass(frozen=True)
class Parsed:
    """A row whose cells all read: the record before placement, and its coordinates as written."""

    row: int
    record: EnterpriseRecord
    point: tuple[float, float] | None
    point_column: str


def _labels(text: str) -> frozenset[Label]:
    names = [n.strip() for n in SEPARATORS.split(text) if n.strip()]
    unknown = [n for n in names if n not in LABELS_BY_NAME]
    if unknown:
        raise InvalidRecord(
            "labels", f"未知标签：{'、'.join(unknown)}（可用：{'、'.join(label.label for label in Label)}）"
        )
    return frozenset(LABELS_BY_NAME[n] for n in names)


def _segments(text: str, known: set[str]) -> dict[str, float]:
    codes = [code.strip() for code in SEPARATORS.split(text) if code.strip()]
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidRecord("segments", f"未知的产业链环节代码“{'、'.join(unknown)}”")
    return dict.fromkeys(codes, 1.0)


def _coordinate(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError as exc:
        raise ValueError(f"“{text}”不是数字坐标") from exc


def _point(check: RowCheck) -> tuple[tuple[float, float] | None, str]:
    """(lon, lat) from 经纬度 ("121.22, 31.03") or from 经度 and 纬度; problems are the row's."""
    if check.text("lonlat"):
        found = PAIR.fullmatch(check.text("lonlat"))
        if found is None:
            check.refuse("lonlat", f"“{check.text('lonlat')}”不是“经度,纬度”形式的坐标，如 121.22,31.03")
            return None, "lonlat"
        lon, lat = float(found.group(1)), float(found.group(2))
        column = "lonlat"
    else:
        before = len(check.problems)
        lon, lat = check.field("lon", _coordinate), check.field("lat", _coordinate)
        column = "lon"
        if (lon is None) != (lat is None) and len(check.problems) == before:
            check.refuse("lat" if lat is None else "lon", "经度和纬度必须同时提供")
        if lon is None or lat is None:
            return None, column
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        check.refuse(column, f"坐标({lon}, {lat})不是合法的经纬度（是否把经纬度写反了？）")
        return None, column
    return (lon, lat), column


def parse_row(
    row: int, cells: dict[str, str], known_segments: set[str]
) -> tuple[Parsed | None, list[RowProblem], str | None]:
    """Every cell read on its own: a record when all read, every problem the row has, and its valid USCC."""
    check = RowCheck(row, cells)
    code = check.field("uscc", check_uscc)
    if not check.text("name"):
        check.refuse("name", "企业名称不能为空")
    industry = check.field("industry_code", check_industry_code)
    numbers = {key: check.field(key, whole_number) for key in ("employees", "founded_year")}
    revenue = check.field("revenue_yuan", amount_yuan)
    labels = check.field("labels", _labels)
    segments = check.field("segments", lambda text: _segments(text, known_segments))
    point, point_column = _point(check)
    city = normalise_city(check.text("city")) or LOCAL_CITY
    if city != LOCAL_CITY and point is not None:
        check.refuse("city", f"{city}的企业不能带松江区内的坐标（松江区内企业的所在城市填“松江区”或留空）")
    if check.problems or code is None:
        return None, check.problems, code
    record = EnterpriseRecord(
        uscc=code,
        name=check.text("name"),
        address=check.text("address"),
        products=check.text("products"),
        business_scope=check.text("business_scope"),
        industry_code=industry or "",
        city=city,
        revenue_yuan=revenue,
        labels=labels or frozenset(),
        segments=segments or {},
        **numbers,
    )
    return Parsed(row, record, point, point_column), [], code


def _placed(record: EnterpriseRecord, place: Placement) -> EnterpriseRecord:
    return replace(
        record,
        lon=place.lon,
        lat=place.lat,
        town=place.town,
        park=place.park,
        precision=LocationPrecision(place.precision),
        placement=place.method.value,
    )


def place_rows(parsed: list[Parsed], placer: Placer, datum: Datum) -> tuple[dict[int, EnterpriseRecord], list]:
    """Songjiang rows placed by their coordinates (all at once) or their address; other cities as they are."""
    records: dict[int, EnterpriseRecord] = {}
    problems: list[RowProblem] = []
    with_point = [p for p in parsed if p.point is not None]
    places = placer.place_many([p.point[0] for p in with_point], [p.point[1] for p in with_point], datum)  # type: ignore[index]
    for item, place in zip(with_point, places, strict=True):
        if place is None:
            lon, lat = item.point  # type: ignore[misc]
            message = f"坐标({lon:.6f}, {lat:.6f})（按 {Datum(datum).value.upper()} 解读）不在松江区范围内"
            problems.append(RowProblem(item.row, item.point_column, message))
        else:
            records[item.row] = _placed(item.record, place)
    for item in parsed:
        if item.point is None:
            local = item.record.city == LOCAL_CITY
            records[item.row] = (
                _placed(item.record, placer.place_address(item.record.address)) if local else item.record
            )
    return records, problems


def checked_rows(
    rows: list[tuple[int, dict[str, str]]], known_segments: set[str], placer: Placer, datum: Datum, progress: Progress
) -> tuple[dict[int, EnterpriseRecord], list[RowProblem], dict[int, str]]:
    """Rows read, placed and checked as a whole record; the problems of all rows; each row's valid USCC."""
    parsed: list[Parsed] = []
    problems: list[RowProblem] = []
    codes: dict[int, str] = {}
    advance = reported(progress, "校验", len(rows))
    for done, (row, cells) in enumerate(rows, start=1):
        item, found, code = parse_row(row, cells, known_segments)
        problems += found
        parsed += [item] if item else []
        if code is not None:
            codes[row] = code
        advance(done)
    records, outside = place_rows(parsed, placer, datum)
    for row, record in list(records.items()):
        try:
            records[row] = check_enterprise(record)
        except InvalidRecord as exc:
            problems.append(RowProblem(row, exc.field, str(exc)))
            del records[row]
    return records, problems + outside, codes
