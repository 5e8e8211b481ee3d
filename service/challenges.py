"""揭榜挂帅 on stored data: publishing (发榜), moving through the lifecycle, responses (揭榜), contracts.

The lifecycle's rules are ``matching.challenges``; here they meet accounts and rows. Who a principal is
for a challenge (publisher, organiser) comes from the permission table's reach. Functions that write
add rows and audit events to the session; the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from chainmap.taxonomy import Chain
from chainmap.uscc import normalize
from matching.challenges import IllegalTransition, Kind, Party, Status, check_move, check_response_window
from service import audit, forms, repository
from service import models as m
from service.auth.permissions import Action, Principal, Reach, Role
from service.clock import LOCAL_TIME, today
from service.fields import Refusal, field_label

VISIBLE_TO_ALL = frozenset({Status.PUBLISHED, Status.CLOSED, Status.AWARDED, Status.CONTRACTED, Status.ACCEPTED})


class ChallengeError(Refusal):
    """Input that cannot be stored; the message names the field in Chinese."""


def _yuan(value: object) -> object:
    """Amounts may be sent as whole 元 or written as people do: "500万", "1,200,000元"."""
    return forms.parse_yuan(value) if isinstance(value, str) else value


Yuan = Annotated[Annotated[int, Field(ge=0, le=m.BIGINT_MAX)] | None, BeforeValidator(_yuan)]


class ChallengeIn(BaseModel):
    """A need as published: by an enterprise (``publisher_uscc``) or a department (``department``)."""

    model_config = ConfigDict(extra="forbid")
    kind: Kind = Field(description="technical 技术难题 / procurement 采购需求 / scenario 应用场景需求")
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=5000)
    specification: str = Field(default="", max_length=5000, description="技术指标、规格")
    segments: list[str] = Field(default_factory=list, max_length=10, description="所需产业链环节代码")
    quantity: int | None = Field(default=None, ge=1, le=10_000_000, description="数量，如 30 所学校的终端套数")
    budget_min_yuan: Yuan = Field(default=None, description="预算下限（元；也可写“200万”）")
    budget_max_yuan: Yuan = Field(default=None, description="预算上限（元；也可写“500万”）")
    deadline: date | None = Field(default=None, description="揭榜截止日期（含当日）")
    location: str = Field(default="", max_length=100, description="实施地点：街镇、园区或地址")
    contact: str = Field(default="", max_length=100)
    publisher_uscc: str | None = Field(default=None, description="发榜企业的统一社会信用代码")
    department: str | None = Field(default=None, max_length=64, description="发榜部门，如 区教育局")

    @model_validator(mode="after")
    def _one_publisher_and_a_range(self) -> ChallengeIn:
        if bool(self.publisher_uscc) == bool(self.department):
            raise ValueError("发榜企业（publisher_uscc）与发榜部门（department）须填且只填一项")
        low, high = self.budget_min_yuan, self.budget_max_yuan
        if low is not None and high is not None and low > high:
            raise ValueError("预算下限不能高于预算上限")
        return self


class ResponseIn(BaseModel):
    """A 揭榜: the responding enterprise's proposal."""

    model_config = ConfigDict(extra="forbid")
    proposal: str = Field(min_length=2, max_length=10_000, description="技术方案")
    quoted_yuan: Yuan = Field(default=None, description="报价（元；也可写“380万”）")
    delivery_days: int | None = Field(default=None, ge=1, le=3650, description="交付周期（天）")
    track_record: str = Field(default="", max_length=5000, description="业绩与案例")
    responder_uscc: str | None = Field(default=None, description="揭榜企业；企业用户无需填写（即本企业）")


def publisher_of(session: Session, challenge: m.Challenge) -> m.Enterprise | None:
    return session.get(m.Enterprise, challenge.publisher_id) if challenge.publisher_id else None


