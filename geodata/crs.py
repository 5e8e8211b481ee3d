"""Coordinate systems: WGS-84 (EPSG:4326, used everywhere inside) and GCJ-02.

GCJ-02 is the obfuscated datum of Chinese web maps (AMap/Gaode, Tencent). pyproj
cannot do it, so the published forward formula lives here, vectorised with numpy,
with an iterative inverse exact to well under a centimetre. At Songjiang the shift
is about 480 m. This is the only module that converts between the two.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

WGS84 = "EPSG:4326"

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared


class Datum(StrEnum):
    """The datum a pair of coordinates is given in."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"


def _offset(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Forward GCJ-02 transform of WGS-84 longitudes and latitudes (arrays or scalars)."""
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Inverse of :func:`wgs84_to_gcj02` by fixed-point iteration (error < 1e-9 degrees)."""
    g_lon, g_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(30):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if max(np.max(np.abs(e_lon), initial=0), np.max(np.abs(e_lat), initial=0)) < 1e-10:
            break
    return w_lon, w_lat


def to_wgs84(lon: ArrayLike, lat: ArrayLike, datum: Datum | str) -> tuple[NDArray, NDArray]:
    """Bring coordinates declared in ``datum`` to WGS-84."""
    if Datum(datum) is Datum.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def haversine_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray:
    """Great-circle distance in kilometres between WGS-84 points (broadcasts)."""
    x1, y1, x2, y2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    return 6371.0088 * 2 * np.arcsin(np.sqrt(a))


def folium_location(lon: float, lat: float) -> tuple[float, float]:
    """The one place that turns GeoJSON order (lon, lat) into folium's (lat, lon).

    Raises ValueError naming the bad value when a pair is not a WGS-84 position,
    which also catches the classic swap (latitude 121 is impossible).
    """
    for name, value, bound in (("经度 lon", lon, 180.0), ("纬度 lat", lat, 90.0)):
        if not isinstance(value, int | float) or not np.isfinite(value):
            raise ValueError(f"{name} 必须是有限数值，收到 {value!r}")
        if abs(value) > bound:
            raise ValueError(f"{name}={value} 超出范围 ±{bound}（是否把经纬度写反了？）")
    return float(lat), float(lon)
