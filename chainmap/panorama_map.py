"""The panorama map (产业链全景图 on a real map): district, parks, towns and enterprises, with folium.

Everything arrives in WGS-84. A ``MapFrame`` owns the base map and the only conversion
of overlay coordinates into the base map's datum (GCJ-02 for AMap tiles), so a WGS-84
overlay over GCJ-02 tiles cannot be built. Enterprises travel as one compact JSON array
and become clustered canvas markers in the browser, one toggleable layer per direction;
popups are built on click. Leaflet and its plugins are inlined, so the page works offline.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from html import escape
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement, Template
from folium.plugins import HeatMap

from chainmap.records import LABEL_NAMES, EnterpriseRecord, Label, LocationPrecision
from chainmap.taxonomy import Chain, Tier
from geodata import BOUNDARY_CREDIT, LOCAL_CITY, Datum, district_shape, folium_location, parks, towns, wgs84_to_gcj02

ASSETS = Path(__file__).parent / "map_assets"
SCRIPTS = ("leaflet.js", "leaflet.markercluster.js", "leaflet-heat.js", "panorama.js")
STYLES = ("leaflet.css", "MarkerCluster.css", "panorama.css")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
OUTSIDE = "未归入本链"
# Soft fills for town areas, neighbours in different ones; opaque enough to be the background offline.
TOWN_FILLS = ("#dcebd5", "#f3e6cc", "#d8e4f2", "#f1dbe2", "#e4dcf1", "#d5ecea", "#eeeed0")
# Room kept free of the search panel (top left) and the legend (bottom right) when fitting the district.
FIT_TOP_LEFT, FIT_BOTTOM_RIGHT = (20, 110), (250, 20)
LABEL_ORDER = tuple(Label)


class Basemap(StrEnum):
    OSM = "osm"
    AMAP = "amap"
    TIANDITU = "tianditu"
    NONE = "none"

    @property
    def datum(self) -> Datum:
        return Datum.GCJ02 if self is Basemap.AMAP else Datum.WGS84


TILES = {
    Basemap.OSM: ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors", "OpenStreetMap"),
    Basemap.AMAP: (
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "© 高德地图 AMap (GCJ-02)",
        "高德地图",
    ),
    Basemap.TIANDITU: (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
        "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
        "© 天地图 Tianditu",
        "天地图",
    ),
}


class _Page(Figure):
    """folium's page, with the document's language and title."""

    _template = Template(
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<title>{{ this.title }}</title>\n'
        "{{ this.header.render(**kwargs) }}\n</head>\n<body>\n{{ this.html.render(**kwargs) }}\n</body>\n"
        "<script>\n{{ this.script.render(**kwargs) }}\n</script>\n</html>\n"
    )


class MapFrame:
    """A base map and the one conversion of WGS-84 overlays into its datum."""

    def __init__(self, basemap: Basemap | str = Basemap.OSM, tianditu_key: str | None = None):
        if basemap not in {b.value for b in Basemap}:
            raise ValueError(f"未知底图“{basemap}”，可用：{'、'.join(Basemap)}")
        self.basemap = Basemap(basemap)
        if self.basemap is Basemap.TIANDITU and not tianditu_key:
            raise ValueError("使用天地图底图需要配置密钥（CHAINMAP_TIANDITU_KEY）")
        self.tianditu_key = tianditu_key

    def xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        if self.basemap.datum is Datum.GCJ02:
            return wgs84_to_gcj02(lon, lat)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def location(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.xy(lon, lat)
        return folium_location(float(x), float(y))

    def geometry(self, shape):
        return shapely.transform(shape, lambda xy: np.column_stack(self.xy(xy[:, 0], xy[:, 1])))

    def new_map(self, title: str = "chainmap") -> folium.Map:
        """An empty map of the district on a page of its own, with the page's title."""
        west, south, east, north = district_shape().bounds
        centre = self.location((west + east) / 2, (south + north) / 2)
        fmap = folium.Map(location=centre, zoom_start=11, tiles=None, prefer_canvas=True, zoom_snap=0.25)
        fmap.options["maxZoom"] = 18  # marker clusters need it when there are no tiles
        page = _Page(title=escape(title))
        page.add_child(fmap)
        if self.basemap is not Basemap.NONE:
            url, attribution, name = TILES[self.basemap]
            subdomains = "1234" if self.basemap is Basemap.AMAP else "01234567"
            url = url.replace("{key}", self.tianditu_key or "")
            folium.TileLayer(url, attr=attribution, name=name, subdomains=subdomains, max_zoom=18).add_to(fmap)
        else:
            page.header.add_child(Element("<style>.folium-map.leaflet-container{background:#e9eef2}</style>"))
        fmap.fit_bounds(
            [self.location(west, south), self.location(east, north)],
            padding_top_left=FIT_TOP_LEFT,
            padding_bottom_right=FIT_BOTTOM_RIGHT,
        )
        return fmap