def reaches(session: Session, who: Principal, action: Action, challenge: m.Challenge) -> bool:
    """Whether ``action`` reaches this challenge: anything (ALL), one's own entry, or one's firm or unit's."""
    if who.reach(action) is None:
        return False
    if who.reach(action) is Reach.ALL or (challenge.created_by and challenge.created_by == who.username):
        return True
    firm = publisher_of(session, challenge)
    return firm is not None and who.may(action, town_id=firm.town_id, park_id=firm.park_id, enterprise_id=firm.id)


def parties(session: Session, who: Principal, challenge: m.Challenge) -> frozenset[Party]:
    found = {Party.ORGANISER} if who.role is Role.ADMIN else set()
    if reaches(session, who, Action.MOVE_CHALLENGE, challenge):
        found.add(Party.PUBLISHER)
    return frozenset(found)


def may_see(session: Session, who: Principal, challenge: m.Challenge) -> bool:
    return Status(challenge.status) in VISIBLE_TO_ALL or reaches(session, who, Action.MOVE_CHALLENGE, challenge)


def visible_statuses(who: Principal) -> list[Status]:
    """The states whose challenges this principal may find: all to those who publish and move challenges,
    the public ones to the others."""
    return [s for s in Status if s in VISIBLE_TO_ALL or who.reach(Action.MOVE_CHALLENGE) is not None]


def get(*, session: Session, who: Principal, challenge_id: int) -> m.Challenge:
    """The challenge if this principal may see it; LookupError otherwise (drafts are not disclosed)."""
    challenge = session.get(m.Challenge, challenge_id) if 0 < challenge_id < 2**31 else None
    if challenge is None or not may_see(session, who, challenge):
        raise LookupError(f"未找到编号为 {challenge_id} 的榜单")
    return challenge


def listing(*, session: Session, who: Principal, status: Status | None = None) -> list[m.Challenge]:
    query = select(m.Challenge).order_by(col(m.Challenge.id).desc())
    if status is not None:
        query = query.where(m.Challenge.status == status)
    return [c for c in session.exec(query) if may_see(session, who, c)]


def _enterprise(session: Session, uscc: str, field: str) -> m.Enterprise:
    firm = repository.get_enterprise(session=session, uscc=normalize(uscc))
    if firm is None:
        raise LookupError(f"{field_label(field)}：未找到统一社会信用代码为“{uscc}”的企业")
    return firm


def _record_move(session: Session, challenge: m.Challenge, source: str | None, actor: str, note: str) -> None:
    assert challenge.id is not None
    session.add(
        m.ChallengeTransition(
            challenge_id=challenge.id, source=source, target=challenge.status, actor=actor[:64], note=note[:500]
        )
    )
    audit.record(
        session=session,
        actor=actor,
        action="challenge_status",
        target=f"challenge:{challenge.id}",
        before={"status": source},
        after={"status": challenge.status, "note": note[:200]},
    )


def create(*, session: Session, who: Principal, data: ChallengeIn, chain: Chain, demo: bool = False) -> m.Challenge:
    """A draft need; the publishing enterprise must be within the principal's reach."""
    unknown = [code for code in data.segments if code not in chain.segments]
    if unknown:
        raise ChallengeError(f"未知的产业链环节代码 {'、'.join(unknown)}", "segments")
    if data.deadline is not None and data.deadline < today():
        raise ChallengeError(f"{data.deadline.isoformat()} 已过，应不早于今天", "deadline")
    if data.department and who.role is Role.ENTERPRISE:
        raise PermissionError("企业用户只能以本企业名义发榜；部门的应用场景需求由区经委或街镇/园区录入")
    firm = _enterprise(session, data.publisher_uscc, "publisher_uscc") if data.publisher_uscc else None
    if firm is not None and not who.may(
        Action.PUBLISH_CHALLENGE, town_id=firm.town_id, park_id=firm.park_id, enterprise_id=firm.id
    ):
        raise PermissionError("只能以本企业（或本街镇/园区的企业）名义发榜")
    segment_ids = repository.segment_ids(session, chain.code)
    challenge = m.Challenge(
        **data.model_dump(exclude={"publisher_uscc", "department", "budget_max_yuan", "kind"}),
        kind=data.kind,
        publisher_id=firm.id if firm else None,
        publisher_department=data.department,
        budget_yuan=data.budget_max_yuan,
        segment_id=segment_ids.get(data.segments[0]) if data.segments else None,
        status=Status.DRAFT,
        created_by=who.username,
        is_demo=demo,
    )
    session.add(challenge)
    session.flush()
    _record_move(session, challenge, None, who.username, "创建草稿")
    return challenge


