"""The files offices really have, through read_table and the real command line: values or one Chinese line, exit 2."""

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from service import rewards
from service.cli import app
from service.imports import enterprises as imports
from service.tables import TableFileError, integer, read_table

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")


@pytest.fixture
def empty_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    return path


def test_a_gbk_csv_with_thousands_separators_is_imported(database):
    result = runner.invoke(app, ["import", "enterprises", str(DATA / "enterprises_gbk.csv")])
    assert result.exit_code == 0, result.output
    assert "已导入 1 家企业" in result.output
    rows = read_table(DATA / "enterprises_gbk.csv", imports.COLUMNS, imports.REQUIRED)
    assert rows == [
        (
            2,
            {
                "uscc": "913101173KNQLGY74H",
                "name": "上海松江智能终端示范厂",
                "address": "松江区泗泾镇",
                "revenue_yuan": "3,000,000",
            },
        )
    ]


def test_names_like_na_stay_names_and_1e7_is_refused_with_its_row(database):
    path = DATA / "enterprises_na_names_1e7.csv"
    assert [row["name"] for _, row in read_table(path, imports.COLUMNS, imports.REQUIRED)] == ["NA", "None", "null"]
    result = runner.invoke(app, ["import", "enterprises", str(path)])
    assert result.exit_code == 1
    assert "第4行 营业收入：“1e7”是科学计数法" in result.output
    assert "企业名称" not in result.output and "第2行" not in result.output and "第3行" not in result.output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "empty.csv 是空文件"),
        ("enterprises_header_only.csv", "文件没有数据行（只有表头）"),
        ("missing.csv", "找不到文件"),
        ("not_a_table.xlsx", "是 PDF 文件，不是表格"),
    ],
)
def test_files_without_rows_are_one_chinese_line_and_exit_2(database, name, message):
    result = runner.invoke(app, ["import", "enterprises", str(DATA / name)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "已导入" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_empty_workbook_and_a_directory_are_refused(database, empty_workbook, tmp_path):
    for path, message in ((empty_workbook, "是空表"), (tmp_path, "无法读取文件")):
        result = runner.invoke(app, ["reward", "--contracts", str(path)])
        assert result.exit_code == 2 and message in result.output, result.output


def test_a_workbook_named_csv_and_a_broken_workbook_are_told_by_content(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["采购方", "供应方", "年度", "履约金额"])
    book.active.append(["91350100M000100Y43", "913101174JURQ2839L", 2025, 3200000])
    book.save(tmp_path / "contracts.csv")
    rows, errors = rewards.read_contract_file(tmp_path / "contracts.csv")
    assert [(r.buyer, r.year, r.performed_yuan) for r in rows] == [("91350100M000100Y43", 2025, 3_200_000)]
    assert not errors
    (tmp_path / "broken.xlsx").write_bytes((tmp_path / "contracts.csv").read_bytes()[:200])
    with pytest.raises(TableFileError, match="无法作为 Excel 工作簿读取"):
        rewards.read_contract_file(tmp_path / "broken.xlsx")


def test_an_xlsx_that_is_csv_text_is_read_as_text():
    rows, errors = rewards.read_contract_file(DATA / "contracts_text_named.xlsx")
    assert [(r.row, r.performed_yuan, r.contract_no) for r in rows] == [(2, 3_200_000, "NA")] and not errors


def test_reward_refuses_1e7_as_an_amount_naming_row_and_column():
    rows, errors = rewards.read_contract_file(DATA / "contracts_1e7.csv")
    assert not rows and [(e.row, e.field) for e in errors] == [(2, "performed_yuan")]
    assert "“1e7”不是整数金额" in errors[0].message


@pytest.mark.parametrize(
    ("text", "value"),
    [("3200000", 3_200_000), ("3,200,000", 3_200_000), (" 12.0 ", 12), ("-5", -5), (2025, 2025), (12.0, 12)],
)
def test_amounts_are_integers_with_optional_separators(text, value):
    assert integer(text) == value


@pytest.mark.parametrize("text", ["1e7", "12.5", "3,20,000", "三百万", "", None, "NA", "1" * 30])
def test_other_amounts_are_refused(text):
    assert integer(text) is None


def test_bench_match_refuses_empty_and_missing_edge_lists():
    for name, message in (("empty.csv", "是空文件"), ("missing.csv", "找不到文件")):
        result = runner.invoke(app, ["bench-match", "--edges", str(DATA / name)])
        assert result.exit_code == 2 and message in result.output, result.output


def test_amounts_headed_in_wan_yuan_are_converted_to_whole_yuan(tmp_path):
    path = tmp_path / "contracts.csv"
    rows = 'A,B,2025,320.5\nA,B,2026,"1,000"\nA,B,2026,0.00001\nA,B,2026,1e3\n'
    path.write_text("采购方,供应方,年度,履约金额（万元）\n" + rows, encoding="utf-8")
    contracts, errors = rewards.read_contract_file(path)
    assert [(c.row, c.performed_yuan) for c in contracts] == [(2, 3_205_000), (3, 10_000_000)]
    assert [(e.row, e.field) for e in errors] == [(4, "performed_yuan"), (5, "performed_yuan")]
    assert "“0.00001”" in errors[0].message and "“1e3”" in errors[1].message


def test_blank_rows_are_skipped_and_later_rows_keep_their_spreadsheet_numbers(tmp_path):
    header, good, bad = ["采购方", "供应方", "年度", "履约金额"], ["A", "B", 2025, 1], ["A", "B", 2025, "x"]
    (tmp_path / "blank.csv").write_text("采购方,供应方,年度,履约金额\nA,B,2025,1\n\nA,B,2025,x\n", encoding="utf-8")
    book = openpyxl.Workbook()
    for row in (header, good, [], bad):
        book.active.append(row)
    book.save(tmp_path / "blank.xlsx")
    for name in ("blank.csv", "blank.xlsx"):
        rows, errors = rewards.read_contract_file(tmp_path / name)
        assert [r.row for r in rows] == [2] and [(e.row, e.field) for e in errors] == [(4, "performed_yuan")], name
