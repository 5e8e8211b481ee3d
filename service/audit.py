"""The audit trail: who did what, when, with the values before and after. Only ever appended to."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlmodel import Session, col, select

from service import models as m
from service.excel import write_workbook

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


def write_events(rows: list[m.AuditEvent], path: Path) -> Path:
    frame = pd.DataFrame(
        [
            {
                "时间（UTC）": e.at.isoformat(timespec="seconds"),
                "操作人": e.actor,
                "操作": e.action,
                "对象": e.target,
                "修改前": _text(e.before),
                "修改后": _text(e.after),
                "来源": e.client,
            }
            for e in rows
        ],
        columns=["时间（UTC）", "操作人", "操作", "对象", "修改前", "修改后", "来源"],
    )
    return write_workbook(path, [("审计日志", frame)])


def _text(values: dict | None) -> str:
    return "" if values is None else "；".join(f"{key}={value}" for key, value in values.items())
