"""Every command that takes a file: a missing or empty file is one Chinese line and exit 2, a GBK file is read.

Files the commands write: a missing folder is one Chinese line and exit 2, before any work is done.
"""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()

# command line with FILE where the input goes, and a text that shows the GBK file was understood
READERS = {
    "reward": (["reward", "--contracts", "FILE"], "contracts_gbk.csv", "第3行 年度：“二〇二五”不是整数"),
    "bench-match": (
        ["bench-match", "--edges", "FILE", "--split-date", "2025/07/02"],
        "edges_gbk_dates.csv",
        "4 contracts",
    ),
    "geo load-boundaries": (
        ["geo", "load-boundaries", "FILE", "--layer", "towns", "--partial"],
        "towns_one_gbk.geojson",
        "已载入 1 个官方街镇边界",
    ),
}
WRITERS = {
    "panorama": ["panorama", "--excel", "OUT"],
    "panorama svg": ["panorama", "--svg", "OUT"],
    "map": ["map", "--out", "OUT", "--tiles", "none"],
    "reward": ["reward", "--excel", "OUT"],
    "export": ["export", "enterprises", "--out", "OUT"],
}


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("files")
    url = f"sqlite:///{folder / 'cli.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHAINMAP_DATABASE_URL", url)
        assert runner.invoke(app, ["demo", "--no-serve", "--enterprises", "200"]).exit_code == 0
    return url


def _run(args: list[str], database: str):
    return runner.invoke(app, args, env={"CHAINMAP_DATABASE_URL": database})


def _one_chinese_line(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and expected in lines[0], result.output


@pytest.mark.parametrize("command", READERS)
@pytest.mark.parametrize(
    ("problem", "expected"), [("missing", "找不到文件"), ("empty", "是空文件"), ("folder", "是文件夹，不是文件")]
)
def test_a_missing_or_empty_input_is_one_chinese_line(command, problem, expected, database, tmp_path):
    path = {"missing": tmp_path / "missing.csv", "empty": DATA / "empty.csv", "folder": tmp_path}[problem]
    args, _, _ = READERS[command]
    _one_chinese_line(_run([str(path) if a == "FILE" else a for a in args], database), expected)


@pytest.mark.parametrize("command", READERS)
def test_a_gbk_file_is_read(command, database, tmp_path):
    args, name, shows = READERS[command]
    copy = tmp_path / name
    shutil.copy(DATA / name, copy)
    result = _run([str(copy) if a == "FILE" else a for a in args], database)
    assert result.exit_code == 0, result.output
    assert shows in result.output


def test_a_bad_split_date_is_one_chinese_line(database):
    args = ["bench-match", "--edges", str(DATA / "edges_gbk_dates.csv"), "--split-date", "2025/13/01"]
    _one_chinese_line(_run(args, database), "“2025/13/01”不是有效日期")


def test_an_unreadable_boundary_file_is_one_chinese_line(database, tmp_path):
    path = tmp_path / "towns.geojson"
    path.write_bytes(b"\x00\x01 not geojson")
    _one_chinese_line(_run(["geo", "load-boundaries", str(path), "--layer", "towns"], database), "无法作为地理数据读取")


@pytest.mark.parametrize("command", WRITERS)
def test_an_output_in_a_missing_folder_is_one_chinese_line(command, database, tmp_path):
    out = tmp_path / "nowhere" / "out.file"
    args = [str(out) if a == "OUT" else a for a in WRITERS[command]]
    _one_chinese_line(_run(args, database), "不存在")
