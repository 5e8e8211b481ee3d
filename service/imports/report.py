"""An import's outcome in words (the CLI and the web page say the same) and as an Excel of bad rows."""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter, itemgetter
from pathlib import Path

from geodata.placement import PlacementMethod
from service.excel import Column, Cover, Sheet, write_workbook
from service.excel import Kind as Cell
from service.imports import ImportResult, Kind, Mode, RowProblem
from service.imports.enterprise_store import FieldChange

PLACEMENTS = {method.value: method.label for method in PlacementMethod} | {"declared": "松江区外企业不定位"}


def column_label(kind: Kind, key: str) -> str:
    """The Chinese header of a canonical column (e.g. ``uscc`` -> 统一社会信用代码)."""
    return kind.columns.get(key, (key,))[0]


def problem_line(kind: Kind, problem: RowProblem) -> str:
    return f"第{problem.row}行 {column_label(kind, problem.column)}：{problem.message}"


def change_line(change: FieldChange) -> str:
    return f"第{change.row}行 {change.name}（{change.uscc}）{change.field}：“{change.old}” → “{change.new}”"


def summary(result: ImportResult) -> str:
    """One line: what was read, what was (or would be) stored, what was refused."""
    noun = result.kind.label
    unit = "家" if result.kind is Kind.ENTERPRISES else "份"
    bad = len(result.bad_rows)
    read = f"共 {result.total} 行数据，{result.good_rows} 行无误，{bad} 行有错误（{len(result.problems)} 处）"
    if result.mode is Mode.DRY_RUN:
        return f"试运行：{read}；未写入数据库"
    if result.mode is Mode.ALL and bad:
        return f"{read}；有错误，未导入任何{noun}（可改正后重试，或用“跳过错误行”模式）"
    parts = [f"已导入 {result.stored} {unit}{noun}"]
    if result.kind is Kind.ENTERPRISES:
        placed = "，".join(f"{PLACEMENTS.get(k, k)} {n} 家" for k, n in sorted(result.placements.items()))
        parts[0] += f"（{placed}）" if placed else ""
        parts += [f"更新 {result.updated} 家", f"自动分类 {result.classified} 家"]
        if result.manual_kept:
            parts.append(f"{result.manual_kept} 家的人工指定环节保留未改")
    if bad:
        parts.append(f"跳过有错误的 {bad} 行")
    return "，".join(parts)


def write_bad_rows(result: ImportResult, path: Path) -> Path:
    """The bad rows as read, each with all its errors, and the field changes of an update."""
    messages: dict[int, list[str]] = defaultdict(list)
    for problem in result.problems:
        messages[problem.row].append(f"{column_label(result.kind, problem.column)}：{problem.message}")
    cells = result.bad_cells
    bad = [
        Column("行号", itemgetter(0), Cell.INTEGER),
        *(Column(column_label(result.kind, k), lambda item, k=k: cells[item[0]].get(k, "")) for k in result.columns),
        Column("错误", lambda item: "；".join(item[1])),
    ]
    changes = [
        Column("行号", attrgetter("row"), Cell.INTEGER),
        Column("统一社会信用代码", attrgetter("uscc")),
        Column("企业", attrgetter("name")),
        Column("字段", attrgetter("field")),
        Column("原值", attrgetter("old")),
        Column("新值", attrgetter("new")),
    ]
    cover = Cover(
        title=f"{result.kind.label}导入检查报告",
        source=f"导入文件，共 {result.total} 行数据",
        choices=[f"模式：{result.mode.label}"],
        notes=[summary(result)],
    )
    sheets = [Sheet("错误行", bad, sorted(messages.items())), Sheet("更新明细", changes, result.changes)]
    return write_workbook(path, cover, sheets)
