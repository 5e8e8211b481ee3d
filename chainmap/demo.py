"""A deterministic demo district: enterprises and contracts that look like Songjiang's.

Everything here is synthetic and says so: every name starts with 示例, every record has
``demo=True``. Proportions follow the seeds: the supply base (000 二(八)) is the widest
segment family, terminal makers cluster in the parks of the focus plan (000 一(三)),
buyers purchase along the chain's supply edges, and a minority of pairs cross the
3,000,000 元 threshold of the collaboration reward (003 二(二)).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

import numpy as np

from chainmap import uscc
from chainmap.industry import CodeMap
from chainmap.records import (
    ContractRecord,
    EnterpriseRecord,
    Label,
    LocationPrecision,
    TechCentreLevel,
)
from chainmap.taxonomy import Chain, Segment, Tier
from geodata import G60_CITIES, LOCAL_CITY, haversine_km, inside_district, parks, towns

# Share of enterprises per top-level direction; the rest are outside the chain.
DIRECTION_SHARE = {
    "ST.SUP": 0.36,
    "ST.ROB": 0.13,
    "ST.HOME": 0.10,
    "ST.AIT": 0.09,
    "ST.INS": 0.10,
    "ST.XC": 0.07,
    "ST.VR": 0.04,
    "ST.SAT": 0.03,
}
OUTSIDE_CHAIN_SHARE = 0.08
# Suppliers registered in the other G60 cities (002 footnote 8), for cross-city cooperation (000 三(一)2).
G60_SUPPLIER_SHARE = 0.05
# Segments that are thin in the demo district, so that the panorama has gaps to find.
SCARCE = {"ST.PART.REDUCER": 0.1, "ST.DISP": 0.15, "ST.CHIP.RF": 0.2, "ST.MAT.WAFER": 0.3}
YEARS = (2023, 2024, 2025, 2026)
G60_DISTANCE_KM = 100.0  # a supplier in another G60 city, as the buyer sees it

_BRANDS = list("启华芯宇星辰博联创智达瑞恒远航泰科新迅德安睿鼎晟锐维盛嘉融云翔凯卓越光朗")
_SUFFIX = {  # keyed by a segment's parent, else its direction
    "ST.MAT": ["半导体", "半导体材料"],
    "ST.CHIP": ["微电子", "集成电路", "半导体"],
    "ST.MOD": ["通信技术", "物联网科技"],
    "ST.SENS": ["传感技术", "感知科技"],
    "ST.PART": ["精密机械", "精密部件", "电子元件"],
    "ST.SW": ["软件技术", "信息技术"],
    "ST.SUP": ["光电科技", "电子制造", "汽车电子"],
    "ST.ROB": ["机器人", "智能装备", "自动化科技"],
    "ST.HOME": ["智能家居", "电器", "智能科技"],
    "ST.AIT": ["智能终端", "信息技术", "电脑科技"],
    "ST.INS": ["仪器仪表", "测控技术", "检测技术"],
    "ST.XC": ["信息安全", "计算机系统", "信创科技"],
    "ST.VR": ["虚拟现实", "交互科技", "脑科学技术"],
    "ST.SAT": ["卫星通信", "空天信息", "航天电子"],
    None: ["食品", "物流", "服饰", "包装材料", "化工", "建材"],
}
_OUTSIDE_PRODUCTS = [
    "烘焙食品、速冻食品的生产与销售",
    "仓储服务、道路货物运输、供应链管理",
    "服装设计与加工、针纺织品销售",
    "纸箱、塑料包装制品的生产",
    "涂料、胶粘剂等精细化工产品",
    "预拌混凝土、新型墙体材料",
    "餐饮管理、食堂承包",
    "园林绿化工程、市政设施养护",
]
_ROADS = ["新业路", "创业路", "科技路", "工业路", "振兴路", "荣乐路", "民益路", "明南路", "九新公路", "沪松公路"]


@dataclass(frozen=True)
class DemoDistrict:
    enterprises: list[EnterpriseRecord]
    contracts: list[ContractRecord]
    seed: int


def _leaf_weights(chain: Chain, rng: random.Random) -> dict[str, dict[str, float]]:
    """Per direction, the relative weight of each of its non-scenario leaf segments."""
    weights: dict[str, dict[str, float]] = {}
    for root in DIRECTION_SHARE:
        leaves = [c for c in chain.descendants(root) if not chain.children.get(c)]
        weights[root] = {c: rng.lognormvariate(0, 0.45) * SCARCE.get(c, 1.0) for c in leaves}
    return weights


def _park_plan(chain: Chain) -> dict[str, list[str]]:
    """Segment code -> parks whose planned focus covers it."""
    plan: dict[str, list[str]] = defaultdict(list)
    for focus in chain.park_focus:
        for code in focus.focus:
            for covered in chain.descendants(code):
                plan[covered].append(focus.park)
    return plan


class _Placer:
    """Random points inside the real boundary, near a park or a town anchor."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.parks = {row.name: (row.geometry.x, row.geometry.y) for row in parks().itertuples()}
        self.towns = {row.name: (row.geometry.x, row.geometry.y) for row in towns().itertuples()}

    def near(self, lon: float, lat: float, sigma_km: float) -> tuple[float, float]:
        for _ in range(200):
            x = lon + self.rng.gauss(0, sigma_km / 95.3)  # km per degree of longitude at 31°N
            y = lat + self.rng.gauss(0, sigma_km / 111.0)
            if bool(inside_district(x, y)):
                return round(x, 6), round(y, 6)
        return lon, lat

    def nearest_town(self, lon: float, lat: float) -> str:
        names = list(self.towns)
        xy = np.array([self.towns[n] for n in names])
        return names[int(np.argmin(haversine_km(lon, lat, xy[:, 0], xy[:, 1])))]


