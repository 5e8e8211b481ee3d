"""Excel workbooks people can send: every export goes through ``write_workbook``.

A writer declares its sheets as typed columns (:class:`Column`: a header, how to get the
value from an item, and a :class:`Kind`), and a :class:`Cover` saying where the figures come
from, the choices (口径) behind them and whether demo rows are inside. ``write_workbook`` adds
the cover sheet (封面/说明) first, then each sheet with a bold frozen header and a filter,
widths that fit Chinese text, and number formats (元 with thousands separators, 万元 with two
decimals, shares as percentages, dates). Text that a spreadsheet would run as a formula gets a
leading apostrophe.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# A cell starting with one of these is read as a formula (or DDE call) by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DEMO_NOTE = "本文件含示例数据：名称带“示例”的企业与合同为程序生成，不是真实企业，数字不可作为决策依据。"
COVER_SHEET = "封面"
WIDEST = 60  # characters; longer text is cut off visually, not in the cell
NARROWEST = 6
SAMPLE_ROWS = 2000  # rows looked at to size a column
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


class Kind(StrEnum):
    """What a column holds, and so how it is shown."""

    TEXT = "text"
    INTEGER = "integer"  # codes, years: no separators
    COUNT = "count"  # 1,234
    YUAN = "yuan"  # an amount in 元: 1,234,567
    WAN = "wan"  # an amount given in 元, shown in 万元: 123.46
    PERCENT = "percent"  # a share 0..1 shown as 97.8%
    DECIMAL = "decimal"  # 0.97
    COORDINATE = "coordinate"  # longitude or latitude, 6 decimals (about 0.1 m)
    DATE = "date"
    DATETIME = "datetime"


FORMATS = {
    Kind.INTEGER: "0",
    Kind.COUNT: "#,##0",
    Kind.YUAN: "#,##0",
    Kind.WAN: "#,##0.00",
    Kind.PERCENT: "0.0%",
    Kind.DECIMAL: "0.00",
    Kind.COORDINATE: "0.000000",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm:ss",
}
UNITS = {Kind.YUAN: "（元）", Kind.WAN: "（万元）"}


@dataclass(frozen=True)
class Column:
    """One column: its header, how to read its value from an item, and its kind.

    A 元 or 万元 column gets its unit, （元） or （万元）, after the header unless the header has it already.
    """

    header: str
    value: Callable[[Any], object]
    kind: Kind = Kind.TEXT

    @property
    def title(self) -> str:
        unit = UNITS.get(self.kind, "")
        return self.header if unit in self.header else self.header + unit


@dataclass(frozen=True)
class Sheet:
    """A named table: typed columns over items (any objects the columns know how to read)."""

    name: str
    columns: Sequence[Column]
    items: Iterable[Any]


@dataclass(frozen=True)
class Cover:
    """What the reader must know before the figures: title, source, date, choices, demo note."""

    title: str
    source: str
    choices: Sequence[str] = ()
    notes: Sequence[str] = ()
    demo: bool = False
    made_on: date = field(default_factory=date.today)

    def lines(self) -> list[tuple[str, str]]:
        rows = [("标题", self.title), ("数据来源", self.source), ("生成日期", self.made_on.isoformat())]
        rows += [("口径", choice) for choice in self.choices]
        rows += [("说明", note) for note in self.notes]
        return rows + ([("示例数据", DEMO_NOTE)] if self.demo else [])


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe, and control characters
    a workbook cannot hold are dropped; other values pass."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def display_width(text: str) -> int:
    """Columns a text needs: wide, full-width and ambiguous (“”·…, wide in Chinese fonts) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def _cell_value(kind: Kind, value: object) -> object:
    if value is None or value == "":
        return None
    if kind is Kind.WAN and isinstance(value, int | float | Decimal):
        return round(float(value) / 10_000, 4)
    if kind is Kind.DATETIME and isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return neutralise(value)


def _shown(kind: Kind, value: object) -> str:
    """About what the cell shows, for sizing its column."""
    if isinstance(value, int | float) and kind in (Kind.COUNT, Kind.YUAN, Kind.WAN, Kind.DECIMAL):
        return f"{value:,.2f}"
    if kind is Kind.PERCENT:
        return "100.0%"
    return "" if value is None else str(value)


def _width(column: Column, values: list[object]) -> float:
    header = display_width(column.title) + 2  # room for the filter button
    widest = max((display_width(_shown(column.kind, v)) for v in values[:SAMPLE_ROWS]), default=0)
    return min(max(header, widest + 1, NARROWEST), WIDEST)


def _typed(sheet: WriteOnlyWorksheet, column: Column, value: object) -> object:
    if column.kind is Kind.TEXT or value is None:
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.number_format = FORMATS[column.kind]
    return cell


def _header(sheet: WriteOnlyWorksheet, titles: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, neutralise(title))
        cell.font = BOLD
        cells.append(cell)
    return cells


def _write_sheet(book: Workbook, spec: Sheet) -> None:
    rows = [[_cell_value(c.kind, c.value(item)) for c in spec.columns] for item in spec.items]
    sheet = book.create_sheet(spec.name)
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column, [row[index - 1] for row in rows])
    sheet.freeze_panes = "A2"
    if spec.columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{len(rows) + 1}"
    sheet.append(_header(sheet, (c.title for c in spec.columns)))
    for row in rows:
        sheet.append([_typed(sheet, c, v) for c, v in zip(spec.columns, row, strict=True)])


def _write_cover(book: Workbook, cover: Cover, sheets: Sequence[Sheet]) -> None:
    sheet = book.create_sheet(COVER_SHEET)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 100
    sheet.append(_header(sheet, ("项目", "内容")))
    for label, text in [*cover.lines(), *(("工作表", s.name) for s in sheets)]:
        cell = WriteOnlyCell(sheet, neutralise(text))
        cell.alignment = WRAP
        sheet.append([label, cell])


def write_workbook(path: Path, cover: Cover, sheets: Sequence[Sheet]) -> Path:
    """The cover sheet, then each sheet; returns ``path``."""
    book = Workbook(write_only=True)
    _write_cover(book, cover, sheets)
    for spec in sheets:
        _write_sheet(book, spec)
    book.save(path)
    return path
