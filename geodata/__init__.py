"""Songjiang reference geography: layers, coordinate systems, containment and distance.

The lowest layer: imports only geo and numeric libraries.
"""

from geodata.crs import (
    WGS84,
    Datum,
    folium_location,
    gcj02_to_wgs84,
    haversine_km,
    to_wgs84,
    wgs84_to_gcj02,
)
from geodata.layers import (
    BOUNDARY_CREDIT,
    G60_CITIES,
    LOCAL_CITY,
    check_crs,
    district,
    district_shape,
    inside_district,
    parks,
    towns,
)

__all__ = [
    "BOUNDARY_CREDIT",
    "G60_CITIES",
    "LOCAL_CITY",
    "WGS84",
    "Datum",
    "check_crs",
    "district",
    "district_shape",
    "folium_location",
    "gcj02_to_wgs84",
    "haversine_km",
    "inside_district",
    "parks",
    "to_wgs84",
    "towns",
    "wgs84_to_gcj02",
]
