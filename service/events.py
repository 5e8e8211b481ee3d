"""Matchmaking conferences (对接大会) on stored data: events, registration, meeting requests, and the plain
:class:`matching.scheduling.model.Event` the scheduler solves (proposals: ``service.event_proposals``).

Writes never commit; the caller (route or command) owns the transaction. Bad input raises
:class:`EventError` with a Chinese message naming the field.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from matching.scheduling.model import Event, Host, Meeting, Request, ScheduleInputError, Visitor, Window, minute_of
from matching.scheduling.model import make_slots as scheduler_slots
from service import models as m
from service.clock import today
from service.fields import Refusal
from service.repository import get_enterprise

HOST, VISITOR, MATCHER = "host", "visitor", "matcher"
ACTIVE, PROPOSED = "active", "proposed"
OPEN, SCHEDULED, CONFIRMED = "open", "scheduled", "confirmed"
ROLE_LABELS = {HOST: "主持方", VISITOR: "来访方"}
STATUS_LABELS = {OPEN: "报名中", SCHEDULED: "已排程（待确认）", CONFIRMED: "日程已发布"}

# The database's priority (1 = most wanted) as the scheduler's weight (higher = more wanted). When both sides
# (or a side and an accepted proposal) ask for the same meeting, their weights add up.
PRIORITY_WEIGHT = {1: 3, 2: 2, 3: 1}
PRIORITY_LABELS = {1: "必须会面", 2: "希望会面", 3: "有空再见"}


class EventError(Refusal):
    """A request about an event that cannot be carried out; the message is Chinese and names the field."""


def get_event(*, session: Session, event_id: int) -> m.MatchmakingSession:
    event = session.get(m.MatchmakingSession, event_id)
    if event is None:
        raise LookupError(f"未找到编号为 {event_id} 的对接会")
    return event


def is_past(event: m.MatchmakingSession) -> bool:
    """Whether the event's day is over (in Songjiang): it is shown as held and takes no more sign-ups."""
    return event.held_on < today()


def list_events(*, session: Session) -> list[m.MatchmakingSession]:
    return list(session.exec(select(m.MatchmakingSession).order_by(col(m.MatchmakingSession.held_on).desc())))


CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never part of a name; they break Excel exports


def _printable(field: str, *texts: str | None) -> None:
    if any(text and CONTROL.search(text) for text in texts):
        raise EventError("不能包含控制字符（如换行、制表符）", field)


def _checked(field: str, call, *args):
    try:
        return call(*args)
    except ScheduleInputError as exc:
        raise EventError(exc.message, field) from exc


def create_event(
    *,
    session: Session,
    name: str,
    held_on: date,
    venue: str = "",
    first_slot_at: str = "09:00",
    slot_minutes: int = 20,
    n_slots: int = 12,
    breaks: dict[int, int] | None = None,
    max_meetings_per_visitor: int | None = None,
    is_demo: bool = False,
) -> m.MatchmakingSession:
    """A new event; ``breaks`` maps a slot number (1-based) to the pause in minutes after it."""
    if not name.strip() or len(name.strip()) > 200 or len(venue.strip()) > 200:
        raise EventError("不能为空，名称和会场各不超过 200 个字符", "name")
    _printable("name", name)
    _printable("venue", venue)
    _checked("first_slot_at", minute_of, first_slot_at)
    if not 5 <= slot_minutes <= 240:
        raise EventError("应为 5 到 240 分钟", "slot_minutes")
    if not 1 <= n_slots <= 60:
        raise EventError("应为 1 到 60 个", "n_slots")
    for number, pause in (breaks or {}).items():
        if not 1 <= number < n_slots or not 0 < pause <= 600:
            raise EventError(f"第 {number} 个时段后的休息应在最后一个时段之前、且为 1 到 600 分钟", "breaks")
    if max_meetings_per_visitor is not None and max_meetings_per_visitor < 1:
        raise EventError("至少为 1", "max_meetings_per_visitor")
    event = m.MatchmakingSession(
        name=name.strip(),
        held_on=held_on,
        venue=venue.strip(),
        first_slot_at=first_slot_at,
        slot_minutes=slot_minutes,
        n_slots=n_slots,
        breaks={str(k): v for k, v in (breaks or {}).items()},
        max_meetings_per_visitor=max_meetings_per_visitor,
        is_demo=is_demo,
    )
    _fits_the_day(event)
    session.add(event)
    session.flush()
    return event


def slots(event: m.MatchmakingSession):
    """The event's time slots for the scheduler."""
    pauses = {int(number) - 1: minutes for number, minutes in event.breaks.items()}
    return scheduler_slots(event.first_slot_at, event.slot_minutes, event.n_slots, pauses)