def move(
    *,
    session: Session,
    who: Principal,
    challenge: m.Challenge,
    target: Status,
    note: str = "",
    award_response_id: int | None = None,
) -> m.Challenge:
    """One lifecycle move, checked against the rules and the principal's parties, and recorded.

    评审定榜 (to awarded) names the winning response; the others become not_selected.
    """
    source = Status(challenge.status)
    check_move(source, target, parties(session, who, challenge))
    if target is Status.PUBLISHED and challenge.deadline is not None and challenge.deadline < today():
        raise IllegalTransition(f"揭榜截止日期 {challenge.deadline.isoformat()} 已过，不能发榜")
    if target is Status.AWARDED:
        _award(session, challenge, award_response_id)
    challenge.status = target
    session.add(challenge)
    _record_move(session, challenge, source, who.username, note)
    return challenge


def _award(session: Session, challenge: m.Challenge, response_id: int | None) -> None:
    answers = responses(session=session, challenge=challenge)
    if response_id is None or response_id not in {r.id for r in answers}:
        raise IllegalTransition("定榜须指明中榜的揭榜方案（该榜单下的方案编号）")
    for answer in answers:
        answer.status = "awarded" if answer.id == response_id else "not_selected"
        session.add(answer)


def awarded_response(session: Session, challenge: m.Challenge) -> m.ChallengeResponse | None:
    query = select(m.ChallengeResponse).where(
        m.ChallengeResponse.challenge_id == challenge.id, m.ChallengeResponse.status == "awarded"
    )
    return session.exec(query).first()


def contract_from_award(
    *, session: Session, challenge: m.Challenge, contracted_yuan: int, signed_on: date
) -> m.Contract | None:
    """The contract signed on an award: a ``contract`` row between the publishing enterprise (buyer)
    and the awarded responder (seller), amount as contracted and nothing yet performed (the 300万
    reward counts performed amounts, 003 二(二)). A department's scenario demand has no enterprise
    buyer, so no enterprise-to-enterprise contract row (its reward is 003 二(三), scenario
    application); returns None then. Used by the 签约 move and by conference outcomes."""
    winner = awarded_response(session, challenge)
    if winner is None:
        raise IllegalTransition("该榜单尚未定榜，不能据此签约")
    if challenge.publisher_id is None:
        return None
    row = m.Contract(
        buyer_id=challenge.publisher_id,
        seller_id=winner.responder_id,
        year=signed_on.year,
        contracted_yuan=contracted_yuan,
        performed_yuan=0,
        signed_on=signed_on,
        is_demo=challenge.is_demo,
    )
    session.add(row)
    return row


def sign(
    *, session: Session, who: Principal, challenge: m.Challenge, contracted_yuan: int, signed_on: date, note: str = ""
) -> m.Contract | None:
    """签约: the move to contracted and, for an enterprise publisher, the contract row."""
    check_move(Status(challenge.status), Status.CONTRACTED, parties(session, who, challenge))
    contract = contract_from_award(
        session=session, challenge=challenge, contracted_yuan=contracted_yuan, signed_on=signed_on
    )
    text = f"合同金额 {contracted_yuan:,} 元，签约日期 {signed_on.isoformat()}" + (f"；{note}" if note else "")
    move(session=session, who=who, challenge=challenge, target=Status.CONTRACTED, note=text)
    return contract


