"""The audit trail: who did what, when, with the values before and after. Only ever appended to."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from pathlib import Path

from sqlmodel import Session, col, select

from service import models as m
from service.excel import Column, Cover, Kind, Sheet, write_workbook

CLI = "命令行"


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
    client: str = "",
) -> None:
    """Add one event to the session; it is stored with the write it describes."""
    session.add(
        m.AuditEvent(
            actor=actor[:64], action=action, target=target[:200], before=before, after=after, client=client[:64]
        )
    )


def events(
    *,
    session: Session,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[m.AuditEvent]:
    """Events newest first, filtered by actor, action and time."""
    query = select(m.AuditEvent)
    if actor:
        query = query.where(m.AuditEvent.actor == actor)
    if action:
        query = query.where(m.AuditEvent.action == action)
    if since:
        query = query.where(m.AuditEvent.at >= since)
    if until:
        query = query.where(m.AuditEvent.at < until)
    query = query.order_by(col(m.AuditEvent.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query))


def write_events(rows: list[m.AuditEvent], path: Path, *, filters: list[str]) -> Path:
    """The audit trail as Excel; the cover names the filters the rows were chosen by."""
    columns = [
        Column("时间（UTC）", lambda e: e.at, Kind.DATETIME),
        Column("操作人", attrgetter("actor")),
        Column("操作", attrgetter("action")),
        Column("对象", attrgetter("target")),
        Column("修改前", lambda e: _text(e.before)),
        Column("修改后", lambda e: _text(e.after)),
        Column("来源", attrgetter("client")),
    ]
    cover = Cover(
        title="审计日志",
        source=f"数据库审计表 auditevent（只增不改），共 {len(rows):,} 条，时间新的在前",
        choices=filters or ["未筛选：全部记录"],
    )
    return write_workbook(path, cover, [Sheet("审计日志", columns, rows)])


def _text(values: dict | None) -> str:
    return "" if values is None else "；".join(f"{key}={value}" for key, value in values.items())
