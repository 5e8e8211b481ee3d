"""The matcher's proposals for a 对接会: hosts' needs × the registered visitors' capabilities, waiting for the
organiser to accept them in bulk."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from chainmap.taxonomy import Chain
from matching.signals import Direction
from service import models as m
from service.events import ACTIVE, HOST, MATCHER, PROPOSED, VISITOR, add_request, participants, requests

PROPOSALS_PER_HOST = 5


def propose(
    *, session: Session, event: m.MatchmakingSession, chain: Chain, per_host: int = PROPOSALS_PER_HOST
) -> list[m.MeetingRequest]:
    """The matcher's proposals: for each host, the registered visitors among the suppliers it would be
    recommended for its need (at most ``per_host`` new ones per host), with the matcher's reasons. They wait
    for the organiser (status ``proposed``)."""
    from service.matching import build_query, ranker_for

    people = participants(session=session, event=event)
    uscc = dict(session.exec(select(m.Enterprise.id, m.Enterprise.uscc)).all())
    visitors = {uscc[p.enterprise_id]: p for p in people if p.role == VISITOR and p.enterprise_id}
    asked = {(r.host_id, r.visitor_id) for r in requests(session=session, event=event)}
    ranker = ranker_for(session=session, chain=chain)
    proposed = []
    for host in (p for p in people if p.role == HOST):
        firm = uscc.get(host.enterprise_id) if host.enterprise_id else None
        firm = firm if firm in ranker.market.index else None
        if not (firm or host.need.strip()):
            continue
        query, _ = build_query(
            chain=chain, direction=Direction.SUPPLIERS, uscc=firm, need=host.need, k=200, exclude_partners=False
        )
        ranked = [(place, r) for place, r in enumerate(ranker.rank(query).recommendations, 1) if r.id in visitors]
        fresh = [(place, r) for place, r in ranked if (host.id, visitors[r.id].id) not in asked][:per_host]
        for rank, (place, rec) in enumerate(fresh):
            proposed.append(
                add_request(
                    session=session,
                    event=event,
                    host=host,
                    visitor=visitors[rec.id],
                    side=MATCHER,
                    priority=1 if rank == 0 else 2 if rank < 3 else 3,
                    reasons="；".join([f"伙伴匹配第 {place} 名", *rec.reasons]),
                    status=PROPOSED,
                )
            )
    return proposed


def accept_proposals(*, session: Session, event: m.MatchmakingSession, ids: Sequence[int] | None = None) -> int:
    """Accept the matcher's proposals in bulk (all of them, or those with these ids); returns how many."""
    query = select(m.MeetingRequest).where(m.MeetingRequest.session_id == event.id, m.MeetingRequest.status == PROPOSED)
    if ids is not None:
        query = query.where(col(m.MeetingRequest.id).in_(list(ids)))
    accepted = list(session.exec(query))
    for request in accepted:
        request.status = ACTIVE
        session.add(request)
    session.flush()
    return len(accepted)
