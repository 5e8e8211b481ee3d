"""Demo conferences (对接大会) on the demo district: one past event with its schedule and outcomes, one
upcoming event with registrations and requests still to schedule. Synthetic and marked as demo: the
events are ``is_demo`` and named （示例）, the participants are the demo district's 示例 enterprises, the
outcomes and contract amounts are drawn from a seeded generator."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session, col, delete, func, select

from service import models as m
from service.event_schedule import confirm, record_outcome, schedule
from service.events import HOST, VISITOR, add_request, create_event, register

SEED = 2026
DEPARTMENT = "区教育局（示例）"
DEPARTMENT_NEED = "智慧教育终端：30所学校的交互大屏、教学平板与AI学习终端"
OUTCOMES = (("no_interest", 0.4), ("follow_up", 0.3), ("nda", 0.15), ("contract", 0.15))


def replace_demo_events(*, session: Session, today: date | None = None) -> str:
    """Remove earlier demo events, then add the two demo events; returns a one-line summary."""
    session.execute(delete(m.MatchmakingSession).where(col(m.MatchmakingSession.is_demo)))
    today = today or date.today()
    hosts, visitors = _firms(session)
    if len(hosts) < 4 or len(visitors) < 12:
        return "示例企业太少，未生成示例对接会"
    rng = random.Random(SEED)
    past = _event(
        session, "智能终端产业链对接会（示例，已举办）", today - timedelta(days=60), hosts[:4], visitors[:14], rng
    )
    schedule(session=session, event=past, time_limit=20, gap_time_limit=2)
    confirm(session=session, event=past)
    contracts = _outcomes(session, past, rng)
    upcoming = _event(
        session, "揭榜挂帅·智能终端供需对接会（示例）", today + timedelta(days=30), hosts[4:9], visitors[14:40], rng
    )
    register(session=session, event=upcoming, role=HOST, department=DEPARTMENT, need=DEPARTMENT_NEED, tables=["教育-1"])
    return f"示例对接会 2 场（已举办的一场有 {contracts} 份签约合同，即将举办的一场待排程）"


def _firms(session: Session) -> tuple[list[m.Enterprise], list[m.Enterprise]]:
    """Demo buyers as hosts (chain leaders first, then those that buy most); demo suppliers as visitors."""
    demo = select(m.Enterprise).where(col(m.Enterprise.is_demo))
    purchases = select(m.Contract.buyer_id, func.count().label("n")).group_by(m.Contract.buyer_id).subquery()
    hosts = list(
        session.exec(
            demo.join(purchases, purchases.c.buyer_id == m.Enterprise.id)
            .order_by(col(m.Enterprise.is_chain_leader).desc(), purchases.c.n.desc(), m.Enterprise.id)
            .limit(9)
        )
    )
    sellers = select(m.Contract.seller_id).distinct()
    visitors = session.exec(
        demo.where(col(m.Enterprise.id).in_(sellers), col(m.Enterprise.id).not_in([h.id for h in hosts]))
        .order_by(m.Enterprise.id)
        .limit(40)
    )
    return hosts, list(visitors)


def _purchase_need(session: Session, firm: m.Enterprise) -> str:
    """What a demo host looks for: the segments that supply its own along the chain's supply edges."""
    own = select(m.EnterpriseSegment.segment_id).where(m.EnterpriseSegment.enterprise_id == firm.id)
    upstream = session.exec(
        select(m.Segment.name)
        .join(m.SupplyEdge, m.SupplyEdge.supplier_segment_id == m.Segment.id)
        .where(col(m.SupplyEdge.buyer_segment_id).in_(own))
        .order_by(m.Segment.name)
        .distinct()
        .limit(4)
    ).all()
    return f"寻找本地供应商：{'、'.join(upstream)}" if upstream else "寻找本地供应商"


def _event(
    session: Session,
    name: str,
    held_on: date,
    hosts: list[m.Enterprise],
    visitors: list[m.Enterprise],
    rng: random.Random,
) -> m.MatchmakingSession:
    event = create_event(
        session=session,
        name=name,
        held_on=held_on,
        venue="G60科创云廊（示例会场）",
        first_slot_at="09:00",
        slot_minutes=20,
        n_slots=9,
        breaks={6: 90},
        max_meetings_per_visitor=4,
        is_demo=True,
    )
    host_rows = [
        register(
            session=session,
            event=event,
            role=HOST,
            enterprise=firm,
            tables=[f"{i + 1}-A", f"{i + 1}-B"][: 1 + i % 2],
            need=_purchase_need(session, firm),
        )
        for i, firm in enumerate(hosts)
    ]
    visitor_rows = [
        register(
            session=session,
            event=event,
            role=VISITOR,
            enterprise=firm,
            available=[["09:00", "11:00"]] if i % 5 == 4 else [],
        )
        for i, firm in enumerate(visitors)
    ]
    for visitor in visitor_rows:
        for host in rng.sample(host_rows, 3):
            add_request(
                session=session, event=event, host=host, visitor=visitor, side=VISITOR, priority=rng.randint(1, 3)
            )
    for host in host_rows:
        for visitor in rng.sample(visitor_rows, 3):
            add_request(session=session, event=event, host=host, visitor=visitor, side=HOST, priority=rng.randint(1, 3))
    return event


def _outcomes(session: Session, event: m.MatchmakingSession, rng: random.Random) -> int:
    kinds, weights = zip(*OUTCOMES, strict=True)
    signed = 0
    for meeting in session.exec(select(m.Meeting).where(m.Meeting.session_id == event.id).order_by(m.Meeting.id)):
        kind = rng.choices(kinds, weights)[0]
        amount = rng.randrange(50, 600) * 10_000 if kind == "contract" else None
        signed += (
            record_outcome(session=session, event=event, meeting=meeting, kind=kind, amount_yuan=amount) is not None
        )
    return signed