@dataclass(frozen=True)
class MapLayers:
    """What the map draws besides enterprises: areas from the database or the schematic ones."""

    town_areas: gpd.GeoDataFrame  # name, official (False: 示意), geometry
    park_areas: gpd.GeoDataFrame | None = None  # official park polygons, if loaded


def _offline(element):
    """Drop folium's CDN links; the libraries are inlined once in the page header."""
    element.default_js, element.default_css = [], []
    return element


# folium builds popup contents with jQuery's $(html)[0]; this is all of jQuery the page needs.
_DOLLAR_SHIM = (
    "<script>window.$ = window.$ || (html => { const t = document.createElement('template');"
    " t.innerHTML = html.trim(); return [t.content.firstChild]; });</script>"
)


def _inline_assets(fmap: folium.Map) -> None:
    root = fmap.get_root()
    assert isinstance(root, Figure)
    header = root.header
    header.add_child(Element(_DOLLAR_SHIM), name="dollar_shim")
    for name in STYLES:
        header.add_child(Element(f"<style>{(ASSETS / name).read_text(encoding='utf-8')}</style>"), name=name)
    for name in SCRIPTS:
        header.add_child(Element(f"<script>{(ASSETS / name).read_text(encoding='utf-8')}</script>"), name=name)


def _district(fmap: folium.Map, frame: MapFrame) -> None:
    shape = frame.geometry(district_shape())
    style = {"color": "#37474f", "weight": 2.5, "fill": False}
    folium.GeoJson(shapely.geometry.mapping(shape), name="松江区边界", style_function=lambda _: style).add_to(fmap)


LABEL_ZOOM = 11  # labels are placed apart at the opening zoom, so they stay apart closer in
LABEL_PANE = "cm-labels"  # above areas and enterprise points, below cluster rings (counts stay readable)


def _pixel(lat: float, lon: float) -> tuple[float, float]:
    """Web-Mercator pixel position at LABEL_ZOOM."""
    size = 256 * 2**LABEL_ZOOM
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2
    return (lon + 180) / 360 * size, y * size


class _Labels:
    """Names written on the map (not clickable), beside their point on a free side, clear of a cluster ring there."""

    def __init__(self) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []

    def _free(self, box: tuple[float, float, float, float]) -> bool:
        left, top, right, bottom = box
        return all(right <= b[0] or left >= b[2] or bottom <= b[1] or top >= b[3] for b in self.boxes)

    def add(self, group: folium.FeatureGroup, location: tuple[float, float], text: str, kind: str) -> None:
        x, y = _pixel(*location)
        w, h, gap = 12 * len(text) + 4, 16, 26  # a CJK glyph of the 12 px font is about 12 px wide; rings <= 50 px
        sides = {
            "right": (x + gap, y - h / 2),
            "left": (x - gap - w, y - h / 2),
            "above": (x - w / 2, y - gap - h),
            "below": (x - w / 2, y + gap),
        }
        choices = ["below", "above"] if kind == "town" else ["right", "left", "above", "below"]
        boxes = {side: (*sides[side], sides[side][0] + w, sides[side][1] + h) for side in choices}
        side = next((side for side in choices if self._free(boxes[side])), choices[0])
        self.boxes.append(boxes[side])
        html = f"<div>{escape(text)}</div>"
        icon = folium.DivIcon(html=html, class_name=f"cm-label cm-{kind} cm-{side}", icon_size=(0, 0))
        folium.Marker(location, icon=icon, interactive=False, keyboard=False, pane=LABEL_PANE).add_to(group)


