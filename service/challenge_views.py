"""揭榜挂帅 as shown: a challenge with the moves open to the asker, its history, files and the responses the
asker may see (all to the publisher and 区经委, its own to a responder, none to the public)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlmodel import Session

from chainmap.taxonomy import Chain
from matching.challenges import Kind, Status, moves_from
from service import challenge_files
from service import models as m
from service.auth.permissions import Action, Principal
from service.challenges import history, parties, publisher_of, reaches, responses

DECIDED = frozenset({Status.AWARDED, Status.CONTRACTED, Status.ACCEPTED})  # a decision sheet to print
RESPONSE_LABELS = {"submitted": "已提交", "awarded": "中榜", "not_selected": "未中榜"}


class ChallengePublic(BaseModel):
    """A challenge as shown: its need, publisher, state, the moves open to the asker, and its records."""

    id: int
    kind: Kind
    kind_label: str
    title: str
    description: str
    specification: str
    segments: list[dict] = Field(description="[{code, name}]")
    quantity: int | None
    budget_min_yuan: int | None
    budget_max_yuan: int | None
    deadline: date | None
    location: str
    contact: str
    publisher: str = Field(description="发榜企业名称或发榜部门")
    publisher_uscc: str | None
    status: Status
    status_label: str
    is_demo: bool
    moves: list[dict] = Field(default_factory=list, description="[{target, name}]：当前账户可执行的状态变更")
    history: list[dict] = Field(default_factory=list, description="[{source, target, change, actor, at, note}]")
    attachments: list[dict] = Field(default_factory=list, description="[{id, filename, size_bytes, content_type}]")
    responses: list[dict] = Field(default_factory=list, description="当前账户可见的揭榜方案")

    @property
    def budget_wan(self) -> str:
        """The budget as the list and the challenge page show it: 200–400 万元, 400 万元, 200 万元起 or —."""
        low, high = (
            None if y is None else f"{Decimal(y) / 10_000:,f}" for y in (self.budget_min_yuan, self.budget_max_yuan)
        )
        if high is None:
            return f"{low} 万元起" if low is not None else "—"
        return f"{low}–{high} 万元" if low is not None else f"{high} 万元"


def response_json(session: Session, answer: m.ChallengeResponse) -> dict:
    firm = session.get(m.Enterprise, answer.responder_id)
    return {
        "id": answer.id,
        "responder": firm.name if firm else "",
        "responder_uscc": firm.uscc if firm else "",
        "proposal": answer.proposal,
        "quoted_yuan": answer.quoted_yuan,
        "delivery_days": answer.delivery_days,
        "track_record": answer.track_record,
        "status": answer.status,
        "status_label": RESPONSE_LABELS.get(answer.status, answer.status),
        "submitted_at": answer.submitted_at.isoformat(timespec="minutes"),
        "updated_at": answer.updated_at.isoformat(timespec="minutes") if answer.updated_at else None,
    }


def visible_responses(session: Session, who: Principal, challenge: m.Challenge) -> list[dict]:
    """All responses to the publisher and 区经委; to an enterprise user, its own."""
    shown = responses(session=session, challenge=challenge)
    if not reaches(session, who, Action.REVIEW_CHALLENGE, challenge):
        shown = [r for r in shown if who.enterprise_id is not None and r.responder_id == who.enterprise_id]
    return [response_json(session, r) for r in shown]


def to_public(
    session: Session, who: Principal, challenge: m.Challenge, chain: Chain, *, full: bool = True
) -> ChallengePublic:
    firm = publisher_of(session, challenge)
    status = Status(challenge.status)
    public = ChallengePublic(
        **challenge.model_dump(
            include={
                "id",
                "title",
                "description",
                "specification",
                "quantity",
                "budget_min_yuan",
                "deadline",
                "location",
                "contact",
                "is_demo",
            }
        ),
        kind=Kind(challenge.kind),
        kind_label=Kind(challenge.kind).label,
        segments=[
            {"code": s, "name": chain.segments[s].name if s in chain.segments else s} for s in challenge.segments
        ],
        budget_max_yuan=challenge.budget_yuan,
        publisher=firm.name if firm else (challenge.publisher_department or ""),
        publisher_uscc=firm.uscc if firm else None,
        status=status,
        status_label=status.label,
    )
    if not full:
        return public
    public.moves = [{"target": t.target, "name": t.name} for t in moves_from(status, parties(session, who, challenge))]
    public.history = [
        {
            "source": h.source,
            "target": h.target,
            "change": f"{Status(h.source).label if h.source else '—'} → {Status(h.target).label}",
            "actor": h.actor,
            "at": h.at.isoformat(timespec="minutes"),
            "note": h.note,
        }
        for h in history(session=session, challenge=challenge)
    ]
    public.attachments = [
        {"id": a.id, "filename": a.filename, "size_bytes": a.size_bytes, "content_type": a.content_type}
        for a in challenge_files.listed(session=session, challenge=challenge)
    ]
    public.responses = visible_responses(session, who, challenge)
    return public
