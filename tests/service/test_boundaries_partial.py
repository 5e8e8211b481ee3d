"""Official town boundaries cannot silently lose data: incomplete files are refused, --partial keeps towns."""

import json

import geopandas as gpd
from typer.testing import CliRunner

from geodata import WGS84
from geodata.boundaries import schematic_town_areas
from service.cli import app

runner = CliRunner()


def _reward_total() -> int:
    result = runner.invoke(app, ["reward", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["totals"]["reward_yuan"]


def test_one_towns_boundary_is_refused_and_with_partial_the_reward_does_not_collapse(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["demo", "--no-serve", "--enterprises", "600"]).exit_code == 0
    before = _reward_total()
    cells = schematic_town_areas().set_index("name")
    path = tmp_path / "sijing.geojson"
    gpd.GeoDataFrame({"名称": ["泗泾镇"]}, geometry=[cells.geometry["泗泾镇"]], crs=WGS84).to_file(path)

    refused = runner.invoke(app, ["geo", "load-boundaries", str(path), "--layer", "towns"])
    assert refused.exit_code == 2 and "缺少 16 个" in refused.output and "--partial" in refused.output
    assert len(refused.output.strip().splitlines()) == 1

    partial = runner.invoke(app, ["geo", "load-boundaries", str(path), "--layer", "towns", "--partial"])
    assert partial.exit_code == 0, partial.output
    assert "保留原街镇" in partial.output
    assert before > 0 and _reward_total() == before