def area_fills(areas: gpd.GeoDataFrame) -> list[str]:
    """A fill per area, different from its neighbours' (greedy colouring of the touching areas)."""
    grown = list(shapely.buffer(np.asarray(areas.geometry), 1e-4))
    fills: list[str] = []
    for i, shape in enumerate(grown):
        taken = {fills[j] for j in range(i) if grown[j].intersects(shape)}
        fills.append(next((f for f in TOWN_FILLS if f not in taken), TOWN_FILLS[i % len(TOWN_FILLS)]))
    return fills


def _towns(fmap: folium.Map, frame: MapFrame, areas: gpd.GeoDataFrame, labels: _Labels) -> None:
    """Town areas with their names; shaded as the background when there are no tiles, faint over tiles."""
    opacity = 0.85 if frame.basemap is Basemap.NONE else 0.06
    group = folium.FeatureGroup(name="街镇（无官方边界处为示意范围）", show=True)
    anchors = dict(zip(towns()["name"], towns().geometry, strict=True))
    for row, fill in zip(areas.itertuples(), area_fills(areas), strict=True):
        note = "官方边界" if row.official else "示意范围（按街镇中心划分，非行政边界）"
        style = {
            "color": "#78909c",
            "weight": 1 if row.official else 0.8,
            "dashArray": None if row.official else "4 4",
            "fillColor": fill,
            "fillOpacity": opacity,
        }
        folium.GeoJson(
            shapely.geometry.mapping(frame.geometry(row.geometry)),
            style_function=lambda _, s=style: s,
            tooltip=f"{row.name}：{note}",
        ).add_to(group)
        anchor = anchors.get(row.name)  # enterprises placed by town cluster there: the label goes beside it
        point = anchor if anchor is not None and row.geometry.contains(anchor) else row.geometry.representative_point()
        labels.add(group, frame.location(point.x, point.y), row.name, "town")
    group.add_to(fmap)


def _park_popup(name: str, focus: list[str], confidence: str, counts: Counter) -> str:
    rows = "".join(f"<tr><td>{seg}</td><td style='text-align:right'>{n}</td></tr>" for seg, n in counts.most_common(8))
    return (
        f"<b>{name}</b><br>规划主导方向：{'、'.join(focus) or '未列入规划'}<br>"
        f"点位可信度：{confidence}（园区为代表点，非边界）<br>企业 {sum(counts.values())} 家（按环节）："
        f"<table>{rows}</table>"
    )


def _parks(
    fmap: folium.Map,
    frame: MapFrame,
    chain: Chain,
    enterprises: list[EnterpriseRecord],
    layers: MapLayers,
    labels: _Labels,
) -> None:
    focus = {p.park: [chain.segments[c].name for c in p.focus] for p in chain.park_focus}
    counts: dict[str, Counter] = {}
    for e in enterprises:
        if e.park:
            counts.setdefault(e.park, Counter()).update(
                chain.segments[c].name for c in e.segments if c in chain.segments
            )
    official = (
        {}
        if layers.park_areas is None
        else dict(zip(layers.park_areas["name"], layers.park_areas.geometry, strict=True))
    )
    group = folium.FeatureGroup(name="园区", show=True)
    for row in parks().itertuples():
        popup = folium.Popup(
            _park_popup(row.name, focus.get(row.name, []), row.confidence, counts.get(row.name, Counter())),
            max_width=320,
        )
        if row.name in official:
            folium.GeoJson(
                shapely.geometry.mapping(frame.geometry(official[row.name])),
                style_function=lambda _: {"color": "#6a1b9a", "weight": 2, "fillOpacity": 0.08},
            ).add_child(popup).add_to(group)
            centre = frame.geometry(official[row.name]).representative_point()
            labels.add(group, folium_location(centre.x, centre.y), row.name, "park")
            continue
        low = "low" in row.confidence
        folium.CircleMarker(
            frame.location(row.geometry.x, row.geometry.y),
            radius=11,
            color="#6a1b9a",
            weight=2,
            dash_array="4 3" if low else None,
            fill=True,
            fill_opacity=0.15,
            tooltip=f"{row.name}（点位可信度：{row.confidence}）",
            popup=popup,
        ).add_to(group)
        labels.add(group, frame.location(row.geometry.x, row.geometry.y), row.name, "park")
    group.add_to(fmap)


