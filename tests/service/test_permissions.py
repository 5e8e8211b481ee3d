"""The permission matrix, generated from the permission table: every route x every role, and no route left out."""

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matching.challenges import Status
from service import challenges
from service import models as m
from service.api import DOCS_ASSETS, create_app
from service.auth.permissions import PERMISSIONS, Action, Principal, Role
from service.demo_events import replace_demo_events
from service.settings import Settings

from .conftest import create_account, sign_in_as

# Requests that would write are sent with bodies the route refuses (422) once allowed, so the matrix stores nothing.
# (Routes whose body model is required, such as the /api/events writes, refuse a request without a body.)
BODIES = {
    ("POST", "/api/enterprises"): {"uscc": "91350100M000100Y44", "name": "校验位错误"},
    ("PUT", "/api/enterprises/{uscc}/segments"): {"segments": ["ST.NOPE"]},
    ("POST", "/api/chains/{code}/classify"): {"products": "MCU芯片"},
    ("POST", "/api/rewards/estimate"): {"contracts": []},
    ("POST", "/login"): {"username": "nobody", "password": "wrong-password"},
}
REFUSED = {401, 403}


def _action(route) -> list[Action]:
    """The actions a route declares through ``allowed``, at any depth of its dependencies."""
    found, stack = [], list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if hasattr(dependency.call, "action"):
            found.append(dependency.call.action)
        stack.extend(dependency.dependencies)
    return found


@pytest.fixture(scope="module")
def app(demo_database):
    app = create_app(Settings(database_url=demo_database()))
    with Session(app.state.engine) as session:
        replace_demo_events(session=session)  # the 对接会 routes need an event
        session.commit()
    return app


@pytest.fixture(scope="module")
def target(app):
    """A demo enterprise with a town: the officer's town and the enterprise user's own firm."""
    with Session(app.state.engine) as session:
        firm = session.exec(select(m.Enterprise).where(m.Enterprise.town_id.is_not(None))).first()
        town = session.get(m.Town, firm.town_id)
        _published_challenge(session, app.state.chain, firm.uscc)
        return firm.uscc, town.name


def _published_challenge(session: Session, chain, uscc: str) -> None:
    """Challenge 1, published by the target firm: within the officer's and the enterprise user's reach."""
    need = challenges.ChallengeIn(kind="procurement", title="权限矩阵用榜单", publisher_uscc=uscc)
    challenge = challenges.create(session=session, who=Principal(Role.ADMIN), data=need, chain=chain)
    for target in (Status.UNDER_REVIEW, Status.PUBLISHED):
        challenges.move(session=session, who=Principal(Role.ADMIN), challenge=challenge, target=target)
    session.commit()


@pytest.fixture(scope="module")
def clients(app, target):
    uscc, town = target
    binding = {Role.ADMIN: {}, Role.OFFICER: {"town": town}, Role.ENTERPRISE: {"uscc": uscc}}
    made = {}
    for role in Role:
        client = TestClient(app)
        if role in binding:
            sign_in_as(client, *create_account(client, role, **binding[role]))
        made[role] = client
    return made


# FastAPI's own documentation pages and their scripts and styles, and the pages' stylesheet
FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", DOCS_ASSETS, "/assets"}


def _routes(app) -> list[tuple[str, object]]:
    """(method, route) for every route of the application, included routers flattened."""
    routes = [r for r in iter_route_contexts(app.routes) if r.path not in FRAMEWORK]
    return [(method, r) for r in routes for method in sorted(r.methods)]


def test_every_route_declares_exactly_one_action_of_the_table(app):
    assert len(_routes(app)) >= 27
    for method, route in _routes(app):
        actions = _action(route)
        assert len(actions) == 1 and actions[0] in PERMISSIONS, f"{method} {route.path}: {actions}"
    used = {_action(route)[0] for _, route in _routes(app)}
    assert used == set(Action) - {Action.VIEW_AMOUNTS}  # amounts are checked inside answers, not per route


def test_every_route_for_every_role_is_allowed_or_refused_as_the_table_says(app, clients, target):
    uscc, _ = target
    checked = 0
    for method, route in sorted(_routes(app), key=lambda mr: mr[1].path == "/logout"):  # signing out comes last
        action = _action(route)[0]
        path = (
            route.path.replace("{uscc}", uscc).replace("{code}", "smart_terminal").replace("{direction}", "suppliers")
        )
        path = path.replace("{challenge_id}", "1").replace("{attachment_id}", "1").replace("{event_id}", "1")
        path = path.replace("{operation}", "confirm" if "/manage/" in path else "outcome")  # both refuse empty forms
        if route.path.startswith("/api/match/") or route.path == "/match":
            path += f"?uscc={uscc}&k=3"
        body = BODIES.get((method, route.path))
        for role, client in clients.items():
            kwargs = {"data": body} if route.path == "/login" else {"json": body} if body is not None else {}
            if route.path == "/login" and method == "POST":
                kwargs["data"] = {**body, "csrf_token": client.get("/api/me").json()["csrf_token"]}
            response = client.request(method, path, follow_redirects=False, **kwargs)
            allowed = role in PERMISSIONS[action]
            refused = response.status_code in REFUSED or (
                response.status_code == 303 and response.headers["location"].startswith("/login")
            )
            assert refused != allowed, f"{role} {method} {path}: {response.status_code} {response.text[:200]}"
            assert response.status_code < 500, f"{role} {method} {path}: {response.status_code}"
            checked += 1
    assert checked == len(_routes(app)) * len(Role)