def _fits_the_day(event: m.MatchmakingSession) -> None:
    if slots(event)[-1].end > 24 * 60:
        raise EventError("时段超出当天 24:00，请减少时段数或缩短时长", "n_slots")


def _windows(available: Sequence[Sequence[str]]) -> list[list[str]]:
    windows = []
    for i, window in enumerate(available):
        if len(window) != 2:
            raise EventError("应为“开始-结束”，如 09:00-12:00", f"available[{i}]")
        start, end = (_checked(f"available[{i}]", minute_of, text) for text in window)
        if end <= start:
            raise EventError(f"结束时间 {window[1]} 不晚于开始时间 {window[0]}", f"available[{i}]")
        windows.append([window[0], window[1]])
    return windows


def parse_windows(text: str) -> list[list[str]]:
    """``"09:00-12:00, 13:30-17:00"`` -> ``[["09:00", "12:00"], ["13:30", "17:00"]]`` (checked)."""
    parts = [p.strip() for p in re.split(r"[,，;；\s]+", text) if p.strip()]
    return _windows([p.split("-") if "-" in p else [p] for p in parts])


def participants(*, session: Session, event: m.MatchmakingSession) -> list[m.EventParticipant]:
    query = select(m.EventParticipant).where(m.EventParticipant.session_id == event.id)
    return list(session.exec(query.order_by(m.EventParticipant.role, m.EventParticipant.id)))


def display_names(*, session: Session, event: m.MatchmakingSession) -> dict[int, str]:
    """Participant id -> the enterprise's name or the department."""
    query = (
        select(m.EventParticipant.id, m.EventParticipant.department, m.Enterprise.name)
        .outerjoin(m.Enterprise, m.EventParticipant.enterprise_id == m.Enterprise.id)
        .where(m.EventParticipant.session_id == event.id)
    )
    return {pid: name or department or f"#{pid}" for pid, department, name in session.exec(query)}


def register(
    *,
    session: Session,
    event: m.MatchmakingSession,
    role: str,
    enterprise: m.Enterprise | None = None,
    department: str | None = None,
    tables: Sequence[str] = (),
    need: str = "",
    available: Sequence[Sequence[str]] = (),
) -> m.EventParticipant:
    """Register an enterprise (host or visitor) or a department (host only). A host without table numbers
    gets the next free one."""
    if role not in ROLE_LABELS:
        raise EventError("应为 host（主持方/需求方）或 visitor（来访方）", "role")
    if (enterprise is None) == (not (department or "").strip()):
        raise EventError("请填写企业统一社会信用代码或部门名称之一")
    if department and role != HOST:
        raise EventError("政府部门只能以主持方（发布需求）身份参会", "department")
    if department and len(department.strip()) > 64:
        raise EventError("不超过 64 个字符", "department")
    _printable("need", need)
    _printable("department", department)
    _printable("tables", *tables)
    present = participants(session=session, event=event)
    already = {p.enterprise_id for p in present} | {p.department for p in present}
    if (enterprise.id if enterprise else department.strip() if department else None) in already:
        raise EventError("该企业或部门已报名本场对接会")
    tables = _tables(role, tables, present)
    participant = m.EventParticipant(
        session_id=event.id,
        enterprise_id=enterprise.id if enterprise else None,
        department=department.strip() if department else None,
        role=role,
        tables=tables,
        need=need.strip() or (enterprise.products if enterprise else ""),
        available=_windows(available),
    )
    session.add(participant)
    session.flush()
    return participant


def _tables(role: str, wanted: Sequence[str], present: list[m.EventParticipant]) -> list[str]:
    wanted = [t.strip() for t in wanted if t.strip()]
    if role == VISITOR:
        if wanted:
            raise EventError("来访方不设桌位", "tables")
        return []
    taken = {t for p in present for t in p.tables}
    clash = [t for t in wanted if t in taken] or [t for t in wanted if wanted.count(t) > 1]
    if clash:
        raise EventError(f"“{clash[0]}”已被占用或重复", "tables")
    if any(len(t) > 32 for t in wanted):
        raise EventError("不超过 32 个字符", "tables")
    if not wanted:
        wanted = [str(next(n for n in range(1, len(taken) + 2) if str(n) not in taken))]
    return wanted


def enterprise_by_uscc(*, session: Session, uscc: str) -> m.Enterprise:
    enterprise = get_enterprise(session=session, uscc=uscc)
    if enterprise is None:
        raise EventError(f"未找到统一社会信用代码为“{uscc}”的企业")
    return enterprise


