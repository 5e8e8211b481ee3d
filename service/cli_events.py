"""`chainmap event ...`: matchmaking conferences (对接大会) from the command line; every change is audited."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # the database and solver modules are imported by the commands that use them (fast start-up)
    from sqlmodel import Session

    from service import models as m

event_app = typer.Typer(help="Matchmaking conferences (对接会): register, request, schedule, agendas, outcomes")


class Role(StrEnum):
    HOST = "host"
    VISITOR = "visitor"


class OutcomeKind(StrEnum):
    NO_INTEREST = "no_interest"
    FOLLOW_UP = "follow_up"
    NDA = "nda"
    CONTRACT = "contract"


@contextlib.contextmanager
def _event_session(event_id: int | None = None) -> Iterator[tuple[Session, m.MatchmakingSession | None]]:
    """A session on the migrated database and the event (when an id is given); errors print in Chinese
    (exit 2) and nothing is stored; the command commits."""
    from service import events
    from service.cli import _initialise, _session, _settings, refused

    settings = _settings()
    _initialise(settings)
    with _session(settings) as session, refused(events.EventError, LookupError):
        yield session, events.get_event(session=session, event_id=event_id) if event_id is not None else None


def _audit(session: Session, action: str, event_id: int | None, after: dict) -> None:
    from service import audit

    audit.record(session=session, actor=audit.CLI, action=action, target=f"event:{event_id}", after=after, client="cli")


def _pauses(breaks: list[str]) -> dict[int, int]:
    from service.events import EventError

    pauses = {}
    for text in breaks:
        number, _, minutes = text.partition(":")
        if not (number.isdigit() and minutes.isdigit()):
            raise EventError(f"--break（休息）：“{text}”应写作 第几个时段:休息分钟，如 6:60")
        pauses[int(number)] = int(minutes)
    return pauses


@event_app.command("create")
def create(
    name: str = typer.Option(..., help="Name, e.g. 2026年智能终端产业链对接会"),
    held_on: str = typer.Option(..., "--date", help="Date, YYYY-MM-DD"),
    venue: str = typer.Option("", help="Venue"),
    first: str = typer.Option("09:00", help="Start of the first slot, HH:MM"),
    slot_minutes: int = typer.Option(20, help="Minutes per slot"),
    slots: int = typer.Option(12, help="Number of slots"),
    breaks: list[str] = typer.Option([], "--break", help="Pause after a slot: 6:60 (after slot 6, 60 minutes)"),
    max_per_visitor: int | None = typer.Option(None, help="Cap of meetings per visitor"),
) -> None:
    """Create an event with its time slots."""
    from service import events

    with _event_session() as (session, _):
        try:
            day = date.fromisoformat(held_on)
        except ValueError as exc:
            raise events.EventError(f"--date（日期）：“{held_on}”不是 YYYY-MM-DD 格式的日期") from exc
        event = events.create_event(
            session=session,
            name=name,
            held_on=day,
            venue=venue,
            first_slot_at=first,
            slot_minutes=slot_minutes,
            n_slots=slots,
            breaks=_pauses(breaks),
            max_meetings_per_visitor=max_per_visitor,
        )
        _audit(session, "event_created", event.id, {"name": event.name})
        session.commit()
        typer.echo(f"已新建对接会 {event.id}：{event.name}（{event.held_on}，{len(events.slots(event))} 个时段）")


@event_app.command("register")
def register(
    event_id: int = typer.Argument(..., help="Event number"),
    role: Role = typer.Option(..., help="host (with tables) or visitor"),
    uscc: str | None = typer.Option(None, help="The enterprise's 统一社会信用代码"),
    department: str | None = typer.Option(None, help="Or a department (host only), e.g. 区教育局"),
    tables: str = typer.Option("", help="A host's table numbers, comma-separated (default: the next free one)"),
    need: str = typer.Option("", help="A host's need, a visitor's products (default: its registered products)"),
    available: str = typer.Option("", help="Availability windows, e.g. 09:00-12:00,13:30-17:00 (default: all day)"),
) -> None:
    """Register an enterprise or a department at an event."""
    from service import events

    with _event_session(event_id) as (session, event):
        assert event is not None
        enterprise = events.enterprise_by_uscc(session=session, uscc=uscc) if uscc else None
        participant = events.register(
            session=session,
            event=event,
            role=role.value,
            enterprise=enterprise,
            department=department,
            tables=[t for t in tables.replace("，", ",").split(",") if t.strip()],
            need=need,
            available=events.parse_windows(available),
        )
        _audit(session, "event_registered", event_id, {"participant": participant.id, "role": role.value})
        session.commit()
        tables_text = f"，桌号 {'、'.join(participant.tables)}" if participant.tables else ""
        typer.echo(f"已报名：参会编号 {participant.id}{tables_text}")


@event_app.command("request")
def request(
    event_id: int = typer.Argument(..., help="Event number"),
    host: str = typer.Option(..., help="Host: USCC, department or participant number"),
    visitor: str = typer.Option(..., help="Visitor: USCC or participant number"),
    side: Role = typer.Option(..., help="Who asks: host or visitor"),
    priority: int = typer.Option(2, help="1 must meet, 2 would like to, 3 if there is time"),
) -> None:
    """Submit (or change) one side's meeting request."""
    from service import events

    with _event_session(event_id) as (session, event):
        assert event is not None
        made = events.add_request(
            session=session,
            event=event,
            host=events.participant_by(session=session, event=event, key=host),
            visitor=events.participant_by(session=session, event=event, key=visitor),
            side=side.value,
            priority=priority,
        )
        _audit(session, "event_request", event_id, {"request": made.id, "priority": priority})
        session.commit()
        typer.echo(f"已提交会面请求 {made.id}（优先级 {priority}，权重 {events.PRIORITY_WEIGHT[priority]}）")


