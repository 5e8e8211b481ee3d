"""Official boundaries in the database, re-placement, and the enterprise import (SQLite and PostgreSQL)."""

import random

import geopandas as gpd
import pandas as pd
import pytest
from sqlmodel import func, select

from chainmap.records import EnterpriseRecord, LocationPrecision
from chainmap.uscc import generate
from geodata import WGS84, parks, towns, wgs84_to_gcj02
from geodata.boundaries import BoundaryFileError, schematic_town_areas
from service import geo, repository
from service import models as m
from service.imports import ImportOptions, Kind, run_import

CHAIN = "smart_terminal"


@pytest.fixture
def codes():
    rng = random.Random(11)
    return [generate(rng) for _ in range(8)]


def _town_of(session, uscc):
    return session.exec(
        select(m.Town.name).join(m.Enterprise, m.Enterprise.town_id == m.Town.id).where(m.Enterprise.uscc == uscc)
    ).one()


def test_loading_official_towns_replaces_the_schematic_area_and_re_places_enterprises(session, tmp_path, codes):
    anchor = towns().set_index("name").geometry["泗泾镇"]
    record = EnterpriseRecord(
        uscc=codes[0], name="边界测试企业", lon=anchor.x, lat=anchor.y, town="洞泾镇",
        precision=LocationPrecision.ADDRESS, placement="coordinates",
    )  # fmt: skip
    repository.add_enterprises(session=session, records=[record], chain_code=CHAIN)
    assert _town_of(session, codes[0]) == "洞泾镇"
    cells = schematic_town_areas().set_index("name")
    path = tmp_path / "towns.geojson"
    gpd.GeoDataFrame({"名称": ["泗泾镇"]}, geometry=[cells.geometry["泗泾镇"]], crs=WGS84).to_file(path)

    with pytest.raises(BoundaryFileError, match=r"没有覆盖全部街镇，缺少 16 个：.*九亭镇.*--partial"):
        geo.load_boundaries(session=session, path=path, layer="towns")
    loaded = geo.load_boundaries(session=session, path=path, layer="towns", partial=True)

    assert loaded.features == 1 and loaded.placements.replaced >= 1 and loaded.placements.moved >= 1
    assert _town_of(session, codes[0]) == "泗泾镇"
    areas = geo.town_areas(session).set_index("name")
    assert bool(areas.loc["泗泾镇", "official"]) and not areas.drop("泗泾镇")["official"].any()
    notes = {
        f["properties"]["name"]: f["properties"]["note"] for f in geo.areas_geojson(geo.town_areas(session))["features"]
    }
    assert notes["泗泾镇"] == "官方边界" and notes["洞泾镇"].startswith("示意")


def test_a_bad_boundary_file_changes_nothing(session, tmp_path):
    path = tmp_path / "parks.geojson"
    gpd.GeoDataFrame({"name": ["不存在的园区"]}, geometry=[schematic_town_areas().geometry[0]], crs=WGS84).to_file(path)
    with pytest.raises(BoundaryFileError, match="找不到名称列"):
        geo.load_boundaries(session=session, path=path, layer="parks")
    assert geo.park_areas(session) is None


def import_enterprises(*, session, path, chain_code, datum):
    options = ImportOptions(chain_code=chain_code, datum=datum)
    return run_import(session=session, kind=Kind.ENTERPRISES, path=path, options=options)


def _sheet(tmp_path, rows, name="enterprises.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_import_places_each_row_by_coordinates_park_alias_or_town(session, tmp_path, codes):
    park = parks().set_index("name").geometry["G60电子信息国际创新产业园"]
    gx, gy = (float(v) for v in wgs84_to_gcj02(park.x + 0.001, park.y))
    rows = [
        {"统一社会信用代码": codes[1], "企业名称": "坐标企业", "经度": gx, "纬度": gy, "标签": "专精特新"},
        {
            "统一社会信用代码": codes[2],
            "企业名称": "园区企业",
            "地址": "松江区创异工房5号楼",
            "环节代码": "ST.CHIP.MCU",
        },
        {"统一社会信用代码": codes[3], "企业名称": "街镇企业", "地址": "上海市松江区新桥镇某路1号"},
        {"统一社会信用代码": codes[4], "企业名称": "外地企业", "所在城市": "苏州市"},
    ]
    report = import_enterprises(session=session, path=_sheet(tmp_path, rows), chain_code=CHAIN, datum="gcj02")
    assert report.problems == [] and report.stored == 4
    assert report.placements == {"coordinates": 1, "address_park": 1, "address_town": 1, "declared": 1}
    stored = {e.uscc: e for e in session.exec(select(m.Enterprise).where(m.Enterprise.uscc.in_(codes[1:5])))}
    assert abs(stored[codes[1]].lon - (park.x + 0.001)) < 1e-6 and stored[codes[1]].is_specialized
    assert stored[codes[2]].location_precision == "park" and stored[codes[3]].location_precision == "town"
    assert _town_of(session, codes[3]) == "新桥镇" and stored[codes[4]].lon is None


def test_a_sheet_with_any_bad_row_stores_nothing_and_names_every_problem(session, tmp_path, codes):
    repository.add_enterprises(
        session=session, records=[EnterpriseRecord(uscc=codes[5], name="已登记企业")], chain_code=CHAIN
    )
    before = session.exec(select(func.count()).select_from(m.Enterprise)).one()
    rows = [
        {"uscc": codes[6], "name": "正常企业", "address": "松江区泗泾镇", "lon": "", "lat": "", "labels": ""},
        {"uscc": codes[6], "name": "重复企业", "address": "", "lon": "", "lat": "", "labels": ""},
        {"uscc": "91310117XXXXXXXXXX", "name": "坏代码", "address": "", "lon": "", "lat": "", "labels": ""},
        {"uscc": codes[7], "name": "浦东企业", "address": "", "lon": "121.55", "lat": "31.22", "labels": ""},
        {"uscc": codes[5], "name": "已登记企业", "address": "", "lon": "", "lat": "", "labels": "独角兽"},
    ]
    report = import_enterprises(session=session, path=_sheet(tmp_path, rows), chain_code=CHAIN, datum="wgs84")
    problems = {(p.row, p.column) for p in report.problems}
    assert report.stored == 0
    assert {(3, "uscc"), (4, "uscc"), (5, "lon"), (6, "labels")} <= problems
    assert any("不在松江区范围内" in p.message for p in report.problems if p.row == 5)
    assert session.exec(select(func.count()).select_from(m.Enterprise)).one() == before


def test_unknown_segment_codes_are_row_errors(session, tmp_path, codes):
    rows = [{"uscc": codes[7], "name": "环节错误", "segments": "ST.NOPE"}]
    report = import_enterprises(session=session, path=_sheet(tmp_path, rows), chain_code=CHAIN, datum="wgs84")
    assert [(p.row, p.column) for p in report.problems] == [(2, "segments")] and "ST.NOPE" in report.problems[0].message


def test_replace_keeps_declared_placements(session, codes):
    anchor = towns().set_index("name").geometry["泗泾镇"]
    record = EnterpriseRecord(
        uscc=codes[0],
        name="申报位置企业",
        lon=anchor.x,
        lat=anchor.y,
        town="洞泾镇",
        precision=LocationPrecision.ADDRESS,
    )
    repository.add_enterprises(session=session, records=[record], chain_code=CHAIN)
    done = geo.replace_placements(session=session, placer=geo.placer_for(session))
    assert done.replaced == session.exec(select(func.count()).where(m.Enterprise.placement == "coordinates")).one()
    assert _town_of(session, codes[0]) == "洞泾镇"
