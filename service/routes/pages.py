from collections import Counter
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from chainmap.policies import cite
from service import repository
from service.auth.permissions import ANONYMOUS, Action
from service.web.chains import all_chains, viewed_chain
from service.web.deps import SessionDep, allowed, csrf_token
from service.web.navigation import NAVIGATION

router = APIRouter(include_in_schema=False)


def header_context(request: Request) -> dict:
    """What the header and footer need: navigation, the chain switcher, who is signed in, the CSRF token.
    Every layout page gets it; a page rendered otherwise (the map) passes it to ``_header.html`` itself."""
    return {
        "request": request,
        "who": getattr(request.state, "principal", ANONYMOUS),
        "csrf": csrf_token(request),
        "navigation": NAVIGATION,
        "app_chain": request.app.state.chain,
        "viewed_chain": viewed_chain(request),
        "chains": all_chains(),
    }


templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates", context_processors=[header_context])
templates.env.globals["cite"] = templates.env.filters["cite"] = cite


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
