"""The holes found by probing, closed: bounded inputs (Chinese 422s, never 500), body limit, is_demo, private
contract data, CSRF, tokens, lockout, and the audit trail."""

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from service import models as m
from service.api import create_app
from service.auth import accounts
from service.auth.permissions import Role
from service.settings import Settings

from .conftest import create_account, sign_in_as


@pytest.fixture(scope="module")
def app(demo_database):
    return create_app(
        Settings(
            database_url=demo_database(), max_body_bytes=200_000, login_max_failures=3, login_attempts_per_minute=1000
        )
    )


@pytest.fixture(scope="module")
def admin(app):
    client = TestClient(app)
    sign_in_as(client, *create_account(client, Role.ADMIN))
    return client


@pytest.fixture(scope="module")
def firm(app) -> m.Enterprise:
    """A demo buyer with contracts and a town."""
    with Session(app.state.engine) as session:
        return session.exec(
            select(m.Enterprise)
            .join(m.Contract, m.Contract.buyer_id == m.Enterprise.id)
            .where(m.Enterprise.town_id.is_not(None))
        ).first()


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("GET", "/api/chains/smart_terminal/panorama", {"params": {"median_share": "1e308"}}, "median_share"),
        ("GET", "/api/chains/smart_terminal/panorama", {"params": {"median_share": "inf"}}, "median_share"),
        (
            "POST",
            "/api/enterprises",
            {"json": {"uscc": "91350100M000100Y43", "name": "甲", "tech_centre_level": "galactic"}},
            "tech_centre_level",
        ),
        (
            "POST",
            "/api/enterprises",
            {"json": {"uscc": "91350100M000100Y43", "name": "甲", "revenue_yuan": 2**63}},
            "revenue_yuan",
        ),
        ("GET", "/api/match/suppliers", {"params": {"need": "MCU", "min_revenue_yuan": 2**64}}, "min_revenue_yuan"),
        ("GET", "/api/enterprises", {"params": {"offset": 2**63}}, "offset"),
        (
            "POST",
            "/api/enterprises",
            {"json": {"uscc": "91350100M000100Y43", "name": "甲", "is_demo": True}},
            "is_demo",
        ),
    ],
)
def test_probes_that_gave_500_now_say_in_chinese_which_field_is_wrong(admin, method, path, kwargs, field):
    response = admin.request(method, path, **kwargs)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["field"] == field and any("\u4e00" <= ch <= "\u9fff" for ch in detail[0]["msg"])


def test_an_enormous_performed_amount_is_a_row_error_not_a_500(admin, firm):
    contracts = [{"buyer": firm.uscc, "seller": firm.uscc, "year": 2025, "performed_yuan": 10**30}]
    response = admin.post("/api/rewards/estimate", json={"contracts": contracts})
    assert response.status_code == 200
    assert (
        response.json()["errors"][0]["field"] == "performed_yuan"
        and "超出范围" in response.json()["errors"][0]["message"]
    )


