"""Placing an enterprise by coordinates (WGS-84 or GCJ-02), park alias, town name, or not at all."""

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from geodata import WGS84, haversine_km, parks, towns, wgs84_to_gcj02
from geodata.placement import PARK_RADIUS_KM, OfficialAreas, OutsideDistrict, PlacementMethod, Placer

PARK = "洞泾人工智能产业基地"


@pytest.fixture(scope="module")
def placer():
    return Placer()


def _park_point(name=PARK):
    point = parks().set_index("name").geometry[name]
    return point.x, point.y


def test_coordinates_near_a_park_point_place_it_in_that_park_and_its_nearest_town(placer):
    lon, lat = _park_point()
    placed = placer.place(lon=lon + 0.002, lat=lat + 0.001, surveyed=True)
    assert placed.park == PARK and placed.town == "洞泾镇"
    assert placed.method is PlacementMethod.COORDINATES and placed.precision == "surveyed"
    assert placed.areas == "schematic"
    far = placer.place(lon=lon + 0.03, lat=lat)  # about 2.9 km east: no longer "in" the park
    assert haversine_km(lon, lat, lon + 0.03, lat) > PARK_RADIUS_KM and far.park is None


def test_an_official_park_polygon_decides_instead_of_the_radius(placer):
    lon, lat = _park_point()
    polygon = box(lon + 0.004, lat - 0.004, lon + 0.012, lat + 0.004)  # east of the point, not containing it
    official = Placer(OfficialAreas(parks=gpd.GeoDataFrame({"name": [PARK]}, geometry=[polygon], crs=WGS84)))
    assert official.place(lon=lon + 0.008, lat=lat).park == PARK
    assert placer.place(lon=lon, lat=lat).park == PARK and official.place(lon=lon, lat=lat).park is None
    assert official.place(lon=lon, lat=lat).areas == "schematic"  # towns still approximate


def test_an_address_naming_only_a_town_falls_back_to_its_anchor(placer):
    placed = placer.place(address="上海市松江区泗泾镇泗砖路100号")
    anchor = towns().set_index("name").geometry["泗泾镇"]
    assert (placed.town, placed.park, placed.precision) == ("泗泾镇", None, "town")
    assert placed.method is PlacementMethod.ADDRESS_TOWN
    assert (placed.lon, placed.lat) == pytest.approx((anchor.x, anchor.y))


def test_an_address_naming_a_park_alias_places_it_at_the_park(placer):
    placed = placer.place(address="上海市松江区沈砖公路6000号创异工房3号楼")
    assert placed.park == PARK and placed.precision == "park" and placed.method is PlacementMethod.ADDRESS_PARK
    assert (placed.lon, placed.lat) == pytest.approx(_park_point())
    assert placed.town == "洞泾镇"  # from the park's point, since the address names no town


def test_gcj02_input_is_stored_as_wgs84_about_480_metres_away(placer):
    lon, lat = 121.2280, 31.0320  # 松江新城
    gx, gy = (float(v) for v in wgs84_to_gcj02(lon, lat))
    placed = placer.place(lon=gx, lat=gy, datum="gcj02")
    assert haversine_km(placed.lon, placed.lat, lon, lat) < 0.001
    misread = placer.place(lon=gx, lat=gy)  # the same numbers taken as WGS-84
    assert 0.4 < haversine_km(misread.lon, misread.lat, lon, lat) < 0.6


def test_a_point_outside_the_district_is_refused_with_its_coordinates(placer):
    with pytest.raises(OutsideDistrict, match=r"121\.550000, 31\.220000.*不在松江区范围内"):
        placer.place(lon=121.55, lat=31.22)  # 浦东


def test_nothing_to_go_on_is_unplaced_not_guessed(placer):
    placed = placer.place(address="上海市某路1号")
    assert placed.method is PlacementMethod.UNPLACED and placed.lon is None and placed.precision == "unknown"


def test_place_points_is_vectorised_and_agrees_with_place(placer):
    rng = np.random.default_rng(3)
    lon, lat = _park_point()
    xs, ys = lon + rng.normal(0, 0.01, 50), lat + rng.normal(0, 0.01, 50)
    _, _, town_names, park_names = placer.place_points(xs, ys)
    for x, y, town, park in zip(xs, ys, town_names, park_names, strict=True):
        single = placer.place(lon=x, lat=y)
        assert (single.town, single.park) == (town, park)


def test_outside_the_polygons_of_a_partial_load_a_point_gets_the_nearest_anchor():
    anchors = towns().set_index("name").geometry
    sijing = anchors["泗泾镇"].buffer(0.01)
    placer = Placer(OfficialAreas(towns=gpd.GeoDataFrame({"name": ["泗泾镇"]}, geometry=[sijing], crs=WGS84)))
    lon = np.array([anchors["泗泾镇"].x, anchors["九亭镇"].x])
    lat = np.array([anchors["泗泾镇"].y, anchors["九亭镇"].y])
    assert list(placer.towns_at(lon, lat)) == ["泗泾镇", "九亭镇"]
    assert list(placer.official_towns_at(lon, lat)) == ["泗泾镇", None]
