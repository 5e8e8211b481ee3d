"""After a data change the previous models answer at once on the new data (new firms and contracts are
found), and the ranker is refitted in the background, one refit at a time."""

import threading
from datetime import date

from sqlmodel import Session, select

from service import matching
from service import models as m
from service.db import make_engine
from service.matching import RankerCache
from service.settings import Settings


def _add_contract(session: Session, buyer: m.Enterprise, seller: m.Enterprise) -> None:
    session.add(
        m.Contract(
            buyer_id=buyer.id,
            seller_id=seller.id,
            year=2026,
            contracted_yuan=1_000_000,
            performed_yuan=1_000_000,
            signed_on=date(2026, 6, 1),
        )
    )
    session.commit()


def _pairs(ranker) -> set[tuple[str, str]]:
    buyers, sellers = ranker.graph.bought.nonzero()
    return {(ranker.market.ids[b], ranker.market.ids[s]) for b, s in zip(buyers, sellers, strict=True)}


def test_a_change_is_answered_at_once_by_the_old_models_and_refitted_in_the_background(
    demo_database, chain, monkeypatch
):
    # the refit thread waits for ``release`` before it fits (or loads a saved fit, which can take
    # milliseconds), so that the second change surely comes while it runs
    release, fit = threading.Event(), matching.fitted_ranker

    def held_fit(market, contracts):
        if threading.current_thread().name == "ranker-refit":
            release.wait(timeout=240)
        return fit(market, contracts)

    monkeypatch.setattr(matching, "fitted_ranker", held_fit)
    cache = RankerCache()
    with Session(make_engine(Settings(database_url=demo_database()))) as session:
        assert cache.current(session=session, chain=chain) is None  # nothing fitted yet
        first = cache.get(session=session, chain=chain)
        assert cache.current(session=session, chain=chain) is first and cache.refit is None
        assert cache.get(session=session, chain=chain) is first
        buyer, seller, other = session.exec(select(m.Enterprise).limit(3)).all()

        _add_contract(session, buyer, seller)
        assert cache.current(session=session, chain=chain) is None  # the change is still to be indexed
        answer = cache.get(session=session, chain=chain)  # at once: the old models on the new data
        assert answer.models == first.models and (buyer.uscc, seller.uscc) in _pairs(answer)
        refit = cache.refit
        assert refit is not None
        _add_contract(session, buyer, other)  # a second change while the first refit runs
        again = cache.get(session=session, chain=chain)
        assert (buyer.uscc, other.uscc) in _pairs(again)
        assert refit.is_alive() and cache.refit is refit  # never two refits at once
        release.set()
        refit.join(timeout=240)  # the one refit thread fits the second change too before it ends

        latest = cache.get(session=session, chain=chain)
        assert latest.models != first.models and (buyer.uscc, other.uscc) in _pairs(latest)
        assert cache.get(session=session, chain=chain) is latest and not cache.refit.is_alive()
