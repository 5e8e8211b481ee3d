"""Sign-in and sign-out (Chinese pages, CSRF-checked forms, rate limit and lockout), and /api/me."""

import re
import time
from collections import deque
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service import audit
from service.auth import accounts
from service.auth.permissions import Action, Principal
from service.routes.pages import templates
from service.web.deps import SessionDep, SettingsDep, allowed, client_address, csrf_token

router = APIRouter(tags=["accounts"])
WINDOW_SECONDS = 60.0
SAFE_NEXT = re.compile(r"/(?![/\\])[^\s\\]*")  # a path here: no //host, backslash or whitespace browsers drop


def _safe_next(target: str) -> str:
    """Only a path on this site (no //host or scheme) may follow a sign-in."""
    return target if SAFE_NEXT.fullmatch(target) else "/"


def _page(request: Request, *, error: str = "", username: str = "", next_url: str = "/", status: int = 200):
    context = {"error": error, "username": username, "next": _safe_next(next_url)}
    return templates.TemplateResponse(request, "login.html", context, status_code=status)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False, dependencies=[allowed(Action.VIEW_PUBLIC)])
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, next_url=next)


def _rate_limited(request: Request, per_minute: int) -> bool:
    """True when this client address made ``per_minute`` attempts within the last minute."""
    attempts: dict[str, deque] = request.app.state.login_attempts
    now = time.monotonic()
    for address in [a for a, times in attempts.items() if now - times[-1] > WINDOW_SECONDS]:
        del attempts[address]  # forget addresses quiet for a minute
    recent = attempts.setdefault(client_address(request), deque())
    while recent and now - recent[0] > WINDOW_SECONDS:
        recent.popleft()
    recent.append(now)
    return len(recent) > per_minute


@router.post("/login", response_class=HTMLResponse, include_in_schema=False, dependencies=[allowed(Action.VIEW_PUBLIC)])
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    if _rate_limited(request, settings.login_attempts_per_minute):
        return _page(request, error="登录尝试过于频繁，请一分钟后再试", username=username, next_url=next, status=429)
    where = client_address(request)
    try:
        account = accounts.authenticate(
            session=session,
            username=username,
            password=password,
            max_failures=settings.login_max_failures,
            lockout=timedelta(minutes=settings.login_lockout_minutes),
        )
    except accounts.AccountError as exc:
        audit.record(session=session, actor=username, action="login_failed", target=username, client=where)
        session.commit()
        return _page(request, error=str(exc), username=username, next_url=next, status=400)
    audit.record(session=session, actor=account.username, action="login", target=account.username, client=where)
    session.commit()
    request.session.clear()  # a fresh session and CSRF token after signing in
    request.session["account_id"] = account.id
    request.session["stamp"] = accounts.session_stamp(account)
    csrf_token(request)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(
    request: Request,
    session: SessionDep,
    who: Annotated[Principal, allowed(Action.VIEW_PUBLIC)],
) -> RedirectResponse:
    if who.account_id is not None:
        audit.record(session=session, actor=who.username, action="logout", client=client_address(request))
        session.commit()
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/api/me", summary="当前登录的账户、角色与 CSRF 令牌（网页调用写接口时放入 X-CSRF-Token 头）")
def me(request: Request, who: Annotated[Principal, allowed(Action.VIEW_PUBLIC)]) -> dict:
    return {
        "username": who.username,
        "display_name": who.display_name,
        "role": who.role.value,
        "role_label": who.role.label,
        "budget_unit": who.budget_unit,
        "csrf_token": csrf_token(request),
    }
