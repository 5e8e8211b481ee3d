"""One import pipeline for the files districts send: enterprises and contracts.

read (service.tables) -> check every row, reporting every problem of every row -> store, in the
caller's transaction, according to the mode:

- ``dry-run``: store nothing, report;
- ``all`` (default): store every row, or none when any row has a problem;
- ``skip-bad``: store the good rows, report the bad ones.

Enterprises already stored (by USCC) are refused unless ``update``, which shows a per-field diff
(old -> new) and applies it. New and changed enterprises are classified (manual and declared
segments win, see service.classification). Contracts go to the ``contract`` table, which the matcher's
history and the reward budget read.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlmodel import Session, col, select

from chainmap.records import EnterpriseRecord, InvalidRecord, check_uscc
from geodata import Datum
from geodata.placement import PlacementMethod
from service import models as m
from service import repository
from service.auth.permissions import Action, Principal
from service.imports import contracts, enterprises
from service.imports.enterprise_store import (
    EnterpriseWriter,
    FieldChange,
    Update,
    duplicate_problems,
    stored_by_uscc,
)
from service.imports.rows import Progress, RowProblem, no_progress
from service.tables import read_table

__all__ = ["FieldChange", "ImportOptions", "ImportResult", "Kind", "Mode", "RowProblem", "run_import"]


class Kind(StrEnum):
    ENTERPRISES = "enterprises"
    CONTRACTS = "contracts"

    @property
    def label(self) -> str:
        return {"enterprises": "企业", "contracts": "合同"}[self.value]

    @property
    def columns(self) -> dict[str, tuple[str, ...]]:
        return enterprises.COLUMNS if self is Kind.ENTERPRISES else contracts.COLUMNS


class Mode(StrEnum):
    ALL = "all"
    SKIP_BAD = "skip-bad"
    DRY_RUN = "dry-run"

    @property
    def label(self) -> str:
        return {"all": "全部导入（有错则不导入）", "skip-bad": "跳过错误行", "dry-run": "仅校验（试运行）"}[self.value]


OUTSIDE_UNIT = "不在您负责的街镇/园区，无权导入"


@dataclass(frozen=True)
class ImportOptions:
    chain_code: str
    mode: Mode = Mode.ALL
    update: bool = False
    datum: Datum = Datum.WGS84
    workers: int = 1  # processes that classify (more than one only outside the threaded web server)
    # Who imports: rows reach only as far as their IMPORT_DATA permission (a town or park officer: its
    # enterprises, and contracts with one of them); None: the whole district (the command line)
    who: Principal | None = None


@dataclass
class ImportResult:
    kind: Kind
    mode: Mode
    total: int  # data rows read
    columns: list[str]  # canonical keys of the columns found
    problems: list[RowProblem]
    bad_cells: dict[int, dict[str, str]]  # the rows with problems as read, by row number
    changes: list[FieldChange] = field(default_factory=list)
    stored: int = 0  # rows inserted
    updated: int = 0  # enterprises updated
    classified: int = 0
    placements: dict[str, int] = field(default_factory=dict)  # placement method -> new enterprises
    manual_kept: int = 0  # enterprises whose manual segments were kept although the file declares others

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def good_rows(self) -> int:
        return self.total - len(self.bad_rows)

    @property
    def written(self) -> bool:
        return self.stored + self.updated > 0


def run_import(
    *, session: Session, kind: Kind, path: Path, options: ImportOptions, progress: Progress = no_progress
) -> ImportResult:
    """Read, check and (by mode) store a file; raises service.tables.TableFileError for a file without rows."""
    handler = _contracts if kind is Kind.CONTRACTS else _enterprises
    return handler(session, _read(path, kind, progress), options, progress)  # only the handler holds the rows


def _read(path: Path, kind: Kind, progress: Progress) -> list[tuple[int, dict[str, str]]]:
    progress("读取", 0, 1)
    rows = read_table(path, kind.columns, enterprises.REQUIRED if kind is Kind.ENTERPRISES else contracts.REQUIRED)
    progress("读取", 1, 1)
    return rows


def _result(kind: Kind, options: ImportOptions, rows: list, problems: list[RowProblem]) -> ImportResult:
    bad = {p.row for p in problems}
    cells = {row: cells for row, cells in rows if row in bad}
    return ImportResult(kind, options.mode, len(rows), list(rows[0][1]), sorted(problems, key=_order), cells)


def _storing(options: ImportOptions, problems: list[RowProblem]) -> bool:
    return options.mode is Mode.SKIP_BAD or (options.mode is Mode.ALL and not problems)


def _contracts(session: Session, rows, options: ImportOptions, progress: Progress) -> ImportResult:
    lines, problems = contracts.checked_rows(session, rows, progress)
    if options.who is not None:
        reached = _reached(
            session, options.who, {i for line in lines.values() for i in (line.buyer_id, line.seller_id)}
        )
        problems += [
            RowProblem(row, "buyer", f"采购方与供应方都{OUTSIDE_UNIT}该合同")
            for row, line in lines.items()
            if not reached & {line.buyer_id, line.seller_id}
        ]
    result = _result(Kind.CONTRACTS, options, rows, problems)
    if _storing(options, problems):
        bad = set(result.bad_rows)
        result.stored = contracts.store(session, [line for row, line in lines.items() if row not in bad])
    return result


def _enterprises(session: Session, rows, options: ImportOptions, progress: Progress) -> ImportResult:
    from service.geo import placer_for

    if options.update:
        rows = _stored_names_kept(session, rows)
    writer = EnterpriseWriter(session, options.chain_code)
    records, problems, codes = enterprises.checked_rows(
        rows, set(writer.segment_ids), placer_for(session), options.datum, progress
    )
    problems += duplicate_problems(codes)
    stored = stored_by_uscc(session, list(set(codes.values())))
    if options.who is not None:
        problems += _outside(options.who, writer, records, stored)
    if not options.update:
        problems += [
            RowProblem(
                row,
                "uscc",
                f"“{code}”已在数据库中（{stored[code].name}）；如需更新已有企业，请勾选“更新已有企业”（命令行：--update）",
            )
            for row, code in codes.items()
            if code in stored
        ]
    columns = {key for _, cells in rows[:1] for key in cells}
    updates: list[Update] = []
    changes: list[FieldChange] = []
    for row, record in records.items():
        if record.uscc in stored and options.update:
            item, found = writer.diff(row, stored[record.uscc], record, columns)
            updates.append(item)
            changes += found
    result = _result(Kind.ENTERPRISES, options, rows, problems)
    result.changes, result.manual_kept = changes, sum(item.manual_kept for item in updates)
    del rows, codes, stored  # 100,000 rows of text: not kept while storing and classifying
    if not _storing(options, problems):
        return result
    bad, updating = set(result.bad_rows), {item.row for item in updates}
    new = [record for row, record in records.items() if row not in bad and row not in updating]
    del records
    for record in new:
        result.placements[record.placement] = result.placements.get(record.placement, 0) + 1
    new_ids = writer.insert(new, progress)
    changed_ids = writer.apply([item for item in updates if item.row not in bad])
    result.stored, result.updated = len(new), sum(1 for item in updates if item.row not in bad and _changes(item))
    del new
    result.classified = _classify(session, options, [*new_ids, *changed_ids], progress)
    return result


def _stored_names_kept(session: Session, rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, dict[str, str]]]:
    """An update row with a blank name keeps the stored enterprise's name (a blank cell leaves the stored value)."""
    blank = {}
    for row, cells in rows:
        if not cells.get("name", "").strip():
            with suppress(InvalidRecord):  # a bad code is reported with the row
                blank[row] = check_uscc(cells.get("uscc", ""))
    stored = stored_by_uscc(session, list(set(blank.values())))
    return [
        (row, {**cells, "name": stored[blank[row]].name} if blank.get(row) in stored else cells) for row, cells in rows
    ]