def enterprise_table(chain: Chain, enterprises: list[EnterpriseRecord], frame: MapFrame) -> dict:
    """The compact data the page draws: lookup tables and one row per located local enterprise.

    Row: [lat, lon, name, uscc, direction index, segment indexes, label bitmask, tier index, estimated 0/1].
    """
    directions = [root.code for root in chain.roots if root.tier is not Tier.SCENARIO]
    direction_at = {code: i for i, code in enumerate(directions)}
    codes = list(chain.segments)
    code_at = {code: i for i, code in enumerate(codes)}
    tiers = list(Tier)
    placed = [e for e in enterprises if e.city == LOCAL_CITY and e.lon is not None and e.lat is not None]
    x, y = frame.xy([e.lon for e in placed], [e.lat for e in placed])
    rows = []
    for e, lon, lat in zip(placed, x, y, strict=True):
        segments = [c for c in e.segments if c in code_at]
        root = chain.root_of(segments[0]).code if segments else None
        direction = direction_at.get(root, len(directions)) if root else len(directions)
        mask = sum(1 << LABEL_ORDER.index(label) for label in e.labels)
        tier = tiers.index(chain.segments[segments[0]].tier) if segments else -1
        estimated = int(LocationPrecision(e.precision).estimated)
        rows.append(
            [
                round(float(lat), 6),
                round(float(lon), 6),
                e.name,
                e.uscc,
                direction,
                [code_at[c] for c in segments],
                mask,
                tier,
                estimated,
            ]
        )
    return {
        "directions": [chain.segments[c].name for c in directions] + [OUTSIDE],
        "colors": [*list(PALETTE[: len(directions)]), PALETTE[-1]],
        "segments": [chain.segments[c].name for c in codes],
        "labels": [LABEL_NAMES[label] for label in LABEL_ORDER],
        "tiers": [t.label for t in tiers],
        "rows": rows,
    }


_SCRIPT = Template(
    """
{% macro script(this, kwargs) %}
const D = {{ this.data_json }};
chainmapPanorama({{ this._parent.get_name() }}, D, {{ this.link_json }});
{% endmacro %}
"""
)


# Characters that could end an inline <script> (``</script>``, ``<!--``) or a JavaScript line
# (U+2028/2029 in older engines), written as JSON escapes so the data stays the same.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: object) -> str:
    """JSON that is safe inside an inline ``<script>`` element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


class _EnterpriseLayers(MacroElement):
    """The enterprises, drawn in the browser by ``chainmapPanorama`` (map_assets/panorama.js)."""

    def __init__(self, data: dict, supplier_link: str):
        super().__init__()
        self._template = _SCRIPT
        self.data_json = script_json(data)
        self.link_json = script_json(supplier_link)


def panorama_map(
    chain: Chain,
    enterprises: list[EnterpriseRecord],
    layers: MapLayers,
    *,
    frame: MapFrame | None = None,
    supplier_link: str = "/match?uscc={uscc}",
) -> folium.Map:
    frame = frame or MapFrame()
    fmap = _offline(frame.new_map(f"{chain.name}全景地图 · chainmap"))
    _inline_assets(fmap)
    _district(fmap, frame)
    folium.map.CustomPane(LABEL_PANE, z_index=450).add_to(fmap)
    labels = _Labels()
    _towns(fmap, frame, layers.town_areas, labels)
    _parks(fmap, frame, chain, enterprises, layers, labels)
    data = enterprise_table(chain, enterprises, frame)
    demo = ["含示例数据：名称带“示例”的企业均为虚构"] if any(e.demo for e in enterprises) else []
    data["notes"] = [*demo, BOUNDARY_CREDIT]
    heat = [[round(r[0], 4), round(r[1], 4)] for r in data["rows"]]
    _offline(HeatMap(heat, name="企业密度（热力）", show=False, radius=14, blur=18)).add_to(fmap)
    fmap.add_child(_EnterpriseLayers(data, supplier_link))
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def map_html(fmap: folium.Map) -> str:
    return fmap.get_root().render()
