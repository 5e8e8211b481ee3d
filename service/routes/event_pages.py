"""The 对接会 pages: the list, an event (registration, requests, proposals, schedule, outcomes) and the
printable agendas. Forms post here and call the ``/api/events`` handlers, then come back with a notice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service import event_views, events
from service import models as m
from service.auth.permissions import Action, Principal
from service.fields import FIELD_LABELS
from service.routes import events as api
from service.routes.pages import templates
from service.web.deps import SessionDep, allowed
from service.web.errors import form_errors, page_errors

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, allowed(Action.VIEW_EVENTS)]


class Manage(StrEnum):
    PROPOSE = "propose"
    ACCEPT = "accept"
    SCHEDULE = "schedule"
    CONFIRM = "confirm"


class Join(StrEnum):
    REGISTER = "register"
    REQUEST = "request"
    WITHDRAW = "withdraw"
    OUTCOME = "outcome"


class WithdrawIn(BaseModel):
    request_id: api.RowId


def _may(who: Principal, action: Action) -> bool:
    return who.reach(action) is not None


@router.get("/events", response_class=HTMLResponse)
def event_list(request: Request, session: SessionDep, who: Viewer) -> HTMLResponse:
    context = {
        "events": [event_views.summary(session=session, event=e) for e in events.list_events(session=session)],
        "can_manage": _may(who, Action.MANAGE_EVENTS),
        "error": _flashed(request).get("error"),
    }
    return templates.TemplateResponse(request, "events.html", context)


@router.post("/events", response_class=HTMLResponse)
async def create_event(request: Request, session: SessionDep, who: api.Organiser) -> RedirectResponse:
    form = await request.form()
    fields = {k: v for k, v in form.items() if k in api.EventIn.model_fields and v != ""}
    fields["breaks"] = _breaks(str(form.get("breaks", "")))
    try:
        made = await run_in_threadpool(api.create, api.EventIn.model_validate(fields), request, session, who)
    except (ValidationError, HTTPException) as exc:
        return _back(request, "/events", error=_message(exc))
    return RedirectResponse(f"/events/{made['id']}", status_code=303)


def _breaks(text: str) -> dict[str, str]:
    """``"6:60"`` (after slot 6, 60 minutes), several separated by commas."""
    pairs = (part.replace("：", ":").partition(":") for part in _lines(text))
    return {number.strip(): minutes.strip() for number, _, minutes in pairs}


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(event_id: api.EventId, request: Request, session: SessionDep, who: Viewer) -> HTMLResponse:
    event = api.event_or_404(session, event_id)
    data = event_views.detail(session=session, event=event, who=who)
    tables = [t for p in data["participants"] for t in p["tables"]]
    grid = {(mt["slot"], mt["table"]): mt for mt in data["meetings"]}
    context = {
        "event": data,
        "tables": tables,
        "grid": grid,
        "can_manage": _may(who, Action.MANAGE_EVENTS),
        "can_join": _may(who, Action.JOIN_EVENT),
        "withdrawable": _withdrawable(session, event, who),
        **_flashed(request),
        "priorities": events.PRIORITY_LABELS,
        "plain_report": event_views.plain_report(data["report"]) if data["report"] else "",
    }
    return templates.TemplateResponse(request, "event.html", context)


def _withdrawable(session: Session, event: m.MatchmakingSession, who: Principal) -> set[int]:
    """The requests ``who`` may withdraw (the rule of the withdraw handler)."""
    return {r.id for r in events.requests(session=session, event=event) if api.may_withdraw(session, who, r)}


@router.get("/events/{event_id}/agendas", response_class=HTMLResponse)
def agendas_page(
    event_id: api.EventId, request: Request, session: SessionDep, who: Viewer, participant: int | None = None
) -> HTMLResponse:
    """Every agenda and table sheet, or (``?participant=N``) one participant's agenda."""
    taken = api.published(session, event_id, who)
    if participant is not None:
        own = [a for a in taken.agendas if a.participant.id == participant]
        if not own:
            raise HTTPException(status_code=404, detail=f"本场对接会没有参会编号为 {participant} 的日程")
        taken = replace(taken, agendas=own, tables={})
    summary = event_views.summary(session=session, event=taken.event)
    context = {"event": summary, "taken": taken, "roles": events.ROLE_LABELS}
    return templates.TemplateResponse(request, "event_agendas.html", context)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errors = form_errors(exc.errors())  # type: ignore[arg-type]
        if "breaks" in errors:  # the form's own notation, not the model's
            errors["breaks"] = f"{FIELD_LABELS['breaks']}：应写作“第几段后:分钟”，多处用逗号分隔，如 6:60"
        return "；".join(errors.values())
    return page_errors(exc.detail)["form"] if isinstance(exc, HTTPException) else str(exc)


