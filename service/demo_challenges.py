"""Demo 揭榜挂帅 needs (marked is_demo): department scenario demands as the action plan asks
(000 三(四)8: 应用场景需求 published by departments and answered by terminal makers) and enterprise
needs (000 三(一)2: 大企业"发榜"、中小企业"揭榜"), with responses from demo firms and one award.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from chainmap.policies import cite
from chainmap.taxonomy import Chain
from matching.challenges import Kind, Status
from service import challenges, clock
from service import models as m
from service.auth.permissions import Principal, Role

LOADER = Principal(Role.ADMIN, username="示例数据")
CHILD_TABLES = (m.ChallengeTransition, m.ChallengeAttachment, m.ChallengeInvitation, m.ChallengeResponse)


def clear(session: Session) -> None:
    """Remove demo challenges and everything of them (before the demo enterprises they point to go)."""
    demo_firms = select(m.Enterprise.id).where(m.Enterprise.is_demo)
    demo = select(m.Challenge.id).where(or_(col(m.Challenge.is_demo), col(m.Challenge.publisher_id).in_(demo_firms)))
    session.execute(delete(m.ChallengeResponse).where(col(m.ChallengeResponse.responder_id).in_(demo_firms)))
    session.execute(delete(m.ChallengeInvitation).where(col(m.ChallengeInvitation.enterprise_id).in_(demo_firms)))
    for table in CHILD_TABLES:
        session.execute(delete(table).where(col(table.challenge_id).in_(demo)))
    session.execute(delete(m.Challenge).where(col(m.Challenge.id).in_(demo)))


def _firms(session: Session, segment: str, n: int, leaders_first: bool = False) -> list[m.Enterprise]:
    query = (
        select(m.Enterprise)
        .join(m.EnterpriseSegment, col(m.EnterpriseSegment.enterprise_id) == m.Enterprise.id)
        .join(m.Segment, col(m.Segment.id) == m.EnterpriseSegment.segment_id)
        .where(m.Segment.code == segment, m.Enterprise.is_demo)
    )
    order = (
        (col(m.Enterprise.is_chain_leader).desc(), col(m.Enterprise.id)) if leaders_first else (col(m.Enterprise.id),)
    )
    return list(session.exec(query.order_by(*order).limit(n)))


def _need(session: Session, chain: Chain, status: Status, **fields) -> m.Challenge:
    data = challenges.ChallengeIn(**fields, contact=fields.get("contact", "示例联系人 021-0000 0000"))
    need = challenges.create(session=session, who=LOADER, data=data, chain=chain, demo=True)
    for target in (Status.UNDER_REVIEW, Status.PUBLISHED):
        if need.status == status:
            break
        challenges.move(session=session, who=LOADER, challenge=need, target=target, note="示例数据")
    return need


def _answer(session: Session, need: m.Challenge, firm: m.Enterprise, quoted: str, days: int) -> m.ChallengeResponse:
    proposal = f"{firm.name}：基于本企业{firm.products or '现有产品'}的方案（示例）"
    data = challenges.ResponseIn(
        proposal=proposal, quoted_yuan=quoted, delivery_days=days, track_record="示例业绩", responder_uscc=firm.uscc
    )
    return challenges.respond(session=session, who=LOADER, challenge=need, data=data)[0]


def load(session: Session, chain: Chain) -> int:
    """Replace the demo challenges; returns how many were stored."""
    clear(session)
    in_a_month = clock.today() + timedelta(days=30)
    school = _need(
        session,
        chain,
        Status.PUBLISHED,
        kind=Kind.SCENARIO,
        department="区教育局",
        title="智慧教育终端：全区 30 所中小学智慧教室（示例）",
        description=(
            f"应用场景需求（{cite('000 三(四)8')}）："
            "为 30 所中小学各建 1 间智慧教室，需 AI 学习终端、互动大屏与教学平台。"
        ),
        specification="每校约 50 台 AI 学习终端（国产芯片优先）、1 块 86 寸互动大屏；含三年运维。",
        segments=["ST.AIT.PC", "ST.DISP", "ST.SW.PLAT"],
        quantity=1500,
        budget_min_yuan="600万",
        budget_max_yuan="900万",
        deadline=in_a_month,
        location="方松街道",
    )
    for firm, quoted in zip(_firms(session, "ST.AIT.PC", 2), ("820万", "760万"), strict=False):
        _answer(session, school, firm, quoted, 90)
    _need(
        session,
        chain,
        Status.UNDER_REVIEW,
        kind=Kind.SCENARIO,
        department="区民政局",
        title="智慧养老：居家老人健康监测终端（示例）",
        description="应用场景需求：为 2,000 户独居老人配置跌倒报警与体征监测终端，接入街镇养老服务平台。",
        segments=["ST.AIT.WEAR", "ST.SENS.BIO"],
        quantity=2000,
        budget_max_yuan="300万",
        deadline=in_a_month + timedelta(days=15),
        location="岳阳街道",
    )
    robot = _firms(session, "ST.ROB.SVC", 1, leaders_first=True)
    if robot:
        lidar = _need(
            session,
            chain,
            Status.PUBLISHED,
            kind=Kind.TECHNICAL,
            publisher_uscc=robot[0].uscc,
            title="服务机器人避障用激光雷达国产化（示例）",
            description="技术难题：室内服务机器人避障，需体积小、成本低的固态激光雷达或 ToF 方案替代进口件。",
            specification="测距 0.05–12 m，视场角 ≥ 270°，功耗 ≤ 3 W，年需求 5,000 套。",
            segments=["ST.SENS.LIDAR"],
            quantity=5000,
            budget_min_yuan="200万",
            budget_max_yuan="400万",
            deadline=clock.today(),
            location=robot[0].address[:100],
        )
        offers = [
            _answer(session, lidar, firm, q, d)
            for firm, q, d in zip(
                [f for f in _firms(session, "ST.SENS.LIDAR", 4) if f.id != robot[0].id][:3],
                ("380万", "350万", "395万"),
                (60, 120, 45),
                strict=False,
            )
        ]
        challenges.move(session=session, who=LOADER, challenge=lidar, target=Status.CLOSED, note="截止日到，示例")
        if offers:
            challenges.move(
                session=session,
                who=LOADER,
                challenge=lidar,
                target=Status.AWARDED,
                award_response_id=offers[0].id,
                note="评审会综合得分第一（示例）",
            )
    return len(session.exec(select(m.Challenge.id).where(m.Challenge.is_demo)).all())