def participant_by(*, session: Session, event: m.MatchmakingSession, key: str) -> m.EventParticipant:
    """A participant by USCC, department name or participant number."""
    for p in participants(session=session, event=event):
        if key in (p.department, str(p.id)):
            return p
    enterprise = get_enterprise(session=session, uscc=key) if key else None
    for p in participants(session=session, event=event):
        if enterprise is not None and p.enterprise_id == enterprise.id:
            return p
    raise EventError(f"“{key}”未报名本场对接会（请填写统一社会信用代码、部门名称或参会编号）")


def add_request(
    *,
    session: Session,
    event: m.MatchmakingSession,
    host: m.EventParticipant,
    visitor: m.EventParticipant,
    side: str,
    priority: int,
    reasons: str = "",
    status: str = ACTIVE,
) -> m.MeetingRequest:
    """One side's request (a second one from the same side changes its priority)."""
    if host.role != HOST or visitor.role != VISITOR:
        raise EventError("会面请求须是一方主持方（有桌位）与一方来访方之间的")
    if priority not in PRIORITY_WEIGHT:
        raise EventError("应为 1（必须会面）、2（希望会面）或 3（有空再见）", "priority")
    if side not in (HOST, VISITOR, MATCHER):
        raise EventError("应为 host（主持方）、visitor（来访方）或 matcher（系统推荐）", "side")
    found = session.exec(
        select(m.MeetingRequest).where(
            m.MeetingRequest.session_id == event.id,
            m.MeetingRequest.host_id == host.id,
            m.MeetingRequest.visitor_id == visitor.id,
            m.MeetingRequest.side == side,
        )
    ).first()
    request = found or m.MeetingRequest(
        session_id=event.id, host_id=host.id, visitor_id=visitor.id, side=side, status=status
    )
    request.priority, request.reasons = priority, reasons[:500]
    session.add(request)
    session.flush()
    return request


def withdraw_request(*, session: Session, event: m.MatchmakingSession, request_id: int) -> m.MeetingRequest:
    """Remove one side's request (a late change: the next schedule no longer counts it)."""
    found = session.get(m.MeetingRequest, request_id)
    if found is None or found.session_id != event.id:
        raise EventError(f"本场对接会没有编号为 {request_id} 的会面请求", "request_id")
    session.delete(found)
    session.flush()
    return found


def requests(*, session: Session, event: m.MatchmakingSession) -> list[m.MeetingRequest]:
    query = select(m.MeetingRequest).where(m.MeetingRequest.session_id == event.id)
    return list(session.exec(query.order_by(m.MeetingRequest.id)))


def meetings(*, session: Session, event: m.MatchmakingSession) -> list[m.Meeting]:
    query = select(m.Meeting).where(m.Meeting.session_id == event.id)
    return list(session.exec(query.order_by(m.Meeting.slot, m.Meeting.table_no)))


def scheduler_id(participant_id: int) -> str:
    return f"#{participant_id}"


def named(message: str, names: dict[int, str]) -> str:
    """A scheduler message with participant numbers (``#12``) replaced by names."""
    return re.sub(r"#(\d+)", lambda found: names.get(int(found[1]), found[0]), message)


def scheduler_event(*, session: Session, event: m.MatchmakingSession) -> Event:
    """The event as the scheduler's plain data: active requests merged per pair (weights added up), the
    confirmed meetings to keep where possible."""
    names = display_names(session=session, event=event)
    people = participants(session=session, event=event)

    def windows(p: m.EventParticipant) -> tuple[Window, ...]:
        return tuple(Window(minute_of(start), minute_of(end)) for start, end in p.available)

    weight: dict[tuple[int, int], int] = defaultdict(int)
    for r in requests(session=session, event=event):
        if r.status == ACTIVE:
            weight[r.host_id, r.visitor_id] += PRIORITY_WEIGHT[r.priority]
    return Event(
        slots=slots(event),
        hosts=tuple(
            Host(scheduler_id(p.id), tuple(p.tables), names[p.id], p.need, windows(p)) for p in people if p.role == HOST
        ),
        visitors=tuple(
            Visitor(scheduler_id(p.id), names[p.id], p.need, windows(p)) for p in people if p.role == VISITOR
        ),
        requests=tuple(Request(scheduler_id(h), scheduler_id(v), w) for (h, v), w in sorted(weight.items())),
        max_meetings_per_visitor=event.max_meetings_per_visitor,
        confirmed=tuple(
            Meeting(scheduler_id(mt.host_id), scheduler_id(mt.visitor_id), mt.slot, mt.table_no)
            for mt in meetings(session=session, event=event)
            if mt.status == CONFIRMED
        ),
    )