def _name(rng: random.Random, chain: Chain, code: str | None, taken: set[str], city: str) -> str:
    parent = chain.segments[code].parent if code else None
    suffixes = _SUFFIX.get(parent) or _SUFFIX[chain.root_of(code).code if code else None]
    prefix = "上海" if city == LOCAL_CITY else city.removesuffix("市")
    while True:
        brand = "".join(rng.sample(_BRANDS, 2))
        name = f"示例·{prefix}{brand}{rng.choice(suffixes)}有限公司"
        if name not in taken:
            taken.add(name)
            return name


def _products(rng: random.Random, segment: Segment) -> tuple[str, str]:
    words = rng.sample(segment.keywords, min(len(segment.keywords), rng.randint(2, 3)))
    products = f"主营{'、'.join(words)}等产品的研发与生产"
    verb = "研发、生产、销售" if segment.tier is not Tier.SCENARIO else "集成与运营服务"
    scope = (
        f"从事{segment.name}领域内的技术开发、技术咨询、技术服务；{words[0]}的{verb}；"
        "货物进出口；技术进出口。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    )
    return products, scope


def _labels(rng: random.Random, revenue: int, downstream: bool) -> frozenset[Label]:
    labels = set()
    if revenue >= 20_000_000:  # 规模以上工业企业: 年主营业务收入2000万元及以上
        labels.add(Label.ABOVE_SCALE)
    if rng.random() < 0.32:
        labels.add(Label.HIGH_TECH)
    if rng.random() < 0.09 and revenue < 1_000_000_000:
        labels.add(Label.SPECIALIZED)
        if rng.random() < 0.18:
            labels.add(Label.LITTLE_GIANT)
    if revenue > 800_000_000 and downstream and rng.random() < 0.7:
        labels.add(Label.CHAIN_LEADER)
    if revenue > 800_000_000 and rng.random() < 0.35:
        labels.add(Label.LISTED)
    return frozenset(labels)


def _tech_centre(rng: random.Random, revenue: int) -> TechCentreLevel:
    draw = rng.random() * (1 if revenue > 100_000_000 else 4)
    if draw < 0.04:
        return TechCentreLevel.NATIONAL
    if draw < 0.15:
        return TechCentreLevel.MUNICIPAL
    return TechCentreLevel.DISTRICT if draw < 0.3 else TechCentreLevel.NONE


@cache
def _class_of_segment(chain_code: str) -> dict[str, str]:
    """Segment -> the first industry class (GB/T 4754-2017) mapped to it."""
    first: dict[str, str] = {}
    for class_code, target in sorted(CodeMap.for_chain(chain_code).targets.items()):
        first.setdefault(target.segment, class_code)
    return first


def _industry_code(chain: Chain, code: str) -> str:
    """The class a registration would carry: of the segment, else of the nearest segment above it."""
    classes = _class_of_segment(chain.code)
    return next((classes[c] for c in (code, *chain.ancestors(code)) if c in classes), "")


def _enterprise(rng: random.Random, chain: Chain, code: str | None, place: dict, taken: set[str]) -> EnterpriseRecord:
    downstream = code is not None and chain.segments[code].tier is Tier.DOWNSTREAM
    revenue = int(rng.lognormvariate(math.log(12_000_000), 1.4) * (2.5 if downstream else 1.0))
    if code:
        products, scope = _products(rng, chain.segments[code])
    else:
        products = rng.choice(_OUTSIDE_PRODUCTS)
        scope = f"许可项目：{products}。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    return EnterpriseRecord(
        uscc=uscc.generate(rng),
        name=_name(rng, chain, code, taken, place.get("city", LOCAL_CITY)),
        products=products,
        business_scope=scope,
        industry_code=_industry_code(chain, code) if code else "",
        labels=_labels(rng, revenue, downstream),
        tech_centre=_tech_centre(rng, revenue),
        revenue_yuan=revenue,
        employees=max(5, int(revenue / rng.uniform(600_000, 1_500_000))),
        founded_year=rng.randint(1995, 2024),
        segments={code: 1.0} if code else {},
        demo=True,
        **place,
    )