@event_app.command("propose")
def propose(
    event_id: int = typer.Argument(..., help="Event number"),
    per_host: int = typer.Option(5, help="At most this many proposals per host"),
    accept: bool = typer.Option(False, help="Accept every proposal at once"),
) -> None:
    """Propose requests from partner matching (hosts' needs x visitors' capabilities)."""
    from chainmap.taxonomy import load_named_chain
    from service import event_proposals, events
    from service.cli import _settings

    with _event_session(event_id) as (session, event):
        assert event is not None
        chain = load_named_chain(_settings().chain)
        proposed = event_proposals.propose(session=session, event=event, chain=chain, per_host=per_host)
        accepted = event_proposals.accept_proposals(session=session, event=event) if accept else 0
        _audit(session, "event_proposed", event_id, {"proposed": len(proposed), "accepted": accepted})
        session.commit()
        names = events.display_names(session=session, event=event)
        for r in proposed:
            typer.echo(f"{names[r.host_id]} ← {names[r.visitor_id]}（优先级 {r.priority}）：{r.reasons}")
        typer.echo(f"推荐 {len(proposed)} 条会面请求，已接受 {accepted} 条")


@event_app.command("schedule")
def schedule(
    event_id: int = typer.Argument(..., help="Event number"),
    time_limit: float = typer.Option(60.0, help="Stage 1 time limit (seconds)"),
    gap_time_limit: float = typer.Option(10.0, help="Stage 2 (idle gaps) time limit (seconds)"),
    confirm: bool = typer.Option(False, help="Publish the schedule (confirmed meetings stay put later)"),
) -> None:
    """Schedule the event optimally (re-scheduling keeps confirmed meetings where possible)."""
    from service import event_schedule

    with _event_session(event_id) as (session, event):
        assert event is not None
        r = event_schedule.schedule(session=session, event=event, time_limit=time_limit, gap_time_limit=gap_time_limit)
        if confirm:
            event_schedule.confirm(session=session, event=event)
        _audit(session, "event_scheduled", event_id, {k: r[k] for k in ("value", "bound", "meetings")})
        session.commit()
    proof = "已证明最优" if r["proven_optimal"] else f"未证明最优，相对差距 {r['relative_gap']:.2%}"
    typer.echo(
        f"会面 {r['meetings']} 场（请求 {r['requests']} 对，未安排 {r['unscheduled']} 对）；目标值 {r['value']}，"
        f"上界 {r['bound']}（{proof}，{r['method']}，{r['stage1_seconds']:.2f} 秒）；贪心基线 {r['greedy_share']:.1%}；"
        f"空档 {r['idle_before']} → {r['idle_after']} 分钟；已确认会面保留 {r['kept_confirmed']}、"
        f"移动 {r['moved_confirmed']}、取消 {r['dropped_confirmed']}{'；日程已发布' if confirm else ''}"
    )


