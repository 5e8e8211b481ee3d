"""The 揭榜挂帅 lifecycle as data: 发榜 → 揭榜 → 评审 → 签约 → 验收.

A need (challenge) moves through explicit states; each allowed move names who may make it.
Two parties act: the publisher (the enterprise or department that published the need, or the
officer entering it for them) and the organiser (区经委, the chain office). Anything not in
``TRANSITIONS`` is refused with a Chinese message. Plain data in, plain data out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    PUBLISHED = "published"
    CLOSED = "closed"
    AWARDED = "awarded"
    CONTRACTED = "contracted"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFT: "草稿",
    Status.UNDER_REVIEW: "待审核",
    Status.PUBLISHED: "已发榜（揭榜中）",
    Status.CLOSED: "揭榜截止（评审中）",
    Status.AWARDED: "已定榜",
    Status.CONTRACTED: "已签约",
    Status.ACCEPTED: "已验收",
    Status.WITHDRAWN: "已撤回",
}


class Party(StrEnum):
    PUBLISHER = "publisher"  # the publishing enterprise or department (or the officer who entered it)
    ORGANISER = "organiser"  # 区经委 / 链长办

    @property
    def label(self) -> str:
        return {Party.PUBLISHER: "发榜方", Party.ORGANISER: "区经委"}[self]


class Kind(StrEnum):
    TECHNICAL = "technical"
    PROCUREMENT = "procurement"
    SCENARIO = "scenario"

    @property
    def label(self) -> str:
        return {Kind.TECHNICAL: "技术难题", Kind.PROCUREMENT: "采购需求", Kind.SCENARIO: "应用场景需求"}[self]


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    name: str  # what the move is called on buttons and in the history
    by: frozenset[Party]


BOTH = frozenset(Party)
ORGANISER_ONLY = frozenset({Party.ORGANISER})
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, Status.UNDER_REVIEW, "提交审核", BOTH),
    Transition(Status.UNDER_REVIEW, Status.DRAFT, "退回修改", ORGANISER_ONLY),
    Transition(Status.UNDER_REVIEW, Status.PUBLISHED, "审核通过并发榜", ORGANISER_ONLY),
    Transition(Status.PUBLISHED, Status.CLOSED, "截止揭榜", BOTH),
    Transition(Status.CLOSED, Status.AWARDED, "评审定榜", BOTH),
    Transition(Status.AWARDED, Status.CONTRACTED, "签约", BOTH),
    Transition(Status.CONTRACTED, Status.ACCEPTED, "验收", BOTH),
    *(Transition(s, Status.WITHDRAWN, "撤回", BOTH) for s in (Status.DRAFT, Status.UNDER_REVIEW, Status.PUBLISHED)),
    Transition(Status.CLOSED, Status.WITHDRAWN, "撤回", ORGANISER_ONLY),
)
MOVES = {(t.source, t.target): t for t in TRANSITIONS}
OPEN_FOR_RESPONSES = Status.PUBLISHED


class IllegalTransition(ValueError):
    """A move the lifecycle does not allow, or not to this party; the message is Chinese."""


def moves_from(status: Status, parties: frozenset[Party]) -> list[Transition]:
    """The moves these parties may make from ``status`` (for buttons and the CLI's help)."""
    return [t for t in TRANSITIONS if t.source == status and t.by & parties]


def check_move(source: Status, target: Status, parties: frozenset[Party]) -> Transition:
    """The transition, if allowed to one of ``parties``; else IllegalTransition saying why."""
    move = MOVES.get((source, target))
    if move is None:
        allowed = "、".join(t.target.label for t in TRANSITIONS if t.source == source) or "无（已是终态）"
        raise IllegalTransition(f"不能从“{source.label}”变为“{target.label}”；可变为：{allowed}")
    if not move.by & parties:
        who = "、".join(p.label for p in sorted(move.by))
        raise IllegalTransition(f"“{move.name}”只能由{who}操作")
    return move


def check_response_window(status: Status, deadline: date | None, today: date) -> None:
    """揭榜 (or editing one's response) is open while published and until the deadline, inclusive."""
    if status != OPEN_FOR_RESPONSES:
        raise IllegalTransition(f"该榜单当前状态为“{status.label}”，不接受揭榜或修改方案")
    if deadline is not None and today > deadline:
        raise IllegalTransition(f"揭榜截止日期 {deadline.isoformat()} 已过，不能再提交或修改方案")


def capacity_reason(revenue_yuan: int | None, budget_max_yuan: int | None) -> str | None:
    """A Chinese note on whether a firm's size fits the budget: revenue against the budget's upper end."""
    if not revenue_yuan or not budget_max_yuan:
        return None
    ratio = revenue_yuan / budget_max_yuan
    if ratio >= 5:
        return f"营业收入约为预算上限的 {ratio:.0f} 倍，承接能力充足"
    if ratio >= 1:
        return f"营业收入约为预算上限的 {ratio:.1f} 倍"
    return f"营业收入仅为预算上限的 {ratio:.0%}，需关注承接能力"
