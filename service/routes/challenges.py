"""揭榜挂帅 pages: /challenges (list, detail, publish and respond forms, shortlist, printable decision).
The API lives in ``challenges_api`` and is included here, so the application registers one module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from matching.challenges import Kind, Status
from service import challenge_shortlist, challenge_views, challenges
from service.auth.permissions import Action, Principal
from service.routes import challenges_api
from service.routes.challenges_api import ChallengeId, Inviter, Mover, Publisher, Responder, Reviewer, Viewer, found
from service.routes.pages import templates
from service.web.deps import SessionDep, SettingsDep
from service.web.errors import form_errors, page_errors

router = APIRouter()
router.include_router(challenges_api.router)
LIST_FIELDS = ("segments",)
Model = TypeVar("Model", bound=BaseModel)


async def form_fields(request: Request) -> dict:
    """The posted form: blank fields absent, repeated fields (segments) as lists, files kept as they are."""
    form = await request.form()
    values: dict = {}
    for name in form:
        given = [v for v in form.getlist(name) if not isinstance(v, str) or v.strip()]
        if name != "csrf_token" and given:
            values[name] = given if name in LIST_FIELDS else given[-1]
    return values


Form = Annotated[dict, Depends(form_fields)]


def _page(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _read(model: type[Model], values: dict) -> tuple[Model | None, dict[str, str]]:
    """The form read into ``model``, or the Chinese error per field."""
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        return None, {field or "form": msg for field, msg in form_errors(exc.errors()).items()}  # type: ignore[arg-type]


def _submit(
    session: Session,
    model: type[Model],
    form: dict,
    act: Callable[[Model], str],
    failed: Callable[[HTTPException, dict[str, str]], Response],
) -> Response:
    """Read the form into ``model`` and act on it, then go to the page ``act`` names; a refusal (bad field,
    lifecycle, permission) shows ``failed`` with its Chinese reasons (per field, and all under ``form``) and stores
    nothing."""
    data, errors = _read(model, form)
    try:
        if data is None:
            raise HTTPException(status_code=422, detail="请改正标出的字段：" + "；".join(errors.values()))
        with challenges_api.answering():
            target = act(data)
    except HTTPException as exc:
        session.rollback()
        return failed(exc, errors | page_errors(exc.detail))
    session.commit()
    return RedirectResponse(target, status_code=303)


@router.get("/challenges", response_class=HTMLResponse, include_in_schema=False)
def list_page(request: Request, session: SessionDep, who: Viewer, status: str = "") -> HTMLResponse:
    chain = request.app.state.chain
    wanted = Status(status) if status in set(Status) else None
    shown = [
        challenge_views.to_public(session, who, c, chain, full=False)
        for c in challenges.listing(session=session, who=who, status=wanted)
    ]
    may_publish = who.reach(Action.PUBLISH_CHALLENGE) is not None
    return _page(
        request,
        "challenges.html",
        {"items": shown, "statuses": challenges.visible_statuses(who), "status": status, "may_publish": may_publish},
    )


def _publish_context(request: Request, who: Principal, form: dict, errors: dict) -> dict:
    chain = request.app.state.chain
    segments = [(code, s.name) for code, s in chain.segments.items() if s.parent is not None]
    return {
        "form": form,
        "errors": errors,
        "kinds": list(Kind),
        "segments": segments,
        "own_uscc": who.enterprise_uscc or "",
    }


@router.get("/challenges/new", response_class=HTMLResponse, include_in_schema=False)
def publish_form(request: Request, who: Publisher) -> HTMLResponse:
    return _page(request, "challenge_form.html", _publish_context(request, who, {}, {}))


@router.post("/challenges/new", response_class=HTMLResponse, include_in_schema=False)
def publish(request: Request, session: SessionDep, settings: SettingsDep, who: Publisher, form: Form) -> Response:
    upload = form.pop("attachment", None)

    def act(data: challenges.ChallengeIn) -> str:
        challenge = challenges.create(session=session, who=who, data=data, chain=request.app.state.chain)
        if upload is not None and not isinstance(upload, str):
            limit = settings.attachment_max_bytes
            challenges_api.store_attachment(session, who, challenge, upload, settings.data_dir, limit)
        return f"/challenges/{challenge.id}"

    def failed(exc: HTTPException, errors: dict[str, str]) -> Response:
        return _page(request, "challenge_form.html", _publish_context(request, who, form, errors), exc.status_code)

    return _submit(session, challenges.ChallengeIn, form, act, failed)


def _detail_context(
    request: Request, session: Session, who: Principal, challenge_id: ChallengeId, error: str = ""
) -> dict:
    challenge = found(session, who, challenge_id)
    shown = challenge_views.to_public(session, who, challenge, request.app.state.chain)
    may_review = challenges.reaches(session, who, Action.REVIEW_CHALLENGE, challenge)
    return {
        "c": shown,
        "error": error,
        "may_respond": who.reach(Action.RESPOND_CHALLENGE) is not None and shown.status is Status.PUBLISHED,
        "may_review": may_review,
        "may_print": may_review and shown.status in challenge_views.DECIDED,
        "may_files": who.reach(Action.VIEW_CHALLENGE_FILES) is not None,
    }


@router.get("/challenges/{challenge_id}", response_class=HTMLResponse, include_in_schema=False)
def detail(request: Request, session: SessionDep, who: Viewer, challenge_id: ChallengeId) -> HTMLResponse:
    return _page(request, "challenge.html", _detail_context(request, session, who, challenge_id))


@router.post("/challenges/{challenge_id}/move", response_class=HTMLResponse, include_in_schema=False)
def move(request: Request, session: SessionDep, who: Mover, challenge_id: ChallengeId, form: Form) -> Response:
    challenge = found(session, who, challenge_id)

    def act(data: challenges.MoveIn) -> str:
        challenges.apply_move(session=session, who=who, challenge=challenge, data=data)
        return f"/challenges/{challenge_id}"

    def failed(exc: HTTPException, errors: dict[str, str]) -> Response:
        context = _detail_context(request, session, who, challenge_id, errors["form"])
        return _page(request, "challenge.html", context, exc.status_code)

    return _submit(session, challenges.MoveIn, form, act, failed)


def _respond_context(session: Session, who: Principal, challenge_id: ChallengeId, form: dict, errors: dict) -> dict:
    challenge = found(session, who, challenge_id)
    mine = [
        r
        for r in challenge_views.visible_responses(session, who, challenge)
        if r["responder_uscc"] == who.enterprise_uscc
    ]
    return {"challenge": challenge, "form": form or (mine[0] if mine else {}), "errors": errors, "editing": bool(mine)}


@router.get("/challenges/{challenge_id}/respond", response_class=HTMLResponse, include_in_schema=False)
def respond_form(request: Request, session: SessionDep, who: Responder, challenge_id: ChallengeId) -> HTMLResponse:
    return _page(request, "challenge_respond.html", _respond_context(session, who, challenge_id, {}, {}))


@router.post("/challenges/{challenge_id}/respond", response_class=HTMLResponse, include_in_schema=False)
def respond(request: Request, session: SessionDep, who: Responder, challenge_id: ChallengeId, form: Form) -> Response:
    challenge = found(session, who, challenge_id)

    def act(data: challenges.ResponseIn) -> str:
        challenges.respond(session=session, who=who, challenge=challenge, data=data)
        return f"/challenges/{challenge_id}"

    def failed(exc: HTTPException, errors: dict[str, str]) -> Response:
        context = _respond_context(session, who, challenge_id, form, errors)
        return _page(request, "challenge_respond.html", context, exc.status_code)

    return _submit(session, challenges.ResponseIn, form, act, failed)


def _shortlist_context(
    request: Request, session: Session, who: Principal, challenge_id: ChallengeId, error: str = ""
) -> dict:
    challenge = found(session, who, challenge_id, Action.REVIEW_CHALLENGE)
    with challenges_api.answering():
        short = challenge_shortlist.shortlist(session=session, chain=request.app.state.chain, challenge=challenge)
    return {
        "c": challenge_views.to_public(session, who, challenge, request.app.state.chain),
        "short": short,
        "decision": challenge_shortlist.decision(session=session, challenge=challenge),
        "may_invite": who.reach(Action.INVITE_CANDIDATES) is not None and challenge.status == Status.PUBLISHED,
        "may_print": challenge.status in challenge_views.DECIDED,
        "error": error,
    }


@router.get("/challenges/{challenge_id}/shortlist", response_class=HTMLResponse, include_in_schema=False)
def shortlist(request: Request, session: SessionDep, who: Reviewer, challenge_id: ChallengeId) -> HTMLResponse:
    return _page(request, "challenge_shortlist.html", _shortlist_context(request, session, who, challenge_id))


@router.get("/challenges/{challenge_id}/print", response_class=HTMLResponse, include_in_schema=False)
def printable(request: Request, session: SessionDep, who: Reviewer, challenge_id: ChallengeId) -> HTMLResponse:
    return _page(request, "challenge_print.html", _shortlist_context(request, session, who, challenge_id))


@router.post("/challenges/{challenge_id}/invite", response_class=HTMLResponse, include_in_schema=False)
def invite(request: Request, session: SessionDep, who: Inviter, challenge_id: ChallengeId, form: Form) -> Response:
    challenge = found(session, who, challenge_id)

    def act(data: challenges_api.InviteIn) -> str:
        challenge_shortlist.invite(
            session=session, actor=who.username, challenge=challenge, uscc=data.uscc, note=data.note
        )
        return f"/challenges/{challenge_id}/shortlist"

    def failed(exc: HTTPException, errors: dict[str, str]) -> Response:
        context = _shortlist_context(request, session, who, challenge_id, errors["form"])
        return _page(request, "challenge_shortlist.html", context, exc.status_code)

    return _submit(session, challenges_api.InviteIn, form, act, failed)
