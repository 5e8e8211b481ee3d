"""Plain records of enterprises and contracts, and the checks every record must pass.

The service maps these to database rows; imports and the demo generator produce them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from chainmap import uscc
from geodata import G60_CITIES, LOCAL_CITY, inside_district


class LocationPrecision(StrEnum):
    """How a stored position was obtained, from best to worst."""

    SURVEYED = "surveyed"
    ADDRESS = "address"
    PARK = "park"  # the park's representative point: an estimate
    TOWN = "town"  # the town's anchor point: an estimate
    UNKNOWN = "unknown"

    @property
    def estimated(self) -> bool:
        return self in (LocationPrecision.PARK, LocationPrecision.TOWN)


class SegmentSource(StrEnum):
    """Who assigned an enterprise to a segment; ``manual`` always wins."""

    DECLARED = "declared"
    CLASSIFIED = "classified"
    MANUAL = "manual"


class Label(StrEnum):
    CHAIN_LEADER = "chain_leader"
    SPECIALIZED = "specialized"
    LITTLE_GIANT = "little_giant"
    HIGH_TECH = "high_tech"
    ABOVE_SCALE = "above_scale"
    LISTED = "listed"

    @property
    def label(self) -> str:
        return LABEL_NAMES[self]


LABEL_NAMES = {
    Label.CHAIN_LEADER: "链主",
    Label.SPECIALIZED: "专精特新",
    Label.LITTLE_GIANT: "专精特新“小巨人”",
    Label.HIGH_TECH: "高新技术企业",
    Label.ABOVE_SCALE: "规上企业",
    Label.LISTED: "上市企业",
}


class TechCentreLevel(StrEnum):
    NONE = "none"
    DISTRICT = "district"
    MUNICIPAL = "municipal"
    NATIONAL = "national"


class InvalidRecord(ValueError):
    """A record refused for one field; ``str()`` is a Chinese message naming the field."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(message)


@dataclass(frozen=True)
class EnterpriseRecord:
    uscc: str
    name: str
    address: str = ""
    town: str | None = None
    park: str | None = None
    lon: float | None = None
    lat: float | None = None
    precision: LocationPrecision = LocationPrecision.UNKNOWN
    products: str = ""
    business_scope: str = ""
    industry_code: str = ""  # GB/T 4754-2017 class (国民经济行业分类, 4 digits), as registration records carry it
    aliases: tuple[str, ...] = ()
    labels: frozenset[Label] = frozenset()
    tech_centre: TechCentreLevel = TechCentreLevel.NONE
    revenue_yuan: int | None = None
    employees: int | None = None
    founded_year: int | None = None
    segments: dict[str, float] = field(default_factory=dict)
    demo: bool = False
    city: str = LOCAL_CITY  # outside Songjiang: no position, town or park is kept
    placement: str = "declared"  # how town and park were found (geodata.placement.PlacementMethod), or declared


@dataclass(frozen=True)
class ContractRecord:
    buyer_uscc: str
    seller_uscc: str
    year: int
    contracted_yuan: int
    performed_yuan: int
    signed_on: date
    demo: bool = False


def check_uscc(code: str) -> str:
    try:
        return uscc.validate(code)
    except uscc.InvalidUSCC as exc:
        raise InvalidRecord("uscc", str(exc)) from exc


INDUSTRY_CODE = re.compile(r"[A-T]?(\d{4})")


def check_industry_code(code: str) -> str:
    """A GB/T 4754-2017 class code as four digits; the section letter (e.g. ``C3971``) is dropped."""
    code = code.strip().upper()
    if not code:
        return ""
    match = INDUSTRY_CODE.fullmatch(code)
    if match is None:
        raise InvalidRecord(
            "industry_code", f"行业代码“{code}”不是国民经济行业分类（GB/T 4754-2017）的4位小类代码，如 3971 或 C3971"
        )
    return match.group(1)


def check_location(lon: float | None, lat: float | None) -> None:
    """Both or neither coordinate, in WGS-84, inside the district."""
    if (lon is None) != (lat is None):
        raise InvalidRecord("location", "经度和纬度必须同时提供")
    if lon is None or lat is None:
        return
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidRecord("location", f"坐标({lon}, {lat})不是合法的WGS-84经纬度（是否把经纬度写反了？）")
    if not bool(inside_district(lon, lat)):
        raise InvalidRecord("location", f"坐标({lon:.6f}, {lat:.6f})不在松江区范围内（WGS-84）")


LOCAL_CITY_NAMES = frozenset({"松江", "上海松江", "上海松江区", "上海市松江区"})  # as people write 松江区


def normalise_city(text: str) -> str:
    """The city as people write it, as stored: 上海市松江区 → 松江区, 嘉兴 → 嘉兴市, spaces dropped."""
    city = "".join(text.split())
    if city in LOCAL_CITY_NAMES:
        return LOCAL_CITY
    return city + "市" if city + "市" in G60_CITIES else city


def check_enterprise(record: EnterpriseRecord) -> EnterpriseRecord:
    """Validate a record and return it with a normalised USCC; raise InvalidRecord otherwise."""
    code = check_uscc(record.uscc)
    if not record.name.strip():
        raise InvalidRecord("name", "企业名称不能为空")
    check_location(record.lon, record.lat)
    city = normalise_city(record.city)
    if not city:
        raise InvalidRecord("city", "所在城市不能为空（松江区内企业填“松江区”）")
    if city not in G60_CITIES:
        raise InvalidRecord("city", f"所在城市“{city}”应为松江区或G60科创走廊城市（{'、'.join(G60_CITIES[1:])}）")
    if city != LOCAL_CITY and (record.lon is not None or record.town or record.park):
        raise InvalidRecord("city", f"{city}的企业不能带松江区内的坐标、街镇或园区")
    for name, label, value in (
        ("revenue_yuan", "营业收入（元）", record.revenue_yuan),
        ("employees", "员工人数", record.employees),
    ):
        if value is not None and value < 0:
            raise InvalidRecord(name, f"{label}不能为负数，收到 {value}")
    if record.lon is not None and record.precision is LocationPrecision.UNKNOWN:
        raise InvalidRecord("precision", "有坐标的企业必须注明定位精度（surveyed/address/park/town）")
    industry = check_industry_code(record.industry_code)
    if (code, industry, city) == (record.uscc, record.industry_code, record.city):
        return record
    return replace(record, uscc=code, industry_code=industry, city=city)
