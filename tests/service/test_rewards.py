"""The reward on real inputs: CSV and Excel files, the database, the CLI, the API, the Excel ledger."""

import json
from random import Random

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from chainmap.records import EnterpriseRecord, LocationPrecision
from chainmap.uscc import generate
from service import repository, rewards
from service.api import create_app
from service.cli import app as cli
from service.settings import Settings
from service.tables import TableFileError

BUYER = EnterpriseRecord(
    uscc="91350100M000100Y43",
    name="采购方甲",
    town="洞泾镇",
    lon=121.255,
    lat=31.094,
    precision=LocationPrecision.ADDRESS,
    segments={"ST.ROB.SVC": 1.0},
)
SELLER = EnterpriseRecord(
    uscc="913101174JURQ2839L",
    name="供应方乙",
    park="G60电子信息国际创新产业园",
    town="车墩镇",
    lon=121.29,
    lat=31.0216,
    precision=LocationPrecision.ADDRESS,
    segments={"ST.SENS.LIDAR": 1.0},
)
PRECISE = LocationPrecision.SURVEYED
HEADER = "采购方,供应方,年度,履约金额,合同编号\n"
GOOD_ROWS = f"{BUYER.uscc},{SELLER.uscc},2025,3200000,HT-1\n{BUYER.uscc},{SELLER.uscc},2026,5000000,HT-2\n"
BAD_ROWS = f"{BUYER.uscc},{SELLER.uscc},2025,三百万,HT-3\n{BUYER.uscc},{BUYER.uscc},2025,100,HT-4\n"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory, prepare_engine):
    url = f"sqlite:///{tmp_path_factory.mktemp('reward') / 'reward.db'}"
    with Session(prepare_engine(url)) as session:
        repository.add_enterprises(session=session, records=[BUYER, SELLER], chain_code="smart_terminal")
        session.commit()
    return url


def test_a_csv_with_chinese_headers_is_read_and_bad_rows_are_numbered(tmp_path):
    path = tmp_path / "contracts.csv"
    path.write_text(HEADER + GOOD_ROWS + BAD_ROWS, encoding="utf-8")
    rows, errors = rewards.read_contract_file(path)
    assert [(r.row, r.year, r.performed_yuan, r.contract_no) for r in rows] == [
        (2, 2025, 3_200_000, "HT-1"),
        (3, 2026, 5_000_000, "HT-2"),
        (5, 2025, 100, "HT-4"),
    ]
    assert [(e.row, e.field) for e in errors] == [(4, "performed_yuan")]
    assert "“三百万”不是整数" in errors[0].message


def test_a_file_missing_a_column_is_refused_naming_it(tmp_path):
    path = tmp_path / "contracts.csv"
    path.write_text("采购方,供应方,履约金额\nA,B,1\n", encoding="utf-8")
    with pytest.raises(TableFileError, match="缺少必填列“year”"):
        rewards.read_contract_file(path)


