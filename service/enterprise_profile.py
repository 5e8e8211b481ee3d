"""One enterprise as its page shows it: segments with source, position, labels, partners, contracts, rewards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, or_, select

from chainmap.records import Label, SegmentSource
from chainmap.taxonomy import Chain
from geodata.placement import PlacementMethod
from matching.challenges import Status
from matching.reward import RewardLine, RewardParams
from service import models as m
from service import rewards
from service.challenge_views import RESPONSE_LABELS
from service.events import ROLE_LABELS

SOURCE_LABELS = {
    SegmentSource.DECLARED: "企业申报",
    SegmentSource.CLASSIFIED: "自动分类",
    SegmentSource.MANUAL: "人工指定",
}


@dataclass(frozen=True)
class SegmentLink:
    code: str
    name: str
    direction: str  # the top-level direction it belongs to
    confidence: float
    source: str  # 企业申报 / 自动分类 / 人工指定
    evidence: str


@dataclass
class Partner:
    """A supplier or customer of the enterprise, from the stored contracts."""

    uscc: str
    name: str
    segments: list[str] = field(default_factory=list)
    contracts: int = 0
    first_year: int = 9999
    last_year: int = 0
    performed_yuan: int = 0


@dataclass(frozen=True)
class ContractLine:
    year: int
    role: str  # 采购 (the enterprise buys) / 供货 (it sells)
    partner: str
    partner_uscc: str
    contracted_yuan: int
    performed_yuan: int


@dataclass(frozen=True)
class Profile:
    enterprise: m.Enterprise
    town: str | None
    park: str | None
    placement: str
    labels: list[str]
    segments: list[SegmentLink]
    suppliers: list[Partner]
    customers: list[Partner]
    contracts: list[ContractLine]


def placement_label(placement: str) -> str:
    known = {method.value: method.label for method in PlacementMethod}
    return known.get(placement, "按企业申报的街镇、园区")


def _segments(session: Session, chain: Chain, enterprise_id: int) -> list[SegmentLink]:
    rows = session.exec(
        select(m.Segment.code, m.Segment.name, m.EnterpriseSegment)
        .join(m.EnterpriseSegment)
        .where(m.EnterpriseSegment.enterprise_id == enterprise_id)
        .order_by(m.EnterpriseSegment.confidence.desc())  # type: ignore[attr-defined]
    )
    return [
        SegmentLink(
            code,
            name,
            chain.root_of(code).name if code in chain.segments else "",
            link.confidence,
            SOURCE_LABELS.get(SegmentSource(link.source), link.source),
            link.evidence,
        )
        for code, name, link in rows
    ]


def _segment_names(session: Session, chain: Chain, ids: set[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    query = select(m.EnterpriseSegment.enterprise_id, m.Segment.code).join(m.Segment)
    for enterprise_id, code in session.exec(query.where(m.EnterpriseSegment.enterprise_id.in_(ids))):  # type: ignore[attr-defined]
        if code in chain.segments:
            names[enterprise_id].append(chain.segments[code].name)
    return names


def _contracts(session: Session, enterprise: m.Enterprise) -> list[tuple[m.Contract, m.Enterprise]]:
    """The enterprise's contracts with the other party, newest first."""
    other = or_(
        (m.Contract.buyer_id == enterprise.id) & (m.Contract.seller_id == m.Enterprise.id),
        (m.Contract.seller_id == enterprise.id) & (m.Contract.buyer_id == m.Enterprise.id),
    )
    query = select(m.Contract, m.Enterprise).where(other).order_by(m.Contract.signed_on.desc())  # type: ignore[attr-defined]
    return list(session.exec(query).all())


