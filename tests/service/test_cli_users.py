"""`chainmap users ...`, `init --admin`, and the CLI's bounded inputs."""

import re

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_users_lifecycle_is_audited(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", url)
    first = runner.invoke(app, ["init", "--admin", "chief", "--admin-password", "一个足够长的密码12"])
    assert first.exit_code == 0 and "已创建用户 chief（区经委管理员）" in first.output
    again = runner.invoke(app, ["init", "--admin", "other", "--admin-password", "一个足够长的密码12"])
    assert "已有管理员账户" in again.output
    officer = ["users", "add", "jt", "--role", "officer", "--town", "九亭镇", "--password", "abcdefghijk"]
    assert runner.invoke(app, officer).exit_code == 0
    unbound = runner.invoke(app, ["users", "add", "x", "--role", "officer", "--password", "abcdefghijk"])
    assert unbound.exit_code == 2 and "须指定一个街镇" in unbound.output
    short = runner.invoke(app, ["users", "add", "y", "--role", "admin", "--password", "short"])
    assert short.exit_code == 2 and "至少 10 个字符" in short.output
    issued = runner.invoke(app, ["users", "token", "chief", "--label", "同步"])
    number, token = re.search(r"令牌 (\d+)（只显示这一次）：(cm_\S+)", issued.output).groups()
    assert runner.invoke(app, ["users", "token", "chief", "--revoke", number]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "jt"]).exit_code == 0
    assert runner.invoke(app, ["users", "reset-password", "chief", "--password", "另一个足够长的密码34"]).exit_code == 0
    listing = runner.invoke(app, ["users", "list"]).output
    assert "jt\t街镇/园区工作人员\t九亭镇\t停用" in listing and "chief\t区经委管理员" in listing
    missing = runner.invoke(app, ["users", "disable", "nobody"])
    assert missing.exit_code == 2 and "没有用户“nobody”" in missing.output
    with create_engine(url).connect() as connection:
        actions = connection.execute(text("SELECT action FROM auditevent ORDER BY id")).scalars().all()
        stored = connection.execute(text("SELECT token_hash FROM apitoken")).scalars().all()
    assert actions == ["user_added", "user_added", "token_issued", "token_revoked", "user_disabled", "password_reset"]
    assert token not in stored


def test_cli_refuses_unbounded_numbers_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["init"]).exit_code == 0
    for share in ("inf", "1e308", "nan"):
        result = runner.invoke(app, ["panorama", "--median-share", share])
        assert result.exit_code == 2 and "median_share：应在 0 到 1 之间" in result.output, share
    huge = runner.invoke(app, ["match", "suppliers", "--need", "MCU", "--min-revenue-yuan", str(2**64)])
    assert huge.exit_code == 2 and "最低营业收入：应为 0 到" in huge.output
