"""Excel workbooks written safely: every export goes through ``write_workbook``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

# A cell starting with one of these is read as a formula (or DDE call) by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_workbook(path: Path, sheets: Iterable[tuple[str, pd.DataFrame]]) -> Path:
    """Write each (sheet name, table) with text cells and headers neutralised."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, frame in sheets:
            safe = frame.map(neutralise).rename(columns=neutralise)
            safe.to_excel(writer, sheet_name=sheet, index=False)
    return path
