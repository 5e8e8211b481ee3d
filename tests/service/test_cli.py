import re

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "demo", "serve"):
        assert command in result.output


def test_init_then_demo_without_serving(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    init = runner.invoke(app, ["init"])
    assert init.exit_code == 0 and "结构版本 0001" in init.output
    demo = runner.invoke(app, ["demo", "--no-serve", "--enterprises", "120"])
    assert demo.exit_code == 0, demo.output
    match = re.search(r"(\d+) 家企业、(\d+) 份合同", demo.output)
    assert match and match.group(1) == "120" and int(match.group(2)) > 0
