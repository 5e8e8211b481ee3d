"""Reading the spreadsheets districts send: CSV (any encoding Excel saves) or Excel, Chinese or English headers."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd

from matching.textfiles import UnreadableFile, decode_text, read_bytes
from service.models import BIGINT_MAX

FIRST_DATA_ROW = 2  # row numbers as a spreadsheet shows them: the header is row 1
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
PDF_MAGIC = b"%PDF"
AMOUNT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.0*)?")
WAN_AMOUNT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,4})?")  # 万元 to whole 元: at most 4 decimals
WAN_HEADER = re.compile(r"(.+?)\s*[（(]万元[）)]")
BAD_LINE = re.compile(r"line (\d+)")


class TableFileError(ValueError):
    """A file that cannot be read at all (missing, empty, not a table, missing column)."""


def _workbook(data: bytes, name: str) -> pd.DataFrame:
    try:
        return pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        raise TableFileError(f"{name} 无法作为 Excel 工作簿读取（文件可能已损坏或不是 .xlsx）") from exc


def _csv(data: bytes, name: str) -> pd.DataFrame:
    text = decode_text(data, name)
    header = text.lstrip().partition("\n")[0]
    sep = "\t" if "\t" in header and "," not in header else ","
    try:
        return pd.read_csv(
            io.StringIO(text), dtype=str, sep=sep, keep_default_na=False, na_filter=False, skip_blank_lines=False
        )
    except pd.errors.EmptyDataError as exc:
        raise TableFileError(f"{name} 没有表头，也没有数据") from exc
    except pd.errors.ParserError as exc:
        line = BAD_LINE.search(str(exc))
        where = f"第{line.group(1)}行" if line else "某一行"
        raise TableFileError(f"{name} {where}的列数与表头不一致（请检查多余的逗号或引号）") from exc


def _frame(path: Path) -> pd.DataFrame:
    """The first sheet of a workbook or a CSV text, told apart by content, not by the file's extension."""
    try:
        data = read_bytes(path)
        if data.startswith(OLE_MAGIC):
            raise TableFileError(f"{path.name} 是旧版 Excel（.xls）或 Word 文件，请在 Excel 中另存为 .xlsx 或 CSV")
        if data.startswith(PDF_MAGIC):
            raise TableFileError(f"{path.name} 是 PDF 文件，不是表格；请提供 .xlsx 或 CSV")
        return _workbook(data, path.name) if data.startswith(ZIP_MAGIC) else _csv(data, path.name)
    except UnreadableFile as exc:
        raise TableFileError(str(exc)) from exc


def _in_wan(header: object, aliases: tuple[str, ...]) -> bool:
    """A header like 履约金额（万元） for an amount column whose aliases include 履约金额."""
    found = WAN_HEADER.fullmatch(str(header).strip())
    return found is not None and found.group(1) in aliases


def _wan_to_yuan(text: str) -> str:
    """'320.5' 万元 -> '3205000'; anything else is left as written for the row check to report."""
    if not WAN_AMOUNT.fullmatch(text.strip()):
        return text
    return str(int(Decimal(text.strip().replace(",", "")) * 10_000))


def read_table(
    path: Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, row keyed by the canonical column names), blank rows left out.

    Cells are strings as written ("NA" stays "NA").
    An amount column (``*_yuan``) headed in 万元, e.g. 履约金额（万元）, is converted to whole 元.
    """
    frame = _frame(path)
    if frame.columns.empty:
        raise TableFileError(f"{path.name} 是空表：第1行应为表头")
    names = {}
    for target, aliases in columns.items():
        found = [c for c in frame.columns if str(c).strip() in aliases]
        in_wan = [c for c in frame.columns if target.endswith("_yuan") and _in_wan(c, aliases)]
        if found or in_wan:
            names[(found or in_wan)[0]] = target
        elif target in required:
            raise TableFileError(f"{path.name} 缺少必填列“{aliases[0]}”（可用列名：{'、'.join(aliases)}）")
        if in_wan and not found:
            frame[in_wan[0]] = frame[in_wan[0]].map(_wan_to_yuan)
    blank = frame.apply(lambda column: column.str.strip() == "").all(axis=1)
    kept = frame[~blank].rename(columns=names)[list(names.values())]
    numbers = [int(index) + FIRST_DATA_ROW for index in kept.index]
    numbered = list(zip(numbers, kept.to_dict("records"), strict=True))
    if not numbered:
        raise TableFileError(f"{path.name} 文件没有数据行（只有表头）")
    return numbered


def integer(value: object) -> int | None:
    """A whole amount or year: digits with optional thousands separators ('3,000,000', '12.0'); '1e7' is refused."""
    text = str(value).strip()
    if not AMOUNT.fullmatch(text):
        return None
    number = int(text.split(".")[0].replace(",", ""))
    return number if abs(number) <= BIGINT_MAX else None
