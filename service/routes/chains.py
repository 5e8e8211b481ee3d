from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from chainmap.classify import Description
from chainmap.diagram import chain_svg
from chainmap.model_store import classifier_for
from chainmap.panorama import MAX_MIN_ENTERPRISES, GradeRule
from service import briefing
from service import panorama as service_panorama
from service.auth.permissions import Action, Principal, Reach, without_amounts
from service.routes.pages import templates
from service.routes.rewards import EXCEL, excel_response, file_answer
from service.web.chains import all_chains, chain_named
from service.web.deps import SessionDep, allowed

router = APIRouter(tags=["chains"])


@router.get("/api/chains", summary="已收录的产业链", dependencies=[allowed(Action.VIEW_PUBLIC)])
def chains() -> list[dict]:
    return [
        {"code": c.code, "name": c.name, "group": c.group, "segments": len(c.segments), "edges": len(c.edges)}
        for c in all_chains()
    ]


class DescriptionIn(BaseModel):
    name: str = ""
    products: str = Field("", description="主营产品")
    business_scope: str = Field("", description="经营范围")
    industry_code: str = Field("", max_length=8, description="国民经济行业分类（GB/T 4754-2017）小类代码，如 3982")


@router.post(
    "/api/chains/{code}/classify",
    summary="判断企业所属环节：最深可确定的层级（末级环节、上级环节或发展方向）、置信度与依据",
    dependencies=[allowed(Action.CLASSIFY_TEXT)],
)
def classify(code: str, body: DescriptionIn) -> list[dict]:
    description = Description(body.name, body.products, body.business_scope, body.industry_code.strip())
    matches = classifier_for(chain_named(code).code).classify(description)
    return [{**asdict(match), "display_name": match.display_name} for match in matches]


@router.get("/api/chains/{code}/panorama", summary="产业链全景：环节强弱、园区聚焦、缺口与招商（金额仅管理员可见）")
def panorama(
    code: str,
    session: SessionDep,
    who: Annotated[Principal, allowed(Action.VIEW_PUBLIC)],
    min_enterprises: int = Query(3, ge=0, le=MAX_MIN_ENTERPRISES),
    median_share: float = Query(0.4, ge=0, le=1, allow_inf_nan=False),
) -> dict:
    rule = GradeRule(min_enterprises, median_share)
    data = service_panorama.panorama_from_db(session=session, chain=chain_named(code), rule=rule).to_json()
    return data if who.reach(Action.VIEW_AMOUNTS) is Reach.ALL else without_amounts(data)  # type: ignore[return-value]


@router.get(
    "/api/chains/{code}/diagram.svg",
    summary="产业链图谱（SVG，可用于汇报材料）",
    dependencies=[allowed(Action.VIEW_PUBLIC)],
    **file_answer("image/svg+xml", "SVG 图"),
)
def diagram_svg(code: str, session: SessionDep) -> Response:
    return Response(service_panorama.svg_for(session=session, chain=chain_named(code)), media_type="image/svg+xml")


@router.get(
    "/api/chains/{code}/diagram.png",
    summary="产业链图谱（PNG）",
    dependencies=[allowed(Action.VIEW_PUBLIC)],
    **file_answer("image/png", "PNG 图"),
)
def diagram_png(code: str, session: SessionDep, width: int = Query(2400, ge=600, le=8000)) -> Response:
    svg = service_panorama.svg_for(session=session, chain=chain_named(code))
    return Response(service_panorama.diagram_png(svg, width=width), media_type="image/png")


@router.get(
    "/api/chains/{code}/panorama.xlsx",
    summary="产业链全景表（Excel：环节、龙头企业、缺口与招商、园区）",
    **EXCEL,
)
def panorama_excel(
    code: str, session: SessionDep, who: Annotated[Principal, allowed(Action.EXPORT_PANORAMA)]
) -> Response:
    chain = chain_named(code)
    result = service_panorama.panorama_from_db(session=session, chain=chain)
    amounts = who.reach(Action.VIEW_AMOUNTS) is Reach.ALL
    return excel_response(
        lambda path: service_panorama.write_panorama_excel(chain, result, path, amounts=amounts),
        f"{code}-panorama.xlsx",
    )


@router.get(
    "/api/chains/{code}/brief.pdf",
    summary="产业链简报（PDF，A4：图谱、强弱环节、缺口与招商、园区、分布图；不含金额）",
    dependencies=[allowed(Action.EXPORT_BRIEF)],
    **file_answer("application/pdf", "PDF 文档"),
)
def brief_pdf(code: str, session: SessionDep) -> Response:
    pdf = briefing.briefing_pdf(briefing.briefing_from_db(session=session, chain=chain_named(code)))
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f'{code}-产业链简报.pdf')}"}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get(
    "/chains/{code}", response_class=HTMLResponse, include_in_schema=False, dependencies=[allowed(Action.VIEW_PUBLIC)]
)
def diagram_page(code: str, session: SessionDep, request: Request) -> HTMLResponse:
    chain = chain_named(code)
    result = service_panorama.panorama_from_db(session=session, chain=chain)
    who = request.state.principal
    context = {
        "chain": chain,
        "panorama": result,
        "svg": chain_svg(chain, result),
        "may_brief": who.reach(Action.EXPORT_BRIEF) is not None,
        "may_export": who.reach(Action.EXPORT_PANORAMA) is not None,
    }
    return templates.TemplateResponse(request, "chain.html", context)
