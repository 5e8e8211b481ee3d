"""Placing an enterprise: its WGS-84 position, town (街镇) and park, and how that was found.

In order of preference:

1. **coordinates** given (WGS-84 or GCJ-02, declared by the caller): refused outside the
   district; town and park by official boundaries when loaded, otherwise the nearest
   town anchor (a schematic 示意 assignment) and the park whose point lies within
   ``PARK_RADIUS_KM``;
2. **address_park**: the address names a park or one of its aliases: the park's point;
3. **address_town**: the address names one of the 17 towns and streets: its anchor,
   precision ``town``;
4. **unplaced**: nothing to go on.

Every result says which rule placed it, and whether the town and park came from official
boundaries (``boundary``) or from the approximations (``schematic``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import geopandas as gpd
import numpy as np
from shapely import contains_xy

from geodata.crs import Datum, haversine_km, to_wgs84
from geodata.layers import inside_district, parks, towns

PARK_RADIUS_KM = 1.0  # without an official park polygon, "in the park" means this close to its point

# Names by which addresses refer to the shipped parks (curated from the park file's aliases and notes).
PARK_ADDRESS_NAMES: dict[str, tuple[str, ...]] = {
    "临港松江科技城": ("临港松江科技城", "漕河泾开发区松江园区", "临港科技城"),
    "G60信创产业园": ("G60信创产业园", "信创产业园"),
    "洞泾人工智能产业基地": ("洞泾人工智能产业基地", "人工智能产业基地", "创异工房", "洞泾未来湾"),
    "G60电子信息国际创新产业园": ("G60电子信息国际创新产业园", "电子信息国际创新产业园"),
    "松江综合保税区A区": ("松江综合保税区A区", "综合保税区A区", "综保区A区", "出口加工区A区"),
    "松江综合保税区B区": ("松江综合保税区B区", "综合保税区B区", "综保区B区", "出口加工区B区"),
    "中山工业园/松江工业区": ("中山工业园", "松江工业区东部园区", "松江工业区"),
    "松江经济技术开发区": ("松江经济技术开发区", "松江经开区"),
    "G60脑智科创基地": ("G60脑智科创基地", "脑智科创基地"),
    "G60生物医药产业基地": ("G60生物医药产业基地", "生物医药产业基地"),
}


class PlacementMethod(StrEnum):
    COORDINATES = "coordinates"
    ADDRESS_PARK = "address_park"
    ADDRESS_TOWN = "address_town"
    UNPLACED = "unplaced"

    @property
    def label(self) -> str:
        return {
            "coordinates": "按坐标定位",
            "address_park": "按地址中的园区名定位到园区点",
            "address_town": "按地址中的街镇名定位到街镇中心（估计）",
            "unplaced": "未能定位",
        }[self.value]


class OutsideDistrict(ValueError):
    """Coordinates that do not fall inside 松江区."""


@dataclass(frozen=True)
class Placement:
    lon: float | None
    lat: float | None
    town: str | None
    park: str | None
    precision: str  # surveyed / address / park / town / unknown (chainmap.records.LocationPrecision)
    method: PlacementMethod
    areas: str  # "boundary": official polygons decided town and park; "schematic": the approximations


@dataclass(frozen=True)
class OfficialAreas:
    """Official polygons loaded by a user, by name (WGS-84); either may be empty."""

    towns: gpd.GeoDataFrame | None = None
    parks: gpd.GeoDataFrame | None = None


def _containing(frame: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Per point, the name of the first polygon containing it, else None."""
    found = np.full(len(lon), None, dtype=object)
    for name, shape in zip(frame["name"], frame.geometry, strict=True):
        hit = contains_xy(shape, lon, lat) & (found == None)  # noqa: E711 (element-wise)
        found[hit] = name
    return found


