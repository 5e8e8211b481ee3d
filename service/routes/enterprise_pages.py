"""Enterprise pages: search results and one page per enterprise."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from service import enterprise_profile, repository, rewards
from service.auth.permissions import Action, Principal
from service.routes.pages import templates
from service.web.deps import SessionDep, allowed

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, allowed(Action.VIEW_ENTERPRISES)]
Search = Annotated[str, Query(max_length=200, description="企业名称中的字词或统一社会信用代码的开头")]
RESULTS = 50


@router.get("/enterprises", response_class=HTMLResponse)
def search_page(
    request: Request, session: SessionDep, _who: Viewer, q: str = Query("", max_length=200)
) -> HTMLResponse:
    found = repository.find_enterprises(session=session, q=q, limit=RESULTS + 1)
    context = {"q": q, "found": repository.to_public_many(session, found[:RESULTS]), "more": len(found) > RESULTS}
    return templates.TemplateResponse(request, "enterprises.html", context)


@router.get("/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise_page(uscc: str, request: Request, session: SessionDep, who: Viewer) -> HTMLResponse:
    enterprise = repository.get_enterprise(session=session, uscc=uscc)
    if enterprise is None:
        raise HTTPException(status_code=404, detail=f"未找到统一社会信用代码为“{uscc}”的企业")
    chain, uscc = request.app.state.chain, enterprise.uscc
    reach = {"town_id": enterprise.town_id, "park_id": enterprise.park_id, "enterprise_id": enterprise.id}
    amounts = who.may(Action.VIEW_AMOUNTS, **reach)
    context = {
        "p": enterprise_profile.profile(session=session, chain=chain, enterprise=enterprise),
        "may_match": who.may(Action.MATCH, **reach),  # partners, and the 找供应商/找客户 buttons
        "amounts": amounts,
        "stages": rewards.STAGES,
        "involved": enterprise_profile.involvement(
            session=session, enterprise_id=enterprise.id, with_responses=amounts
        ),
        "rewards": enterprise_profile.reward_lines(session=session, chain=chain, uscc=enterprise.uscc)
        if amounts
        else [],
    }
    return templates.TemplateResponse(request, "enterprise.html", context)
