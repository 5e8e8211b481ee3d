"""Official town and park boundaries from a user's file, and the schematic town areas used until then.

A file is GeoJSON, a zipped Shapefile or a GeoPackage. It must declare its CRS (GCJ-02
cannot be declared as a CRS, so pass ``datum=gcj02`` for such data); it is brought to
WGS-84, and every feature must name a known town or park and be a polygon that overlaps
the district. Errors name the feature and what is wrong.
"""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geodata.crs import WGS84, Datum, gcj02_to_wgs84
from geodata.layers import district_shape, towns

NAME_COLUMNS = ("name", "NAME", "名称", "街镇", "镇街", "园区", "park", "town", "XZQMC", "Name")
SUFFIXES = {".geojson", ".json", ".zip", ".gpkg", ".shp"}


class BoundaryFileError(ValueError):
    """An official boundary file that cannot be used; the message says where and why."""


def _source(path: Path) -> str | io.BytesIO:
    """What to hand to the reader: GeoJSON saved in GBK/GB18030 (not UTF-8, as the standard wants) is re-encoded."""
    if path.suffix.lower() == ".zip":
        return f"zip://{path}"
    if path.suffix.lower() not in (".geojson", ".json"):
        return str(path)
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = data.decode("gb18030", errors="replace").encode("utf-8")
    return io.BytesIO(data)


def _read(path: Path) -> gpd.GeoDataFrame:
    if path.suffix.lower() not in SUFFIXES:
        raise BoundaryFileError(f"{path.name}：不支持的格式，请提供 GeoJSON、Shapefile（.zip）或 GeoPackage（.gpkg）")
    try:
        return gpd.read_file(_source(path))
    except FileNotFoundError as exc:
        raise BoundaryFileError(f"找不到文件 {path}") from exc
    except Exception as exc:  # pyogrio raises several types for unreadable files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BoundaryFileError(f"{path.name}：无法作为地理数据读取（{reason}）") from exc


def _to_wgs84(frame: gpd.GeoDataFrame, datum: Datum, path: Path) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise BoundaryFileError(f"{path.name}：文件没有声明坐标参考系（CRS），无法判断坐标含义")
    frame = frame.to_crs(WGS84)
    if datum is Datum.GCJ02:
        frame["geometry"] = shapely.transform(frame.geometry, _gcj_to_wgs, interleaved=False)
    return frame


def _gcj_to_wgs(x, y):
    return gcj02_to_wgs84(x, y)


def _name_column(frame: gpd.GeoDataFrame, known: set[str], path: Path) -> str:
    for column in (c for c in NAME_COLUMNS if c in frame.columns):
        if frame[column].astype(str).isin(known).any():
            return column
    raise BoundaryFileError(
        f"{path.name}：找不到名称列（可用列名：{'、'.join(NAME_COLUMNS)}），"
        f"或其中没有任何已知名称（如 {next(iter(known))}）"
    )


def _check_feature(index: int, name: str, shape: BaseGeometry, known: set[str], path: Path) -> None:
    where = f"{path.name} 第{index + 1}个要素（{name}）"
    if name not in known:
        raise BoundaryFileError(f"{where}：名称不在已知列表中（{'、'.join(sorted(known))}）")
    if shape is None or shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise BoundaryFileError(
            f"{where}：几何类型应为面（Polygon/MultiPolygon），收到 {getattr(shape, 'geom_type', '空')}"
        )
    if not shape.intersects(district_shape()):
        raise BoundaryFileError(f"{where}：与松江区边界不相交（坐标系或 GCJ-02 声明是否正确？）")


def read_boundaries(path: Path | str, known: set[str], datum: Datum | str = Datum.WGS84) -> gpd.GeoDataFrame:
    """Polygons named by ``known`` names, WGS-84, one row per name."""
    path = Path(path)
    frame = _to_wgs84(_read(path), Datum(datum), path)
    column = _name_column(frame, known, path)
    names = frame[column].astype(str).str.strip()
    for index, (name, shape) in enumerate(zip(names, frame.geometry, strict=True)):
        _check_feature(index, name, shape, known, path)
    repeated = names[names.duplicated()].tolist()
    if repeated:
        raise BoundaryFileError(f"{path.name}：名称重复：{'、'.join(repeated)}")
    return gpd.GeoDataFrame({"name": names}, geometry=frame.geometry.values, crs=WGS84)


def schematic_town_areas() -> gpd.GeoDataFrame:
    """Voronoi cells of the town anchors clipped to the district: 示意 only, never a boundary."""
    anchors = towns()
    cells = shapely.voronoi_polygons(shapely.MultiPoint(list(anchors.geometry)), extend_to=district_shape())
    shape = district_shape()
    rows = []
    for cell in cells.geoms:
        name = anchors.loc[anchors.geometry.within(cell), "name"]
        rows.append({"name": name.iloc[0], "geometry": cell.intersection(shape)})
    return gpd.GeoDataFrame(rows, crs=WGS84)
