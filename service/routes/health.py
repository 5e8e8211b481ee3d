import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from service.auth.permissions import Action
from service.db import ping
from service.web.deps import allowed

router = APIRouter(prefix="/api", tags=["health"], dependencies=[allowed(Action.VIEW_PUBLIC)])


@router.api_route(
    "/health", methods=["GET", "HEAD"], summary="数据库是否可达、数据库结构版本及应答的服务进程号（HEAD 供可用性监测）"
)
def health(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        version = ping(engine)
    except SQLAlchemyError as exc:
        return JSONResponse(
            status_code=503,
            content={
                "status": "error",
                "database": engine.dialect.name,
                "detail": f"数据库不可达：{exc.__class__.__name__}",
            },
        )
    status = "ok" if version else "uninitialised"
    return JSONResponse(
        status_code=200 if version else 503,
        content={"status": status, "database": engine.dialect.name, "schema_version": version, "process": os.getpid()},
    )
