"""Official boundaries in the database, and placement against them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import folium
import geopandas as gpd
from shapely.geometry import mapping, shape
from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from chainmap.panorama_map import MapFrame, MapLayers, panorama_map
from chainmap.records import InvalidRecord, LocationPrecision
from chainmap.taxonomy import Chain
from geodata import LOCAL_CITY, WGS84, Datum
from geodata.boundaries import read_boundaries, schematic_town_areas
from geodata.placement import OfficialAreas, OutsideDistrict, Placement, PlacementMethod, Placer
from service import models as m
from service.panorama import members_from_db

Layer = Literal["towns", "parks"]
TABLES: dict[str, type[m.Town] | type[m.Park]] = {"towns": m.Town, "parks": m.Park}


@dataclass(frozen=True)
class BoundaryLoad:
    layer: str
    features: int
    replaced: int  # enterprises placed by coordinates whose town or park was recomputed


def _official(session: Session, table: type[m.Town] | type[m.Park]) -> gpd.GeoDataFrame | None:
    rows = session.exec(select(table.name, table.boundary_geojson).where(table.boundary_official)).all()
    if not rows:
        return None
    return gpd.GeoDataFrame({"name": [r[0] for r in rows]}, geometry=[shape(r[1]) for r in rows], crs=WGS84)


def placer_for(session: Session) -> Placer:
    """A Placer that uses every official polygon stored so far."""
    return Placer(OfficialAreas(towns=_official(session, m.Town), parks=_official(session, m.Park)))


def place_or_refuse(placer: Placer, **where) -> Placement:
    """``Placer.place``, with a point outside the district refused as an invalid ``lon``."""
    try:
        return placer.place(**where)
    except OutsideDistrict as exc:
        raise InvalidRecord("lon", str(exc)) from exc


def place_new(*, session: Session, data: m.EnterpriseCreate) -> m.EnterpriseCreate:
    """A Songjiang enterprise registered without town and park is placed by its coordinates or address."""
    if data.town or data.park or data.city != LOCAL_CITY:
        return data
    surveyed = data.location_precision == LocationPrecision.SURVEYED
    place = place_or_refuse(placer_for(session), lon=data.lon, lat=data.lat, address=data.address, surveyed=surveyed)
    update = {"lon": place.lon, "lat": place.lat, "town": place.town, "park": place.park}
    return data.model_copy(update={**update, "location_precision": place.precision, "placement": place.method.value})


def town_areas(session: Session) -> gpd.GeoDataFrame:
    """Town polygons with ``official``: loaded boundaries where present, else the 示意 cells."""
    official = _official(session, m.Town)
    cells = schematic_town_areas()
    if official is None:
        return cells.assign(official=False)
    missing = cells[~cells["name"].isin(official["name"])].assign(official=False)
    return gpd.GeoDataFrame(
        [*official.assign(official=True).to_dict("records"), *missing.to_dict("records")], crs=WGS84
    )


def park_areas(session: Session) -> gpd.GeoDataFrame | None:
    return _official(session, m.Park)


def areas_geojson(areas: gpd.GeoDataFrame) -> dict:
    """A FeatureCollection whose features say whether they are official or 示意 (schematic)."""
    frame = areas.assign(note=["官方边界" if official else "示意范围，非行政边界" for official in areas["official"]])
    return frame.__geo_interface__


def map_for(*, session: Session, chain: Chain, frame: MapFrame) -> folium.Map:
    """The panorama map of the stored enterprises, over the loaded or schematic areas."""
    layers = MapLayers(town_areas(session), park_areas(session))
    return panorama_map(chain, members_from_db(session=session, chain_code=chain.code), layers, frame=frame)


def replace_placements(*, session: Session, placer: Placer) -> int:
    """Recompute town and park of every enterprise placed by its coordinates."""
    rows = session.exec(
        select(m.Enterprise.id, m.Enterprise.lon, m.Enterprise.lat).where(
            m.Enterprise.placement == PlacementMethod.COORDINATES.value, m.Enterprise.lon.is_not(None)
        )
    ).all()
    if not rows:
        return 0
    _, _, town_names, park_names = placer.place_points([r[1] for r in rows], [r[2] for r in rows])
    town_ids = dict(session.exec(select(m.Town.name, m.Town.id)).all())
    park_ids = dict(session.exec(select(m.Park.name, m.Park.id)).all())
    changes = [
        {"eid": r[0], "town_id": town_ids.get(town), "park_id": park_ids.get(park)}
        for r, town, park in zip(rows, town_names, park_names, strict=True)
    ]
    table = m.Enterprise.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("eid"))
        .values(town_id=bindparam("town_id"), park_id=bindparam("park_id"))
    )
    session.connection().execute(statement, changes)
    return len(changes)


def load_boundaries(*, session: Session, path: Path, layer: Layer, datum: Datum | str = Datum.WGS84) -> BoundaryLoad:
    """Store official polygons for towns or parks, then re-place the enterprises they affect."""
    table = TABLES[layer]
    known = set(session.exec(select(table.name)).all())
    frame = read_boundaries(path, known, datum)
    for name, geometry in zip(frame["name"], frame.geometry, strict=True):
        row = session.exec(select(table).where(table.name == name)).one()
        row.boundary_geojson = mapping(geometry)
        row.boundary_official = True
        session.add(row)
    session.flush()
    return BoundaryLoad(layer, len(frame), replace_placements(session=session, placer=placer_for(session)))
