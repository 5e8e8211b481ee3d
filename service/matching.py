"""Partner matching on stored data: the market and contract history as plain data, one fitted ranker per state."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, fields

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from chainmap.classify import Description, SegmentMatch
from chainmap.model_store import classifier_for
from chainmap.records import ContractRecord, EnterpriseRecord
from chainmap.taxonomy import Chain
from chainmap.uscc import normalize
from matching.market import ChainData, Contract, Firm, Market
from matching.ranker import PartnerRanker, Shortlist
from matching.reasons import Partner, Recommendation
from matching.signals import Direction, Query
from service import models as m
from service.fields import Refusal
from service.panorama import members_from_db
from service.ranker_store import fitted_ranker


def chain_data(chain: Chain) -> ChainData:
    return ChainData(
        edges=[(e.supplier, e.buyer, e.weight) for e in chain.edges],
        parents={code: s.parent for code, s in chain.segments.items()},
        names={code: s.name for code, s in chain.segments.items()},
    )


def firm(record: EnterpriseRecord) -> Firm:
    return Firm(
        id=record.uscc,
        name=record.name,
        segments=tuple(record.segments),
        text=f"{record.products} {record.business_scope}".strip(),
        lon=record.lon,
        lat=record.lat,
        city=record.city,
        town=record.town,
        park=record.park,
        labels=frozenset(label.label for label in record.labels),
        revenue_yuan=record.revenue_yuan,
    )


def contract(record: ContractRecord) -> Contract:
    return Contract(record.seller_uscc, record.buyer_uscc, record.signed_on)


def contracts_from_db(session: Session) -> list[Contract]:
    buyer, seller = aliased(m.Enterprise), aliased(m.Enterprise)
    rows = session.exec(
        select(seller.uscc, buyer.uscc, m.Contract.signed_on)
        .join(buyer, m.Contract.buyer_id == buyer.id)
        .join(seller, m.Contract.seller_id == seller.id)
    )
    return [Contract(*row) for row in rows]


DATA_VERSION = select(m.DataVersion.version)


def _state(session: Session) -> int:
    """Raised by the database whenever enterprises, segment links or contracts change (migration 0008)."""
    # one row read for every request: a statement built once, run on the connection (0.05 ms; 0.15 ms through
    # the ORM session with a statement built per call)
    return session.connection().execute(DATA_VERSION).scalar_one()


class RankerCache:
    """One fitted ranker per database and chain. When the stored data change, the previous models answer
    at once on the new data (re-indexed, not refitted: new enterprises and contracts are found), and the
    refit runs in a background thread, one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (url, chain) -> (state, ranker, the data still to fit for that state, or None once fitted)
        self._fitted: dict[tuple, tuple[int, PartnerRanker, tuple | None]] = {}
        self.refit: threading.Thread | None = None

    def current(self, *, session: Session, chain: Chain) -> PartnerRanker | None:
        """The ranker of the stored data as they are now, if at hand: nothing to load, index or fit first."""
        held = self._fitted.get((str(session.get_bind().url), chain.code))
        return held[1] if held is not None and held[0] == _state(session) else None

    def get(self, *, session: Session, chain: Chain) -> PartnerRanker:
        where, state = (str(session.get_bind().url), chain.code), _state(session)
        with self._lock:
            held = self._fitted.get(where)
            if held is not None and held[0] == state:
                return held[1]
        market, contracts = _load(session=session, chain=chain)
        if held is None:  # nothing to answer with yet: fit now (or load what another process fitted)
            ranker = fitted_ranker(market, contracts)
            with self._lock:
                self._fitted = {where: (state, ranker, None)}
            return ranker
        old = held[1]
        reindexed = PartnerRanker(config=old.config, models=old.models, directions=old.directions)
        reindexed.fit(market, contracts)
        with self._lock:
            self._fitted = {where: (state, reindexed, (market, contracts))}
            if not self._refitting():
                # not a daemon: the interpreter waits for the fit at exit, instead of killing LightGBM's
                # threads mid-fit ("terminate called without an active exception", an abort)
                self.refit = threading.Thread(
                    target=self._fit, args=(where, state, market, contracts), name="ranker-refit"
                )
                self.refit.start()
        return reindexed

    def _refitting(self) -> bool:
        return self.refit is not None and self.refit.is_alive()

    def _fit(self, where: tuple, state: int, market: Market, contracts: list[Contract]) -> None:
        while True:
            ranker = fitted_ranker(market, contracts)
            with self._lock:
                current = self._fitted.get(where)
                if current is None or current[0] == state or current[2] is None:
                    self._fitted = {where: (state, ranker, None)}
                    return
                state, (market, contracts) = current[0], current[2]  # changed meanwhile: fit the newer data too


