"""The enterprise directory as Excel or GeoJSON, filtered like the map."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from service import exports
from service.auth.permissions import Action, Principal, Reach
from service.routes.rewards import EXCEL, excel_response, file_answer
from service.web.deps import SessionDep, allowed

router = APIRouter(prefix="/api/enterprises", tags=["enterprises"])
Exporter = Annotated[Principal, allowed(Action.EXPORT_ENTERPRISES)]


def export_filter(
    request: Request,
    session: SessionDep,
    segment: str | None = Query(None, max_length=64, description="环节代码（含其下级环节），如 ST.CHIP"),
    town: str | None = Query(None, max_length=32, description="街镇，如 洞泾镇"),
    park: str | None = Query(None, max_length=64, description="园区"),
    label: str | None = Query(None, max_length=32, description="标签，如 专精特新 或 specialized"),
) -> exports.EnterpriseFilter:
    chain = request.app.state.chain
    return exports.checked_filter(session=session, chain=chain, segment=segment, town=town, park=park, label=label)


Filter = Annotated[exports.EnterpriseFilter, Depends(export_filter)]


@router.get(".xlsx", summary="导出企业名录（Excel），按环节、街镇、园区、标签筛选（同地图）", **EXCEL)
def enterprises_excel(who: Exporter, request: Request, session: SessionDep, where: Filter):
    chain = request.app.state.chain
    records = exports.selected(session=session, chain=chain, where=where)
    amounts = who.reach(Action.VIEW_AMOUNTS) is Reach.ALL
    return excel_response(
        lambda path: exports.write_enterprises_excel(chain, records, where, path, amounts=amounts), "enterprises.xlsx"
    )


@router.get(
    ".geojson",
    summary="导出企业位置（GeoJSON，WGS-84），筛选同上",
    **file_answer("application/geo+json", "GeoJSON FeatureCollection"),
)
def enterprises_geojson(who: Exporter, request: Request, session: SessionDep, where: Filter):
    chain = request.app.state.chain
    records = exports.selected(session=session, chain=chain, where=where)
    amounts = who.reach(Action.VIEW_AMOUNTS) is Reach.ALL
    body = exports.enterprises_geojson(chain, records, where, amounts=amounts)
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''enterprises.geojson"}
    return JSONResponse(body, media_type="application/geo+json", headers=headers)
