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
    assert "“激光雷达”" in matches[0]["evidence"] and matches[0]["level"] == "leaf"
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
    assert result.exit_code == 2 and "没有冻结测试集" in result.output


def test_map_export_writes_a_standalone_offline_page(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["demo", "--no-serve", "--enterprises", "200"]).exit_code == 0
    out = tmp_path / "map.html"
    result = runner.invoke(app, ["map", "--out", str(out), "--tiles", "none"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "底图 none" in result.output and "L.markerClusterGroup" in html and "openstreetmap" not in html
    bad = runner.invoke(app, ["map", "--out", str(out), "--tiles", "tianditu"])
    assert bad.exit_code == 2 and "CHAINMAP_TIANDITU_KEY" in bad.output


def test_import_enterprises_reports_row_errors_and_exits_non_zero(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    sheet = tmp_path / "in.csv"
    sheet.write_text(
        "统一社会信用代码,企业名称,地址\n913101174JURQ2839L,示范企业,松江区泗泾镇\n坏代码,乙,\n", encoding="utf-8"
    )
    bad = runner.invoke(app, ["import", "enterprises", str(sheet)])
    assert bad.exit_code == 1 and "第3行 统一社会信用代码" in bad.output and "未导入任何企业" in bad.output
    sheet.write_text("统一社会信用代码,企业名称,地址\n913101174JURQ2839L,示范企业,松江区泗泾镇\n", encoding="utf-8")
    good = runner.invoke(app, ["import", "enterprises", str(sheet)])
    assert good.exit_code == 0, good.output
    assert "已导入 1 家企业" in good.output and "街镇中心" in good.output


def test_geo_load_boundaries_refuses_a_file_it_cannot_use(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    (tmp_path / "towns.kml").write_text("<kml/>")
    result = runner.invoke(app, ["geo", "load-boundaries", str(tmp_path / "towns.kml"), "--layer", "towns"])
    assert result.exit_code == 2 and "不支持的格式" in result.output


def test_match_suppliers_prints_reasons_as_json(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["demo", "--no-serve", "--enterprises", "300"]).exit_code == 0
    result = runner.invoke(app, ["match", "suppliers", "--need", "MCU芯片", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["inferred_segments"][0]["code"] == "ST.CHIP.MCU" and len(body["recommendations"]) == 2
    text = runner.invoke(app, ["match", "customers", "--segment", "ST.HOME"])
    assert text.exit_code == 0 and "1. " in text.output
    bad = runner.invoke(app, ["match", "suppliers"])
    assert bad.exit_code == 2 and "请提供" in bad.output


def test_bench_match_on_a_bare_edge_list(tmp_path):
    rows = ["supplier,customer,date"] + [f"s{i % 7},b{i % 11},2024-0{1 + i % 9}-01" for i in range(60)]
    rows += [f"s{i % 5},b{i % 13},2025-1{i % 3}-01" for i in range(40)]
    (tmp_path / "edges.csv").write_text("\n".join(rows), encoding="utf-8")
    result = runner.invoke(app, ["bench-match", "--edges", str(tmp_path / "edges.csv"), "--split-date", "2025-07-01"])
    assert result.exit_code == 0, result.output
    assert "L3 graph only" in result.output and "text only" not in result.output and "100 contracts" in result.output
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert runner.invoke(app, ["bench-match", "--edges", str(tmp_path / "bad.csv")]).exit_code == 2


def test_the_command_line_starts_without_the_heavy_libraries():
    import subprocess
    import sys

    heavy = ("sklearn", "geopandas", "pandas", "sqlmodel", "sqlalchemy", "folium", "fastapi", "jieba", "lightgbm")
    probe = f"import sys, service.cli; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
