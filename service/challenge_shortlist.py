"""Candidates the publisher did not know: the matcher's shortlist for a challenge, responders ranked by fit
beside the invited firms, invitations, and the shortlist and award decision as Excel.

The need is asked as a supplier search: the publishing firm (its location, its existing partners listed
apart) or, for a department, the need's text, its required segments and the town or park it names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from operator import itemgetter
from pathlib import Path

from sqlmodel import Session, col, select

from chainmap.taxonomy import Chain
from matching.challenges import IllegalTransition, Status, capacity_reason
from matching.ranker import PartnerRanker
from matching.reasons import Recommendation
from matching.signals import Direction
from service import audit, matching, repository
from service import models as m
from service.challenges import ChallengeError, awarded_response, publisher_of, responses
from service.excel import Column, Cover, Kind, Sheet, write_workbook

POOL = 300  # how deep the matcher ranks, so that responders far down still get their place and reasons


@dataclass(frozen=True)
class Candidate:
    rank: int | None  # place in the matcher's ranking; None: not among its candidates
    uscc: str
    name: str
    score: float | None
    reasons: list[str]
    segments: list[str]
    labels: list[str]
    city: str
    distance_km: float | None
    responded: bool
    invited: bool


def need_text(challenge: m.Challenge) -> str:
    return "\n".join(part for part in (challenge.title, challenge.description, challenge.specification) if part)


def _place(session: Session, location: str) -> tuple[float | None, float | None]:
    """The anchor of a town or park the location names (WGS-84), else nothing."""
    for town in session.exec(select(m.Town)):
        if town.name in location:
            return town.anchor_lon, town.anchor_lat
    for park in session.exec(select(m.Park)):
        if park.name in location:
            return park.lon, park.lat
    return None, None


def _query_request(session: Session, challenge: m.Challenge, ranker: PartnerRanker) -> dict:
    firm = publisher_of(session, challenge)
    known = firm is not None and firm.uscc in ranker.market.index
    lon, lat = (firm.lon, firm.lat) if firm is not None else _place(session, challenge.location)
    return {
        "direction": Direction.SUPPLIERS,
        "uscc": firm.uscc if known and firm else None,
        "need": need_text(challenge),
        "segments": tuple(challenge.segments),
        "lon": None if known else lon,
        "lat": None if known else lat,
        "budget_yuan": challenge.budget_yuan,
        "k": POOL,
    }


def _ids(session: Session, table: type[m.ChallengeResponse] | type[m.ChallengeInvitation], challenge_id: int) -> set:
    column = m.ChallengeResponse.responder_id if table is m.ChallengeResponse else m.ChallengeInvitation.enterprise_id
    found = select(m.Enterprise.uscc).join(table, column == m.Enterprise.id)
    return set(session.exec(found.where(table.challenge_id == challenge_id)))


def _candidate(rank: int | None, r: Recommendation, revenue: int | None, budget: int | None, **flags) -> Candidate:
    capacity = capacity_reason(revenue, budget)
    return Candidate(
        rank=rank,
        uscc=r.id,
        name=r.name,
        score=round(r.score, 4),
        reasons=[*r.reasons, *([capacity] if capacity else [])],
        segments=r.segments,
        labels=r.labels,
        city=r.city,
        distance_km=r.distance_km,
        **flags,
    )


def shortlist(*, session: Session, chain: Chain, challenge: m.Challenge, k: int = 20) -> dict:
    """The top ``k`` firms for the need (responders and invited ones flagged), every responder ranked by
    fit, and the invited firms; JSON-ready."""
    assert challenge.id is not None
    ranker = matching.ranker_for(session=session, chain=chain)
    query, inferred = matching.build_query(chain=chain, **_query_request(session, challenge, ranker))
    ranked = ranker.rank(query)
    responded, invited = (
        _ids(session, m.ChallengeResponse, challenge.id),
        _ids(session, m.ChallengeInvitation, challenge.id),
    )
    firms = ranker.market.firms
    everyone = [
        _candidate(
            place,
            r,
            firms[ranker.market.index[r.id]].revenue_yuan,
            challenge.budget_yuan,
            responded=r.id in responded,
            invited=r.id in invited,
        )
        for place, r in enumerate(ranked.recommendations, start=1)
    ]
    by_id = {c.uscc: c for c in everyone}
    partners = {p.id for p in ranked.partners}
    unranked = [_outside(session, uscc, uscc in partners, uscc in invited) for uscc in responded - by_id.keys()]
    return {
        "challenge_id": challenge.id,
        "segments": [chain.segments[s].name for s in query.segments if s in chain.segments],
        "inferred_segments": [asdict(s) for s in inferred],
        "candidates": [asdict(c) for c in everyone[:k]],
        "responders": [asdict(by_id[u]) for u in sorted(responded & by_id.keys(), key=lambda u: by_id[u].rank or 0)]
        + [asdict(c) for c in unranked],
        "invited": _invitations(session, challenge.id),
    }


def _outside(session: Session, uscc: str, partner: bool, invited: bool) -> Candidate:
    """A responder the matcher did not rank: an existing partner of the publisher, or no fit found."""
    firm = repository.get_enterprise(session=session, uscc=uscc)
    why = (
        "发榜企业的现有或曾经的合作伙伴（不参与推荐排序）"
        if partner
        else f"未进入匹配前 {POOL} 名（环节或产品与需求不符）"
    )
    return Candidate(
        None, uscc, firm.name if firm else uscc, None, [why], [], [], firm.city if firm else "", None, True, invited
    )


def _invitations(session: Session, challenge_id: int) -> list[dict]:
    rows = session.exec(
        select(m.ChallengeInvitation, m.Enterprise)
        .join(m.Enterprise, m.ChallengeInvitation.enterprise_id == m.Enterprise.id)
        .where(m.ChallengeInvitation.challenge_id == challenge_id)
        .order_by(col(m.ChallengeInvitation.id))
    )
    return [
        {
            "uscc": e.uscc,
            "name": e.name,
            "invited_by": i.invited_by,
            "at": i.at.isoformat(timespec="minutes"),
            "note": i.note,
        }
        for i, e in rows
    ]


def invite(*, session: Session, actor: str, challenge: m.Challenge, uscc: str, note: str = "") -> m.ChallengeInvitation:
    """Record that 区经委 invited this firm to respond (while the challenge takes responses)."""
    if Status(challenge.status) is not Status.PUBLISHED:
        raise IllegalTransition(f"榜单状态为“{Status(challenge.status).label}”，只有揭榜期间才能邀请企业")
    firm = repository.get_enterprise(session=session, uscc=uscc)
    if firm is None:
        raise LookupError(f"未找到统一社会信用代码为“{uscc}”的企业")
    if firm.id == challenge.publisher_id:
        raise ChallengeError("不能邀请发榜企业本身")
    assert challenge.id is not None and firm.id is not None
    if uscc in _ids(session, m.ChallengeInvitation, challenge.id):
        raise ChallengeError(f"已邀请过“{firm.name}”")
    row = m.ChallengeInvitation(
        challenge_id=challenge.id, enterprise_id=firm.id, invited_by=actor[:64], note=note[:500]
    )
    session.add(row)
    audit.record(
        session=session,
        actor=actor,
        action="challenge_invite",
        target=f"challenge:{challenge.id}",
        after={"uscc": uscc},
    )
    return row


def decision(*, session: Session, challenge: m.Challenge) -> dict:
    """The award decision: the winning response, or nothing yet."""
    winner = awarded_response(session, challenge)
    firm = session.get(m.Enterprise, winner.responder_id) if winner else None
    return {
        "status": Status(challenge.status).label,
        "winner": firm.name if firm else None,
        "winner_uscc": firm.uscc if firm else None,
        "quoted_yuan": winner.quoted_yuan if winner else None,
        "delivery_days": winner.delivery_days if winner else None,
    }


def _yes(flag: bool) -> str:
    return "是" if flag else ""


CANDIDATE_COLUMNS = [
    Column("名次", lambda c: c["rank"] or "—", Kind.INTEGER),
    Column("企业", itemgetter("name")),
    Column("统一社会信用代码", itemgetter("uscc")),
    Column("环节", lambda c: "、".join(c["segments"])),
    Column("推荐理由", lambda c: "；".join(c["reasons"])),
    Column("得分", itemgetter("score"), Kind.DECIMAL),
    Column("已揭榜", lambda c: _yes(c["responded"])),
    Column("已邀请", lambda c: _yes(c["invited"])),
]


def write_export(*, session: Session, challenge: m.Challenge, short: dict, path: Path) -> Path:
    """One workbook: the need and the award decision, the shortlist, the responders with their offers."""
    offers = {
        session.get(m.Enterprise, r.responder_id).uscc: r for r in responses(session=session, challenge=challenge)
    }  # type: ignore[union-attr]
    chosen = decision(session=session, challenge=challenge)
    need = [
        Column("榜单", lambda _: challenge.title),
        Column("状态", lambda _: chosen["status"]),
        Column("中榜企业", lambda _: chosen["winner"] or "尚未定榜"),
        Column("中榜报价", lambda _: chosen["quoted_yuan"], Kind.YUAN),
        Column("预算下限", lambda _: challenge.budget_min_yuan, Kind.YUAN),
        Column("预算上限", lambda _: challenge.budget_yuan, Kind.YUAN),
        Column("截止日期", lambda _: challenge.deadline, Kind.DATE),
    ]
    offer = [
        Column("报价", lambda c: offers[c["uscc"]].quoted_yuan, Kind.YUAN),
        Column("交付周期（天）", lambda c: offers[c["uscc"]].delivery_days, Kind.COUNT),
        Column("方案状态", lambda c: offers[c["uscc"]].status),
    ]
    cover = Cover(
        title=f"揭榜挂帅：{challenge.title}",
        source="数据库中的榜单、揭榜方案与邀请；推荐候选由伙伴匹配排序",
        notes=["推荐理由与得分仅用于排序；名次“—”表示该企业不在匹配候选之内"],
        demo=repository.has_demo(session=session),
    )
    sheets = [
        Sheet("定榜结果", need, [challenge]),
        Sheet("推荐候选", CANDIDATE_COLUMNS, short["candidates"]),
        Sheet("揭榜方案", [*CANDIDATE_COLUMNS, *offer], short["responders"]),
    ]
    return write_workbook(path, cover, sheets)
