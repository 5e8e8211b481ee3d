from collections import Counter
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from chainmap.policies import cite
from service import repository
from service.auth.permissions import ANONYMOUS, Action
from service.clock import local_minute
from service.web.chains import all_chains, viewed_chain
from service.web.deps import SessionDep, allowed, csrf_token
from service.web.errors import form_errors, invalid_request
from service.web.navigation import navigation_for

router = APIRouter(include_in_schema=False)


def header_context(request: Request) -> dict:
    """What the header and footer need: navigation, the chain switcher, who is signed in, the CSRF token.
    Every layout page gets it; a page rendered otherwise (the map) passes it to ``_header.html`` itself."""
    who = getattr(request.state, "principal", ANONYMOUS)
    return {
        "request": request,
        "who": who,
        "csrf": csrf_token(request),
        "navigation": navigation_for(who),
        "app_chain": request.app.state.chain,
        "viewed_chain": viewed_chain(request),
        "chains": all_chains(),
    }


templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates", context_processors=[header_context])
templates.env.globals["cite"] = templates.env.filters["cite"] = cite
templates.env.filters["local_minute"] = local_minute


@router.get("/", response_class=HTMLResponse, dependencies=[allowed(Action.VIEW_PUBLIC)])
def home(request: Request, session: SessionDep) -> HTMLResponse:
    chain = viewed_chain(request)
    per_segment = repository.segment_counts(session=session, chain_code=chain.code)
    per_direction: Counter[str] = Counter()
    for code, n in per_segment.items():
        per_direction[chain.root_of(code).code] += n
    directions = [(root, per_direction[root.code], len(chain.descendants(root.code)) - 1) for root in chain.roots]
    context = {
        "chain": chain,
        "directions": directions,
        "counts": {**repository.counts(session=session), "segments": len(chain.segments)},
        "demo": repository.has_demo(session=session),
    }
    return templates.TemplateResponse(request, "home.html", context)


HEADINGS = {403: "没有权限", 404: "未找到", 405: "不支持的操作", 409: "操作冲突", 413: "文件过大", 422: "输入有误"}
# In place of the framework's English reason phrases ("Not Found", "Method Not Allowed")
REASONS = {404: "没有这个页面或接口，或它已被删除。", 405: "此地址不接受这种请求方式。"}


async def error_page(request: Request, exc: Exception) -> Response:
    """An error met by a person in a browser is a page, with the header and a way back; the API's stay JSON.
    Either way a bare English reason phrase is replaced by a Chinese one."""
    assert isinstance(exc, HTTPException)
    reason = REASONS.get(exc.status_code, "请求未能完成。")
    if exc.detail == HTTPException(exc.status_code).detail:  # the bare reason phrase
        exc = HTTPException(exc.status_code, reason, exc.headers)
    if _wants_json(request):
        return await http_exception_handler(request, exc)
    message = exc.detail if isinstance(exc.detail, str) else reason
    context = {"heading": HEADINGS.get(exc.status_code, "出错了"), "message": message}
    return templates.TemplateResponse(request, "error.html", context, status_code=exc.status_code, headers=exc.headers)


async def invalid_request_page(request: Request, exc: Exception) -> Response:
    """A malformed address or form met in a browser is the error page, naming the fields as the forms label
    them; the API's stay JSON."""
    assert isinstance(exc, RequestValidationError)
    if _wants_json(request):
        return invalid_request(request, exc)
    return await error_page(request, HTTPException(422, "；".join(form_errors(list(exc.errors())).values())))


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")
