"""A stored event as JSON-ready data for the API and the pages; contract amounts only within the asker's
``view_amounts`` reach (either side's enterprise)."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from service import models as m
from service.auth.permissions import Action, Principal
from service.event_schedule import outcome_label
from service.event_sheets import Takeaways
from service.events import (
    CONFIRMED,
    PRIORITY_LABELS,
    PRIORITY_WEIGHT,
    ROLE_LABELS,
    STATUS_LABELS,
    display_names,
    is_past,
    meetings,
    participants,
    requests,
    slots,
)

SIDE_LABELS = {"host": "主持方提出", "visitor": "来访方提出", "matcher": "系统推荐"}
HELD_LABEL = "已举办"  # an event whose day is over, whatever its schedule's state


def _count(session: Session, table, event: m.MatchmakingSession) -> int:
    return session.exec(select(func.count()).select_from(table).where(table.session_id == event.id)).one()


def summary(*, session: Session, event: m.MatchmakingSession) -> dict:
    past = is_past(event)
    return {
        "id": event.id,
        "name": event.name,
        "held_on": event.held_on.isoformat(),
        "venue": event.venue,
        "status": event.status,
        "status_label": HELD_LABEL if past else STATUS_LABELS.get(event.status, event.status),
        "past": past,
        "slots": [slot.label for slot in slots(event)],
        "max_meetings_per_visitor": event.max_meetings_per_visitor,
        "is_demo": event.is_demo,
        "participants": _count(session, m.EventParticipant, event),
        "requests": _count(session, m.MeetingRequest, event),
        "meetings": _count(session, m.Meeting, event),
    }


def plain_report(report: dict) -> str:
    """A schedule's report as officials read it: "已排会面 57 场，已是最优安排", and what could not be kept."""
    parts = [
        f"已排会面 {report['meetings']} 场",
        "已是最优安排" if report["proven_optimal"] else "为限定时间内找到的最好安排",
    ]
    if report["unscheduled"]:
        parts.append(f"{report['unscheduled']} 对会面请求未能安排")
    if report["moved_confirmed"] or report["dropped_confirmed"]:
        parts.append(f"已发布的会面调整 {report['moved_confirmed']} 场、取消 {report['dropped_confirmed']} 场")
    return "，".join(parts)


def schedule_shown(event: m.MatchmakingSession, who: Principal) -> bool:
    """Whether ``who`` sees the event's schedule: organisers always, others once it is published."""
    return event.status == CONFIRMED or who.reach(Action.MANAGE_EVENTS) is not None


def detail(*, session: Session, event: m.MatchmakingSession, who: Principal) -> dict:
    """The event; its schedule (report, meetings) only where ``schedule_shown``."""
    names = display_names(session=session, event=event)
    people = participants(session=session, event=event)
    ids = [p.enterprise_id for p in people]
    firms = {f.id: f for f in session.exec(select(m.Enterprise).where(col(m.Enterprise.id).in_(ids)))}
    firm_of = {p.id: firms.get(p.enterprise_id) for p in people}

    def sees_amount(meeting: m.Meeting) -> bool:
        return any(
            f is not None and who.may(Action.VIEW_AMOUNTS, town_id=f.town_id, park_id=f.park_id, enterprise_id=f.id)
            for f in (firm_of[meeting.host_id], firm_of[meeting.visitor_id])
        )

    times = [slot.label for slot in slots(event)]
    shown = schedule_shown(event, who)
    return {
        **summary(session=session, event=event),
        "report": event.report if shown else None,
        "participants": [_participant(p, names[p.id], firm_of[p.id]) for p in people],
        "requests": [_request(r, names) for r in requests(session=session, event=event)],
        "meetings": [
            _meeting(mt, names, times[mt.slot], sees_amount(mt))
            for mt in (meetings(session=session, event=event) if shown else [])
        ],
    }


def _participant(p: m.EventParticipant, name: str, firm: m.Enterprise | None) -> dict:
    return {
        "id": p.id,
        "role": p.role,
        "role_label": ROLE_LABELS[p.role],
        "name": name,
        "uscc": firm.uscc if firm else None,
        "department": p.department,
        "tables": p.tables,
        "need": p.need,
        "available": ["-".join(w) for w in p.available],
    }


def _request(r: m.MeetingRequest, names: dict[int, str]) -> dict:
    return {
        "id": r.id,
        "host": names[r.host_id],
        "visitor": names[r.visitor_id],
        "side": r.side,
        "side_label": SIDE_LABELS[r.side],
        "priority": r.priority,
        "priority_label": PRIORITY_LABELS[r.priority],
        "weight": PRIORITY_WEIGHT[r.priority],
        "status": r.status,
        "reasons": r.reasons,
    }


def _meeting(mt: m.Meeting, names: dict[int, str], time: str, with_amount: bool) -> dict:
    return {
        "id": mt.id,
        "slot": mt.slot,
        "time": time,
        "table": mt.table_no,
        "host": names[mt.host_id],
        "visitor": names[mt.visitor_id],
        "status": mt.status,
        "outcome": mt.outcome,
        "outcome_label": outcome_label(mt.outcome),
        **({"amount_yuan": mt.amount_yuan, "contract_id": mt.contract_id} if with_amount else {}),
    }


def takeaways_json(taken: Takeaways) -> dict:
    return {
        "agendas": [
            {"participant": a.participant.id, "name": a.name, "role": a.participant.role, "rows": a.rows}
            for a in taken.agendas
        ],
        "tables": taken.tables,
    }
