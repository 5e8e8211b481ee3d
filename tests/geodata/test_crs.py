import json

import numpy as np
import pytest

from geodata import folium_location, gcj02_to_wgs84, haversine_km, to_wgs84, wgs84_to_gcj02
from geodata.layers import DATA_DIR


def _published_pairs():
    """Park points whose source was GCJ-02 and whose WGS-84 value was converted elsewhere."""
    features = json.loads((DATA_DIR / "songjiang_parks_wgs84.geojson").read_text())["features"]
    return [
        (f["properties"]["src_lon"], f["properties"]["src_lat"], *f["geometry"]["coordinates"])
        for f in features
        if f["properties"]["src_crs"] == "gcj02"
    ]


def test_inverse_agrees_with_independently_converted_park_points():
    pairs = np.array(_published_pairs())
    assert len(pairs) >= 5
    lon, lat = gcj02_to_wgs84(pairs[:, 0], pairs[:, 1])
    error_m = haversine_km(lon, lat, pairs[:, 2], pairs[:, 3]) * 1000
    assert error_m.max() < 2.0  # the shipped file used a one-step approximation


def test_offset_at_songjiang_is_about_480_metres_east_and_south():
    lon, lat = 121.2232, 31.0344
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    shift_m = float(haversine_km(lon, lat, g_lon, g_lat)) * 1000
    assert 450 < shift_m < 510
    assert g_lon > lon and g_lat < lat


def test_round_trip_is_exact_to_a_millimetre():
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(121.0, 121.4, 500), rng.uniform(30.9, 31.2, 500)
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert (haversine_km(lon, lat, back_lon, back_lat) * 1e6).max() < 1.0


def test_to_wgs84_only_converts_declared_gcj02():
    assert to_wgs84(121.3, 31.0, "wgs84") == (121.3, 31.0)
    lon, _ = to_wgs84(121.3, 31.0, "gcj02")
    assert float(lon) < 121.3


def test_folium_location_swaps_order():
    assert folium_location(121.23, 31.03) == (31.03, 121.23)


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [(31.03, 121.23, "写反"), (float("nan"), 31.0, "有限数值"), ("121", 31.0, "有限数值")],
)
def test_folium_location_refuses_impossible_pairs(lon, lat, message):
    with pytest.raises(ValueError, match=message):
        folium_location(lon, lat)