def _load(*, session: Session, chain: Chain) -> tuple[Market, list[Contract]]:
    market = Market([firm(r) for r in members_from_db(session=session, chain_code=chain.code)], chain_data(chain))
    return market, contracts_from_db(session)


RANKERS = RankerCache()


def ranker_for(*, session: Session, chain: Chain) -> PartnerRanker:
    """The ranker fitted on the stored contracts; after a change, the previous one until the refit is done."""
    return RANKERS.get(session=session, chain=chain)


def ranker_at_hand(*, session: Session, chain: Chain) -> bool:
    """Whether ``ranker_for`` answers at once (after start-up and a change it first loads, indexes or fits)."""
    return RANKERS.current(session=session, chain=chain) is not None


class MatchRequestError(Refusal):
    """A query that cannot be answered; the message says which field is wrong."""


def build_query(
    *,
    chain: Chain,
    direction: Direction,
    uscc: str | None = None,
    need: str = "",
    segments: Sequence[str] = (),
    **filters,
) -> tuple[Query, list[SegmentMatch]]:
    """A Query from a request; a need without segments is classified into the segments it asks for."""
    for name in ("budget_yuan", "min_revenue_yuan"):
        if not 0 <= (filters.get(name) or 0) <= m.BIGINT_MAX:
            raise MatchRequestError(f"应为 0 到 {m.BIGINT_MAX} 之间的整数（元）", name)
    unknown = [code for code in segments if code not in chain.segments]
    if unknown:
        raise MatchRequestError(f"未知的产业链环节代码 {'、'.join(unknown)}", "segment")
    if filters.get("max_km") is not None and not uscc and None in (filters.get("lon"), filters.get("lat")):
        raise MatchRequestError("按距离筛选需要企业统一社会信用代码（uscc）或需求所在位置（lon、lat）", "max_km")
    if not (uscc or need.strip() or segments):
        raise MatchRequestError("请提供企业统一社会信用代码（uscc）、需求描述（need）或环节代码（segment）之一")
    inferred = [] if segments or not need.strip() else classifier_for(chain.code).classify(Description(products=need))
    wanted = tuple(segments) or tuple(match.code for match in inferred)
    query = Query(direction=direction, firm=normalize(uscc) if uscc else None, text=need, segments=wanted, **filters)
    return query, inferred


def off_chain(*, chain: Chain, need: str) -> dict:
    """Why a need in words gets no shortlist of its own: the classifier puts it outside the chain."""
    inside, _ = classifier_for(chain.code).node_probabilities([Description(products=need)])
    probability = float(inside[0])
    message = (
        f"需求“{need}”不在{chain.name}的环节之内（属于本链的概率约 {probability:.0%}），"
        "因此不推荐与之无关的企业。可在“环节”中直接选择所需环节，或换一种说法描述产品。"
    )
    return {"need": need, "inside_probability": round(probability, 3), "message": message}


def _shallow_dict(item: Recommendation | Partner) -> dict:
    """Its fields, values shared (asdict's deep copy of ten recommendations took about 1 ms)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def shortlist_json(shortlist: Shortlist, inferred: list[SegmentMatch], market: Market) -> dict:
    asker = market.firms[market.index[shortlist.query.firm]] if shortlist.query.firm else None
    return {
        "direction": shortlist.query.direction,
        "asker": {"uscc": asker.id, "name": asker.name, "segments": [market.chain.names[s] for s in asker.segments]}
        if asker
        else None,
        "candidates": shortlist.candidates,
        "inferred_segments": [asdict(match) for match in inferred],
        "recommendations": [_shallow_dict(r) for r in shortlist.recommendations],
        "partners": [_shallow_dict(p) for p in shortlist.partners],
    }


def find_partners(*, session: Session, chain: Chain, **request) -> dict:
    """The shortlist for a request, as JSON-ready data; raises MatchRequestError or LookupError.

    A need the classifier puts outside the chain, with no segment and no asking enterprise, gets no list
    (``off_chain`` says why) rather than the chain's most popular enterprises."""
    query, inferred = build_query(chain=chain, **request)
    outside = off_chain(chain=chain, need=query.text) if query.text.strip() and not query.segments else None
    if outside is not None and query.firm is None:
        empty = {"asker": None, "candidates": 0, "inferred_segments": [], "recommendations": [], "partners": []}
        return {"direction": query.direction, **empty, "off_chain": outside}
    ranker = ranker_for(session=session, chain=chain)
    if query.firm is not None and query.firm not in ranker.market.index:
        raise LookupError(f"未找到统一社会信用代码为“{query.firm}”的企业")
    return {**shortlist_json(ranker.rank(query), inferred, ranker.market), "off_chain": outside}
