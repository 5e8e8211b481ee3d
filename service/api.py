"""The FastAPI application, built by create_app(settings); nothing happens at import."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from chainmap.records import InvalidRecord
from chainmap.taxonomy import load_named_chain
from service.db import make_engine, session_scope
from service.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.engine)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _invalid_record(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidRecord)
    return JSONResponse(status_code=422, content={"detail": [{"field": exc.field, "msg": str(exc)}]})


def create_app(settings: Settings) -> FastAPI:
    from service.routes import chains, enterprises, geo, health, matching, pages, rewards

    app = FastAPI(title="chainmap 产业链全景图", version="0.1.0", description="产业链全景、伙伴匹配与协同奖励测算")
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    app.state.chain = load_named_chain(settings.chain)
    app.add_exception_handler(InvalidRecord, _invalid_record)
    for module in (health, enterprises, chains, rewards, geo, matching, pages):
        app.include_router(module.router)
    return app
