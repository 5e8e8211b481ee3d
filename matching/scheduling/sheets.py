"""What people take away, as plain rows: an agenda per participant and a sheet per table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from matching.scheduling.model import Event, Host, Meeting, Visitor

HOST, VISITOR = "主持方", "来访方"


@dataclass(frozen=True)
class AgendaRow:
    slot: int
    time: str  # "09:00-09:20"
    table: str
    role: str  # the participant's own role: 主持方 or 来访方
    counterpart: str
    counterpart_name: str
    counterpart_offer: str  # the other side's need or products


@dataclass(frozen=True)
class TableRow:
    slot: int
    time: str
    host: str
    host_name: str
    visitor: str  # empty while the table is free
    visitor_name: str


def agendas(event: Event, meetings: Iterable[Meeting]) -> dict[str, list[AgendaRow]]:
    """Every participant's meetings in time order (an empty list for those without any)."""
    hosts = {h.id: h for h in event.hosts}
    visitors = {v.id: v for v in event.visitors}
    rows: dict[str, list[AgendaRow]] = {person: [] for person in (*hosts, *visitors)}

    def row(meeting: Meeting, role: str, other: Host | Visitor) -> AgendaRow:
        time = event.slots[meeting.slot].label
        return AgendaRow(meeting.slot, time, meeting.table, role, other.id, other.name or other.id, other.offer)

    for meeting in meetings:
        rows[meeting.host].append(row(meeting, HOST, visitors[meeting.visitor]))
        rows[meeting.visitor].append(row(meeting, VISITOR, hosts[meeting.host]))
    for agenda in rows.values():
        agenda.sort(key=lambda r: r.slot)
    return rows


def table_sheets(event: Event, meetings: Iterable[Meeting]) -> dict[str, list[TableRow]]:
    """Per table (in the hosts' order), one row per slot of the event: who meets there, or nobody."""
    at = {(m.table, m.slot): m.visitor for m in meetings}
    names = {v.id: v.name or v.id for v in event.visitors}
    return {
        table: [
            TableRow(
                i,
                slot.label,
                host.id,
                host.name or host.id,
                at.get((table, i), ""),
                names.get(at.get((table, i), ""), ""),
            )
            for i, slot in enumerate(event.slots)
        ]
        for host in event.hosts
        for table in host.tables
    }