def _lines(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


# Per operation: the body it reads from the form, the API handler, and the notice on success.
MANAGED: dict[Manage, tuple[type[BaseModel], Callable, Callable[[dict], str]]] = {
    Manage.PROPOSE: (api.ProposeIn, api.propose, lambda r: f"系统推荐了 {r['proposed']} 条会面请求，待接受"),
    Manage.ACCEPT: (api.AcceptIn, api.accept, lambda r: f"已接受 {r['accepted']} 条推荐请求"),
    Manage.SCHEDULE: (
        api.ScheduleIn,
        api.schedule,
        lambda r: "排程完成：" + event_views.plain_report(r),
    ),
    Manage.CONFIRM: (api.ConfirmIn, api.confirm, lambda r: f"日程已发布：{r['confirmed']} 场会面"),
}
JOINED: dict[Join, tuple[type[BaseModel], Callable, Callable[[dict], str]]] = {
    Join.REGISTER: (api.ParticipantIn, api.register, lambda r: f"报名成功，参会编号 {r['id']}"),
    Join.REQUEST: (api.RequestIn, api.add_request, lambda r: f"已提交会面请求（权重 {r['weight']}）"),
    Join.WITHDRAW: (
        WithdrawIn,
        lambda event_id, body, *rest: api.withdraw(event_id, body.request_id, *rest),
        lambda r: f"已撤回会面请求 {r['withdrawn']}",
    ),
    Join.OUTCOME: (
        api.OutcomeIn,
        api.outcome,
        lambda r: "已登记会面结果" + (f"；{r['contract']['note']}" if r["contract"] else ""),
    ),
}


def _fields(form) -> dict:
    fields: dict = {k: v for k, v in form.items() if k != "csrf_token" and v != ""}
    for name in ("tables", "available"):
        if name in fields:
            fields[name] = _lines(fields[name])
    return fields


async def _run(request: Request, session, who: Principal, event_id: int, entry: tuple) -> RedirectResponse:
    body_model, handler, notice = entry
    try:
        body = body_model.model_validate(_fields(await request.form()))
        result = await run_in_threadpool(handler, event_id, body, request, session, who)
        return _back(request, f"/events/{event_id}", notice=notice(result))
    except (ValidationError, HTTPException) as exc:
        return _back(request, f"/events/{event_id}", error=_message(exc))


def _back(request: Request, page: str, **message: str) -> RedirectResponse:
    """Back to ``page``, which shows ``message`` (``notice`` or ``error``) once. The message is kept in the
    signed session rather than the address, so that no link can make a page say something."""
    request.session["flash"] = {"page": page, **message}
    return RedirectResponse(page, status_code=303)


def _flashed(request: Request) -> dict[str, str]:
    """The message left for this page (one left for another page, in another tab, waits for it)."""
    if request.session.get("flash", {}).get("page") != request.url.path:
        return {}
    return {k: v for k, v in request.session.pop("flash").items() if k != "page"}


@router.post("/events/{event_id}/manage/{operation}")
async def manage(
    event_id: api.EventId, operation: Manage, request: Request, session: SessionDep, who: api.Organiser
) -> RedirectResponse:
    return await _run(request, session, who, event_id, MANAGED[operation])


@router.post("/events/{event_id}/join/{operation}")
async def join(
    event_id: api.EventId, operation: Join, request: Request, session: SessionDep, who: api.Member
) -> RedirectResponse:
    return await _run(request, session, who, event_id, JOINED[operation])
