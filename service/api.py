"""The FastAPI application, built by create_app(settings); nothing happens at import."""

from __future__ import annotations

import gc
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from chainmap.records import InvalidRecord
from chainmap.taxonomy import load_named_chain
from service.db import make_engine
from service.settings import Settings
from service.web.deps import SignInRequired
from service.web.errors import ERROR_RESPONSES, invalid_record, sign_in_required
from service.web.limits import BodySizeLimit
from service.web.query import BlankQueryParams

SESSION_HOURS = 8
DOCS_ASSETS = "/static/docs"
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
APP_ASSETS = Path(__file__).parent / "static"  # served at /assets: the pages' stylesheet and scripts


def create_app(settings: Settings, lifespan: Lifespan | None = None) -> FastAPI:
    from service.imports.jobs import ImportJobs
    from service.routes import (
        audit,
        chains,
        challenges,
        enterprise_pages,
        enterprises,
        event_pages,
        events,
        exports,
        geo,
        health,
        imports,
        login,
        matching,
        pages,
        rewards,
    )

    # /docs and /redoc with Swagger UI and ReDoc served from the package's own copies, no CDN
    app = FastAPIOffline(
        title="chainmap 产业链全景图",
        version="0.1.0",
        description="产业链全景、伙伴匹配与协同奖励测算",
        static_url=DOCS_ASSETS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    app.state.chain = load_named_chain(settings.chain)
    app.add_exception_handler(InvalidRecord, invalid_record)
    app.add_exception_handler(RequestValidationError, pages.invalid_request_page)
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(HTTPException, pages.error_page)
    app.state.login_attempts = {}
    app.state.import_jobs = ImportJobs(settings.data_dir / "imports")  # shared by the server's processes
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key or secrets.token_urlsafe(32),
        session_cookie="chainmap_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(BlankQueryParams)
    app.mount("/assets", StaticFiles(directory=APP_ASSETS), name="assets")
    routers = (health, login, exports, enterprises, enterprise_pages, chains, rewards, geo, matching)
    for module in (*routers, events, event_pages, challenges, imports, pages, audit):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    return app


def served_app() -> FastAPI:
    """The application of each server process `chainmap serve` starts: settings from the environment, and the
    partner ranker and the classifier loaded (or fitted) in the background from the start, so the first match
    need not wait."""
    return create_app(Settings(), lifespan=_warm_up)


@asynccontextmanager
async def _warm_up(app: FastAPI) -> AsyncIterator[None]:
    threading.Thread(target=_load_models, args=(app,), name="models-warm-up").start()
    yield


def _load_models(app: FastAPI) -> None:
    """The partner ranker and the segment classifier, then a frozen heap: the garbage collector no longer
    walks these millions of long-lived objects (a full collection over them paused requests for tens of ms)."""
    from sqlmodel import Session

    from chainmap.model_store import classifier_for
    from service.matching import ranker_for

    try:
        classifier_for(app.state.chain.code)
        with Session(app.state.engine) as session:
            ranker_for(session=session, chain=app.state.chain)
    except Exception as exc:  # e.g. a database not initialised yet: the first match request will say so
        logging.getLogger(__name__).warning("伙伴匹配模型未能预先载入：%s", exc.__class__.__name__)
    gc.freeze()
