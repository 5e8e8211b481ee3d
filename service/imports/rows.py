"""What every import shares: the problems a row can have, reading cells into amounts and dates, progress."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from chainmap.records import InvalidRecord
from matching.textfiles import parse_date
from service.tables import integer

T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (stage, done, total): a CLI bar or a web job's state
SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?[eE][+-]?\d+")
EVERY = 2000  # rows between two progress reports


def no_progress(stage: str, done: int, total: int) -> None:
    """The default: nobody is watching."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet shows it (the header is row 1)
    column: str  # canonical column key, e.g. ``uscc``
    message: str  # Chinese, says what is wrong and how to write it


class RowCheck:
    """One row's checks: each field is read on its own, so a row reports every problem it has."""

    def __init__(self, row: int, cells: dict[str, str]):
        self.row = row
        self.cells = cells
        self.problems: list[RowProblem] = []

    def text(self, key: str) -> str:
        return str(self.cells.get(key, "")).strip()

    def refuse(self, key: str, message: str) -> None:
        self.problems.append(RowProblem(self.row, key, message))

    def field(self, key: str, read: Callable[[str], T]) -> T | None:
        """``read(cell text)``; an InvalidRecord or ValueError becomes this row's problem and None."""
        try:
            return read(self.text(key))
        except InvalidRecord as exc:
            self.refuse(exc.field if exc.field in self.cells else key, str(exc))
        except ValueError as exc:
            self.refuse(key, str(exc))
        return None


def amount_yuan(text: str) -> int | None:
    """A whole, non-negative amount in 元 ('3,200,000'; 万元 columns are converted by read_table); blank: None."""
    if not text:
        return None
    if SCIENTIFIC.fullmatch(text):
        raise ValueError(f"“{text}”是科学计数法，请写出完整金额（如 10000000 或 10,000,000）")
    value = integer(text)
    if value is None:
        raise ValueError(f"“{text}”不是整数金额（元），可带千位分隔符，如 3,200,000；万元请在表头注明“（万元）”")
    if value < 0:
        raise ValueError(f"金额不能为负数，收到“{text}”")
    return value


def whole_number(text: str) -> int | None:
    """A count or a year; blank: None."""
    if not text:
        return None
    value = integer(text)
    if value is None or value < 0:
        raise ValueError(f"“{text}”不是非负整数")
    return value


def optional_date(text: str) -> date | None:
    return parse_date(text) if text else None


def reported(progress: Progress, stage: str, total: int) -> Callable[[int], None]:
    """A counter for ``stage`` that reports every EVERY items and at the end."""

    def advance(done: int) -> None:
        if done % EVERY == 0 or done == total:
            progress(stage, done, total)

    progress(stage, 0, total)
    return advance
