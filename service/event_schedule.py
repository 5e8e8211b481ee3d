"""Scheduling a stored event and recording what its meetings produced.

``schedule`` solves the event (``matching.scheduling.solve.schedule_event``: stage 1 proven optimal,
stage 2 fewer idle minutes, greedy share) and replaces its meetings; meetings already confirmed are pinned
in their slot and table, or, when they cannot all stay, kept where that costs no value. ``record_outcome``
stores a meeting's outcome; a signed contract between two enterprises becomes a ``contract`` row (so the
matcher's history counts it) with its 300万 reward estimate.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from sqlmodel import Session, delete

from matching.scheduling.model import Event, ScheduleInputError
from matching.scheduling.model import Meeting as PlannedMeeting
from matching.scheduling.outcomes import LABELS, Outcome, OutcomeKind, SignedContract, check_outcomes, signed_contracts
from matching.scheduling.solve import Report, Schedule, schedule_event
from service import models as m
from service.events import (
    CONFIRMED,
    SCHEDULED,
    EventError,
    display_names,
    meetings,
    named,
    scheduler_event,
    scheduler_id,
)


def report_json(report: Report, unscheduled: int) -> dict:
    return {
        **asdict(report),
        "greedy_share": round(report.greedy_share, 4),
        "relative_gap": round(report.relative_gap, 6),
        "unscheduled": unscheduled,
        "scheduled_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def schedule(
    *, session: Session, event: m.MatchmakingSession, time_limit: float = 60.0, gap_time_limit: float = 10.0
) -> dict:
    """Schedule (or re-schedule) the event's active requests; returns the report stored on the event."""
    held = meetings(session=session, event=event)
    if any(mt.outcome for mt in held):
        raise EventError("已登记会面结果，不能再重新排程")
    plain = scheduler_event(session=session, event=event)
    if not plain.requests:
        raise EventError("还没有有效的会面请求：请先提交会面请求，或接受系统推荐的请求后再排程")
    try:
        result = _solve(plain, time_limit=time_limit, gap_time_limit=gap_time_limit)
    except ScheduleInputError as exc:
        raise EventError(named(exc.message, display_names(session=session, event=event))) from exc
    confirmed = set(plain.confirmed)
    session.execute(delete(m.Meeting).where(m.Meeting.session_id == event.id))
    session.flush()
    for planned in result.meetings:
        session.add(_row(event, planned, CONFIRMED if planned in confirmed else SCHEDULED))
    event.report = report_json(result.report, len(result.unscheduled))
    event.status = CONFIRMED if all(p in confirmed for p in result.meetings) else SCHEDULED
    session.add(event)
    session.flush()
    return event.report


def _solve(plain: Event, *, time_limit: float, gap_time_limit: float) -> Schedule:
    """Confirmed meetings pinned in their slot and table; when they cannot all stay (a participant left, a
    request was withdrawn), each is kept unless that costs value."""
    if plain.confirmed:
        try:
            return schedule_event(plain, fix_confirmed=True, time_limit=time_limit, gap_time_limit=gap_time_limit)
        except ScheduleInputError as exc:
            if exc.field != "confirmed":
                raise
    return schedule_event(plain, time_limit=time_limit, gap_time_limit=gap_time_limit)


def _row(event: m.MatchmakingSession, planned: PlannedMeeting, status: str) -> m.Meeting:
    return m.Meeting(
        session_id=event.id,
        host_id=int(planned.host.lstrip("#")),
        visitor_id=int(planned.visitor.lstrip("#")),
        slot=planned.slot,
        table_no=planned.table,
        status=status,
    )


def confirm(*, session: Session, event: m.MatchmakingSession) -> int:
    """Announce the schedule: every meeting becomes confirmed (kept where possible by later re-scheduling)."""
    rows = meetings(session=session, event=event)
    if not rows:
        raise EventError("还没有排程结果，请先排程")
    for row in rows:
        row.status = CONFIRMED
        session.add(row)
    event.status = CONFIRMED
    session.add(event)
    session.flush()
    return len(rows)


def record_outcome(
    *,
    session: Session,
    event: m.MatchmakingSession,
    meeting: m.Meeting,
    kind: str,
    amount_yuan: int | None = None,
    host_buys: bool = True,
) -> SignedContract | None:
    """Store a meeting's outcome (replacing an earlier one and the contract it made); a signed contract
    between two enterprises becomes a ``contract`` row. Returns the contract with its reward estimate."""
    host, visitor = (
        session.get(m.EventParticipant, meeting.host_id),
        session.get(m.EventParticipant, meeting.visitor_id),
    )
    assert host is not None and visitor is not None
    outcome = Outcome(scheduler_id(host.id), scheduler_id(visitor.id), kind, amount_yuan, host_buys)
    planned = PlannedMeeting(outcome.host, outcome.visitor, meeting.slot, meeting.table_no)
    if meeting.status != CONFIRMED:
        raise EventError("日程尚未发布（确认）的会面不能登记结果")
    if amount_yuan is not None and amount_yuan > m.BIGINT_MAX:
        raise EventError(f"不超过 {m.BIGINT_MAX} 元", "amount_yuan")
    try:
        check_outcomes([planned], [outcome])
    except ScheduleInputError as exc:
        raise EventError(exc.message, exc.field.removeprefix("outcomes[0]").lstrip(".")) from exc
    if kind == OutcomeKind.CONTRACT and (host.enterprise_id is None or visitor.enterprise_id is None):
        raise EventError("签约合同须在两家企业之间；部门采购请按政府采购程序登记")
    if meeting.contract_id is not None:
        old = session.get(m.Contract, meeting.contract_id)
        meeting.contract_id = None
        session.add(meeting)
        session.flush()
        session.delete(old)
    meeting.outcome, meeting.amount_yuan, meeting.host_buys = kind, amount_yuan, host_buys
    meeting.outcome_at = datetime.now(UTC)
    contract = next(iter(signed_contracts([outcome])), None)
    if contract is not None:
        buyer, seller = (host, visitor) if host_buys else (visitor, host)
        row = m.Contract(
            buyer_id=buyer.enterprise_id,
            seller_id=seller.enterprise_id,
            year=event.held_on.year,
            contracted_yuan=contract.amount_yuan,
            performed_yuan=0,
            signed_on=event.held_on,
            is_demo=event.is_demo,
        )
        session.add(row)
        session.flush()
        meeting.contract_id = row.id
    session.add(meeting)
    session.flush()
    return contract


def contract_note(contract: SignedContract) -> str:
    """The 300万 rule applied to one signed contract, in Chinese."""
    if contract.gap_to_threshold_yuan:
        return (
            f"合同金额 {contract.amount_yuan / 1e4:,.0f} 万元，距年度履约 300 万元门槛还差 "
            f"{contract.gap_to_threshold_yuan / 1e4:,.0f} 万元，暂无协同奖励"
        )
    return (
        f"合同金额 {contract.amount_yuan / 1e4:,.0f} 万元，当年全部履约可为采购方申请协同奖励约 "
        f"{contract.first_year_reward_yuan / 1e4:,.0f} 万元（10%，最高 200 万元）"
    )


def outcome_label(kind: str | None) -> str:
    return LABELS[OutcomeKind(kind)] if kind else "待登记"
