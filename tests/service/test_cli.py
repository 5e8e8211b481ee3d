import json
import re

from typer.testing import CliRunner

from service.cli import app
from service.db import head_revision

runner = CliRunner()


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "demo", "serve"):
        assert command in result.output


def test_init_then_demo_without_serving(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    init = runner.invoke(app, ["init"])
    assert init.exit_code == 0 and f"结构版本 {head_revision()}" in init.output
    demo = runner.invoke(app, ["demo", "--no-serve", "--enterprises", "120"])
    assert demo.exit_code == 0, demo.output
    match = re.search(r"(\d+) 家企业、(\d+) 份合同", demo.output)
    assert match and match.group(1) == "120" and int(match.group(2)) > 0


def test_classify_prints_segments_confidence_and_evidence_as_json():
    result = runner.invoke(app, ["classify", "--text", "车规级激光雷达、毫米波雷达", "--json"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.output)
    assert matches[0]["code"] == "ST.SENS.LIDAR" and 0 < matches[0]["confidence"] <= 1
    assert "激光雷达" in matches[0]["evidence"]
    outside = runner.invoke(app, ["classify", "--text", "面包、糕点"])
    assert outside.exit_code == 0 and "不属于" in outside.output


def test_panorama_on_the_demo_database_writes_its_exports(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["demo", "--no-serve", "--enterprises", "400"]).exit_code == 0
    assert runner.invoke(app, ["classify"]).exit_code == 0
    out = {suffix: tmp_path / f"chain.{suffix}" for suffix in ("xlsx", "svg", "png")}
    result = runner.invoke(
        app, ["panorama", "--json", "--excel", str(out["xlsx"]), "--svg", str(out["svg"]), "--png", str(out["png"])]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["chain"] == "smart_terminal" and body["gaps"]
    assert all(path.stat().st_size > 1000 for path in out.values())
    text = runner.invoke(app, ["panorama"])
    assert "缺口1：" in text.output


def test_bench_classify_refuses_a_chain_without_labelled_data():
    result = runner.invoke(app, ["bench-classify", "--chain", "satellite_internet"])
    assert result.exit_code == 2 and "没有标注数据" in result.output