class Placer:
    """Places enterprises against the shipped layers and any official polygons."""

    def __init__(self, official: OfficialAreas = OfficialAreas()):
        self.official = official
        self.towns = towns()
        self.parks = parks()
        self.town_names = list(self.towns["name"])
        self.park_names = list(self.parks["name"])
        self.town_points = {name: (p.x, p.y) for name, p in zip(self.town_names, self.towns.geometry, strict=True)}
        self.park_points = {name: (p.x, p.y) for name, p in zip(self.park_names, self.parks.geometry, strict=True)}
        self.aliases = sorted(
            ((alias, park) for park, names in PARK_ADDRESS_NAMES.items() for alias in names if park in self.park_names),
            key=lambda pair: -len(pair[0]),
        )

    def areas(self) -> str:
        return "boundary" if self.official.towns is not None else "schematic"

    def towns_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Per point, the official polygon containing it; elsewhere (no polygons loaded, or outside those
        of a partial load) the nearest town anchor, a schematic assignment."""
        xy = np.array([(p.x, p.y) for p in self.towns.geometry])
        distance = haversine_km(lon[:, None], lat[:, None], xy[None, :, 0], xy[None, :, 1])
        nearest = np.array(self.town_names, dtype=object)[np.argmin(distance, axis=1)]
        found = self.official_towns_at(lon, lat)
        return np.where(found == None, nearest, found)  # noqa: E711 (element-wise)

    def official_towns_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Per point, the official town polygon containing it, else None."""
        if self.official.towns is None:
            return np.full(len(lon), None, dtype=object)
        return _containing(self.official.towns, lon, lat)

    def parks_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        if self.official.parks is not None:
            return _containing(self.official.parks, lon, lat)
        xy = np.array([(p.x, p.y) for p in self.parks.geometry])
        distance = haversine_km(lon[:, None], lat[:, None], xy[None, :, 0], xy[None, :, 1])
        nearest = np.argmin(distance, axis=1)
        names = np.array(self.park_names, dtype=object)[nearest]
        names[distance[np.arange(len(lon)), nearest] > PARK_RADIUS_KM] = None
        return names

    def place_points(
        self, lon, lat, datum: Datum | str = Datum.WGS84
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Vectorised: WGS-84 positions, towns and parks; raises OutsideDistrict naming the first bad index."""
        x, y = to_wgs84(np.atleast_1d(lon), np.atleast_1d(lat), datum)
        inside = inside_district(x, y)
        if not inside.all():
            i = int(np.argmin(inside))
            which = f"第{i + 1}个" if len(x) > 1 else ""
            raise OutsideDistrict(
                f"{which}坐标 ({float(np.atleast_1d(lon)[i]):.6f}, {float(np.atleast_1d(lat)[i]):.6f})"
                f"（按 {Datum(datum).value.upper()} 解读）不在松江区范围内"
            )
        return x, y, self.towns_at(x, y), self.parks_at(x, y)

    def place_many(self, lon, lat, datum: Datum | str = Datum.WGS84, surveyed: bool = False) -> list[Placement | None]:
        """Vectorised placement by coordinates: a Placement per point, None for a point outside the district."""
        x, y = to_wgs84(np.atleast_1d(lon), np.atleast_1d(lat), datum)
        inside = np.asarray(inside_district(x, y), dtype=bool)
        town_names, park_names = self.towns_at(x[inside], y[inside]), self.parks_at(x[inside], y[inside])
        precision = "surveyed" if surveyed else "address"
        found: list[Placement | None] = [None] * len(x)
        for i, town, park in zip(np.flatnonzero(inside), town_names, park_names, strict=True):
            found[i] = Placement(
                float(x[i]), float(y[i]), town, park, precision, PlacementMethod.COORDINATES, self.areas()
            )
        return found

    def place(
        self,
        *,
        lon: float | None = None,
        lat: float | None = None,
        address: str = "",
        datum: Datum | str = Datum.WGS84,
        surveyed: bool = False,
    ) -> Placement:
        if lon is not None and lat is not None:
            x, y, town, park = self.place_points([lon], [lat], datum)
            precision = "surveyed" if surveyed else "address"
            return Placement(
                float(x[0]), float(y[0]), town[0], park[0], precision, PlacementMethod.COORDINATES, self.areas()
            )
        return self.place_address(address)

    def place_address(self, address: str) -> Placement:
        town = next((name for name in self.town_names if name in address), None)
        park = next((p for alias, p in self.aliases if alias in address), None)
        if park is not None:
            x, y = self.park_points[park]
            found_town = town or self.towns_at(np.array([x]), np.array([y]))[0]
            return Placement(x, y, found_town, park, "park", PlacementMethod.ADDRESS_PARK, self.areas())
        if town is not None:
            x, y = self.town_points[town]
            return Placement(x, y, town, None, "town", PlacementMethod.ADDRESS_TOWN, self.areas())
        return Placement(None, None, None, None, "unknown", PlacementMethod.UNPLACED, self.areas())
