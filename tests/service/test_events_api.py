"""/api/events and the /events pages: a conference from registration to a contract, who may do what, bad input."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service import models as m
from service.api import create_app
from service.auth.permissions import Role
from service.clock import today
from service.demo_events import DEPARTMENT, replace_demo_events
from service.settings import Settings

from .conftest import create_account, sign_in_as

COMING = (today() + timedelta(days=30)).isoformat()  # events that still take sign-ups


@pytest.fixture(scope="module")
def app(demo_database):
    app = create_app(Settings(database_url=demo_database()))
    with Session(app.state.engine) as session:
        replace_demo_events(session=session)
        session.commit()
    return app


@pytest.fixture(scope="module")
def firms(app):
    """Demo enterprises with a town: two hosts and three visitors for a new event."""
    with Session(app.state.engine) as session:
        rows = session.exec(select(m.Enterprise).where(m.Enterprise.town_id.is_not(None)).limit(5)).all()
        return [(f.uscc, f.name) for f in rows]


@pytest.fixture(scope="module")
def admin(app) -> TestClient:
    """One signed-in administrator for the module (sign-ins per address are rate-limited)."""
    return _client(app)


def _client(app, role=Role.ADMIN, **binding) -> TestClient:
    client = TestClient(app)
    if role is not Role.ANONYMOUS:
        sign_in_as(client, *create_account(client, role, **binding))
    return client


def test_a_conference_from_registration_to_a_signed_contract(app, admin, firms):
    made = admin.post("/api/events", json={"name": "测试对接会", "held_on": COMING, "n_slots": 3})
    assert made.status_code == 201, made.text
    event = made.json()["id"]
    (h1, _), (h2, _), *visitors = firms
    for uscc, role in [(h1, "host"), (h2, "host")] + [(v, "visitor") for v, _ in visitors]:
        answer = admin.post(f"/api/events/{event}/participants", json={"role": role, "uscc": uscc})
        assert answer.status_code == 201, answer.text
    for (v, _), priority in zip(visitors, (1, 2, 3), strict=True):
        for host in (h1, h2):
            body = {"host": host, "visitor": v, "side": "visitor", "priority": priority}
            assert admin.post(f"/api/events/{event}/requests", json=body).json()["weight"] == 4 - priority
    report = admin.post(f"/api/events/{event}/schedule", json={}).json()
    assert report["proven_optimal"] and report["value"] == report["bound"] == 2 * (3 + 2 + 1)
    assert report["meetings"] == 6 and 0 < report["greedy_share"] <= 1
    stale = admin.post(f"/api/events/{event}/confirm", json={"scheduled_at": "2000-01-01T00:00:00+00:00"})
    assert stale.status_code == 409
    confirmed = admin.post(f"/api/events/{event}/confirm", json={"scheduled_at": report["scheduled_at"]})
    assert confirmed.json() == {"confirmed": 6}
    agendas = admin.get(f"/api/events/{event}/agendas").json()["agendas"]
    assert [len(a["rows"]) for a in agendas] == [3, 3, 2, 2, 2]
    one = admin.get(f"/events/{event}/agendas?participant={agendas[2]['participant']}").text
    assert one.count('class="sheet agenda"') == 1 and agendas[2]["name"] in one and "table-sheet" not in one
    nobody = admin.get(f"/events/{event}/agendas?participant=99999", headers={"Accept": "text/html"})
    assert nobody.status_code == 404 and "没有参会编号为 99999 的日程" in nobody.text
    workbook = openpyxl.load_workbook(io.BytesIO(admin.get(f"/api/events/{event}/schedule.xlsx").content))
    assert workbook.sheetnames == ["封面", "总日程", "桌位表", "个人日程"] and workbook["总日程"].max_row == 1 + 6
    meeting = admin.get(f"/api/events/{event}").json()["meetings"][0]
    signed = admin.post(
        f"/api/events/{event}/outcomes",
        json={"meeting_id": meeting["id"], "kind": "contract", "amount_yuan": "500万"},
    ).json()
    assert "约 50 万元" in signed["contract"]["note"]
    with Session(app.state.engine) as session:
        contract = session.get(m.Contract, signed["contract"]["id"])
        assert contract.contracted_yuan == 5_000_000 and not contract.is_demo
    seen = {mt["id"]: mt for mt in admin.get(f"/api/events/{event}").json()["meetings"]}
    assert seen[meeting["id"]]["amount_yuan"] == 5_000_000
    public = TestClient(app).get(f"/api/events/{event}").json()
    assert all("amount_yuan" not in mt for mt in public["meetings"])  # amounts within view_amounts only


def test_the_matcher_proposes_visitors_for_the_hosts_and_the_organiser_accepts_them(admin):
    upcoming = next(e for e in admin.get("/api/events").json() if e["status"] == "open")
    proposed = admin.post(f"/api/events/{upcoming['id']}/proposals", json={"per_host": 3}).json()["proposed"]
    requests = admin.get(f"/api/events/{upcoming['id']}").json()["requests"]
    waiting = [r for r in requests if r["status"] == "proposed"]
    assert proposed == len(waiting) > 0 and all(r["reasons"] and r["side"] == "matcher" for r in waiting)
    assert any(r["host"] == DEPARTMENT for r in waiting)  # a department's need in words finds suppliers too
    first = admin.post(f"/api/events/{upcoming['id']}/proposals/accept", json={"ids": [waiting[0]["id"]]})
    assert first.json() == {"accepted": 1}
    rest = admin.post(f"/api/events/{upcoming['id']}/proposals/accept", json={}).json()
    assert rest == {"accepted": len(waiting) - 1}
    page = admin.get(f"/events/{upcoming['id']}").text
    assert "<th>推荐理由</th>" in page and waiting[0]["reasons"] in page


def test_a_past_event_reads_plainly_in_local_time_and_offers_no_more_sign_ups(app, admin):
    past = next(e for e in admin.get("/api/events").json() if "已举办" in e["name"])
    with Session(app.state.engine) as session:
        event = session.get(m.MatchmakingSession, past["id"])
        event.report = {**event.report, "scheduled_at": "2026-10-01T06:30:00+00:00"}
        session.add(event)
        session.commit()
        report = event.report
    staff, public = admin.get(f"/events/{past['id']}").text, TestClient(app).get(f"/events/{past['id']}").text
    assert f"已排会面 {report['meetings']} 场，" in public and "排程时间 2026-10-01 14:30" in public
    assert not any(jargon in public for jargon in ("目标值", "上界", "贪心", report["method"], "06:30:00"))
    assert report["method"] in staff.split('<details class="staff">')[1]  # the organiser may still check them
    assert "<b>已举办</b>" in staff and "<th>推荐理由</th>" not in staff  # no request of it has a reason
    writes = ("join/register", "join/request", "join/withdraw", "manage/propose", "manage/schedule")
    assert not any(f"/events/{past['id']}/{action}" in staff for action in writes)
    assert f"/events/{past['id']}/join/outcome" in staff  # outcomes are recorded after the day
    upcoming = next(e for e in admin.get("/api/events").json() if e["status"] == "open")
    assert f"/events/{upcoming['id']}/join/register" in admin.get(f"/events/{upcoming['id']}").text


def test_enterprises_act_only_for_themselves_and_officers_within_their_town(app, admin, firms):
    event = admin.post("/api/events", json={"name": "权限测试", "held_on": COMING, "n_slots": 2}).json()["id"]
    (own, _), (other, _), *_ = firms
    firm = _client(app, Role.ENTERPRISE, uscc=own)
    assert firm.post(f"/api/events/{event}/participants", json={"role": "visitor", "uscc": other}).status_code == 403
    assert firm.post(f"/api/events/{event}/participants", json={"role": "visitor", "uscc": own}).status_code == 201
    department = {"role": "host", "department": "区卫健委"}
    assert firm.post(f"/api/events/{event}/participants", json=department).status_code == 403
    assert admin.post(f"/api/events/{event}/participants", json=department).status_code == 201
    asked = {"host": "区卫健委", "visitor": own, "side": "host", "priority": 1}
    assert firm.post(f"/api/events/{event}/requests", json=asked).status_code == 403  # the department's wish
    own_request = firm.post(f"/api/events/{event}/requests", json={**asked, "side": "visitor"})
    department_request = admin.post(f"/api/events/{event}/requests", json=asked)
    assert own_request.status_code == department_request.status_code == 201
    assert firm.delete(f"/api/events/{event}/requests/{department_request.json()['id']}").status_code == 403
    assert firm.delete(f"/api/events/{event}/requests/{own_request.json()['id']}").json() == {
        "withdrawn": own_request.json()["id"]
    }
    assert firm.post(f"/api/events/{event}/schedule", json={}).status_code == 403
    with Session(app.state.engine) as session:
        town = session.get(m.Town, session.exec(select(m.Enterprise).where(m.Enterprise.uscc == other)).one().town_id)
    officer = _client(app, Role.OFFICER, town=town.name)
    assert officer.post(f"/api/events/{event}/participants", json={"role": "visitor", "uscc": other}).status_code == 201


def _withdraw_buttons(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'name="request_id" value="(\d+)"><button type="submit">撤回', page)}


def test_the_page_offers_to_withdraw_only_the_requests_one_may_withdraw(app, admin):
    upcoming = next(e for e in admin.get("/api/events").json() if e["status"] == "open")
    data = admin.get(f"/api/events/{upcoming['id']}").json()
    asked = next(r for r in data["requests"] if r["side"] == "visitor")
    own = next(p for p in data["participants"] if p["name"] == asked["visitor"])
    mine = {r["id"] for r in data["requests"] if r["side"] in ("host", "visitor") and r[r["side"]] == own["name"]}
    firm = _client(app, Role.ENTERPRISE, uscc=own["uscc"])
    offered = _withdraw_buttons(firm.get(f"/events/{upcoming['id']}").text)
    assert asked["id"] in offered and offered == mine and len(offered) < len(data["requests"])
    assert _withdraw_buttons(admin.get(f"/events/{upcoming['id']}").text) == {r["id"] for r in data["requests"]}
    other = next(r["id"] for r in data["requests"] if r["id"] not in mine)
    assert firm.delete(f"/api/events/{upcoming['id']}/requests/{other}").status_code == 403  # the same rule


def test_an_unpublished_schedule_is_shown_to_organisers_only(app, admin, firms):
    event = admin.post("/api/events", json={"name": "待发布", "held_on": COMING, "n_slots": 2}).json()["id"]
    (host, _), (visitor, name), *_ = firms
    for uscc, role in ((host, "host"), (visitor, "visitor")):
        admin.post(f"/api/events/{event}/participants", json={"role": role, "uscc": uscc})
    admin.post(f"/api/events/{event}/requests", json={"host": host, "visitor": visitor, "side": "visitor"})
    sheets = (f"/events/{event}/agendas", f"/api/events/{event}/agendas", f"/api/events/{event}/schedule.xlsx")
    assert "打印日程" not in admin.get(f"/events/{event}").text
    assert all(admin.get(path).status_code == 404 for path in sheets)  # no schedule yet
    report = admin.post(f"/api/events/{event}/schedule", json={}).json()
    public, attendee = TestClient(app), _client(app, Role.ENTERPRISE, uscc=visitor)
    for client in (public, attendee):
        page = client.get(f"/events/{event}").text
        assert "日程正在编排中" in page and "已是最优安排" not in page and 'class="schedule-grid"' not in page
        assert "会面结果" not in page and "打印日程" not in page and "schedule.xlsx" not in page
        assert client.get(f"/api/events/{event}").json()["meetings"] == []
        refused = [client.get(path) for path in sheets]
        assert all(r.status_code == 404 and "日程尚未排定或尚未发布" in r.text for r in refused)
    staff = admin.get(f"/events/{event}").text
    assert (
        "已是最优安排" in staff
        and 'class="schedule-grid"' in staff
        and "打印日程" in staff
        and "日程正在编排中" not in staff
    )
    assert all(admin.get(path).status_code == 200 for path in sheets)
    admin.post(f"/api/events/{event}/confirm", json={"scheduled_at": report["scheduled_at"]})
    page = public.get(f"/events/{event}").text
    assert "已是最优安排" in page and 'class="schedule-grid"' in page and name in page and "打印日程" in page
    assert all(public.get(path).status_code == 200 for path in sheets)


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/events", {"name": "x", "held_on": "2026-02-30"}, 422, "held_on"),
        ("/api/events", {"name": "x", "held_on": COMING, "first_slot_at": "9点"}, 422, "first_slot_at"),
        ("/api/events", {"name": "x", "held_on": COMING, "breaks": {"12": 30}}, 422, "breaks"),
        ("/api/events/999/schedule", {}, 404, "未找到编号为 999 的对接会"),
    ],
)
def test_bad_input_is_refused_in_chinese_naming_the_field(admin, path, body, status, message):
    answer = admin.post(path, json=body)
    assert answer.status_code == status and message in answer.text


def test_a_refused_field_is_named_in_chinese_for_people_and_by_its_name_for_programs(admin, firms):
    too_long = {"name": "通宵会", "held_on": COMING, "slot_minutes": 240, "n_slots": 20}
    answer = admin.post("/api/events", json=too_long)
    assert answer.status_code == 422
    (refusal,) = answer.json()["detail"]
    assert refusal["field"] == "n_slots" and refusal["msg"].startswith("时段数：时段超出当天 24:00")
    listing = admin.post("/events", data={k: str(v) for k, v in too_long.items()}).text
    assert "时段数：时段超出当天 24:00" in listing and "n_slots：" not in listing
    page = f"/events/{admin.post('/api/events', json={'name': '时间有误', 'held_on': COMING}).json()['id']}"
    late = {"role": "visitor", "uscc": firms[0][0], "available": "14:00-17:00, 12:00-09:00"}
    refused = admin.post(f"{page}/join/register", data=late).text
    assert "可参会时间（第 2 项）：结束时间 09:00 不晚于开始时间 12:00" in refused and "available[" not in refused


def test_a_past_event_refuses_sign_ups_from_the_day_after(admin, firms):
    sign_up = {"role": "visitor", "uscc": firms[0][0]}
    answers = []
    for day in (today() - timedelta(days=1), today()):
        event = admin.post("/api/events", json={"name": f"{day} 的会", "held_on": day.isoformat()}).json()
        answers.append((event, admin.post(f"/api/events/{event['id']}/participants", json=sign_up)))
    (held, refused), (on_the_day, taken) = answers
    assert held["past"] and refused.status_code == 409
    assert refused.json()["detail"] == f"该对接会已于 {held['held_on']} 举办，不再接受报名"
    assert admin.get(f"/api/events/{held['id']}").json()["participants"] == []
    assert not on_the_day["past"] and taken.status_code == 201, taken.text
    page = admin.post(f"/events/{held['id']}/join/register", data=sign_up).text  # a form posted from an old page
    assert "该对接会已于" in page and "不再接受报名" in page
    writes = {
        ("post", "requests", "会面请求"): {"host": "1", "visitor": "2", "side": "host"},
        ("delete", "requests/1", "撤回会面请求"): None,
        ("post", "proposals", "推荐会面请求"): {},
        ("post", "proposals/accept", "会面请求"): {},
        ("post", "schedule", "排程"): {},
        ("post", "confirm", "排程"): {"scheduled_at": "2026-10-01T06:30:00+00:00"},
    }
    for (method, path, what), body in writes.items():
        answer = admin.request(method.upper(), f"/api/events/{held['id']}/{path}", json=body)
        assert answer.status_code == 409, (path, answer.text)
        assert answer.json()["detail"] == f"该对接会已于 {held['held_on']} 举办，不再接受{what}"


def test_an_event_without_requests_cannot_be_scheduled(admin):
    event = admin.post("/api/events", json={"name": "空会", "held_on": COMING}).json()["id"]
    answer = admin.post(f"/api/events/{event}/schedule", json={})
    assert answer.status_code == 422 and "还没有有效的会面请求" in answer.json()["detail"]


def test_the_pages_forms_carry_the_csrf_token_and_report_back(admin, firms):
    listing = admin.get("/events")
    assert listing.status_code == 200 and 'name="csrf_token"' in listing.text
    token = admin.headers.pop("X-CSRF-Token")  # as a browser: the token comes only with the form
    try:
        form = {"name": "页面新建", "held_on": COMING, "n_slots": "4", "breaks": "2:30"}
        assert admin.post("/events", data=form, follow_redirects=False).status_code == 403
        created = admin.post("/events", data={**form, "csrf_token": token}, follow_redirects=False)
        assert created.status_code == 303
        page = created.headers["location"]
        assert "09:40-10:00" not in admin.get(page).text and "10:10-10:30" in admin.get(page).text  # the break
        registered = admin.post(
            f"{page}/join/register", data={"role": "host", "uscc": firms[0][0], "csrf_token": token}
        )
        assert "报名成功" in registered.text and firms[0][1] in registered.text
        refused = admin.post(f"{page}/manage/schedule", data={"csrf_token": token})
        assert "还没有有效的会面请求" in refused.text
        admin.post(f"{page}/join/register", data={"role": "visitor", "uscc": firms[1][0], "csrf_token": token})
        wish = {"host": firms[0][0], "visitor": firms[1][0], "side": "host", "priority": "1", "csrf_token": token}
        assert "已提交会面请求（权重 3）" in admin.post(f"{page}/join/request", data=wish).text
        scheduled = admin.post(f"{page}/manage/schedule", data={"csrf_token": token}).text
        assert "排程完成：已排会面 1 场，已是最优安排" in scheduled and "目标值" not in scheduled
        request_id = admin.get(f"/api{page}").json()["requests"][0]["id"]
        withdrawn = admin.post(f"{page}/join/withdraw", data={"request_id": str(request_id), "csrf_token": token})
        assert f"已撤回会面请求 {request_id}" in withdrawn.text
    finally:
        admin.headers["X-CSRF-Token"] = token


def test_a_link_cannot_make_an_event_page_say_something_and_a_notice_shows_once(admin, firms):
    page = f"/events/{admin.post('/api/events', json={'name': '提示只显示一次', 'held_on': COMING}).json()['id']}"
    forged = "请拨打400-000-0000领取补贴"
    assert forged not in admin.get(f"{page}?notice={forged}&error={forged}").text
    assert forged not in admin.get(f"/events?error={forged}").text
    other = f"/events/{admin.post('/api/events', json={'name': '另一场', 'held_on': COMING}).json()['id']}"
    posted = admin.post(f"{page}/join/register", data={"role": "host", "uscc": firms[2][0]}, follow_redirects=False)
    assert posted.headers["location"] == page
    assert "报名成功" not in admin.get(other).text  # another event's page, opened in another tab meanwhile
    assert "报名成功" in admin.get(page).text
    assert "报名成功" not in admin.get(page).text  # shown once, then gone


def test_the_pages_name_a_bad_field_in_chinese(admin, firms):
    bad = {"name": "坏会", "held_on": COMING, "slot_minutes": "0", "breaks": "abc", "first_slot_at": "9点"}
    listing = admin.post("/events", data=bad).text
    assert "首个时段开始：格式不正确；每段分钟：应不小于 5；休息：应写作“第几段后:分钟”" in listing
    page = f"/events/{admin.post('/api/events', json={'name': '错误提示', 'held_on': COMING}).json()['id']}"
    assert "主持方：必填；来访方：必填" in admin.post(f"{page}/join/request", data={}).text
    unknown = admin.post(f"{page}/join/register", data={"role": "visitor", "uscc": "913101174JURQ2839L"}).text
    assert "未找到统一社会信用代码为“913101174JURQ2839L”的企业" in unknown and "uscc：" not in unknown
    wish = {"host": "不存在的企业", "visitor": firms[1][0], "side": "host"}
    stranger = admin.post(f"{page}/join/request", data=wish).text
    assert "“不存在的企业”未报名本场对接会" in stranger and "participant：" not in stranger


def test_the_api_is_documented(app):
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    assert {"/api/events", "/api/events/{event_id}/schedule", "/api/events/{event_id}/outcomes"} <= set(paths)
    assert all(
        op.get("summary") for path, ops in paths.items() if path.startswith("/api/events") for op in ops.values()
    )
