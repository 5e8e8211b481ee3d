"""`chainmap challenge …` on the demo: list, publish with 万元, moves, refusals as one Chinese line and exit 2."""

import pytest
from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_challenges")
    env = {"CHAINMAP_DATABASE_URL": f"sqlite:///{folder / 'cli.db'}", "CHAINMAP_DATA_DIR": str(folder / "files")}
    loaded = runner.invoke(app, ["demo", "--no-serve", "--enterprises", "150"], env=env)
    assert loaded.exit_code == 0, loaded.output
    return env


def _run(env, *args):
    return runner.invoke(app, ["challenge", *args], env=env)


def test_the_demo_challenges_are_listed_with_the_education_scenario(demo_env):
    listed = _run(demo_env, "list")
    assert listed.exit_code == 0
    assert "区教育局\t智慧教育终端" in listed.output and "已定榜" in listed.output and "待审核" in listed.output


def test_publish_move_and_refuse(demo_env, tmp_path):
    made = _run(
        demo_env,
        "publish",
        "--title",
        "演练榜单",
        "--department",
        "区交通委",
        "--budget-max",
        "500万",
        "--segment",
        "ST.MOD.CAM",
        "--attach",
        "tests/data/challenge_spec.pdf",
    )
    assert made.exit_code == 0, made.output
    number = made.output.split("榜单 ")[1].split("（")[0]
    refused = _run(demo_env, "transition", number, "published")
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines() == ["错误：不能从“草稿”变为“已发榜（揭榜中）”；可变为：待审核、已撤回"]
    assert _run(demo_env, "transition", number, "under_review").exit_code == 0
    assert "已发榜" in _run(demo_env, "transition", number, "published").output
    shown = _run(demo_env, "show", number, "--json")
    assert '"budget_max_yuan": 5000000' in shown.output and '"filename": "challenge_spec.pdf"' in shown.output
    bad_money = _run(demo_env, "publish", "--title", "坏金额", "--department", "区教育局", "--budget-max", "五百万")
    assert bad_money.exit_code == 2 and bad_money.output.startswith("错误：budget_max_yuan（预算上限）：应为金额")
    not_a_pdf = tmp_path / "x.pdf"
    not_a_pdf.write_bytes(b"hello")
    refused_file = _run(
        demo_env, "publish", "--title", "坏附件", "--department", "区教育局", "--attach", str(not_a_pdf)
    )
    assert refused_file.exit_code == 2 and "与扩展名 .pdf 不符" in refused_file.output
    assert "坏附件" not in _run(demo_env, "list").output  # nothing stored half-written
