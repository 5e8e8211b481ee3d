"""The panorama map: layers, bounds, enterprise rows, datum of the overlay, offline assets."""

import json
import re

import pytest

from chainmap.panorama_map import OUTSIDE, Basemap, MapFrame, MapLayers, enterprise_table, map_html, panorama_map
from chainmap.records import LocationPrecision
from geodata import LOCAL_CITY, district_shape, haversine_km, parks
from geodata.boundaries import schematic_town_areas

LAYERS = MapLayers(schematic_town_areas().assign(official=False))


@pytest.fixture(scope="module")
def offline_html(chain, small_demo):
    return map_html(panorama_map(chain, small_demo.enterprises, LAYERS, frame=MapFrame("none")))


def _data(html: str) -> dict:
    return json.loads(re.search(r"const D = (\{.*?\});\n", html).group(1))


def test_one_enterprise_layer_directions_in_the_legend_and_the_page_in_chinese(offline_html, chain):
    directions = [r.name for r in chain.roots if r.tier.value != "scenario"]
    control = re.search(r"overlays\s*:\s*\{(.*?)\}", offline_html, re.S).group(1)
    overlays = [json.loads(key) for key in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', control)]
    assert overlays == ["松江区边界", "街镇（无官方边界处为示意范围）", "园区", "企业密度（热力）"]
    assert '"collapsed": true' in offline_html
    assert _data(offline_html)["directions"] == [*directions, OUTSIDE]
    assert offline_html.count("L.markerClusterGroup(") == 1  # the one cluster layer, made in panorama.js
    assert offline_html.count("示意范围（按街镇中心划分，非行政边界）") == 17
    assert '<html lang="zh-CN">' in offline_html and f"<title>{chain.name}全景地图 · chainmap</title>" in offline_html


def test_towns_and_parks_are_labelled_and_shaded_offline_only(offline_html, chain, small_demo):
    icons = re.findall(
        r'"html": ("[^"]*"),\s*"iconSize": \[0, 0\],\s*"className": "cm-label cm-(\w+) cm-\w+"', offline_html
    )
    labels = {kind: [json.loads(text) for text, k in icons if k == kind] for kind in ("town", "park")}
    assert len(labels["town"]) == 17 and len(labels["park"]) == len(parks())
    assert "<div>岳阳街道</div>" in labels["town"] and "<div>临港松江科技城</div>" in labels["park"]
    fills = set(re.findall(r'"fillOpacity": ([\d.]+)', offline_html))
    assert "0.85" in fills
    over_tiles = map_html(panorama_map(chain, small_demo.enterprises[:50], LAYERS, frame=MapFrame("osm")))
    assert "0.85" not in set(re.findall(r'"fillOpacity": ([\d.]+)', over_tiles))


def test_scale_is_metric_only(offline_html):
    assert "L.control.scale({imperial: false})" in offline_html
    assert "L.control.scale()" not in offline_html


def test_every_located_local_enterprise_is_one_row_with_its_estimate_flag(offline_html, small_demo):
    rows = _data(offline_html)["rows"]
    located = [e for e in small_demo.enterprises if e.city == LOCAL_CITY and e.lon is not None]
    assert len(rows) == len(located) > 100
    by_uscc = {r[3]: r for r in rows}
    for e in located:
        assert by_uscc[e.uscc][8] == int(e.precision in (LocationPrecision.TOWN, LocationPrecision.PARK))
    assert {r[8] for r in rows} == {0, 1}  # the demo has both kinds
    assert not any(e.city != LOCAL_CITY and e.uscc in by_uscc for e in small_demo.enterprises)


def test_bounds_fit_the_district(offline_html):
    west, south, east, north = district_shape().bounds
    bounds = json.loads(re.search(r"map_\w+\.fitBounds\(\s*(\[\[.*?\]\])", offline_html, re.S).group(1))
    assert [*bounds[0], *bounds[1]] == pytest.approx([south, west, north, east])


def test_offline_map_loads_no_script_or_style_from_the_network(offline_html):
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", offline_html)
    assert "L.markerClusterGroup" in offline_html and "L.heatLayer" in offline_html
    assert "tile.openstreetmap.org" not in offline_html


def test_demo_data_is_marked_in_the_legend(offline_html):
    assert "含示例数据" in offline_html and "位置为估计" in offline_html


def test_amap_tiles_get_the_overlay_in_gcj02_and_osm_keeps_wgs84(chain, small_demo):
    def first_rows(basemap):
        return {r[3]: r for r in enterprise_table(chain, small_demo.enterprises, MapFrame(basemap))["rows"]}

    wgs, gcj = first_rows(Basemap.OSM), first_rows(Basemap.AMAP)
    shifts = [haversine_km(wgs[k][1], wgs[k][0], gcj[k][1], gcj[k][0]) for k in wgs]
    assert min(shifts) > 0.40 and max(shifts) < 0.60
    html = map_html(panorama_map(chain, small_demo.enterprises, LAYERS, frame=MapFrame("amap")))
    assert "autonavi.com" in html and "GCJ-02" in html


def test_tile_choices_that_cannot_work_are_refused():
    with pytest.raises(ValueError, match="CHAINMAP_TIANDITU_KEY"):
        MapFrame("tianditu")
    with pytest.raises(ValueError, match="未知底图“google”"):
        MapFrame("google")
    assert "tk=abc" in map_html(MapFrame("tianditu", "abc").new_map())


def test_a_hostile_name_cannot_end_the_inline_script(chain, small_demo):
    from dataclasses import replace

    hostile = "示例</script><script>window.pwned=1</script><!--\u2028"
    located = next(e for e in small_demo.enterprises if e.lon is not None and e.city == LOCAL_CITY)
    records = [replace(located, name=hostile), *small_demo.enterprises[1:50]]
    html = map_html(panorama_map(chain, records, LAYERS, frame=MapFrame("none")))
    assert "window.pwned" in html and "<script>window.pwned" not in html and "\u2028" not in html
    assert hostile in [row[2] for row in _data(html)["rows"]]
