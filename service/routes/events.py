"""``/api/events``: matchmaking conferences (对接大会) from registration to contracts. Thin: parse, check
reach, call ``service.events`` / ``service.event_schedule``, audit, commit."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from service import audit, event_proposals, event_schedule, event_sheets, event_views, events
from service import models as m
from service.auth.permissions import Action, Principal, Reach
from service.forms import Yuan
from service.routes.rewards import EXCEL, excel_response
from service.web.deps import SessionDep, allowed, client_address
from service.web.errors import refusal_detail

router = APIRouter(prefix="/api/events", tags=["events"])
ROW_ID = 2**31 - 1  # the largest INTEGER key
EventId = Annotated[int, Path(ge=1, le=ROW_ID, description="对接会编号")]
RowId = Annotated[int, Field(ge=1, le=ROW_ID)]
Viewer = Annotated[Principal, allowed(Action.VIEW_EVENTS)]
Organiser = Annotated[Principal, allowed(Action.MANAGE_EVENTS)]
Member = Annotated[Principal, allowed(Action.JOIN_EVENT)]
TIME = r"^\d{2}:\d{2}$"
NOT_YOURS = "无权代该企业或部门操作：不在您负责的街镇/园区，或不是您的企业"


class EventIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="名称，如 2026年智能终端产业链对接会")
    held_on: date
    venue: str = Field("", max_length=200)
    first_slot_at: str = Field("09:00", pattern=TIME, description="第一个时段开始时间 HH:MM")
    slot_minutes: int = Field(20, ge=5, le=240)
    n_slots: int = Field(12, ge=1, le=60)
    breaks: dict[int, int] = Field(default_factory=dict, description="第几个时段（从1数）之后休息多少分钟")
    max_meetings_per_visitor: int | None = Field(None, ge=1, le=60)


class ParticipantIn(BaseModel):
    role: Literal["host", "visitor"] = Field(description="host 主持方（采购方、链主、部门，设桌位）；visitor 来访方")
    uscc: str | None = Field(None, max_length=32, description="企业统一社会信用代码")
    department: str | None = Field(None, max_length=64, description="政府部门（仅主持方），如 区教育局")
    tables: list[str] = Field(default_factory=list, max_length=20, description="桌号；主持方不填则自动编号")
    need: str = Field("", max_length=2000, description="主持方的需求；来访方的产品（不填用企业登记的产品）")
    available: list[str] = Field(default_factory=list, max_length=10, description='可参会时间，如 ["09:00-12:00"]')


class RequestIn(BaseModel):
    host: str = Field(max_length=64, description="主持方：统一社会信用代码、部门名称或参会编号")
    visitor: str = Field(max_length=64, description="来访方：统一社会信用代码或参会编号")
    side: Literal["host", "visitor"] = Field(description="哪一方提出")
    priority: int = Field(2, ge=1, le=3, description="1 必须会面，2 希望会面，3 有空再见")


class ProposeIn(BaseModel):
    per_host: int = Field(event_proposals.PROPOSALS_PER_HOST, ge=1, le=20, description="每个主持方最多推荐几家来访方")


class AcceptIn(BaseModel):
    ids: list[RowId] | None = Field(None, max_length=10_000, description="要接受的推荐请求编号；不填则全部接受")


class ScheduleIn(BaseModel):
    time_limit: float = Field(60, gt=0, le=600, description="第一阶段（最优排程）求解时限（秒）")
    gap_time_limit: float = Field(10, ge=0, le=120, description="第二阶段（减少空档）时限（秒）")


class ConfirmIn(BaseModel):
    scheduled_at: str = Field(
        max_length=40, description="所确认的排程时间（报告中的 scheduled_at），防止确认了未看过的排程"
    )


class OutcomeIn(BaseModel):
    meeting_id: RowId
    kind: Literal["no_interest", "follow_up", "nda", "contract"]
    amount_yuan: Yuan = Field(None, ge=1, le=m.BIGINT_MAX, description="签约金额（元，可写“500万”），仅签约时填写")
    buyer: Literal["host", "visitor"] = Field("host", description="采购方是主持方还是来访方")


def event_or_404(session: Session, event_id: int) -> m.MatchmakingSession:
    try:
        return events.get_event(session=session, event_id=event_id)
    except LookupError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


HELD = {409: {"description": "对接会已举办：不再接受报名、会面请求与排程（会面结果仍可登记）"}}


def open_event_or_409(session: Session, event_id: int, refused: str) -> m.MatchmakingSession:
    """The event while its day is not over; after it, only outcomes are recorded (409 naming ``refused``)."""
    event = event_or_404(session, event_id)
    if events.is_past(event):
        raise HTTPException(status_code=409, detail=f"该对接会已于 {event.held_on.isoformat()} 举办，不再接受{refused}")
    return event


def _refused(exc: events.EventError) -> HTTPException:
    return HTTPException(status_code=422, detail=refusal_detail(exc))


def _done(request: Request, session: Session, who: Principal, action: str, event: m.MatchmakingSession, after: dict):
    audit.record(
        session=session,
        actor=who.username,
        action=action,
        target=f"event:{event.id}",
        after=after,
        client=client_address(request),
    )
    session.commit()


def _reaches(session: Session, who: Principal, enterprise_id: int | None) -> bool:
    """Whether ``join_event`` reaches this enterprise; for a department (None), organisers act."""
    if enterprise_id is None:
        return who.reach(Action.MANAGE_EVENTS) is Reach.ALL
    firm = session.get(m.Enterprise, enterprise_id)
    return firm is not None and who.may(
        Action.JOIN_EVENT, town_id=firm.town_id, park_id=firm.park_id, enterprise_id=firm.id
    )


def _ensure_reach(session: Session, who: Principal, *enterprise_ids: int | None) -> None:
    if not any(_reaches(session, who, e) for e in enterprise_ids):
        raise HTTPException(status_code=403, detail=NOT_YOURS)


def may_withdraw(session: Session, who: Principal, found: m.MeetingRequest) -> bool:
    """Whether ``who`` may withdraw this request: the side that asked (within reach); a proposal, organisers."""
    asker = session.get(m.EventParticipant, found.visitor_id if found.side == "visitor" else found.host_id)
    return _reaches(session, who, asker.enterprise_id if asker and found.side != "matcher" else None)


def published(session: Session, event_id: int, who: Principal) -> event_sheets.Takeaways:
    """The event's schedule sheets; 404 before there is a schedule or, for all but organisers, before it is
    published."""
    event = event_or_404(session, event_id)
    taken = event_sheets.takeaways(session=session, event=event) if event_views.schedule_shown(event, who) else None
    if taken is None or not taken.meetings:
        raise HTTPException(status_code=404, detail="本场对接会的日程尚未排定或尚未发布")
    return taken


@router.get("", summary="对接会列表")
def list_events(session: SessionDep, who: Viewer) -> list[dict]:
    return [event_views.summary(session=session, event=e) for e in events.list_events(session=session)]


@router.post("", summary="新建对接会（日期、会场、时段：开始、时长、个数、休息）", status_code=201)
def create(body: EventIn, request: Request, session: SessionDep, who: Organiser) -> dict:
    try:
        event = events.create_event(session=session, **body.model_dump())
    except events.EventError as exc:
        raise _refused(exc) from exc
    _done(request, session, who, "event_created", event, {"name": event.name, "held_on": str(event.held_on)})
    return event_views.summary(session=session, event=event)


@router.get("/{event_id}", summary="对接会详情：时段、参会方、会面请求、日程与会面结果（金额按权限显示）")
def detail(event_id: EventId, session: SessionDep, who: Viewer) -> dict:
    return event_views.detail(session=session, event=event_or_404(session, event_id), who=who)


@router.post(
    "/{event_id}/participants",
    summary="报名：企业（主持方或来访方）或政府部门（主持方）",
    status_code=201,
    responses=HELD,
)
def register(event_id: EventId, body: ParticipantIn, request: Request, session: SessionDep, who: Member) -> dict:
    event = open_event_or_409(session, event_id, "报名")
    try:
        enterprise = events.enterprise_by_uscc(session=session, uscc=body.uscc) if body.uscc else None
        windows = events.parse_windows(", ".join(body.available))  # "第 n 项" counts over all of them
        _ensure_reach(session, who, enterprise.id if enterprise else None)
        participant = events.register(
            session=session,
            event=event,
            role=body.role,
            enterprise=enterprise,
            department=body.department,
            tables=body.tables,
            need=body.need,
            available=windows,
        )
    except events.EventError as exc:
        raise _refused(exc) from exc
    _done(request, session, who, "event_registered", event, {"participant": participant.id, "role": body.role})
    return {"id": participant.id, "tables": participant.tables}


@router.post(
    "/{event_id}/requests",
    summary="提交会面请求（带优先级），同一方再次提交则修改优先级",
    status_code=201,
    responses=HELD,
)
def add_request(event_id: EventId, body: RequestIn, request: Request, session: SessionDep, who: Member) -> dict:
    event = open_event_or_409(session, event_id, "会面请求")
    try:
        host = events.participant_by(session=session, event=event, key=body.host)
        visitor = events.participant_by(session=session, event=event, key=body.visitor)
        _ensure_reach(session, who, (host if body.side == "host" else visitor).enterprise_id)
        made = events.add_request(
            session=session, event=event, host=host, visitor=visitor, side=body.side, priority=body.priority
        )
    except events.EventError as exc:
        raise _refused(exc) from exc
    _done(request, session, who, "event_request", event, {"request": made.id, "priority": made.priority})
    return {"id": made.id, "weight": events.PRIORITY_WEIGHT[made.priority]}


@router.delete("/{event_id}/requests/{request_id}", summary="撤回会面请求（组织方，或提出请求的一方）", responses=HELD)
def withdraw(
    event_id: EventId,
    request_id: Annotated[int, Path(ge=1, le=ROW_ID)],
    request: Request,
    session: SessionDep,
    who: Member,
) -> dict:
    event = open_event_or_409(session, event_id, "撤回会面请求")
    found = session.get(m.MeetingRequest, request_id)
    if found is not None and found.session_id == event.id and not may_withdraw(session, who, found):
        raise HTTPException(status_code=403, detail=NOT_YOURS)
    try:
        events.withdraw_request(session=session, event=event, request_id=request_id)
    except events.EventError as exc:
        raise _refused(exc) from exc
    _done(request, session, who, "event_request_withdrawn", event, {"request": request_id})
    return {"withdrawn": request_id}


@router.post(
    "/{event_id}/proposals",
    summary="由伙伴匹配为每个主持方推荐来访方（主持方需求 × 来访方能力），待组织方接受",
    responses=HELD,
)
def propose(event_id: EventId, body: ProposeIn, request: Request, session: SessionDep, who: Organiser) -> dict:
    event = open_event_or_409(session, event_id, "推荐会面请求")
    proposed = event_proposals.propose(
        session=session, event=event, chain=request.app.state.chain, per_host=body.per_host
    )
    _done(request, session, who, "event_proposed", event, {"proposed": len(proposed)})
    return {"proposed": len(proposed)}


@router.post("/{event_id}/proposals/accept", summary="批量接受推荐的会面请求", responses=HELD)
def accept(event_id: EventId, body: AcceptIn, request: Request, session: SessionDep, who: Organiser) -> dict:
    event = open_event_or_409(session, event_id, "会面请求")
    accepted = event_proposals.accept_proposals(session=session, event=event, ids=body.ids)
    _done(request, session, who, "event_proposals_accepted", event, {"accepted": accepted})
    return {"accepted": accepted}


@router.post(
    "/{event_id}/schedule",
    summary="排程：最优会面安排（证明最优）、减少空档、贪心基线占比；已确认会面尽量保留",
    responses=HELD,
)
def schedule(event_id: EventId, body: ScheduleIn, request: Request, session: SessionDep, who: Organiser) -> dict:
    event = open_event_or_409(session, event_id, "排程")
    try:
        report = event_schedule.schedule(session=session, event=event, **body.model_dump())
    except events.EventError as exc:
        raise _refused(exc) from exc
    _done(request, session, who, "event_scheduled", event, {k: report[k] for k in ("value", "bound", "meetings")})
    return report


@router.post(
    "/{event_id}/confirm",
    summary="发布（确认）日程：此后重新排程时这些会面固定不动",
    responses={409: {"description": "对接会已举办；或所确认的不是最新的排程（已重新排程，或尚未排程）"}},
)
def confirm(event_id: EventId, body: ConfirmIn, request: Request, session: SessionDep, who: Organiser) -> dict:
    event = open_event_or_409(session, event_id, "排程")
    if (event.report or {}).get("scheduled_at") != body.scheduled_at:
        raise HTTPException(status_code=409, detail="日程已被重新排程或尚未排程，请查看最新日程后再确认")
    try:
        confirmed = event_schedule.confirm(session=session, event=event)
    except events.EventError as exc:
        raise _refused(exc) from exc
    _done(request, session, who, "event_confirmed", event, {"meetings": confirmed})
    return {"confirmed": confirmed}


@router.get("/{event_id}/agendas", summary="每位参会方的日程（时间、桌号、对方及其需求或产品）与每张桌的安排")
def agendas(event_id: EventId, session: SessionDep, who: Viewer) -> dict:
    return event_views.takeaways_json(published(session, event_id, who))


@router.get("/{event_id}/schedule.xlsx", summary="下载完整日程（Excel：总日程、桌位表、个人日程）", **EXCEL)
def schedule_excel(event_id: EventId, session: SessionDep, who: Viewer) -> Response:
    taken = published(session, event_id, who)
    return excel_response(lambda path: event_sheets.write_schedule(taken, path), f"event-{event_id}-schedule.xlsx")


@router.post("/{event_id}/outcomes", summary="登记会面结果；签约写入合同表并给出300万元协同奖励测算")
def outcome(event_id: EventId, body: OutcomeIn, request: Request, session: SessionDep, who: Member) -> dict:
    event = event_or_404(session, event_id)
    meeting = session.get(m.Meeting, body.meeting_id)
    if meeting is None or meeting.session_id != event.id:
        raise HTTPException(status_code=404, detail=f"本场对接会没有编号为 {body.meeting_id} 的会面")
    sides = (session.get(m.EventParticipant, meeting.host_id), session.get(m.EventParticipant, meeting.visitor_id))
    _ensure_reach(session, who, *(p.enterprise_id for p in sides if p is not None))
    try:
        contract = event_schedule.record_outcome(
            session=session,
            event=event,
            meeting=meeting,
            kind=body.kind,
            amount_yuan=body.amount_yuan,
            host_buys=body.buyer == "host",
        )
    except events.EventError as exc:
        raise _refused(exc) from exc
    _done(request, session, who, "event_outcome", event, {"meeting": meeting.id, "kind": body.kind})
    if contract is None:
        return {"meeting": meeting.id, "outcome": body.kind, "contract": None}
    note = event_schedule.contract_note(contract)
    return {"meeting": meeting.id, "outcome": body.kind, "contract": {"id": meeting.contract_id, "note": note}}
