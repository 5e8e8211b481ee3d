"""After a data change the ranker is refitted in the background, one refit at a time, and the
previous ranker answers meanwhile."""

from datetime import date

from sqlmodel import Session, select

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


def test_a_change_is_refitted_in_the_background_while_the_old_ranker_answers(demo_database, chain):
    cache = RankerCache()
    with Session(make_engine(Settings(database_url=demo_database()))) as session:
        first = cache.get(session=session, chain=chain)
        assert cache.refit is None and cache.get(session=session, chain=chain) is first
        buyer, seller, other = session.exec(select(m.Enterprise).limit(3)).all()

        _add_contract(session, buyer, seller)
        assert cache.get(session=session, chain=chain) is first  # answered at once by the old ranker
        refit = cache.refit
        assert refit is not None
        _add_contract(session, buyer, other)  # a second change while the first refit runs
        running = refit.is_alive()
        answer = cache.get(session=session, chain=chain)
        assert not running or (answer is first and cache.refit is refit)  # never two refits at once
        refit.join(timeout=120)

        second = cache.get(session=session, chain=chain)
        assert second is not first and (buyer.uscc, seller.uscc) in {
            (second.market.ids[b], second.market.ids[s]) for b, s in second.graph.first
        }
        cache.refit.join(timeout=120)  # the second change is picked up by the next refit
        third = cache.get(session=session, chain=chain)
        assert (buyer.uscc, other.uscc) in {(third.market.ids[b], third.market.ids[s]) for b, s in third.graph.first}
        assert cache.get(session=session, chain=chain) is third and not cache.refit.is_alive()
