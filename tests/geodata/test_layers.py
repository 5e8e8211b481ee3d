import geopandas as gpd
import pytest
from shapely.geometry import Point

from geodata import WGS84, check_crs, district, inside_district, parks, towns


def test_district_is_songjiang_in_wgs84_with_its_official_area():
    frame = district()
    assert frame.crs.equals(WGS84)
    area_km2 = frame.to_crs("EPSG:32651").area.iloc[0] / 1e6
    assert abs(area_km2 - 605.64) / 605.64 < 0.01


def test_parks_and_towns_carry_confidence_and_lie_inside():
    for layer, expected in ((parks(), 10), (towns(), 17)):
        assert len(layer) == expected
        assert layer["confidence"].notna().all()
        assert inside_district(layer.geometry.x, layer.geometry.y).all()
    assert "low" in set(parks()["confidence"])


def test_inside_district_separates_songjiang_from_pudong():
    assert list(inside_district([121.2232, 121.60], [31.0344, 31.20])) == [True, False]


def test_check_crs_explains_how_to_fix_a_mismatch():
    projected = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:3857")
    with pytest.raises(ValueError, match=r"to_crs\('EPSG:4326'\)"):
        check_crs(projected, "测试图层")
    with pytest.raises(ValueError, match="set_crs"):
        check_crs(gpd.GeoDataFrame(geometry=[Point(0, 0)]), "测试图层")