class MoveIn(BaseModel):
    """A lifecycle move as requested: 定榜 names the winning response, 签约 the amount and date."""

    model_config = ConfigDict(extra="forbid")
    target: Status = Field(description="目标状态")
    note: str = Field(default="", max_length=500, description="说明，记入状态历史")
    award_response_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="定榜（awarded）时：中榜的揭榜方案编号"
    )
    contracted_yuan: Yuan = Field(default=None, description="签约（contracted）时：合同金额（元或“380万”）")
    signed_on: date | None = Field(default=None, description="签约（contracted）时：签约日期")


def apply_move(*, session: Session, who: Principal, challenge: m.Challenge, data: MoveIn) -> m.Contract | None:
    """One requested move; 签约 needs the amount and date and returns the contract row it wrote (if any)."""
    if data.target is not Status.CONTRACTED:
        move(
            session=session,
            who=who,
            challenge=challenge,
            target=data.target,
            note=data.note,
            award_response_id=data.award_response_id,
        )
        return None
    if data.contracted_yuan is None or data.signed_on is None:
        raise ChallengeError("签约须填写合同金额（contracted_yuan）与签约日期（signed_on）")
    return sign(
        session=session,
        who=who,
        challenge=challenge,
        contracted_yuan=data.contracted_yuan,
        signed_on=data.signed_on,
        note=data.note,
    )


def history(*, session: Session, challenge: m.Challenge) -> list[m.ChallengeTransition]:
    query = select(m.ChallengeTransition).where(m.ChallengeTransition.challenge_id == challenge.id)
    return list(session.exec(query.order_by(col(m.ChallengeTransition.id))))


def responses(*, session: Session, challenge: m.Challenge) -> list[m.ChallengeResponse]:
    query = select(m.ChallengeResponse).where(m.ChallengeResponse.challenge_id == challenge.id)
    return list(session.exec(query.order_by(col(m.ChallengeResponse.id))))


def _responder(session: Session, who: Principal, data: ResponseIn) -> m.Enterprise:
    if who.reach(Action.RESPOND_CHALLENGE) is Reach.ALL:
        if not data.responder_uscc:
            raise ChallengeError("代企业揭榜时须填写揭榜企业的统一社会信用代码", "responder_uscc")
        return _enterprise(session, data.responder_uscc, "responder_uscc")
    firm = session.get(m.Enterprise, who.enterprise_id) if who.enterprise_id else None
    if firm is None or (data.responder_uscc and normalize(data.responder_uscc) != firm.uscc):
        raise PermissionError("只能以本企业名义揭榜")
    return firm


def respond(
    *, session: Session, who: Principal, challenge: m.Challenge, data: ResponseIn, on: date | None = None
) -> tuple[m.ChallengeResponse, bool]:
    """揭榜, or edit one's response: one per enterprise and challenge, while published and until the
    deadline. Returns the response and whether it was new."""
    check_response_window(Status(challenge.status), challenge.deadline, on or today())
    firm = _responder(session, who, data)
    if firm.id == challenge.publisher_id:
        raise IllegalTransition("发榜企业不能揭自己的榜")
    query = select(m.ChallengeResponse).where(
        m.ChallengeResponse.challenge_id == challenge.id, m.ChallengeResponse.responder_id == firm.id
    )
    answer = session.exec(query).first()
    fields = data.model_dump(exclude={"responder_uscc"})
    if answer is None:
        assert challenge.id is not None and firm.id is not None
        answer = m.ChallengeResponse(challenge_id=challenge.id, responder_id=firm.id, **fields)
    else:
        answer.sqlmodel_update({**fields, "updated_at": datetime.now(LOCAL_TIME)})
    new = answer.id is None
    session.add(answer)
    session.flush()
    audit.record(
        session=session,
        actor=who.username,
        action="challenge_response" if new else "challenge_response_edit",
        target=f"challenge:{challenge.id}",
        after={"responder": firm.uscc, "quoted_yuan": answer.quoted_yuan},
    )
    return answer, new