def test_bodies_over_the_limit_are_refused_declared_or_streamed(admin):
    big = b'{"contracts": [' + b" " * 300_000 + b"]}"
    declared = admin.post("/api/rewards/estimate", content=big, headers={"content-type": "application/json"})
    streamed = admin.post(
        "/api/rewards/estimate",
        content=iter([big[:150_000], big[150_000:]]),
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == streamed.status_code == 413 and "请求体过大" in declared.json()["detail"]


def test_the_anonymous_visitor_sees_no_contract_data_and_no_amounts(app, firm):
    visitor = TestClient(app)
    for path in ("/api/rewards/ledger.xlsx", "/api/rewards/budget", f"/api/match/suppliers?uscc={firm.uscc}"):
        assert visitor.get(path).status_code == 401, path
    assert visitor.put(f"/api/enterprises/{firm.uscc}/segments", json={"segments": []}).status_code == 401
    assert visitor.get(f"/api/enterprises/{firm.uscc}").json()["revenue_yuan"] is None
    panorama = visitor.get("/api/chains/smart_terminal/panorama").text
    assert "_yuan" not in panorama and visitor.get("/match").headers.get("location") is None
    assert visitor.get("/match", follow_redirects=False).headers["location"].startswith("/login?next=")


def _ledger_rows(client) -> list[tuple]:
    response = client.get("/api/rewards/ledger.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["奖励明细"]
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_officers_and_enterprises_see_only_their_own_contract_amounts(app, admin, firm):
    with Session(app.state.engine) as session:
        town = session.get(m.Town, firm.town_id).name
    officer, enterprise = TestClient(app), TestClient(app)
    sign_in_as(officer, *create_account(officer, Role.OFFICER, town=town))
    sign_in_as(enterprise, *create_account(enterprise, Role.ENTERPRISE, uscc=firm.uscc))
    everything = admin.get("/api/rewards/budget").json()["budget"]
    mine = officer.get("/api/rewards/budget").json()["budget"]
    assert {r["budget_unit"] for r in everything} > {r["budget_unit"] for r in mine} == {town}
    header = [
        c.value
        for c in openpyxl.load_workbook(io.BytesIO(admin.get("/api/rewards/ledger.xlsx").content))["奖励明细"][1]
    ]
    unit = header.index("承担单位")
    assert {row[unit] for row in _ledger_rows(officer)} == {town}
    excluded = {
        who: openpyxl.load_workbook(io.BytesIO(c.get("/api/rewards/ledger.xlsx").content))["政策排除"].max_row
        for who, c in (("admin", admin), ("officer", officer))
    }
    assert excluded["admin"] > 1 and excluded["officer"] == 1  # exclusions name other firms: not for officers
    own = _ledger_rows(enterprise)
    assert own and all(firm.uscc in row for row in own) and len(own) < len(_ledger_rows(admin))
    assert enterprise.get("/api/rewards/budget").status_code == 403
    other = next(
        r for r in admin.get("/api/enterprises", params={"limit": 50}).json()["data"] if r["uscc"] != firm.uscc
    )
    refused = enterprise.put(f"/api/enterprises/{other['uscc']}/segments", json={"segments": ["ST.CHIP.MCU"]})
    assert refused.status_code == 403 and "无权" in refused.json()["detail"]


def test_a_signed_in_write_without_the_csrf_token_is_refused(app):
    client = TestClient(app)
    sign_in_as(client, *create_account(client, Role.ADMIN))
    client.headers.pop("X-CSRF-Token")
    response = client.post("/api/rewards/estimate", json={"contracts": []})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    forged = TestClient(app).post("/login", data={"username": "x", "password": "y"})
    shouted = TestClient(app).post(
        "/login", content=b"username=x&password=y", headers={"content-type": "Application/X-WWW-Form-Urlencoded"}
    )
    assert forged.status_code == shouted.status_code == 403


def test_bearer_tokens_work_are_hashed_at_rest_and_can_be_revoked(app):
    client = TestClient(app)
    username, _ = create_account(client, Role.ADMIN)
    with Session(app.state.engine) as session:
        account = accounts.find(session=session, username=username)
        row, token = accounts.issue_token(session=session, account=account, label="测试")
        token_id = row.id
        session.commit()
        stored = session.exec(text("SELECT token_hash FROM apitoken")).all()
    assert token not in str(stored)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/rewards/budget", headers=bearer).status_code == 200
    assert client.post("/api/rewards/estimate", json={"contracts": []}, headers=bearer).status_code == 200
    with Session(app.state.engine) as session:
        accounts.revoke_token(
            session=session, account=accounts.find(session=session, username=username), token_id=token_id
        )
        session.commit()
    assert client.get("/api/rewards/budget", headers=bearer).status_code == 401


def _try(client, username, password):
    form = {"username": username, "password": password, "csrf_token": client.get("/api/me").json()["csrf_token"]}
    return client.post("/login", data=form, follow_redirects=False)


def test_repeated_failures_lock_the_account_and_are_audited(app, admin):
    client = TestClient(app)
    username, password = create_account(client, Role.ADMIN)
    assert [_try(client, username, "wrong-password").status_code for _ in range(3)] == [400, 400, 400]
    locked = _try(client, username, password)
    assert locked.status_code == 400 and "锁定" in locked.text
    failures = admin.get("/api/audit", params={"action": "login_failed", "actor": username}).json()
    assert len(failures) == 4 and failures[0]["client"] == "testclient"


def test_sign_in_attempts_are_rate_limited_per_address(app):
    client = TestClient(create_app(app.state.settings.model_copy(update={"login_attempts_per_minute": 2})))
    codes = [_try(client, "nobody", "wrong-password").status_code for _ in range(3)]
    assert codes[-1] == 429


def test_writes_are_audited_with_before_and_after_and_admins_can_export(app, admin, firm):
    body = {"segments": ["ST.CHIP.MCU"]}
    assert admin.put(f"/api/enterprises/{firm.uscc}/segments", json=body).status_code == 200
    event = admin.get("/api/audit", params={"action": "segments_set"}).json()[0]
    assert event["target"] == firm.uscc and event["after"] == body and "segments" in event["before"]
    export = admin.get("/api/audit.xlsx", params={"action": "segments_set"})
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content))["审计日志"].iter_rows(values_only=True))
    assert rows[0][0] == "时间（UTC）" and rows[1][3] == firm.uscc


