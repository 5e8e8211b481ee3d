"""揭榜挂帅 through the API and the pages: who may do what, one response per firm, the deadline, the contract
from an award, attachments, the matcher's shortlist with non-responders, invitations and the Excel export."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from chainmap.policies import POLICIES
from service import challenges, demo_challenges
from service import models as m
from service.api import create_app
from service.auth.permissions import Role
from service.clock import local_minute
from service.settings import Settings

from .conftest import create_account, sign_in_as

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def app(demo_database, tmp_path_factory):
    files = tmp_path_factory.mktemp("files")
    return create_app(Settings(database_url=demo_database(), data_dir=files, attachment_max_bytes=4000))


def _firms_in_segment(app, code: str, n: int) -> list[m.Enterprise]:
    with Session(app.state.engine) as session:
        query = (
            select(m.Enterprise)
            .join(m.EnterpriseSegment, m.EnterpriseSegment.enterprise_id == m.Enterprise.id)
            .join(m.Segment, m.Segment.id == m.EnterpriseSegment.segment_id)
            .where(m.Segment.code == code, m.Enterprise.town_id.is_not(None))
            .order_by(m.Enterprise.id)
        )
        return list(session.exec(query.limit(n)))


@pytest.fixture(scope="module")
def firms(app):
    """A robot maker publishing, two lidar makers responding."""
    publisher = _firms_in_segment(app, "ST.ROB.SVC", 1)[0]
    first, second = _firms_in_segment(app, "ST.SENS.LIDAR", 2)
    return publisher, first, second


def _client(app, role: Role, **binding) -> TestClient:
    client = TestClient(app)
    if role is not Role.ANONYMOUS:
        sign_in_as(client, *create_account(client, role, **binding))
    return client


@pytest.fixture(scope="module")
def people(app, firms):
    publisher, first, second = firms
    with Session(app.state.engine) as session:
        towns = [t.name for t in session.exec(select(m.Town)) if t.id != publisher.town_id]
    return {
        "admin": _client(app, Role.ADMIN),
        "publisher": _client(app, Role.ENTERPRISE, uscc=publisher.uscc),
        "first": _client(app, Role.ENTERPRISE, uscc=first.uscc),
        "second": _client(app, Role.ENTERPRISE, uscc=second.uscc),
        "officer_elsewhere": _client(app, Role.OFFICER, town=towns[0]),
        "anonymous": _client(app, Role.ANONYMOUS),
    }


def _need(publisher_uscc: str, **extra) -> dict:
    return {
        "kind": "technical",
        "title": "服务机器人避障激光雷达",
        "description": "室内服务机器人避障用固态激光雷达，替代进口件",
        "segments": ["ST.SENS.LIDAR"],
        "quantity": 5000,
        "budget_min_yuan": "200万",
        "budget_max_yuan": "4,000,000元",
        "publisher_uscc": publisher_uscc,
        **extra,
    }


def _move(client: TestClient, challenge_id: int, target: str, **extra):
    return client.post(f"/api/challenges/{challenge_id}/transitions", json={"target": target, **extra})


def _respond(client: TestClient, challenge_id: int, proposal: str, **extra):
    return client.put(f"/api/challenges/{challenge_id}/response", json={"proposal": proposal, **extra})


def _published(people, firms) -> int:
    publisher = people["publisher"]
    made = publisher.post("/api/challenges", json=_need(firms[0].uscc))
    assert made.status_code == 201, made.text
    challenge_id = made.json()["id"]
    assert _move(publisher, challenge_id, "under_review").status_code == 200
    assert _move(people["admin"], challenge_id, "published").status_code == 200
    return challenge_id


def test_publishing_is_for_one_own_firm_and_drafts_stay_private(people, firms):
    publisher = firms[0]
    made = people["publisher"].post("/api/challenges", json=_need(publisher.uscc))
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"] == "draft" and body["budget_min_yuan"] == 2_000_000 and body["budget_max_yuan"] == 4_000_000
    assert body["history"][0]["target"] == "draft" and body["history"][0]["actor"].startswith("enterprise-")
    page = people["publisher"].get(f"/challenges/{body['id']}").text
    assert "<dt>预算</dt><dd>200–400 万元</dd>" in page  # in 万元, as the list shows it
    refused = people["first"].post("/api/challenges", json=_need(publisher.uscc))
    assert refused.status_code == 403 and "本企业" in refused.json()["detail"]
    assert people["anonymous"].post("/api/challenges", json=_need(publisher.uscc)).status_code == 401
    as_department = people["publisher"].post("/api/challenges", json=_need(None, department="区教育局"))
    assert as_department.status_code == 403 and "部门的应用场景需求" in as_department.json()["detail"]
    by_officer = people["officer_elsewhere"].post("/api/challenges", json=_need(None, department="区教育局"))
    assert by_officer.status_code == 201 and by_officer.json()["publisher"] == "区教育局"
    assert people["anonymous"].get(f"/api/challenges/{body['id']}").status_code == 404
    assert body["id"] not in [c["id"] for c in people["first"].get("/api/challenges").json()]
    assert body["id"] in [c["id"] for c in people["admin"].get("/api/challenges").json()]


def test_bad_needs_are_refused_in_chinese_naming_the_field(people, firms):
    publisher = people["publisher"]
    for change, words in (
        ({"budget_min_yuan": "500万", "budget_max_yuan": "100万"}, "预算下限不能高于预算上限"),
        ({"budget_max_yuan": "很多"}, "budget_max_yuan（预算上限）：应为金额"),
        ({"segments": ["ST.NOPE"]}, "未知的产业链环节代码 ST.NOPE"),
        ({"department": "区教育局"}, "须填且只填一项"),
        ({"kind": "party"}, "kind（类型）：应为以下之一"),
    ):
        answer = publisher.post("/api/challenges", json=_need(firms[0].uscc, **change))
        assert answer.status_code == 422, change
        assert words in answer.text, answer.text
    unknown = publisher.post("/api/challenges", json=_need(firms[0].uscc, segments=["ST.NOPE"])).json()
    assert unknown["detail"] == [{"field": "segments", "msg": "所需环节：未知的产业链环节代码 ST.NOPE"}]


def test_the_lifecycle_end_to_end_with_who_may_do_what(app, people, firms):
    publisher, first, _ = firms
    challenge_id = _published(people, firms)
    refused = _move(people["publisher"], challenge_id, "accepted")
    assert refused.status_code == 409 and "不能从“已发榜（揭榜中）”变为“已验收”" in refused.json()["detail"]
    assert _respond(people["first"], challenge_id, "固态激光雷达方案", quoted_yuan="380万").status_code == 201
    assert _respond(people["second"], challenge_id, "ToF 方案", quoted_yuan=3_500_000).status_code == 201
    not_theirs = _move(people["officer_elsewhere"], challenge_id, "closed")
    assert not_theirs.status_code == 409 and "只能由" in not_theirs.json()["detail"]
    assert _move(people["first"], challenge_id, "closed").status_code == 409  # a responder is no party
    assert _move(people["publisher"], challenge_id, "closed").status_code == 200
    winner = next(
        r
        for r in people["publisher"].get(f"/api/challenges/{challenge_id}").json()["responses"]
        if r["responder_uscc"] == first.uscc
    )
    no_winner = _move(people["publisher"], challenge_id, "awarded")
    assert no_winner.status_code == 409 and "须指明中榜" in no_winner.json()["detail"]
    assert _move(people["publisher"], challenge_id, "awarded", award_response_id=winner["id"]).status_code == 200
    ranked = people["publisher"].get(f"/api/challenges/{challenge_id}/shortlist?k=5")  # the publisher's view
    assert ranked.status_code == 200 and {c["uscc"] for c in ranked.json()["responders"]} == {first.uscc, firms[2].uscc}
    assert people["first"].get(f"/api/challenges/{challenge_id}/shortlist").status_code == 403  # not a responder's
    assert _move(people["publisher"], challenge_id, "contracted").status_code == 422
    signed = _move(people["publisher"], challenge_id, "contracted", contracted_yuan="380万", signed_on="2026-11-30")
    assert signed.status_code == 200, signed.text
    assert _move(people["publisher"], challenge_id, "accepted", note="验收合格").status_code == 200
    shown = people["publisher"].get(f"/api/challenges/{challenge_id}").json()
    assert [h["target"] for h in shown["history"]] == [
        "draft",
        "under_review",
        "published",
        "closed",
        "awarded",
        "contracted",
        "accepted",
    ]
    assert shown["history"][1]["change"] == "草稿 → 待审核" and shown["history"][0]["change"].startswith("— → ")
    assert {r["responder_uscc"]: r["status"] for r in shown["responses"]} == {
        first.uscc: "awarded",
        firms[2].uscc: "not_selected",
    }
    with Session(app.state.engine) as session:
        contract = session.exec(
            select(m.Contract).where(
                m.Contract.buyer_id == publisher.id,
                m.Contract.seller_id == first.id,
                m.Contract.contracted_yuan == 3_800_000,
            )
        ).one()
        assert contract.performed_yuan == 0 and contract.signed_on.isoformat() == "2026-11-30"
        actions = {
            e.action
            for e in session.exec(select(m.AuditEvent).where(m.AuditEvent.target == f"challenge:{challenge_id}"))
        }
    assert {"challenge_status", "challenge_response"} <= actions
    # a responder sees its own response only, the public none
    assert [
        r["responder_uscc"] for r in people["second"].get(f"/api/challenges/{challenge_id}").json()["responses"]
    ] == [firms[2].uscc]
    assert people["anonymous"].get(f"/api/challenges/{challenge_id}").json()["responses"] == []


def test_a_deadline_already_past_is_refused_and_a_lapsed_draft_is_not_published(app, people, firms):
    yesterday = (challenges.today() - timedelta(days=1)).isoformat()
    late = people["publisher"].post("/api/challenges", json={**_need(firms[0].uscc), "deadline": yesterday})
    assert late.status_code == 422 and late.json()["detail"][0]["field"] == "deadline"
    assert late.json()["detail"][0]["msg"] == f"揭榜截止日期：{yesterday} 已过，应不早于今天"
    today = challenges.today().isoformat()
    made = people["publisher"].post("/api/challenges", json={**_need(firms[0].uscc), "deadline": today}).json()
    assert _move(people["publisher"], made["id"], "under_review").status_code == 200
    with Session(app.state.engine) as session:  # the day passes while it waits for review
        challenge = session.get(m.Challenge, made["id"])
        challenge.deadline = challenges.today() - timedelta(days=1)
        session.add(challenge)
        session.commit()
    refused = _move(people["admin"], made["id"], "published")
    assert refused.status_code == 409 and refused.json()["detail"] == f"揭榜截止日期 {yesterday} 已过，不能发榜"


def test_one_response_per_firm_editable_until_the_deadline(app, people, firms):
    challenge_id = _published(people, firms)
    assert _respond(people["first"], challenge_id, "第一版", delivery_days=90).status_code == 201
    edited = _respond(people["first"], challenge_id, "第二版", quoted_yuan="350万")
    assert edited.status_code == 200 and edited.json()["updated_at"] is not None
    page = people["publisher"].get(f"/challenges/{challenge_id}").text  # the publisher reviews it in Shanghai time
    assert "第二版" in page and local_minute(edited.json()["updated_at"]) in page and "+00:00" not in page
    own = _respond(people["publisher"], challenge_id, "自己揭自己的榜")
    assert own.status_code == 409 and "不能揭自己的榜" in own.json()["detail"]
    for_another = _respond(people["first"], challenge_id, "代别人", responder_uscc=firms[2].uscc)
    assert for_another.status_code == 403
    assert _respond(people["officer_elsewhere"], challenge_id, "街镇不能揭榜").status_code == 403
    with Session(app.state.engine) as session:
        rows = session.exec(select(m.ChallengeResponse).where(m.ChallengeResponse.challenge_id == challenge_id)).all()
        assert [(r.proposal, r.quoted_yuan, r.delivery_days) for r in rows] == [
            ("第二版", 3_500_000, None)
        ]  # PUT replaces the whole response
        challenge = session.get(m.Challenge, challenge_id)
        challenge.deadline = challenges.today()
        session.add(challenge)
        session.commit()
    assert _respond(people["first"], challenge_id, "截止当日仍可修改").status_code == 200
    with Session(app.state.engine) as session:
        challenge = session.get(m.Challenge, challenge_id)
        challenge.deadline = challenges.today() - timedelta(days=1)
        session.add(challenge)
        session.commit()
    late = _respond(people["first"], challenge_id, "过期后修改")
    assert late.status_code == 409 and "已过" in late.json()["detail"]
    assert _respond(people["second"], challenge_id, "过期后新揭榜").status_code == 409


def test_the_respond_page_names_bad_fields_in_chinese(people, firms):
    challenge_id = _published(people, firms)
    form = {"proposal": "固态激光雷达方案", "quoted_yuan": "八百万", "delivery_days": "-3"}
    bad = people["first"].post(f"/challenges/{challenge_id}/respond", data=form)
    assert bad.status_code == 422
    assert '<span class="field-error" role="alert">报价：应为金额' in bad.text
    assert '<span class="field-error" role="alert">交付周期：应不小于 1</span>' in bad.text
    assert "请改正标出的字段：报价：应为金额" in bad.text and "quoted_yuan：" not in bad.text


def _upload(client: TestClient, challenge_id: int, name: str, content: bytes):
    return client.post(f"/api/challenges/{challenge_id}/attachments", files={"file": (name, content)})


def test_attachments_are_size_limited_type_checked_and_served_to_signed_in_users(app, people, firms):
    challenge_id = people["publisher"].post("/api/challenges", json=_need(firms[0].uscc)).json()["id"]
    pdf = (DATA / "challenge_spec.pdf").read_bytes()
    refusals = [
        ("big.pdf", pdf + b"0" * 4000, "超过上限 4,000 字节"),
        ("challenge_not_a_pdf.pdf", (DATA / "challenge_not_a_pdf.pdf").read_bytes(), "与扩展名 .pdf 不符"),
        ("challenge_fake.docx", (DATA / "challenge_fake.docx").read_bytes(), "与扩展名 .docx 不符"),
        ("tool.exe", pdf, "只接受"),
        ("empty.pdf", b"", "文件为空"),
    ]
    for name, content, words in refusals:
        answer = _upload(people["publisher"], challenge_id, name, content)
        assert answer.status_code == 422 and words in answer.json()["detail"], (name, answer.text)
    assert _upload(people["first"], challenge_id, "spec.pdf", pdf).status_code in (403, 404)  # not the publisher's
    stored = _upload(people["publisher"], challenge_id, "../../规格书.pdf", pdf)
    assert stored.status_code == 201 and stored.json()["filename"] == "规格书.pdf"
    files = list((app.state.settings.data_dir / "challenges" / str(challenge_id)).iterdir())
    assert [f.read_bytes() for f in files] == [pdf] and files[0].name != "规格书.pdf"
    url = f"/api/challenges/{challenge_id}/attachments/{stored.json()['id']}"
    served = people["publisher"].get(url)
    assert served.status_code == 200 and served.content == pdf
    assert served.headers["content-type"] == "application/pdf" and served.headers["x-content-type-options"] == "nosniff"
    assert people["anonymous"].get(url).status_code == 401
    assert people["first"].get(url).status_code == 404  # still a draft: not disclosed


def test_the_shortlist_proposes_firms_that_did_not_respond_and_invitations_are_recorded(app, people, firms):
    made = people["admin"].post(
        "/api/challenges",
        json={
            **_need(None),
            "publisher_uscc": None,
            "department": "区教育局",
            "kind": "scenario",
            "location": "方松街道",
        },
    )
    assert made.status_code == 201, made.text
    challenge_id = made.json()["id"]
    assert _move(people["admin"], challenge_id, "under_review").status_code == 200
    assert _move(people["admin"], challenge_id, "published").status_code == 200
    assert _respond(people["second"], challenge_id, "ToF 方案").status_code == 201
    assert people["publisher"].get(f"/api/challenges/{challenge_id}/shortlist").status_code == 403  # not its need
    short = people["admin"].get(f"/api/challenges/{challenge_id}/shortlist?k=10").json()
    outsiders = [c for c in short["candidates"] if not c["responded"]]
    assert len(outsiders) >= 5 and all(c["reasons"] for c in short["candidates"])
    assert all(any("激光雷达" in r for r in c["reasons"]) for c in short["candidates"][:3])
    assert [c["uscc"] for c in short["responders"]] == [firms[2].uscc] and short["responders"][0]["responded"]
    invited = people["admin"].post(f"/api/challenges/{challenge_id}/invitations", json={"uscc": outsiders[0]["uscc"]})
    assert invited.status_code == 201
    again = people["admin"].post(f"/api/challenges/{challenge_id}/invitations", json={"uscc": outsiders[0]["uscc"]})
    assert again.status_code == 422 and "已邀请过" in again.json()["detail"]
    assert (
        people["publisher"]
        .post(f"/api/challenges/{challenge_id}/invitations", json={"uscc": outsiders[1]["uscc"]})
        .status_code
        == 403
    )
    after = people["admin"].get(f"/api/challenges/{challenge_id}/shortlist?k=10").json()
    assert [i["uscc"] for i in after["invited"]] == [outsiders[0]["uscc"]]
    assert next(c for c in after["candidates"] if c["uscc"] == outsiders[0]["uscc"])["invited"]
    # the export opens and holds the decision, the shortlist and the responders
    export = people["admin"].get(f"/api/challenges/{challenge_id}/export.xlsx")
    assert export.status_code == 200 and "spreadsheetml" in export.headers["content-type"]
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["封面", "定榜结果", "推荐候选", "揭榜方案"]
    assert [c.value for c in book["定榜结果"][2]][:3] == [made.json()["title"], "已发榜（揭榜中）", "尚未定榜"]
    assert book["推荐候选"].max_row >= 11 and book["揭榜方案"]["B2"].value == short["responders"][0]["name"]
    page = people["admin"].get(f"/challenges/{challenge_id}/print")
    assert page.status_code == 200 and "@media print" in page.text and outsiders[0]["name"] in page.text
    assert "万元" in page.text and " 元 ·" not in page.text  # the budget as the list and the page show it
    assert "打印定榜单" not in people["admin"].get(f"/challenges/{challenge_id}/shortlist").text  # not decided yet


def test_the_history_and_the_invitations_read_in_shanghai_time(app, people, firms):
    challenge_id = _published(people, firms)
    invited = people["admin"].post(f"/api/challenges/{challenge_id}/invitations", json={"uscc": firms[2].uscc})
    assert invited.status_code == 201, invited.text
    with Session(app.state.engine) as session:
        moved = session.exec(select(m.ChallengeTransition).where(m.ChallengeTransition.challenge_id == challenge_id))
        rows = [
            *moved,
            *session.exec(select(m.ChallengeInvitation).where(m.ChallengeInvitation.challenge_id == challenge_id)),
        ]
        for row in rows:
            row.at = datetime(2026, 10, 1, 6, 30, tzinfo=UTC)
            session.add(row)
        session.commit()
    for page in (f"/challenges/{challenge_id}", f"/challenges/{challenge_id}/shortlist"):
        text = people["admin"].get(page).text
        assert "<td>2026-10-01 14:30</td>" in text and "06:30" not in text and "UTC" not in text, page


def test_pages_publish_with_wan_yuan_and_show_field_errors(app, people, firms):
    publisher = people["publisher"]
    listing = publisher.get("/challenges")
    assert listing.status_code == 200 and 'href="/challenges"' in listing.text and "发布需求" in listing.text
    form = publisher.get("/challenges/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    assert 'value="ST.CHIP.MCU"' in form.text and not re.search(r"（ST\.[A-Z.]+）", form.text)  # names, not codes
    fields = {
        "kind": "procurement",
        "title": "年采购 32 位 MCU",
        "segments": ["ST.CHIP.MCU"],
        "budget_max_yuan": "150万",
        "budget_min_yuan": "",
        "quantity": "",
        "publisher_uscc": firms[0].uscc,
    }
    bad = publisher.post("/challenges/new", data={**fields, "budget_max_yuan": "一百五十万"})
    assert bad.status_code == 422 and "预算上限：应为金额" in bad.text and "一百五十万" in bad.text
    assert "budget_max_yuan：" not in bad.text
    unknown = publisher.post("/challenges/new", data={**fields, "segments": ["ST.NOPE"]})  # refused past the form
    assert unknown.status_code == 422 and "segments：" not in unknown.text
    next_to_it = re.search(
        r'name="segments".*?</select></label>(<span class="field-error"[^>]*>[^<]*)', unknown.text, re.S
    )
    assert next_to_it and next_to_it[1].endswith(">所需环节：未知的产业链环节代码 ST.NOPE")
    made = publisher.post(
        "/challenges/new",
        data=fields,
        files={"attachment": ("spec.pdf", (DATA / "challenge_spec.pdf").read_bytes())},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    detail = publisher.get(made.headers["location"])
    assert (
        detail.status_code == 200
        and "<dt>预算</dt><dd>150 万元</dd>" in detail.text
        and "spec.pdf" in detail.text
        and "提交审核" in detail.text
    )
    challenge_id = int(made.headers["location"].rsplit("/", 1)[1])
    moved = publisher.post(f"/challenges/{challenge_id}/move", data={"target": "published"}, follow_redirects=False)
    assert moved.status_code == 409 and "不能从“草稿”变为" in moved.text


@pytest.fixture(scope="module")
def demo(demo_database):
    """The demo needs (a scenario demand, one under review, one awarded) with a visitor's and 区经委's view."""
    app = create_app(Settings(database_url=demo_database()))
    with Session(app.state.engine) as session:
        demo_challenges.load(session, app.state.chain)
        session.commit()
        ids = {c.status: c.id for c in session.exec(select(m.Challenge))}
    return ids, _client(app, Role.ANONYMOUS), _client(app, Role.ADMIN)


def test_policies_are_cited_by_name_on_the_list_and_in_the_demo_needs(demo):
    ids, visitor, _ = demo
    for page in (visitor.get("/challenges").text, visitor.get(f"/challenges/{ids['published']}").text):
        assert POLICIES["000"] in page and not re.search(r"00[0-9] [一二三四五六七八九十]", page)


def test_the_decision_sheet_is_offered_once_a_need_is_decided(demo):
    ids, _, admin = demo
    assert "打印定榜单" not in admin.get(f"/challenges/{ids['under_review']}").text
    assert f'href="/challenges/{ids["awarded"]}/print"' in admin.get(f"/challenges/{ids['awarded']}").text


def test_visitors_are_told_how_to_respond_and_offered_only_the_states_they_may_see(demo):
    ids, visitor, admin = demo
    published = f"/challenges/{ids['published']}"
    assert f'以企业账户<a href="/login?next={published}">登录</a>后提交方案' in visitor.get(published).text
    assert "以企业账户" not in admin.get(published).text
    offered = re.findall(r'<option value="(\w+)"', visitor.get("/challenges").text)
    assert offered == ["published", "closed", "awarded", "contracted", "accepted"]
    assert {"draft", "under_review"} <= set(re.findall(r'<option value="(\w+)"', admin.get("/challenges").text))
