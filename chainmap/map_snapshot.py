"""A static map for print: the district, its town areas with names, the parks and the enterprises, as one SVG.

No tiles and no browser: built from the reference geography, so briefings print the same offline.
Coordinates are WGS-84, drawn in an equirectangular projection scaled by cos(latitude), which
is true to within a fraction of a percent across one district. Enterprise points are coloured
by direction (``enterprise_table``); estimated positions are hollow, as on the web map.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

import geopandas as gpd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from chainmap.diagram import FONT
from chainmap.panorama_map import MapFrame, area_fills, enterprise_table
from chainmap.records import EnterpriseRecord
from chainmap.taxonomy import Chain
from geodata import district_shape, parks

WIDTH, MARGIN, LEGEND_W, DOT = 900, 16, 190, 2.2


class _Projection:
    def __init__(self, shape: BaseGeometry, width: float):
        self.west, south, east, self.north = shape.bounds
        self.kx = math.cos(math.radians((south + self.north) / 2))
        self.scale = width / ((east - self.west) * self.kx)
        self.height = (self.north - south) * self.scale

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return MARGIN + (lon - self.west) * self.kx * self.scale, MARGIN + (self.north - lat) * self.scale

    def path(self, shape: BaseGeometry) -> str:
        polygons = shape.geoms if isinstance(shape, MultiPolygon) else [shape] if isinstance(shape, Polygon) else []
        rings = [ring for p in polygons for ring in (p.exterior, *p.interiors)]
        return " ".join(
            "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in (self.xy(*c) for c in ring.coords)) + "Z" for ring in rings
        )


def _text(x: float, y: float, content: str, size: int, fill: str, weight: str = "normal") -> str:
    """A label with a white halo (drawn twice: renderers without ``paint-order`` print it the same)."""
    common = f'x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" text-anchor="middle"'
    halo = f'<text {common} fill="#fff" stroke="#fff" stroke-width="3">{escape(content)}</text>'
    return halo + f'<text {common} fill="{fill}">{escape(content)}</text>'


def _legend(x: float, data: dict, counts: list[int], park_names: list[str]) -> str:
    items = [f'<text x="{x}" y="{MARGIN + 14}" font-size="14" font-weight="bold">产业方向（企业数）</text>']
    for i, (name, colour) in enumerate(zip(data["directions"], data["colors"], strict=True)):
        y = MARGIN + 38 + 22 * i
        items.append(f'<circle cx="{x + 6}" cy="{y - 4}" r="5" fill="{colour}"/>')
        items.append(f'<text x="{x + 18}" y="{y}" font-size="13">{escape(name)}（{counts[i]}）</text>')
    y = MARGIN + 48 + 22 * len(data["directions"])
    notes = ["实心点：坐标定位", "空心点：位置为估计", "街镇范围按中心点示意", "紫色圈：园区代表点"]
    notes += [f"{k}. {name}" for k, name in enumerate(park_names, start=1)]
    items += [
        f'<text x="{x}" y="{y + 18 * k}" font-size="12" fill="#555">{escape(n)}</text>' for k, n in enumerate(notes)
    ]
    return "".join(items)


def _points(projection: _Projection, data: dict) -> list[str]:
    """One path per direction and kind (estimates first, located points on top): quick to print."""
    dots: dict[tuple[int, int], list[str]] = {}
    for row in data["rows"]:
        x, y = projection.xy(row[1], row[0])
        dots.setdefault((-row[8], row[4]), []).append(
            f"M{x - DOT:.1f},{y:.1f}a{DOT},{DOT} 0 1,0 {2 * DOT},0a{DOT},{DOT} 0 1,0 {-2 * DOT},0"
        )
    paths = []
    for (negated_estimate, direction), shapes in sorted(dots.items()):
        colour = data["colors"][direction]
        fill = "none" if negated_estimate else colour
        paths.append(f'<path d="{"".join(shapes)}" fill="{fill}" stroke="{colour}" stroke-width="0.7"/>')
    return paths


def map_snapshot_svg(chain: Chain, enterprises: list[EnterpriseRecord], town_areas: gpd.GeoDataFrame) -> str:
    """The district map as a standalone SVG document (towns need ``name``; the others come from geodata)."""
    district = district_shape()
    projection = _Projection(district, WIDTH - 2 * MARGIN - LEGEND_W)
    data = enterprise_table(chain, enterprises, MapFrame("none"))
    parts = [
        f'<path d="{projection.path(shape)}" fill="{fill}" stroke="#90a4ae" stroke-width="0.8"/>'
        for shape, fill in zip(town_areas.geometry, area_fills(town_areas), strict=True)
    ]
    parts.append(f'<path d="{projection.path(district)}" fill="none" stroke="#37474f" stroke-width="2"/>')
    parts += _points(projection, data)
    for shape, name in zip(town_areas.geometry, town_areas["name"], strict=True):
        centre = shape.representative_point()
        parts.append(_text(*projection.xy(centre.x, centre.y), name, 12, "#37474f"))
    for number, point in enumerate(parks().geometry, start=1):  # numbered here, named in the legend
        x, y = projection.xy(point.x, point.y)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="none" stroke="#6a1b9a" stroke-width="1.6"/>')
        parts.append(_text(x + 11, y - 6, str(number), 11, "#6a1b9a", "bold"))
    counts = [sum(1 for r in data["rows"] if r[4] == i) for i in range(len(data["directions"]))]
    parts.append(_legend(WIDTH - LEGEND_W, data, counts, list(parks()["name"])))
    height = projection.height + 2 * MARGIN
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'height="{height:.0f}" font-family="{FONT}">{"".join(parts)}</svg>'
    )
