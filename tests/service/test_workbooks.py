"""Every workbook the product writes: a cover sheet, bold frozen headers, fitting widths, number formats."""

import io
import json
from datetime import date

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api import create_app
from service.cli import app as cli
from service.excel import COVER_SHEET, DEMO_NOTE, Column, Cover, Kind, Sheet, display_width, write_workbook
from service.settings import Settings

EXPORTS = [
    "/api/chains/smart_terminal/panorama.xlsx",
    "/api/rewards/ledger.xlsx",
    "/api/audit.xlsx",
    "/api/enterprises.xlsx",
]


@pytest.fixture(scope="module")
def client(demo_database, sign_in):
    client = TestClient(create_app(Settings(database_url=demo_database())))
    sign_in(client)
    return client


def _book(client, path: str) -> openpyxl.Workbook:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _cover(book) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for label, text in book[COVER_SHEET].iter_rows(min_row=2, values_only=True):
        found.setdefault(label, []).append(text)
    return found


@pytest.mark.parametrize("path", EXPORTS)
def test_every_export_has_a_cover_and_bold_frozen_headers(client, path):
    book = _book(client, path)
    assert book.sheetnames[0] == COVER_SHEET
    cover = _cover(book)
    assert cover["标题"] and cover["数据来源"] and cover["生成日期"] == [date.today().isoformat()]
    assert cover["工作表"] == book.sheetnames[1:]
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert all(sheet.column_dimensions[cell.column_letter].width >= 6 for cell in sheet[1]), sheet.title


def test_demo_rows_put_the_demo_note_on_the_cover(client):
    for path in ("/api/chains/smart_terminal/panorama.xlsx", "/api/rewards/ledger.xlsx", "/api/enterprises.xlsx"):
        assert _cover(_book(client, path))["示例数据"] == [DEMO_NOTE], path
    assert "示例数据" not in _cover(_book(client, "/api/audit.xlsx"))


def test_the_ledger_shows_yuan_with_separators_and_the_budget_in_wan(client):
    book = _book(client, "/api/rewards/ledger.xlsx")
    detail = book["奖励明细"]
    header = [cell.value for cell in detail[1]]
    reward = header.index("奖励（元）") + 1
    assert detail.cell(2, reward).number_format == "#,##0" and isinstance(detail.cell(2, reward).value, int)
    assert detail.cell(2, 1).number_format == "0"  # a year is not 2,025
    budget = book["预算汇总"]
    assert budget["C1"].value == "奖励合计（万元）" and budget["C2"].number_format == "#,##0.00"
    assert _cover(book)["口径"][1].startswith("后续年度“增量”")


def test_the_panorama_shows_shares_as_percentages(client):
    parks = _book(client, "/api/chains/smart_terminal/panorama.xlsx")["园区聚焦"]
    share = [cell.value for cell in parks[1]].index("占比") + 1
    cells = [parks.cell(row, share) for row in range(2, parks.max_row + 1) if parks.cell(row, share).value is not None]
    assert cells and all(cell.number_format == "0.0%" and 0 <= cell.value <= 1 for cell in cells)


def test_widths_fit_chinese_text_and_formula_text_stays_text(tmp_path):
    rows = [{"name": "示例·上海某某智能装备有限公司", "amount": 1_234_567, "share": 0.9775280898876404}]
    rows.append({"name": '=HYPERLINK("http://x")', "amount": None, "share": None})
    columns = [
        Column("企业", lambda r: r["name"]),
        Column("金额", lambda r: r["amount"], Kind.YUAN),
        Column("金额", lambda r: r["amount"], Kind.WAN),
        Column("占比", lambda r: r["share"], Kind.PERCENT),
    ]
    path = write_workbook(tmp_path / "t.xlsx", Cover("测试", "手写"), [Sheet("表", columns, rows)])
    sheet = openpyxl.load_workbook(path)["表"]
    assert [c.value for c in sheet[1]] == ["企业", "金额（元）", "金额（万元）", "占比"]
    assert sheet.column_dimensions["A"].width >= display_width(rows[0]["name"]) == 30
    assert [(c.value, c.number_format) for c in sheet[2]][1:] == [
        (1_234_567, "#,##0"),
        (123.4567, "#,##0.00"),
        (0.9775280898876404, "0.0%"),
    ]
    assert sheet["A3"].value == '\'=HYPERLINK("http://x")' and sheet["A3"].data_type == "s"


def test_enterprises_export_filtered_like_the_map(client, small_demo):
    firm = next(e for e in small_demo.enterprises if e.town and e.segments and e.labels)
    segment, label = next(iter(firm.segments)), next(iter(firm.labels))
    query = {"segment": segment, "town": firm.town, "label": label.label}
    geo = client.get("/api/enterprises.geojson", params=query)
    assert geo.status_code == 200 and geo.headers["content-type"].startswith("application/geo+json")
    features = geo.json()["features"]
    assert firm.uscc in {f["properties"]["uscc"] for f in features}
    assert all(f["properties"]["town"] == firm.town and label.label in f["properties"]["labels"] for f in features)
    assert all(segment in f["properties"]["segments"] for f in features)
    everything = client.get("/api/enterprises.geojson").json()["features"]
    assert len(everything) == len(small_demo.enterprises) > len(features)
    sheet = _book(client, "/api/enterprises.xlsx?" + "&".join(f"{k}={v}" for k, v in query.items()))["企业"]
    assert sheet.max_row - 1 == len(features)
    bad = client.get("/api/enterprises.xlsx", params={"town": "火星"})
    assert bad.status_code == 422 and bad.json()["detail"][0] == {"field": "town", "msg": "未知街镇“火星”"}


def test_cli_exports_enterprises_as_geojson_and_excel(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--no-serve", "--enterprises", "300"]).exit_code == 0
    out = tmp_path / "robots.geojson"
    result = runner.invoke(
        cli, ["export", "enterprises", "--format", "geojson", "--segment", "ST.ROB", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert features and all(any(s.startswith("ST.ROB") for s in f["properties"]["segments"]) for f in features)
    assert f"已写出 {len(features)} 家企业" in result.output
    book = tmp_path / "jiuting.xlsx"
    result = runner.invoke(cli, ["export", "enterprises", "--town", "九亭镇", "--out", str(book)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(book)["企业"]
    assert {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"九亭镇"}
    bad = runner.invoke(cli, ["export", "enterprises", "--label", "独角兽", "--out", str(book)])
    assert bad.exit_code == 2 and "未知标签“独角兽”" in bad.output


def test_a_shortlist_exports_with_reasons_and_the_reward_in_yuan(client, small_demo):
    buyer = next(e for e in small_demo.enterprises if e.segments and e.city == "松江区")
    book = _book(client, f"/api/match/suppliers.xlsx?uscc={buyer.uscc}&k=5")
    assert book.sheetnames == [COVER_SHEET, "推荐名单", "已有合作伙伴"]
    sheet = book["推荐名单"]
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["排名", "企业"] and "距300万元门槛（元）" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1)) and 0 < len(rows) <= 5
    assert all(row[header.index("推荐理由")] for row in rows)
    assert _cover(book)["标题"] == [f"供应商推荐名单：{buyer.name}"]


def test_control_characters_a_workbook_cannot_hold_are_dropped(client):
    book = _book(client, "/api/audit.xlsx?actor=a%04b")
    assert "操作人：ab" in _cover(book)["口径"]