def _place(rng: random.Random, placer: _Placer, plan: list[str]) -> dict:
    roll = rng.random()
    if (plan and roll < 0.6) or roll < 0.25:
        park = rng.choice(plan) if plan and roll < 0.6 else rng.choice(list(placer.parks))
        lon, lat = placer.near(*placer.parks[park], sigma_km=0.9)
        town = placer.nearest_town(lon, lat)
        precision = LocationPrecision.SURVEYED if rng.random() < 0.15 else LocationPrecision.ADDRESS
    else:
        park = None
        town = rng.choice(list(placer.towns))
        if rng.random() < 0.15:
            (lon, lat), precision = placer.towns[town], LocationPrecision.TOWN
        else:
            lon, lat = placer.near(*placer.towns[town], sigma_km=1.6)
            precision = LocationPrecision.ADDRESS
    address = f"上海市松江区{town}{rng.choice(_ROADS)}{rng.randint(1, 2999)}号"
    placement = "address_town" if precision is LocationPrecision.TOWN else "coordinates"
    return {
        "town": town,
        "park": park,
        "lon": lon,
        "lat": lat,
        "precision": precision,
        "address": address,
        "placement": placement,
    }


def _contracts(rng: random.Random, chain: Chain, enterprises: list[EnterpriseRecord]) -> list[ContractRecord]:
    """Buyers purchase from suppliers of upstream segments, favouring big and nearby ones."""
    by_segment: dict[str, list[EnterpriseRecord]] = defaultdict(list)
    for e in enterprises:
        for code in e.segments:
            by_segment[code].append(e)
    suppliers_of: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for edge in chain.edges:
        suppliers_of[edge.buyer].append((edge.supplier, edge.weight))
    contracts: list[ContractRecord] = []
    for buyer in enterprises:
        if buyer.city != LOCAL_CITY:  # the district's records cover its own buyers
            continue
        for code in buyer.segments:
            options = [(s, w) for s, w in suppliers_of[code] if by_segment[s]]
            for supplier_code, weight in options:
                if rng.random() > 0.55 * weight:
                    continue
                seller = _pick_supplier(rng, buyer, by_segment[supplier_code])
                contracts.extend(_pair_history(rng, buyer, seller))
    return contracts


def _pick_supplier(rng: random.Random, buyer: EnterpriseRecord, pool: list[EnterpriseRecord]) -> EnterpriseRecord:
    sample = rng.sample(pool, min(len(pool), 12))
    where = np.array([(s.lon, s.lat) if s.lon is not None else (np.nan, np.nan) for s in sample], dtype=float)
    distance = np.nan_to_num(haversine_km(buyer.lon, buyer.lat, where[:, 0], where[:, 1]), nan=G60_DISTANCE_KM)  # type: ignore[arg-type]
    scores = [
        math.log1p((s.revenue_yuan or 0) / 1e6) / (1 + float(d) / 5) for s, d in zip(sample, distance, strict=True)
    ]
    return rng.choices(sample, weights=scores)[0]


