from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from service import audit, classification, geo, repository
from service import models as m
from service.auth.permissions import Action, Principal
from service.web.deps import SessionDep, allowed, client_address, ensure_reach
from service.web.responses import FastJSONResponse

router = APIRouter(prefix="/api/enterprises", tags=["enterprises"])
MAX_OFFSET = 1_000_000_000
Viewer = Annotated[Principal, allowed(Action.VIEW_ENTERPRISES)]


def _shown(who: Principal, e: m.Enterprise, public: m.EnterprisePublic) -> m.EnterprisePublic:
    """The revenue only for those whose reach covers the enterprise."""
    if not who.may(Action.VIEW_AMOUNTS, town_id=e.town_id, park_id=e.park_id, enterprise_id=e.id):
        public.revenue_yuan = None
    return public


@router.get(
    "", response_model=m.EnterprisesPublic, response_class=FastJSONResponse, summary="企业列表（按名称或产品搜索）"
)
async def list_enterprises(  # on the event loop: see below
    session: SessionDep,
    who: Viewer,
    q: str | None = Query(None, max_length=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(50, ge=1, le=500),
) -> FastJSONResponse:
    # A few milliseconds of SQLite and Python under the GIL, run on the event loop: in the thread pool, the
    # concurrent requests' threads fought for the GIL (each SQLite step releases it), and one server process
    # served 46 requests/s at p95 650 ms instead of 84 at 225 ms (16 clients, scripts.bench_api's page).
    count, rows = repository.list_enterprises(session=session, q=q, offset=offset, limit=limit)
    for row in rows:
        reach = {"town_id": row.pop("town_id"), "park_id": row.pop("park_id"), "enterprise_id": row["id"]}
        if not who.may(Action.VIEW_AMOUNTS, **reach):
            row["revenue_yuan"] = None
    # already the response model's JSON fields: sent as they are, not validated again row by row
    return FastJSONResponse({"data": rows, "count": count})


class Suggestion(BaseModel):
    uscc: str
    name: str
    place: str = Field(description="所在园区或街镇")


@router.get("/suggest", response_model=list[Suggestion], summary="企业名称或信用代码联想（最多 8 条）")
def suggest(session: SessionDep, _who: Viewer, q: str = Query("", max_length=200)) -> list[Suggestion]:
    found = repository.to_public_many(session, repository.find_enterprises(session=session, q=q, limit=8))
    return [Suggestion(uscc=e.uscc, name=e.name, place=e.park or e.town or e.city) for e in found]


def _stored(session: Session, uscc: str) -> m.Enterprise:
    enterprise = repository.get_enterprise(session=session, uscc=uscc)
    if enterprise is None:
        raise HTTPException(status_code=404, detail=f"未找到统一社会信用代码为“{uscc}”的企业")
    return enterprise


@router.get("/{uscc}", response_model=m.EnterprisePublic, summary="按统一社会信用代码查询企业")
def get_enterprise(uscc: str, session: SessionDep, who: Viewer) -> m.EnterprisePublic:
    stored = _stored(session, uscc)
    return _shown(who, stored, repository.to_public(session, stored))


@router.post(
    "", response_model=m.EnterprisePublic, status_code=201, summary="登记企业（校验代码、去重、定位须在松江区内）"
)
def create_enterprise(
    data: m.EnterpriseCreate,
    session: SessionDep,
    request: Request,
    who: Annotated[Principal, allowed(Action.CREATE_ENTERPRISE)],
) -> m.EnterprisePublic:
    placed = geo.place_new(session=session, data=data)
    enterprise = repository.create_enterprise(session=session, data=placed, chain_code=request.app.state.chain.code)
    ensure_reach(who, Action.CREATE_ENTERPRISE, enterprise)
    public = repository.to_public(session, enterprise)
    after = public.model_dump(mode="json")
    audit.record(
        session=session,
        actor=who.username,
        action="enterprise_created",
        target=enterprise.uscc,
        after=after,
        client=client_address(request),
    )
    session.commit()
    return public


class ManualSegments(BaseModel):
    segments: list[str] = Field(
        max_length=200, description="产业链环节代码，如 ST.CHIP.MCU；人工指定后不会被自动分类覆盖"
    )


@router.put("/{uscc}/segments", response_model=m.EnterprisePublic, summary="人工指定企业所属环节（优先于自动分类）")
def set_segments(
    uscc: str,
    body: ManualSegments,
    session: SessionDep,
    request: Request,
    who: Annotated[Principal, allowed(Action.SET_SEGMENTS)],
) -> m.EnterprisePublic:
    stored = _stored(session, uscc)
    ensure_reach(who, Action.SET_SEGMENTS, stored)
    before = repository.to_public(session, stored).segments
    enterprise = classification.set_manual_segments(
        session=session, uscc=uscc, chain_code=request.app.state.chain.code, codes=body.segments
    )
    public = repository.to_public(session, enterprise)
    audit.record(
        session=session,
        actor=who.username,
        action="segments_set",
        target=enterprise.uscc,
        before={"segments": before},
        after={"segments": public.segments},
        client=client_address(request),
    )
    session.commit()
    return public
