"""The challenge service on both databases (SQLite and the real PostgreSQL), inside a rolled-back transaction:
publish, move, respond, award, sign; the contract row and the history are what the lifecycle says."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from matching.challenges import IllegalTransition, Status
from service import challenges
from service import models as m
from service.auth.permissions import Principal, Role

ADMIN = Principal(Role.ADMIN, username="区经委甲")


def _firm(session, uscc: str, name: str) -> m.Enterprise:
    firm = m.Enterprise(uscc=uscc, name=name)
    session.add(firm)
    session.flush()
    return firm


def test_publish_to_contract_on_each_database(session, chain):
    buyer, seller = _firm(session, "91310117TEST00001A", "买方"), _firm(session, "91310117TEST00002B", "卖方")
    need = challenges.ChallengeIn(
        kind="procurement",
        title="激光雷达采购",
        publisher_uscc=buyer.uscc,
        segments=["ST.SENS.LIDAR"],
        budget_max_yuan="400万",
    )
    challenge = challenges.create(session=session, who=ADMIN, data=need, chain=chain)
    for target in (Status.UNDER_REVIEW, Status.PUBLISHED):
        challenges.move(session=session, who=ADMIN, challenge=challenge, target=target)
    offer = challenges.ResponseIn(proposal="固态激光雷达", quoted_yuan="380万", responder_uscc=seller.uscc)
    answer, new = challenges.respond(session=session, who=ADMIN, challenge=challenge, data=offer, on=date(2026, 1, 1))
    assert new and answer.quoted_yuan == 3_800_000
    challenges.move(session=session, who=ADMIN, challenge=challenge, target=Status.CLOSED)
    with pytest.raises(IllegalTransition, match="须指明中榜"):
        challenges.move(session=session, who=ADMIN, challenge=challenge, target=Status.AWARDED)
    challenges.move(session=session, who=ADMIN, challenge=challenge, target=Status.AWARDED, award_response_id=answer.id)
    contract = challenges.sign(
        session=session, who=ADMIN, challenge=challenge, contracted_yuan=3_800_000, signed_on=date(2026, 2, 1)
    )
    session.flush()
    assert (contract.buyer_id, contract.seller_id, contract.year, contract.performed_yuan) == (
        buyer.id,
        seller.id,
        2026,
        0,
    )
    moves = [(h.source, h.target) for h in challenges.history(session=session, challenge=challenge)]
    assert moves == [
        (None, "draft"),
        ("draft", "under_review"),
        ("under_review", "published"),
        ("published", "closed"),
        ("closed", "awarded"),
        ("awarded", "contracted"),
    ]
    actors = select(m.ChallengeTransition.actor).where(m.ChallengeTransition.challenge_id == challenge.id)
    assert set(session.exec(actors)) == {"区经委甲"}


def test_the_database_keeps_one_response_per_firm(session, chain):
    buyer, seller = _firm(session, "91310117TEST00003C", "买方"), _firm(session, "91310117TEST00004D", "卖方")
    need = challenges.ChallengeIn(kind="technical", title="难题", publisher_uscc=buyer.uscc)
    challenge = challenges.create(session=session, who=ADMIN, data=need, chain=chain)
    session.add(m.ChallengeResponse(challenge_id=challenge.id, responder_id=seller.id, proposal="一"))
    session.flush()
    session.add(m.ChallengeResponse(challenge_id=challenge.id, responder_id=seller.id, proposal="二"))
    with pytest.raises(IntegrityError):
        session.flush()
