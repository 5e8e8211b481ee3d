"""Official boundaries in the database, and placement against them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import folium
import geopandas as gpd
import numpy as np
from shapely.geometry import mapping, shape
from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from chainmap.panorama_map import MapFrame, MapLayers, panorama_map
from chainmap.records import InvalidRecord, LocationPrecision
from chainmap.taxonomy import Chain
from geodata import LOCAL_CITY, WGS84, Datum
from geodata.boundaries import BoundaryFileError, read_boundaries, schematic_town_areas
from geodata.placement import OfficialAreas, OutsideDistrict, Placement, PlacementMethod, Placer
from service import models as m
from service.panorama import members_from_db

Layer = Literal["towns", "parks"]
TABLES: dict[str, type[m.Town] | type[m.Park]] = {"towns": m.Town, "parks": m.Park}


@dataclass(frozen=True)
class Replacement:
    """What re-placing the enterprises placed by coordinates did."""

    replaced: int  # enterprises whose town and park were recomputed
    moved: int  # of which the town changed
    park_changed: int  # of which the park changed
    kept: int  # outside every official town polygon: their previous town was kept


@dataclass(frozen=True)
class BoundaryLoad:
    layer: str
    features: int
    placements: Replacement


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


def replace_placements(*, session: Session, placer: Placer) -> Replacement:
    """Recompute town and park of every enterprise placed by its coordinates.

    An enterprise outside every official town polygon (official boundaries loaded for some towns
    only) keeps its previous town; one outside every official park polygon keeps its previous park
    unless that park now has a polygon of its own.
    """
    rows = session.exec(
        select(m.Enterprise.id, m.Enterprise.lon, m.Enterprise.lat, m.Enterprise.town_id, m.Enterprise.park_id).where(
            m.Enterprise.placement == PlacementMethod.COORDINATES.value, m.Enterprise.lon.is_not(None)
        )
    ).all()
    if not rows:
        return Replacement(0, 0, 0, 0)
    lon, lat = np.array([r[1] for r in rows], float), np.array([r[2] for r in rows], float)
    town_ids = dict(session.exec(select(m.Town.name, m.Town.id)).all())
    park_ids = dict(session.exec(select(m.Park.name, m.Park.id)).all())
    bounded_parks = {park_ids[name] for name in session.exec(select(m.Park.name).where(m.Park.boundary_official))}
    towns = placer.official_towns_at(lon, lat) if placer.official.towns is not None else placer.towns_at(lon, lat)
    changes, kept = [], 0
    for (eid, _, _, town_before, park_before), town, park in zip(rows, towns, placer.parks_at(lon, lat), strict=True):
        kept += town is None and town_before is not None
        park_after = park_ids[park] if park is not None else None if park_before in bounded_parks else park_before
        changes.append({"eid": eid, "town_id": town_ids.get(town, town_before), "park_id": park_after})
    table = m.Enterprise.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("eid"))
        .values(town_id=bindparam("town_id"), park_id=bindparam("park_id"))
    )
    session.connection().execute(statement, changes)
    moved = sum(r[3] != c["town_id"] for r, c in zip(rows, changes, strict=True))
    park_changed = sum(r[4] != c["park_id"] for r, c in zip(rows, changes, strict=True))
    return Replacement(len(changes), moved, park_changed, kept)


def _uncovered_towns(session: Session, new: set[str]) -> list[str]:
    """Towns that would have neither an official polygon already stored nor one in the new file."""
    stored = set(session.exec(select(m.Town.name).where(m.Town.boundary_official)).all())
    return sorted(set(session.exec(select(m.Town.name)).all()) - stored - new)


def load_boundaries(
    *, session: Session, path: Path, layer: Layer, datum: Datum | str = Datum.WGS84, partial: bool = False
) -> BoundaryLoad:
    """Store official polygons for towns or parks, then re-place the enterprises they affect.

    Town polygons must cover every town (with those already stored) unless ``partial``: then
    enterprises outside the new polygons keep their previous town.
    """
    table = TABLES[layer]
    known = set(session.exec(select(table.name)).all())
    frame = read_boundaries(path, known, datum)
    missing = _uncovered_towns(session, set(frame["name"])) if layer == "towns" else []
    if missing and not partial:
        raise BoundaryFileError(
            f"{path.name} 没有覆盖全部街镇，缺少 {len(missing)} 个：{'、'.join(missing)}；"
            "如只更新部分街镇，请加 --partial（新边界以外的企业保留原街镇）"
        )
    for name, geometry in zip(frame["name"], frame.geometry, strict=True):
        row = session.exec(select(table).where(table.name == name)).one()
        row.boundary_geojson = mapping(geometry)
        row.boundary_official = True
        session.add(row)
    session.flush()
    return BoundaryLoad(layer, len(frame), replace_placements(session=session, placer=placer_for(session)))