def _reached(session: Session, who: Principal, ids: set[int]) -> set[int]:
    """Of these enterprises, those the import reaches."""
    listed, found = sorted(ids), set()
    for start in range(0, len(listed), repository.BATCH):
        chunk = listed[start : start + repository.BATCH]
        query = select(m.Enterprise.id, m.Enterprise.town_id, m.Enterprise.park_id).where(
            col(m.Enterprise.id).in_(chunk)
        )
        found |= {i for i, town, park in session.exec(query) if _reaches(who, town, park)}
    return found


def _reaches(who: Principal, town_id: int | None, park_id: int | None) -> bool:
    return who.may(Action.IMPORT_DATA, town_id=town_id, park_id=park_id, enterprise_id=None)


def _outside(who: Principal, writer: EnterpriseWriter, records: dict, stored: dict) -> list[RowProblem]:
    """Rows of enterprises beyond the importer's reach: a stored one where it is stored and, when the row
    moves it, where it would go; a new one where its address places it."""
    found = []
    for row, record in records.items():
        now = stored.get(record.uscc)
        there = writer.town_ids.get(record.town or ""), writer.park_ids.get(record.park or "")
        if now is not None and not _reaches(who, now.town_id, now.park_id):
            found.append(RowProblem(row, "uscc", f"“{now.name}”{OUTSIDE_UNIT}或修改"))
        elif now is not None and _moves(record, now) and not _reaches(who, *there):
            found.append(RowProblem(row, "address", f"新地址不在您负责的街镇/园区，不能把“{now.name}”迁出"))
        elif now is None and not _reaches(who, *there):
            found.append(RowProblem(row, "address", f"该地址{OUTSIDE_UNIT}此企业"))
    return found


def _moves(record: EnterpriseRecord, stored: m.Enterprise) -> bool:
    """Whether updating with the row changes where the enterprise is (its position, or its city)."""
    placed = record.placement not in ("declared", PlacementMethod.UNPLACED.value)
    return placed or record.city != stored.city


def _changes(item: Update) -> bool:
    return bool(item.fields) or item.segments


def _classify(session: Session, options: ImportOptions, ids: list[int], progress: Progress) -> int:
    if not ids:
        return 0
    from chainmap.model_store import classifier_for
    from service.classification import classify_stored

    run = classify_stored(
        session=session,
        chain_code=options.chain_code,
        classifier=classifier_for(options.chain_code),
        everything=True,
        enterprise_ids=set(ids),
        progress=lambda done, total: progress("分类", done, total),
        workers=options.workers,
    )
    return run.classified


def _order(problem: RowProblem) -> tuple[int, int]:
    keys = list(enterprises.COLUMNS) + list(contracts.COLUMNS)
    return problem.row, keys.index(problem.column) if problem.column in keys else len(keys)
