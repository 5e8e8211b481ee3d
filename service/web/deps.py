"""Request dependencies: the database session, the settings, and who is asking (see service.auth)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service import models as m
from service.auth import accounts
from service.auth.permissions import ANONYMOUS, Action, Principal, Role
from service.settings import Settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Opened on the event loop (a session connects only at its first query), closed in a worker thread
    (closing rolls back on the database)."""
    session = Session(request.app.state.engine)
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class SignInRequired(Exception):
    """Raised for an anonymous visitor on a route that needs an account (pages redirect, the API says 401)."""


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use; forms carry it, API calls send it as X-CSRF-Token."""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(24)
    return request.session["csrf"]


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise HTTPException(status_code=403, detail="表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


BEARER = HTTPBearer(auto_error=False, description="API 令牌（`chainmap users token` 签发）")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


async def current_principal(request: Request, session: SessionDep, bearer: Bearer) -> Principal:
    """Who is asking, kept on ``request.state`` for the pages.

    Every form post and every write signed in by cookie must carry the session's CSRF token
    (form field ``csrf_token`` or header X-CSRF-Token); bearer-token calls need none.
    """
    token = bearer.credentials if bearer else None
    who = await run_in_threadpool(_principal, request, session, token)
    is_form = request.headers.get("content-type", "").lower().startswith(FORMS)
    if request.method not in SAFE_METHODS and token is None and (who.account_id is not None or is_form):
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and is_form:
            field = (await request.form()).get("csrf_token")
            sent = field if isinstance(field, str) else None
        check_csrf(request, sent)
    request.state.principal = who
    return who


def _principal(request: Request, session: Session, token: str | None) -> Principal:
    """The bearer token's account, else the signed session cookie's, else the anonymous visitor."""
    if token is not None:
        account = accounts.account_for_token(session=session, token=token)
        if account is None:
            raise HTTPException(status_code=401, detail="API 令牌无效或已吊销", headers={"WWW-Authenticate": "Bearer"})
        return accounts.principal(session=session, account=account)
    account_id = request.session.get("account_id")
    account = session.get(m.Account, account_id) if account_id is not None else None
    if account is None or not account.is_active or request.session.get("stamp") != accounts.session_stamp(account):
        request.session.pop("account_id", None)
        return ANONYMOUS
    return accounts.principal(session=session, account=account)


@cache
def allowed(action: Action) -> Any:
    """The dependency of a route doing ``action``: the principal if the permission table allows it."""

    async def check(who: Annotated[Principal, Depends(current_principal)]) -> Principal:  # async: no thread hop
        if who.reach(action) is None:
            if who.role is Role.ANONYMOUS:
                raise SignInRequired
            raise HTTPException(status_code=403, detail=f"当前账户（{who.role.label}）无权执行此操作")
        return who

    check.action = action  # type: ignore[attr-defined]
    return Depends(check)


def ensure_reach(who: Principal, action: Action, enterprise: m.Enterprise) -> None:
    """Refuse with 403 when ``action`` does not reach this enterprise for this principal."""
    if not who.may(action, town_id=enterprise.town_id, park_id=enterprise.park_id, enterprise_id=enterprise.id):
        raise HTTPException(status_code=403, detail="无权操作该企业：不在您负责的街镇/园区，或不是您的企业")


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""
