"""Docs that cannot drift: every setting, CLI command and API route appears in the README."""

import re
from pathlib import Path

from fastapi.routing import iter_route_contexts
from typer.main import get_command

from service.api import create_app
from service.cli import app as cli
from service.settings import Settings

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for name in Settings.model_fields:
        assert f"CHAINMAP_{name.upper()}" in README, name


def test_every_cli_command_is_documented():
    for name in get_command(cli).commands:
        assert f"`chainmap {name}" in README, name


def test_every_api_route_is_documented(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    for route in iter_route_contexts(app.routes):  # included routers flattened
        path = route.path or ""
        if path.startswith("/api/"):
            documented = re.sub(r"\{[^}]+\}", "{", path)
            assert documented in re.sub(r"\{[^}]+\}", "{", README), path


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    assert "make demo" in README and "make test" in README
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert ci.strip().splitlines()[-1] == "make test"