def _partners(rows: list[tuple[m.Contract, m.Enterprise]], enterprise: m.Enterprise, names: dict) -> tuple[list, list]:
    found: dict[tuple[bool, int], Partner] = {}
    for contract, other in rows:
        key = (contract.buyer_id == enterprise.id, other.id)  # True: the other one supplies this enterprise
        partner = found.setdefault(key, Partner(other.uscc, other.name, names.get(other.id, [])))
        partner.contracts += 1
        partner.first_year = min(partner.first_year, contract.year)
        partner.last_year = max(partner.last_year, contract.year)
        partner.performed_yuan += contract.performed_yuan
    ordered = sorted(found.items(), key=lambda item: -item[1].performed_yuan)
    return [p for (supplies, _), p in ordered if supplies], [p for (supplies, _), p in ordered if not supplies]


def profile(*, session: Session, chain: Chain, enterprise: m.Enterprise) -> Profile:
    assert enterprise.id is not None
    town = session.get(m.Town, enterprise.town_id) if enterprise.town_id else None
    park = session.get(m.Park, enterprise.park_id) if enterprise.park_id else None
    rows = _contracts(session, enterprise)
    names = _segment_names(session, chain, {other.id for _, other in rows if other.id is not None})
    suppliers, customers = _partners(rows, enterprise, names)
    lines = [
        ContractLine(
            c.year,
            "采购" if c.buyer_id == enterprise.id else "供货",
            other.name,
            other.uscc,
            c.contracted_yuan,
            c.performed_yuan,
        )
        for c, other in rows
    ]
    return Profile(
        enterprise=enterprise,
        town=town and town.name,
        park=park and park.name,
        placement=placement_label(enterprise.placement),
        labels=[label.label for label in Label if getattr(enterprise, f"is_{label.value}")],
        segments=_segments(session, chain, enterprise.id),
        suppliers=suppliers,
        customers=customers,
        contracts=lines,
    )


def reward_lines(*, session: Session, chain: Chain, uscc: str) -> list[tuple[RewardLine, str, str]]:
    """The 300万 rule's lines (default readings) in which the enterprise is buyer or seller,
    with the buyer's and the seller's names."""
    report, parties = rewards.estimate_from_db(session=session, chain_code=chain.code, params=RewardParams())
    return [
        (line, parties[line.buyer].name, parties[line.seller].name)
        for line in report.lines
        if uscc in (line.buyer, line.seller)
    ]


@dataclass(frozen=True)
class Involvement:
    """Where the enterprise meets 揭榜挂帅 and 对接会, each row with its state in words."""

    published: list[tuple[m.Challenge, str]]  # its needs (drafts left out)
    responded: list[tuple[m.Challenge, str]]  # its answers (揭榜), for those who may see its amounts
    events: list[tuple[m.MatchmakingSession, str]]  # conferences it registered for, with its role


def involvement(*, session: Session, enterprise_id: int, with_responses: bool) -> Involvement:
    newest_first = col(m.Challenge.id).desc()
    published = session.exec(
        select(m.Challenge)
        .where(m.Challenge.publisher_id == enterprise_id, m.Challenge.status != Status.DRAFT.value)
        .order_by(newest_first)
    ).all()
    answers = (
        select(m.Challenge, m.ChallengeResponse.status)
        .join(m.ChallengeResponse, col(m.ChallengeResponse.challenge_id) == m.Challenge.id)
        .where(m.ChallengeResponse.responder_id == enterprise_id)
        .order_by(newest_first)
    )
    responded = session.exec(answers).all() if with_responses else []
    events = session.exec(
        select(m.MatchmakingSession, m.EventParticipant.role)
        .join(m.EventParticipant, col(m.EventParticipant.session_id) == m.MatchmakingSession.id)
        .where(m.EventParticipant.enterprise_id == enterprise_id)
        .order_by(col(m.MatchmakingSession.held_on).desc())
    ).all()
    return Involvement(
        published=[(c, Status(c.status).label) for c in published],
        responded=[(c, RESPONSE_LABELS.get(status, status)) for c, status in responded],
        events=[(event, ROLE_LABELS.get(role, role)) for event, role in events],
    )
