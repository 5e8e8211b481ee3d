"""The audit trail for administrators: filter it, export it."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from service import audit
from service import models as m
from service.auth.permissions import Action
from service.routes.rewards import EXCEL, excel_response
from service.web.deps import SessionDep, allowed

router = APIRouter(prefix="/api/audit", tags=["audit"], dependencies=[allowed(Action.VIEW_AUDIT)])
EXPORT_ROWS = 100_000


def audit_filter(
    actor: str | None = Query(None, max_length=64, description="操作人（用户名、命令行）"),
    action: str | None = Query(None, max_length=48, description="操作，如 login_failed、segments_set"),
    since: datetime | None = Query(None, description="起始时间（含），ISO 8601"),
    until: datetime | None = Query(None, description="截止时间（不含），ISO 8601"),
) -> dict:
    return {"actor": actor, "action": action, "since": since, "until": until}


AuditFilter = Annotated[dict, Depends(audit_filter)]


@router.get("", response_model=list[m.AuditEvent], summary="审计日志（新的在前），可按操作人、操作与时间筛选")
def events(
    session: SessionDep,
    where: AuditFilter,
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(100, ge=1, le=1000),
) -> list[m.AuditEvent]:
    return audit.events(session=session, offset=offset, limit=limit, **where)


@router.get(".xlsx", summary="导出审计日志（Excel），筛选条件同上", **EXCEL)
def export(session: SessionDep, where: AuditFilter) -> Response:
    rows = audit.events(session=session, limit=EXPORT_ROWS, **where)
    filters = [f"{FILTER_NAMES[key]}：{value}" for key, value in where.items() if value is not None]
    return excel_response(lambda path: audit.write_events(rows, path, filters=filters), "audit-log.xlsx")


FILTER_NAMES = {"actor": "操作人", "action": "操作", "since": "起始时间", "until": "截止时间"}