def test_the_database_refuses_to_change_or_delete_audit_rows(app):
    with Session(app.state.engine) as session:
        for statement in ("UPDATE auditevent SET actor = 'x'", "DELETE FROM auditevent"):
            with pytest.raises(DatabaseError, match="append-only"):
                session.exec(text(statement))
            session.rollback()


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_is_signed_httponly_lax_and_secure_behind_https(app, secure):
    scheme = "https" if secure else "http"
    client = TestClient(create_app(app.state.settings.model_copy(update={"cookie_secure": secure})), f"{scheme}://t")
    username, password = create_account(client, Role.ENTERPRISE, uscc=_any_uscc(client))
    response = _try(client, username, password)
    cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 303 and "httponly" in cookie and "samesite=lax" in cookie
    assert ("; secure" in cookie) is secure
    assert client.get("/", headers={"cookie": "chainmap_session=forged"}).text.count("访客") == 1


def _any_uscc(client) -> str:
    return client.get("/api/enterprises", params={"limit": 1}).json()["data"][0]["uscc"]


def test_a_password_reset_or_a_disabled_account_ends_existing_sessions(app):
    client = TestClient(app)
    username, password = create_account(client, Role.ADMIN)
    sign_in_as(client, username, password)
    assert client.get("/api/me").json()["username"] == username
    with Session(app.state.engine) as session:
        account = accounts.find(session=session, username=username)
        accounts.set_password(session=session, account=account, password="一个全新的足够长密码")
        session.commit()
    assert client.get("/api/me").json()["role"] == "anonymous"
    sign_in_as(client, username, "一个全新的足够长密码")
    with Session(app.state.engine) as session:
        accounts.find(session=session, username=username).is_active = False
        session.commit()
    assert client.get("/api/rewards/budget").status_code == 401


@pytest.mark.parametrize(
    ("target", "landing"),
    [("/match?need=MCU", "/match?need=MCU"), ("//evil.example", "/"), ("/\t/evil.example", "/"), ("/\\evil", "/")],
)
def test_after_signing_in_only_a_path_on_this_site_is_followed(app, target, landing):
    client = TestClient(app)
    username, password = create_account(client, Role.ADMIN)
    form = {"username": username, "password": password, "next": target}
    response = client.post(
        "/login", data={**form, "csrf_token": client.get("/api/me").json()["csrf_token"]}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == landing


def test_an_officer_exports_the_panorama_without_revenue_columns(app, admin):
    officer = TestClient(app)
    sign_in_as(officer, *create_account(officer, Role.OFFICER, town="九亭镇"))

    def headers(client) -> set[str]:
        workbook = openpyxl.load_workbook(io.BytesIO(client.get("/api/chains/smart_terminal/panorama.xlsx").content))
        return {cell.value for sheet in workbook for cell in sheet[1]}

    assert "营业收入合计（万元）" in headers(admin) and not {h for h in headers(officer) if h and "元）" in h}
