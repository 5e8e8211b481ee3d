from collections.abc import Callable
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError, validate_call
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from matching.signals import Direction, Scope
from service import exports, matching, repository
from service.auth.permissions import Action, Principal
from service.fields import FIELD_LABELS
from service.forms import Yuan
from service.models import BIGINT_MAX
from service.routes.pages import templates
from service.routes.rewards import EXCEL, excel_response
from service.web.deps import SessionDep, allowed, ensure_reach
from service.web.errors import form_errors, page_errors, refusal_detail
from service.web.responses import FastJSONResponse

router = APIRouter(tags=["matching"])


def match_request(
    uscc: str | None = Query(None, description="提问企业的统一社会信用代码"),
    need: str = Query("", max_length=2000, description="需求描述，如“激光雷达，用于服务机器人避障”"),
    segment: list[str] = Query([], description="所需（或目标客户所在）环节代码，可多选"),
    lon: float | None = Query(None, ge=-180, le=180, description="需求所在位置（WGS-84），无企业代码时用于计算距离"),
    lat: float | None = Query(None, ge=-90, le=90),
    budget_yuan: Annotated[Yuan, Query(ge=0, le=BIGINT_MAX, description="年度采购预算（元，可写“500万”）")] = None,
    scope: Scope = Query(Scope.ANY, description="local 仅松江；g60 G60九城；any 不限"),
    max_km: float | None = Query(None, gt=0, le=20_000, description="最大距离（公里）"),
    label: list[str] = Query([], description="必须具备的标签，如 专精特新"),
    min_revenue_yuan: Annotated[Yuan, Query(ge=0, le=BIGINT_MAX, description="最低营业收入（元，可写“1亿”）")] = None,
    exclude_partners: bool = Query(True, description="已有合作伙伴单独列出，不进入推荐"),
    k: int = Query(10, ge=1, le=100),
) -> dict:
    return {
        "uscc": uscc,
        "need": need,
        "segments": segment,
        "lon": lon,
        "lat": lat,
        "budget_yuan": budget_yuan,
        "scope": scope,
        "max_km": max_km,
        "labels": frozenset(label),
        "min_revenue_yuan": min_revenue_yuan,
        "exclude_partners": exclude_partners,
        "k": k,
    }


MatchRequest = Annotated[dict, Depends(match_request)]
Matcher = Annotated[Principal, allowed(Action.MATCH)]


def _answer(request: Request, session, who: Principal, direction: Direction, params: dict) -> dict:
    """The shortlist, for an asking enterprise within the principal's reach (or a need in words)."""
    asker = repository.get_enterprise(session=session, uscc=params["uscc"]) if params["uscc"] else None
    if asker is not None:
        ensure_reach(who, Action.MATCH, asker)
    try:
        return matching.find_partners(session=session, chain=request.app.state.chain, direction=direction, **params)
    except matching.MatchRequestError as exc:
        raise HTTPException(status_code=422, detail=refusal_detail(exc)) from exc
    except LookupError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


async def _answered(request: Request, session, who: Principal, direction: Direction, params: dict) -> FastJSONResponse:
    """With the ranker at hand a match is a few milliseconds of CPU under the GIL: answered on the event loop,
    as a worker thread would only add hand-offs (one server process: 25 % more requests/s, p95 down by a
    third). Until then (start-up, re-indexing after a data change) in a worker thread: the loop never waits
    for a fit."""
    if matching.ranker_at_hand(session=session, chain=request.app.state.chain):
        return FastJSONResponse(_answer(request, session, who, direction, params))
    return FastJSONResponse(await run_in_threadpool(_answer, request, session, who, direction, params))


@router.get("/api/match/suppliers", summary="为采购方推荐供应商（附推荐理由与协同奖励测算）")
async def suppliers(request: Request, session: SessionDep, who: Matcher, params: MatchRequest) -> FastJSONResponse:
    return await _answered(request, session, who, Direction.SUPPLIERS, params)


@router.get("/api/match/customers", summary="为供应方推荐客户（附推荐理由）")
async def customers(request: Request, session: SessionDep, who: Matcher, params: MatchRequest) -> FastJSONResponse:
    return await _answered(request, session, who, Direction.CUSTOMERS, params)


@router.get("/api/match/{direction}.xlsx", summary="推荐名单导出（Excel），参数同上", **EXCEL)
def shortlist_excel(
    direction: Direction, request: Request, session: SessionDep, who: Matcher, params: MatchRequest
) -> Response:
    answer = _answer(request, session, who, direction, params)
    demo = repository.has_demo(session=session)
    return excel_response(lambda path: exports.write_shortlist(answer, path, demo=demo), f"{direction}.xlsx")


# The page's fields, in the order they are checked.
FORM_FIELDS = (
    "direction", "uscc", "need", "segment", "lon", "lat", "scope", "max_km", "label", "budget_yuan",
    "min_revenue_yuan", "exclude_partners", "k",
)  # fmt: skip
LIST_FIELDS = ("segment", "label")
NOTHING_TO_MATCH = "请填写企业信用代码、需求描述或选择环节"


@cache
def _validated_match_request() -> Callable[..., dict]:
    """match_request with its Query constraints checked by pydantic, for the page's own form reading."""
    return validate_call(match_request)


def read_match_form(query: QueryParams) -> tuple[Direction, dict, dict[str, str]]:
    """The /match form (blank fields are absent, money may be written in 元 or 万元): the direction,
    match_request's parameters and the Chinese error per field."""
    values: dict = {name: query.getlist(name) for name in FORM_FIELDS if name in query}
    values = {name: given if name in LIST_FIELDS else given[-1] for name, given in values.items()}
    errors: dict[str, str] = {}
    try:
        direction = Direction(values.pop("direction", Direction.SUPPLIERS))
    except ValueError:
        errors["direction"] = f"{FIELD_LABELS['direction']}：应为供应商或客户"
        direction = Direction.SUPPLIERS
    try:
        params = _validated_match_request()(**values)
    except ValidationError as exc:
        errors |= form_errors(exc.errors())  # type: ignore[arg-type]
        params = {}
    return direction, params, errors


@router.get("/match", response_class=HTMLResponse, include_in_schema=False)
def match_page(request: Request, session: SessionDep, who: Matcher) -> HTMLResponse:
    """Reads its own query (see read_match_form) so that a bad field is shown on the page, never as JSON."""
    direction, params, errors = read_match_form(request.query_params)
    context: dict = {
        "form": request.query_params,
        "direction": direction,
        "result": None,
        "error": None,
        "errors": errors,
    }
    if errors:
        return templates.TemplateResponse(request, "match.html", context, status_code=422)
    if params["uscc"] or params["need"] or params["segments"]:
        try:
            context["result"] = _answer(request, session, who, direction, params)
        except HTTPException as exc:  # the matcher's refusal: next to the field it names, else above the results
            errors = page_errors(exc.detail)
            message = errors.pop("form")
            context["errors"], context["error"] = errors, None if errors else message
            return templates.TemplateResponse(request, "match.html", context, status_code=exc.status_code)
    elif request.query_params:  # submitted with nothing to match on
        context["error"] = NOTHING_TO_MATCH
    return templates.TemplateResponse(request, "match.html", context)