@event_app.command("agendas")
def agendas(
    event_id: int = typer.Argument(..., help="Event number"),
    excel: Path | None = typer.Option(None, help="Write the full schedule, table sheets and agendas to this .xlsx"),
    participant: int | None = typer.Option(None, help="Print only this participant's agenda"),
) -> None:
    """Print every participant's agenda (time, table, counterpart, their need or products); optionally Excel."""
    from service import event_sheets

    with _event_session(event_id) as (session, event):
        assert event is not None
        taken = event_sheets.takeaways(session=session, event=event)
        for agenda in taken.agendas:
            if participant is not None and agenda.participant.id != participant:
                continue
            typer.echo(f"== {agenda.name}（参会编号 {agenda.participant.id}）")
            for row in agenda.rows:
                typer.echo(f"  {row.time}  桌 {row.table}  {row.counterpart_name}：{row.counterpart_offer}")
            if not agenda.rows:
                typer.echo("  暂无会面安排")
        if excel:
            event_sheets.write_schedule(taken, excel)
            typer.echo(f"已写出 Excel 日程：{excel}；可打印的网页日程：/events/{event_id}/agendas")


@event_app.command("outcomes")
def outcomes(
    event_id: int = typer.Argument(..., help="Event number"),
    meeting: int | None = typer.Option(None, help="Meeting number to record (without it: list the outcomes)"),
    kind: OutcomeKind | None = typer.Option(None, help="no_interest, follow_up, nda or contract"),
    amount: int | None = typer.Option(None, help="Contract amount in 元 (contract only)"),
    buyer: Role = typer.Option(Role.HOST, help="Who buys: host or visitor"),
) -> None:
    """Record a meeting's outcome (a contract becomes a contract row with its 300万 reward estimate), or list them."""
    from service import event_schedule, events
    from service import models as m

    with _event_session(event_id) as (session, event):
        assert event is not None
        if meeting is not None:
            row = session.get(m.Meeting, meeting)
            if row is None or row.session_id != event_id or kind is None:
                raise events.EventError(f"--meeting（会面）：本场没有编号为 {meeting} 的会面，或未给出 --kind")
            contract = event_schedule.record_outcome(
                session=session,
                event=event,
                meeting=row,
                kind=kind.value,
                amount_yuan=amount,
                host_buys=buyer is Role.HOST,
            )
            _audit(session, "event_outcome", event_id, {"meeting": meeting, "kind": kind.value})
            session.commit()
            typer.echo(f"已登记会面 {meeting} 的结果：{event_schedule.outcome_label(kind.value)}")
            if contract is not None:
                typer.echo(event_schedule.contract_note(contract))
            return
        names = events.display_names(session=session, event=event)
        for mt in events.meetings(session=session, event=event):
            amount_text = f"，{mt.amount_yuan:,} 元" if mt.amount_yuan else ""
            typer.echo(
                f"{mt.id}  {events.slots(event)[mt.slot].label}  桌 {mt.table_no}  {names[mt.host_id]} × "
                f"{names[mt.visitor_id]}：{event_schedule.outcome_label(mt.outcome)}{amount_text}"
            )
