"""Official boundary files: formats, datum, and errors that name the feature."""

import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from geodata import WGS84, district_shape, towns, wgs84_to_gcj02
from geodata.boundaries import BoundaryFileError, read_boundaries, schematic_town_areas

KNOWN = set(towns()["name"])


def _cells(*names):
    cells = schematic_town_areas().set_index("name")
    return gpd.GeoDataFrame({"name": list(names)}, geometry=[cells.geometry[n] for n in names], crs=WGS84)


@pytest.mark.parametrize(("suffix", "driver"), [(".geojson", "GeoJSON"), (".gpkg", "GPKG")])
def test_reads_named_polygons_from_geojson_and_geopackage(tmp_path, suffix, driver):
    path = tmp_path / f"towns{suffix}"
    _cells("泗泾镇", "洞泾镇").rename(columns={"name": "街镇"}).to_file(path, driver=driver)
    frame = read_boundaries(path, KNOWN)
    assert list(frame["name"]) == ["泗泾镇", "洞泾镇"] and frame.crs == WGS84
    assert frame.geometry.iloc[0].equals_exact(_cells("泗泾镇").geometry.iloc[0], 1e-9)


def test_reads_a_zipped_shapefile_in_another_crs(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    _cells("泗泾镇").to_crs("EPSG:4549").to_file(folder / "towns.shp", encoding="utf-8")
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in folder.iterdir():
            zf.write(file, file.name)
    frame = read_boundaries(archive, KNOWN)
    original = _cells("泗泾镇").geometry.iloc[0]
    assert frame["name"].tolist() == ["泗泾镇"]
    assert frame.geometry.iloc[0].symmetric_difference(original).area < original.area * 1e-6


def test_gcj02_files_are_brought_back_to_wgs84(tmp_path):
    cells = _cells("泗泾镇")
    shifted = cells.assign(geometry=shapely.transform(cells.geometry, _gcj))
    path = tmp_path / "gcj.geojson"
    shifted.to_file(path, driver="GeoJSON")
    frame = read_boundaries(path, KNOWN, datum="gcj02")
    original = cells.geometry.iloc[0]
    assert frame.geometry.iloc[0].hausdorff_distance(original) < 1e-6  # degrees: well under a metre


def _gcj(xy):
    return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            gpd.GeoDataFrame(
                {"name": ["泗泾镇", "月亮镇"]}, geometry=[box(121.25, 31.10, 121.27, 31.12)] * 2, crs=WGS84
            ),
            "第2个要素（月亮镇）：名称不在已知列表中",
        ),
        (gpd.GeoDataFrame({"name": ["泗泾镇"]}, geometry=[Point(121.26, 31.11)], crs=WGS84), "几何类型应为面"),
        (
            gpd.GeoDataFrame({"name": ["泗泾镇"]}, geometry=[box(121.5, 31.2, 121.6, 31.3)], crs=WGS84),
            "与松江区边界不相交",
        ),
        (
            gpd.GeoDataFrame({"name": ["泗泾镇"] * 2}, geometry=[box(121.25, 31.10, 121.27, 31.12)] * 2, crs=WGS84),
            "名称重复：泗泾镇",
        ),
        (gpd.GeoDataFrame({"label": ["x"]}, geometry=[box(121.25, 31.10, 121.27, 31.12)], crs=WGS84), "找不到名称列"),
    ],
)
def test_bad_features_are_refused_naming_the_file_and_feature(tmp_path, frame, message):
    path = tmp_path / "bad.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError, match=message) as error:
        read_boundaries(path, KNOWN)
    assert "bad.geojson" in str(error.value)


def test_unsupported_and_unreadable_files_say_so(tmp_path):
    (tmp_path / "towns.kml").write_text("<kml/>")
    with pytest.raises(BoundaryFileError, match="不支持的格式"):
        read_boundaries(tmp_path / "towns.kml", KNOWN)
    (tmp_path / "broken.geojson").write_text("{not json")
    with pytest.raises(BoundaryFileError, match="无法作为地理数据读取"):
        read_boundaries(tmp_path / "broken.geojson", KNOWN)


def test_schematic_areas_tile_the_district_one_cell_per_town():
    cells = schematic_town_areas()
    anchors = towns().set_index("name").geometry
    assert sorted(cells["name"]) == sorted(anchors.index) and len(cells) == 17
    assert all(cell.contains(anchors[name]) for name, cell in zip(cells["name"], cells.geometry, strict=True))
    assert abs(cells.union_all().area - district_shape().area) < district_shape().area * 1e-6