def _pair_history(rng: random.Random, buyer: EnterpriseRecord, seller: EnterpriseRecord) -> list[ContractRecord]:
    scale = 3.0 if Label.CHAIN_LEADER in buyer.labels else 1.0
    yearly = rng.lognormvariate(math.log(700_000 * scale), 0.9)
    first = rng.choice(YEARS)
    records = []
    for year in range(first, YEARS[-1] + 1):
        if year > first and rng.random() < 0.12:  # the pair lapses
            break
        for _ in range(rng.choice((1, 1, 2, 3))):
            contracted = int(yearly / 1.6 * rng.uniform(0.6, 1.4) / 100) * 100
            signed = date(year, 1, 1) + timedelta(days=rng.randrange(0, 330))
            records.append(
                ContractRecord(
                    buyer_uscc=buyer.uscc,
                    seller_uscc=seller.uscc,
                    year=year,
                    contracted_yuan=contracted,
                    performed_yuan=int(contracted * rng.uniform(0.7, 1.0)),
                    signed_on=signed,
                    demo=True,
                )
            )
        yearly *= max(0.3, rng.gauss(1.12, 0.3))
    return records


def generate_demo(chain: Chain, n_enterprises: int = 3000, seed: int = 42) -> DemoDistrict:
    """The demo district for ``chain``: same seed, same district."""
    rng = random.Random(seed)
    weights = _leaf_weights(chain, rng)
    plan = _park_plan(chain)
    placer = _Placer(rng)
    taken: set[str] = set()
    directions = [*DIRECTION_SHARE, None]
    shares = [*DIRECTION_SHARE.values(), OUTSIDE_CHAIN_SHARE]
    supply_leaves = list(weights["ST.SUP"])
    enterprises = []
    for _ in range(n_enterprises):
        if rng.random() < G60_SUPPLIER_SHARE:
            city = rng.choice(G60_CITIES[1:])
            enterprises.append(_enterprise(rng, chain, rng.choice(supply_leaves), {"city": city}, taken))
            continue
        root = rng.choices(directions, weights=shares)[0]
        code = rng.choices(list(weights[root]), weights=list(weights[root].values()))[0] if root else None
        place = _place(rng, placer, plan.get(code, []) if code else [])
        enterprises.append(_enterprise(rng, chain, code, place, taken))
    return DemoDistrict(enterprises, _contracts(rng, chain, enterprises), seed)


def scale_up(district: DemoDistrict, n_enterprises: int, seed: int = 0) -> DemoDistrict:
    """A bigger synthetic district for benchmarks: copies of the demo, moved a little, with their contracts.

    Copy ``k`` of an enterprise gets a new code, the name suffix ``·k``, and its position moved up
    to about 1 km (kept inside the district); its contracts are copied between copies ``k``.
    Benchmarks only: the copies are as synthetic as the demo and marked the same way.
    """
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    base = district.enterprises
    copies = -(-n_enterprises // len(base))
    enterprises: list[EnterpriseRecord] = []
    codes: list[dict[str, str]] = []
    for k in range(copies):
        renamed = {e.uscc: uscc.generate(rng) for e in base} if k else {e.uscc: e.uscc for e in base}
        codes.append(renamed)
        located = np.array([(e.lon, e.lat) if e.lon is not None else (np.nan, np.nan) for e in base], dtype=float)
        moved = located + (np_rng.normal(0, 0.005, located.shape) if k else 0)
        keep = ~np.isnan(moved[:, 0])
        keep[keep] = inside_district(moved[keep, 0], moved[keep, 1])
        moved[~keep] = located[~keep]
        for e, (lon, lat) in zip(base, moved, strict=True):
            position = {"lon": round(lon, 6), "lat": round(lat, 6)} if e.lon is not None else {}
            name = f"{e.name}·{k}" if k else e.name
            enterprises.append(replace(e, uscc=renamed[e.uscc], name=name, **position))
    contracts = [
        replace(c, buyer_uscc=renamed[c.buyer_uscc], seller_uscc=renamed[c.seller_uscc])
        for renamed in codes
        for c in district.contracts
    ]
    kept = {e.uscc for e in enterprises[:n_enterprises]}
    return DemoDistrict(
        enterprises[:n_enterprises],
        [c for c in contracts if c.buyer_uscc in kept and c.seller_uscc in kept],
        district.seed,
    )
