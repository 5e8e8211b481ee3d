"""The panorama map (产业链全景图 on a real map): district, parks, towns and enterprises, with folium.

Everything arrives in WGS-84. A ``MapFrame`` owns the base map and the only conversion
of overlay coordinates into the base map's datum (GCJ-02 for AMap tiles), so a WGS-84
overlay over GCJ-02 tiles cannot be built. Enterprises travel as one compact JSON array
and become clustered canvas markers in the browser, one toggleable layer per direction;
popups are built on click. Leaflet and its plugins are inlined, so the page works offline.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement, Template
from folium.plugins import HeatMap, MarkerCluster

from chainmap.records import LABEL_NAMES, EnterpriseRecord, Label, LocationPrecision
from chainmap.taxonomy import Chain, Tier
from geodata import BOUNDARY_CREDIT, LOCAL_CITY, Datum, district_shape, folium_location, parks, wgs84_to_gcj02

ASSETS = Path(__file__).parent / "map_assets"
SCRIPTS = ("leaflet.js", "leaflet.markercluster.js", "leaflet-heat.js")
STYLES = ("leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
OUTSIDE = "未归入本链"
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

    def new_map(self) -> folium.Map:
        west, south, east, north = district_shape().bounds
        centre = self.location((west + east) / 2, (south + north) / 2)
        fmap = folium.Map(location=centre, zoom_start=11, tiles=None, prefer_canvas=True, control_scale=True)
        fmap.options["maxZoom"] = 18  # marker clusters need it when there are no tiles
        if self.basemap is not Basemap.NONE:
            url, attribution, name = TILES[self.basemap]
            subdomains = "1234" if self.basemap is Basemap.AMAP else "01234567"
            url = url.replace("{key}", self.tianditu_key or "")
            folium.TileLayer(url, attr=attribution, name=name, subdomains=subdomains, max_zoom=18).add_to(fmap)
        fmap.fit_bounds([self.location(west, south), self.location(east, north)])
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


def _towns(fmap: folium.Map, frame: MapFrame, areas: gpd.GeoDataFrame) -> None:
    group = folium.FeatureGroup(name="街镇（无官方边界处为示意范围）", show=True)
    for row in areas.itertuples():
        note = "官方边界" if row.official else "示意范围（按街镇中心划分，非行政边界）"
        style = {"color": "#78909c", "weight": 1 if row.official else 0.8, "dashArray": None if row.official else "4 4"}
        folium.GeoJson(
            shapely.geometry.mapping(frame.geometry(row.geometry)),
            style_function=lambda _, s={**style, "fillOpacity": 0.02}: s,
            tooltip=f"{row.name}：{note}",
        ).add_to(group)
    group.add_to(fmap)


def _park_popup(name: str, focus: list[str], confidence: str, counts: Counter) -> str:
    rows = "".join(f"<tr><td>{seg}</td><td style='text-align:right'>{n}</td></tr>" for seg, n in counts.most_common(8))
    return (
        f"<b>{name}</b><br>规划主导方向：{'、'.join(focus) or '未列入规划'}<br>"
        f"点位可信度：{confidence}（园区为代表点，非边界）<br>企业 {sum(counts.values())} 家（按环节）："
        f"<table>{rows}</table>"
    )


def _parks(
    fmap: folium.Map, frame: MapFrame, chain: Chain, enterprises: list[EnterpriseRecord], layers: MapLayers
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
(function () {
  const D = {{ this.data_json }};
  const clusters = [{{ this.cluster_names }}];
  const map = {{ this._parent.get_name() }};
  const link = {{ this.link_json }};
  const esc = s => String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
  function popup(r) {
    const segs = r[5].slice(0, 3).map(i => D.segments[i]).join("、") || "未归入本链";
    const labels = D.labels.filter((_, i) => r[6] & (1 << i)).join("、");
    const where = r[8] ? "<br><i>位置为估计（街镇中心或园区代表点）</i>" : "";
    return "<b>" + esc(r[2]) + "</b><br>" + esc(segs) + (labels ? "<br>" + esc(labels) : "") + where +
      "<br><a href='" + link.replace("{uscc}", encodeURIComponent(r[3])) + "' target='_blank'>查找供应商</a>";
  }
  function marker(r) {
    const color = D.colors[r[4]];
    const m = L.circleMarker([r[0], r[1]], {radius: 6, color: color, weight: r[8] ? 1.5 : 1,
      dashArray: r[8] ? "2 2" : null, fillColor: color, fillOpacity: r[8] ? 0.15 : 0.8});
    m.bindPopup(() => popup(r));
    m.row = r;
    return m;
  }
  const markers = D.rows.map(marker);
  function draw() {
    const label = +document.getElementById("cm-label").value, tier = +document.getElementById("cm-tier").value;
    const keep = markers.filter(m => (label < 0 || (m.row[6] & (1 << label))) && (tier < 0 || m.row[7] === tier));
    clusters.forEach((c, i) => { c.clearLayers(); c.addLayers(keep.filter(m => m.row[4] === i)); });
    document.getElementById("cm-count").textContent = keep.length + " 家";
  }
  const control = L.control({position: "topleft"});
  control.onAdd = function () {
    const div = L.DomUtil.create("div", "cm-panel");
    const options = (names) => "<option value='-1'>全部</option>" +
      names.map((n, i) => "<option value='" + i + "'>" + n + "</option>").join("");
    div.innerHTML = "<input id='cm-search' placeholder='按企业名称搜索，回车定位'><br>" +
      "标签 <select id='cm-label'>" + options(D.labels) + "</select> " +
      "层级 <select id='cm-tier'>" + options(D.tiers) + "</select> " +
      "<span id='cm-count'></span><div id='cm-found'></div>";
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  control.addTo(map);
  document.getElementById("cm-label").onchange = draw;
  document.getElementById("cm-tier").onchange = draw;
  document.getElementById("cm-search").onkeydown = function (event) {
    if (event.key !== "Enter" || !this.value.trim()) return;
    const hits = markers.filter(m => m.row[2].includes(this.value.trim()));
    document.getElementById("cm-found").textContent = hits.length ? "找到 " + hits.length + " 家" : "未找到";
    if (!hits.length) return;
    const hit = hits[0], cluster = clusters[hit.row[4]];
    if (!map.hasLayer(cluster)) map.addLayer(cluster);  // a hidden direction layer is shown again
    if (!cluster.hasLayer(hit)) {  // hidden by the label or tier filter: clear the filters
      document.getElementById("cm-label").value = "-1"; document.getElementById("cm-tier").value = "-1"; draw();
    }
    cluster.zoomToShowLayer(hit, () => hit.openPopup());
  };
  draw();
})();
{% endmacro %}
"""
)


