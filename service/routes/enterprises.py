from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from service import classification, geo, repository
from service import models as m
from service.api import SessionDep

router = APIRouter(prefix="/api/enterprises", tags=["enterprises"])


@router.get("", response_model=m.EnterprisesPublic, summary="企业列表（按名称或产品搜索）")
def list_enterprises(
    session: SessionDep,
    q: str | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
) -> m.EnterprisesPublic:
    return repository.list_enterprises(session=session, q=q, offset=offset, limit=limit)


@router.get("/{uscc}", response_model=m.EnterprisePublic, summary="按统一社会信用代码查询企业")
def get_enterprise(uscc: str, session: SessionDep) -> m.EnterprisePublic:
    enterprise = repository.get_enterprise(session=session, uscc=uscc)
    if enterprise is None:
        raise HTTPException(status_code=404, detail=f"未找到统一社会信用代码为“{uscc}”的企业")
    return repository.to_public(session, enterprise)


@router.post(
    "", response_model=m.EnterprisePublic, status_code=201, summary="登记企业（校验代码、去重、定位须在松江区内）"
)
def create_enterprise(data: m.EnterpriseCreate, session: SessionDep, request: Request) -> m.EnterprisePublic:
    placed = geo.place_new(session=session, data=data)
    enterprise = repository.create_enterprise(session=session, data=placed, chain_code=request.app.state.chain.code)
    session.commit()
    return repository.to_public(session, enterprise)


class ManualSegments(BaseModel):
    segments: list[str] = Field(description="产业链环节代码，如 ST.CHIP.MCU；人工指定后不会被自动分类覆盖")


@router.put("/{uscc}/segments", response_model=m.EnterprisePublic, summary="人工指定企业所属环节（优先于自动分类）")
def set_segments(uscc: str, body: ManualSegments, session: SessionDep, request: Request) -> m.EnterprisePublic:
    enterprise = classification.set_manual_segments(
        session=session, uscc=uscc, chain_code=request.app.state.chain.code, codes=body.segments
    )
    session.commit()
    return repository.to_public(session, enterprise)
