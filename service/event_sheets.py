"""What people take away from a stored event: agendas per participant, sheets per table, the full schedule
(rows for pages and Excel), built from ``matching.scheduling.sheets``."""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from sqlmodel import Session

from matching.scheduling.model import Event
from matching.scheduling.model import Meeting as PlannedMeeting
from matching.scheduling.sheets import AgendaRow, TableRow, agendas, table_sheets
from service import models as m
from service.event_schedule import outcome_label
from service.events import ROLE_LABELS, meetings, participants, scheduler_event, scheduler_id
from service.excel import Column, Cover, Sheet, write_workbook

_SCHEDULE_COLUMNS = ("时段", "桌号", "主持方", "主持方需求", "来访方", "来访方产品", "状态", "会面结果")


@dataclass(frozen=True)
class Agenda:
    participant: m.EventParticipant
    name: str
    rows: list[AgendaRow]


@dataclass(frozen=True)
class Takeaways:
    event: m.MatchmakingSession
    plain: Event
    meetings: list[m.Meeting]
    agendas: list[Agenda]  # hosts first, then visitors, each in registration order
    tables: dict[str, list[TableRow]]


def takeaways(*, session: Session, event: m.MatchmakingSession) -> Takeaways:
    plain = scheduler_event(session=session, event=event)
    rows = meetings(session=session, event=event)
    planned = [PlannedMeeting(scheduler_id(r.host_id), scheduler_id(r.visitor_id), r.slot, r.table_no) for r in rows]
    per_person = agendas(plain, planned)
    names = {p.id: p.name for p in (*plain.hosts, *plain.visitors)}
    people = participants(session=session, event=event)
    return Takeaways(
        event=event,
        plain=plain,
        meetings=rows,
        agendas=[Agenda(p, names[scheduler_id(p.id)], per_person[scheduler_id(p.id)]) for p in people],
        tables=table_sheets(plain, planned),
    )


def schedule_rows(taken: Takeaways) -> list[dict]:
    """One row per meeting in time order: the full schedule."""
    hosts = {h.id: h for h in taken.plain.hosts}
    visitors = {v.id: v for v in taken.plain.visitors}
    rows = []
    for meeting in taken.meetings:
        host, visitor = hosts[scheduler_id(meeting.host_id)], visitors[scheduler_id(meeting.visitor_id)]
        rows.append(
            {
                "时段": taken.plain.slots[meeting.slot].label,
                "桌号": meeting.table_no,
                "主持方": host.name,
                "主持方需求": host.offer,
                "来访方": visitor.name,
                "来访方产品": visitor.offer,
                "状态": "已发布" if meeting.status == "confirmed" else "待确认",
                "会面结果": outcome_label(meeting.outcome),
            }
        )
    return rows


def _columns(*headers: str) -> list[Column]:
    return [Column(header, itemgetter(header)) for header in headers]


def write_schedule(taken: Takeaways, path: Path) -> Path:
    """The Excel workbook: the full schedule, every table's sheet, every participant's agenda."""
    tables = [
        {"桌号": table, "时段": r.time, "主持方": r.host_name, "来访方": r.visitor_name or "（空闲）"}
        for table, rows in taken.tables.items()
        for r in rows
    ]
    agenda_rows = [
        {
            "参会方": agenda.name,
            "身份": ROLE_LABELS[agenda.participant.role],
            "时段": r.time,
            "桌号": r.table,
            "对方": r.counterpart_name,
            "对方需求或产品": r.counterpart_offer,
        }
        for agenda in taken.agendas
        for r in agenda.rows
    ]
    event = taken.event
    cover = Cover(
        title=f"对接会日程：{event.name}",
        source="数据库中的对接会报名、会面请求与排程结果",
        choices=[f"日期：{event.held_on.isoformat()}", *([f"地点：{event.venue}"] if event.venue else [])],
        demo=event.is_demo,
    )
    sheets = [
        Sheet("总日程", _columns(*_SCHEDULE_COLUMNS), schedule_rows(taken)),
        Sheet("桌位表", _columns("桌号", "时段", "主持方", "来访方"), tables),
        Sheet("个人日程", _columns("参会方", "身份", "时段", "桌号", "对方", "对方需求或产品"), agenda_rows),
    ]
    return write_workbook(path, cover, sheets)
