"""The 揭榜挂帅 lifecycle: every pair of states for every party, the response window, the capacity note."""

from datetime import date
from itertools import product

import pytest

from matching.challenges import (
    MOVES,
    TRANSITIONS,
    IllegalTransition,
    Party,
    Status,
    capacity_reason,
    check_move,
    check_response_window,
    moves_from,
)

PUBLISHER, ORGANISER = frozenset({Party.PUBLISHER}), frozenset({Party.ORGANISER})
# The lifecycle as the issue states it: 发榜 → 揭榜 → 评审 → 签约 → 验收, written out pair by pair.
LEGAL = {
    (Status.DRAFT, Status.UNDER_REVIEW): {Party.PUBLISHER, Party.ORGANISER},
    (Status.UNDER_REVIEW, Status.DRAFT): {Party.ORGANISER},
    (Status.UNDER_REVIEW, Status.PUBLISHED): {Party.ORGANISER},
    (Status.PUBLISHED, Status.CLOSED): {Party.PUBLISHER, Party.ORGANISER},
    (Status.CLOSED, Status.AWARDED): {Party.PUBLISHER, Party.ORGANISER},
    (Status.AWARDED, Status.CONTRACTED): {Party.PUBLISHER, Party.ORGANISER},
    (Status.CONTRACTED, Status.ACCEPTED): {Party.PUBLISHER, Party.ORGANISER},
    (Status.DRAFT, Status.WITHDRAWN): {Party.PUBLISHER, Party.ORGANISER},
    (Status.UNDER_REVIEW, Status.WITHDRAWN): {Party.PUBLISHER, Party.ORGANISER},
    (Status.PUBLISHED, Status.WITHDRAWN): {Party.PUBLISHER, Party.ORGANISER},
    (Status.CLOSED, Status.WITHDRAWN): {Party.ORGANISER},
}


@pytest.mark.parametrize(("source", "target"), list(product(Status, Status)))
def test_every_pair_of_states_for_every_party(source, target):
    for party in Party:
        parties = frozenset({party})
        if party in LEGAL.get((source, target), set()):
            assert check_move(source, target, parties).target is target
        else:
            with pytest.raises(IllegalTransition) as refused:
                check_move(source, target, parties)
            assert "“" in str(refused.value) and not str(refused.value).isascii()


def test_the_table_is_the_lifecycle_and_every_state_is_reachable_from_a_draft():
    assert {k: set(t.by) for k, t in MOVES.items()} == LEGAL
    assert len(MOVES) == len(TRANSITIONS)  # no move listed twice
    reached, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        for move in moves_from(frontier.pop(), PUBLISHER | ORGANISER):
            if move.target not in reached:
                reached.add(move.target)
                frontier.append(move.target)
    assert reached == set(Status)


def test_the_refusal_says_what_is_possible_or_who_may():
    with pytest.raises(IllegalTransition, match="可变为：揭榜截止（评审中）、已撤回"):
        check_move(Status.PUBLISHED, Status.ACCEPTED, ORGANISER)
    with pytest.raises(IllegalTransition, match="只能由区经委操作"):
        check_move(Status.UNDER_REVIEW, Status.PUBLISHED, PUBLISHER)
    with pytest.raises(IllegalTransition, match="已是终态"):
        check_move(Status.WITHDRAWN, Status.DRAFT, ORGANISER)


def test_responses_are_open_while_published_until_the_deadline_inclusive():
    deadline = date(2026, 12, 31)
    check_response_window(Status.PUBLISHED, deadline, deadline)
    check_response_window(Status.PUBLISHED, None, date(2030, 1, 1))
    with pytest.raises(IllegalTransition, match="截止日期 2026-12-31 已过"):
        check_response_window(Status.PUBLISHED, deadline, date(2027, 1, 1))
    for status in set(Status) - {Status.PUBLISHED}:
        with pytest.raises(IllegalTransition, match="不接受揭榜"):
            check_response_window(status, deadline, date(2026, 1, 1))


def test_capacity_reason_compares_revenue_with_the_budget():
    assert capacity_reason(None, 1_000_000) is None and capacity_reason(5_000_000, None) is None
    assert "承接能力充足" in capacity_reason(50_000_000, 1_000_000)
    assert "1.5 倍" in capacity_reason(1_500_000, 1_000_000)
    assert "需关注" in capacity_reason(200_000, 1_000_000)
