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

_LAYERS = frozenset(
    ("BOUNDARY_CREDIT", "G60_CITIES", "LOCAL_CITY", "check_crs", "district", "district_shape", "inside_district")
) | {"parks", "registered_in_district", "towns"}


def __getattr__(name: str):
    """The layers (and geopandas with them) load on first use, so importing ``geodata.crs`` stays light."""
    if name in _LAYERS:
        from geodata import layers

        return getattr(layers, name)
    raise AttributeError(f"module 'geodata' has no attribute {name!r}")


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
    "registered_in_district",
    "to_wgs84",
    "towns",
    "wgs84_to_gcj02",
]