def test_cli_reward_on_an_excel_file_prints_json_and_writes_the_ledger(tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", db_url)
    source = tmp_path / "contracts.xlsx"
    pd.read_csv(pd.io.common.StringIO(HEADER + GOOD_ROWS + BAD_ROWS), dtype=str).to_excel(source, index=False)
    ledger = tmp_path / "ledger.xlsx"
    result = CliRunner().invoke(cli, ["reward", "--contracts", str(source), "--json", "--excel", str(ledger)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(x["year"], x["reward_yuan"], x["budget_unit"]) for x in report["lines"]] == [
        (2025, 320_000, "洞泾镇"),
        (2026, 90_000, "洞泾镇"),
    ]
    assert {(e["row"], e["field"]) for e in report["errors"]} == {(4, "performed_yuan"), (5, "seller")}
    book = openpyxl.load_workbook(ledger)
    assert book.sheetnames == ["封面", "奖励明细", "预算汇总", "错误行", "政策排除"]
    detail = list(book["奖励明细"].values)
    assert detail[1][1] == "采购方甲" and "首次达到300万元" in detail[1][-1]
    assert book["错误行"].max_row == 3


def test_cli_choice_flags_change_the_result(tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", db_url)
    source = tmp_path / "contracts.csv"
    source.write_text(HEADER + GOOD_ROWS.replace("5000000", "2500000"), encoding="utf-8")
    args = ["reward", "--contracts", str(source), "--json"]
    default = json.loads(CliRunner().invoke(cli, args).stdout)
    summed = json.loads(CliRunner().invoke(cli, [*args, "--threshold-basis", "cumulative"]).stdout)
    assert default["totals"]["reward_yuan"] == 320_000
    assert summed["totals"]["reward_yuan"] == 320_000 and summed["lines"][1]["stage"] == "later"
    assert any("历年履约额滚动累计" in c for c in summed["choices"])


def test_cli_reports_an_unreadable_file_in_chinese(tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", db_url)
    path = tmp_path / "contracts.txt"
    path.write_text("x")
    result = CliRunner().invoke(cli, ["reward", "--contracts", str(path)])
    assert result.exit_code == 2 and "缺少必填列“buyer”" in result.output


def test_api_estimate_reports_rows_and_honours_params(db_url, sign_in):
    contracts = [
        {"buyer": BUYER.uscc, "seller": SELLER.uscc, "year": 2025, "performed_yuan": 3_200_000},
        {"buyer": BUYER.uscc, "seller": SELLER.uscc, "year": 2026, "performed_yuan": 5_000_000},
        {"buyer": BUYER.uscc, "seller": SELLER.uscc, "year": 2027, "performed_yuan": 4_000_000},
        {"buyer": BUYER.uscc, "seller": "NOBODY", "year": 2025, "performed_yuan": "abc"},
    ]
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        sign_in(client)
        default = client.post("/api/rewards/estimate", json={"contracts": contracts}).json()
        other = client.post(
            "/api/rewards/estimate", json={"contracts": contracts, "params": {"increment_basis": "qualifying_year"}}
        ).json()
    assert [x["reward_yuan"] for x in default["lines"]] == [320_000, 90_000, 0]
    assert [x["reward_yuan"] for x in other["lines"]] == [320_000, 90_000, 40_000]
    assert default["errors"] == [
        {"row": 4, "field": "performed_yuan", "message": "“abc”不是整数金额（元），或超出范围"}
    ]
    assert "沪松经规〔2024〕4号" in default["source"]


def test_budget_and_ledger_from_the_demo_database(demo_database, sign_in):
    with TestClient(create_app(Settings(database_url=demo_database()))) as client:
        sign_in(client)
        budget = client.get("/api/rewards/budget").json()
        ledger = client.get("/api/rewards/ledger.xlsx")
    assert budget["totals"]["reward_yuan"] == sum(r["reward_yuan"] for r in budget["budget"]) > 0
    assert {r["year"] for r in budget["budget"]} <= {2025, 2026}
    for row in budget["budget"]:
        assert row["district_yuan"] + row["town_yuan"] == row["reward_yuan"]
        assert abs(row["district_yuan"] - 0.7 * row["reward_yuan"]) <= row["rewarded_pairs"]
    assert any("有效期外的合同" in c for c in budget["choices"])
    assert ledger.status_code == 200 and ledger.content[:2] == b"PK"


def test_inside_songjiang_is_decided_by_the_boundary_and_the_address_not_by_a_town(tmp_path, prepare_engine):
    """A firm without a town is still local if its point is inside the district or its address says 松江区."""
    firms = [
        EnterpriseRecord(uscc=generate(Random(1)), name="坐标在区内", lon=121.255, lat=31.094, precision=PRECISE),
        EnterpriseRecord(uscc=generate(Random(2)), name="地址在区内", address="上海市松江区泗泾镇某路1号"),
        EnterpriseRecord(uscc=generate(Random(3)), name="外地企业", address="浙江省嘉兴市南湖区某路2号", city="嘉兴市"),
    ]
    assert all(firm.town is None and firm.park is None for firm in firms)
    with Session(prepare_engine(f"sqlite:///{tmp_path / 'local.db'}")) as session:
        repository.add_enterprises(session=session, records=firms, chain_code="smart_terminal")
        parties = rewards.parties_from_db(session=session, chain_code="smart_terminal")
    assert {p.name: p.local for p in parties.values()} == {"坐标在区内": True, "地址在区内": True, "外地企业": False}


def test_cli_report_separates_errors_with_file_rows_from_policy_exclusions(tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", db_url)
    source = tmp_path / "contracts.csv"
    early = f"{BUYER.uscc},{SELLER.uscc},2023,4000000,HT-0\n"
    source.write_text(HEADER + GOOD_ROWS + BAD_ROWS + early, encoding="utf-8")
    brief = CliRunner().invoke(cli, ["reward", "--contracts", str(source)])
    assert brief.exit_code == 0, brief.output
    assert "合计奖励 410,000 元（41.00 万元），2 项；区级承担 287,000 元，街镇/开发区承担 123,000 元" in brief.output
    assert "按政策口径未计入 1 份合同：不在政策有效期（2025—2029年）内 1 份（加 --verbose 逐条列出）" in brief.output
    assert "错误 2 处" in brief.output and "  第4行 履约金额：“三百万”不是整数" in brief.output
    assert "  第5行 供应方：采购方与供应方是同一家企业" in brief.output and "第6行" not in brief.output
    verbose = CliRunner().invoke(cli, ["reward", "--contracts", str(source), "--verbose"])
    assert "  第6行：年度2023不在政策有效期（2025—2029年）内" in verbose.output


def test_cli_report_on_the_database_counts_exclusions_and_lists_them_only_when_asked(demo_database, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", demo_database())
    brief = CliRunner().invoke(cli, ["reward"])
    assert brief.exit_code == 0, brief.output
    counts = next(line for line in brief.output.splitlines() if line.startswith("按政策口径未计入"))
    assert "不在政策有效期" in counts and "一方不是松江区内企业" in counts
    assert "不是松江区内企业（口径" not in brief.output and "第" not in brief.output.split("合计奖励")[1]
    listed = CliRunner().invoke(cli, ["reward", "--verbose"]).output.splitlines()
    excluded = [line for line in listed if line.startswith("  合同ID ")]
    total = int(counts.split("未计入 ")[1].split(" 份")[0].replace(",", ""))
    assert len(excluded) == total and any("不是松江区内企业（口径：双方须均为区内企业）" in line for line in excluded)
