"""`chainmap event …` on a demo database: an event from creation to a contract, and errors in Chinese (exit 2)."""

import re

import openpyxl
from sqlmodel import Session, select
from typer.testing import CliRunner

from service import models as m
from service.cli import app
from service.db import make_engine
from service.settings import Settings

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["event", *args])


def test_an_event_from_the_command_line(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", url)
    demo = runner.invoke(app, ["demo", "--no-serve", "--enterprises", "300"])
    assert demo.exit_code == 0 and "示例对接会 2 场" in demo.output, demo.output
    with Session(make_engine(Settings(database_url=url))) as session:
        firms = [f.uscc for f in session.exec(select(m.Enterprise).limit(4))]
    created = _run("create", "--name", "命令行对接会", "--date", "2027-03-01", "--slots", "3", "--break", "1:30")
    event = re.search(r"已新建对接会 (\d+)", created.output).group(1)
    assert _run("register", event, "--role", "host", "--uscc", firms[0], "--tables", "A,B").exit_code == 0
    for uscc in firms[1:]:
        assert _run("register", event, "--role", "visitor", "--uscc", uscc, "--available", "09:00-10:30").exit_code == 0
    for uscc, priority in zip(firms[1:], ("1", "2", "3"), strict=True):
        asked = _run(
            "request", event, "--host", firms[0], "--visitor", uscc, "--side", "visitor", "--priority", priority
        )
        assert asked.exit_code == 0, asked.output
    scheduled = _run("schedule", event, "--confirm")
    assert "会面 3 场" in scheduled.output and "已证明最优" in scheduled.output and "日程已发布" in scheduled.output
    excel = tmp_path / "agendas.xlsx"
    agendas = _run("agendas", event, "--excel", str(excel))
    assert agendas.exit_code == 0 and agendas.output.count("  桌 ") == 2 * 3
    assert openpyxl.load_workbook(excel)["个人日程"].max_row == 1 + 2 * 3
    meeting = re.search(r"^(\d+) ", _run("outcomes", event).output, re.M).group(1)
    signed = _run("outcomes", event, "--meeting", meeting, "--kind", "contract", "--amount", "3500000")
    assert signed.exit_code == 0 and "约 35 万元" in signed.output
    assert "签约，3,500,000 元" in _run("outcomes", event).output


def test_command_line_errors_are_one_chinese_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    for args, message in [
        (("schedule", "999"), "未找到编号为 999 的对接会"),
        (("create", "--name", "x", "--date", "2027-13-01"), "--date（日期）：“2027-13-01”不是 YYYY-MM-DD"),
        (("create", "--name", "x", "--date", "2027-01-01", "--break", "六:60"), "--break（休息）：“六:60”应写作"),
    ]:
        result = _run(*args)
        assert result.exit_code == 2 and message in result.output, result.output
