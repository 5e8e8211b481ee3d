"""Reading the spreadsheets districts send: CSV or Excel, Chinese or English headers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from service.models import BIGINT_MAX

FIRST_DATA_ROW = 2  # row numbers as a spreadsheet shows them: the header is row 1


class TableFileError(ValueError):
    """A file that cannot be read at all (missing column, unknown format)."""


def read_table(path: Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows as dicts keyed by the canonical column names; empty cells are ''."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame = pd.read_excel(path, dtype=str)
    elif path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    else:
        raise TableFileError(f"{path.name}：只支持 .csv 或 .xlsx 文件")
    names = {}
    for target, aliases in columns.items():
        found = [c for c in frame.columns if str(c).strip() in aliases]
        if found:
            names[found[0]] = target
        elif target in required:
            raise TableFileError(f"{path.name} 缺少必填列“{aliases[0]}”（可用列名：{'、'.join(aliases)}）")
    return frame.rename(columns=names)[list(names.values())].fillna("").to_dict("records")


def integer(value: object) -> int | None:
    """An integer amount or year, else None ('12.0' and 12.0 are fine, '12.5' and 'abc' are not)."""
    try:
        number = float(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and abs(number) <= BIGINT_MAX else None
