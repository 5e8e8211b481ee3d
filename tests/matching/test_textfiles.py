from datetime import date
from pathlib import Path

import pytest

from matching.evaluation import EdgeListError, read_edge_list
from matching.textfiles import UnreadableFile, decode_text, parse_date, read_text

DATA = Path(__file__).parents[1] / "data"


@pytest.mark.parametrize(
    "text",
    [
        "2025-07-01",
        "2025/07/01",
        "2025.7.1",
        "2025年7月1日",
        " 2025 年 7 月 1 日 ",
        "2025-07-01 00:00:00",
        "2025/7/01",
        "45839",
        "45839.0",
    ],
)
def test_the_usual_chinese_date_forms_are_read(text):
    assert parse_date(text) == date(2025, 7, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("07/01/2025", "不是日期"),
        ("2025-07", "不是日期"),
        ("2025-02-30", "不是有效日期"),
        ("2025年13月1日", "不是有效日期"),
        ("2025-07-01 12:30", "不是日期"),
        ("", "不是日期"),
    ],
)
def test_other_dates_are_refused_in_chinese(text, message):
    with pytest.raises(ValueError, match=message):
        parse_date(text)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
@pytest.mark.parametrize(
    "text",
    [
        "企业名称,地址\n上海松江智能终端示范厂,松江区泗泾镇人民路88号\n",
        "采购方,供应方,合同金额,签订日期\n91310117H4PXWJJF6B,913101177UX2ERUU1Y,5000000,2025-07-01\n",
        "采购方,供应方,履约金额,年度\n",  # short: detection alone reads these GBK bytes as Korean
    ],
)
def test_text_is_decoded_whatever_encoding_excel_saved(encoding, text):
    assert decode_text(text.encode(encoding), "x.csv") == text


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("gbk", "企业名称,地址\n上海堃喆科技有限公司,松江区\n"),  # two hanzi beyond GB2312 in a short file
        ("shift_jis", "会社名,住所\n東京株式会社,東京都\n"),
    ],
)
def test_gb18030_is_not_forced_on_other_encodings(encoding, text):
    assert decode_text(text.encode(encoding), "x.csv") == text


def test_a_western_file_is_not_read_as_hanzi():
    # detection guesses a Mac code page for so short a file (ü → ¸), but GB18030 would give “M黮ller”
    read = decode_text("Firma,Ort\nMüller GmbH,München\nKöln AG,Zürich\n".encode("cp1252"), "x.csv")
    assert read.startswith("Firma,Ort\nM") and not any("\u4e00" <= c <= "\u9fff" for c in read)


def test_missing_empty_and_binary_files_are_refused(tmp_path):
    with pytest.raises(UnreadableFile, match="找不到文件"):
        read_text(tmp_path / "missing.csv")
    with pytest.raises(UnreadableFile, match="无法读取文件"):
        read_text(tmp_path)
    with pytest.raises(UnreadableFile, match="是空文件"):
        read_text(DATA / "empty.csv")
    with pytest.raises(UnreadableFile, match="不是文本表格文件"):
        decode_text(bytes(range(256)) * 8, "x.bin")


def test_a_gbk_edge_list_with_chinese_dates_is_read():
    contracts = read_edge_list(DATA / "edges_gbk_dates.csv")
    assert [(c.supplier, c.customer) for c in contracts][:2] == [("供应商甲", "客户乙"), ("供应商甲", "客户丙")]
    assert {c.signed_on for c in contracts} == {date(2025, 7, 1)}


@pytest.mark.parametrize(
    ("name", "message"),
    [("empty.csv", "是空文件"), ("missing.csv", "找不到文件"), ("not_a_table.xlsx", "缺少列")],
)
def test_edge_lists_that_cannot_be_read_are_refused(name, message):
    with pytest.raises(EdgeListError, match=message):
        read_edge_list(DATA / name)


def test_a_header_only_edge_list_is_refused(tmp_path):
    path = tmp_path / "edges.csv"
    path.write_text("supplier,customer,date\n", encoding="utf-8")
    with pytest.raises(EdgeListError, match="只有表头"):
        read_edge_list(path)