def _cluster_icon(color: str) -> str:
    """A cluster bubble in its direction's colour, sized by count."""
    return (
        "function (cluster) { const n = cluster.getChildCount(), s = n < 10 ? 26 : n < 100 ? 32 : 40;"
        f" return L.divIcon({{html: '<div style=\"background:{color};opacity:.85;color:#fff;border-radius:50%;"
        "width:' + s + 'px;height:' + s + 'px;line-height:' + s + 'px;text-align:center;font:bold 12px sans-serif\">'"
        " + n + '</div>', className: 'cm-cluster', iconSize: [s, s]}); }"
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
    def __init__(self, data: dict, clusters: list[MarkerCluster], supplier_link: str):
        super().__init__()
        self._template = _SCRIPT
        self.data_json = script_json(data)
        self.cluster_names = ", ".join(c.get_name() for c in clusters)
        self.link_json = script_json(supplier_link)


def _legend(data: dict, notes: list[str]) -> Element:
    items = "".join(
        f"<div><span style='background:{color}'></span>{name}</div>"
        for name, color in zip(data["directions"], data["colors"], strict=True)
    )
    extra = "".join(f"<div class='cm-note'>{note}</div>" for note in notes)
    return Element(
        "<style>.cm-legend{position:absolute;z-index:1000;right:10px;bottom:30px;background:#fff;padding:8px 10px;"
        "border-radius:6px;font:12px 'Noto Sans CJK SC',sans-serif;box-shadow:0 1px 4px #0004;max-width:260px}"
        ".cm-legend span{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:6px}"
        ".cm-note{color:#555;margin-top:4px}.cm-panel{background:#fff;padding:6px 8px;border-radius:6px;"
        "font:12px 'Noto Sans CJK SC',sans-serif;box-shadow:0 1px 4px #0004}#cm-search{width:220px}</style>"
        f"<div class='cm-legend'><b>产业方向</b>{items}"
        "<div class='cm-note'>实心圆：坐标定位；空心虚线圆：位置为估计（街镇中心或园区代表点）</div>"
        "<div class='cm-note'>虚线园区圈：点位可信度低；虚线街镇范围为示意，非行政边界</div>"
        f"{extra}<div class='cm-note'>{BOUNDARY_CREDIT}</div></div>"
    )


def panorama_map(
    chain: Chain,
    enterprises: list[EnterpriseRecord],
    layers: MapLayers,
    *,
    frame: MapFrame | None = None,
    supplier_link: str = "/match?uscc={uscc}",
) -> folium.Map:
    frame = frame or MapFrame()
    fmap = _offline(frame.new_map())
    _inline_assets(fmap)
    _district(fmap, frame)
    _towns(fmap, frame, layers.town_areas)
    _parks(fmap, frame, chain, enterprises, layers)
    data = enterprise_table(chain, enterprises, frame)
    options = {"chunkedLoading": True, "showCoverageOnHover": False, "maxClusterRadius": 50}
    clusters = [
        _offline(
            MarkerCluster(name=name, show=name != OUTSIDE, options=options, icon_create_function=_cluster_icon(color))
        ).add_to(fmap)
        for name, color in zip(data["directions"], data["colors"], strict=True)
    ]
    heat = [[round(r[0], 4), round(r[1], 4)] for r in data["rows"]]
    _offline(HeatMap(heat, name="企业密度（热力）", show=False, radius=14, blur=18)).add_to(fmap)
    fmap.add_child(_EnterpriseLayers(data, clusters, supplier_link))
    notes = ["含示例数据：名称带“示例”的企业均为虚构"] if any(e.demo for e in enterprises) else []
    fmap.get_root().html.add_child(_legend(data, notes))
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def map_html(fmap: folium.Map) -> str:
    return fmap.get_root().render()
