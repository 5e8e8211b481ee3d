"""Matchmaking conferences on the database: priorities, scheduling (optimal, re-scheduling, bad input),
outcomes to contracts, the demo events."""

import itertools
from datetime import date

import pytest
from sqlmodel import select

from matching.market import Contract
from matching.scheduling.check import violations
from matching.scheduling.model import Meeting, clock
from service import demo_events, event_proposals, event_schedule, events, repository
from service import models as m
from service.matching import contracts_from_db

HELD_ON = date(2026, 5, 20)


@pytest.fixture
def firms(session, small_demo):
    repository.replace_demo(session=session, district=small_demo, chain_code="smart_terminal")
    return list(session.exec(select(m.Enterprise).order_by(m.Enterprise.id).limit(12)))


def _event(session, n_slots=2, **options):
    return events.create_event(session=session, name="测试对接会", held_on=HELD_ON, n_slots=n_slots, **options)


def _people(session, event, firms, n_hosts, n_visitors):
    hosts = [events.register(session=session, event=event, role="host", enterprise=f) for f in firms[:n_hosts]]
    visitors = [
        events.register(session=session, event=event, role="visitor", enterprise=f)
        for f in firms[n_hosts : n_hosts + n_visitors]
    ]
    return hosts, visitors


def _ask(session, event, host, visitor, side="visitor", priority=2, **kwargs):
    return events.add_request(
        session=session, event=event, host=host, visitor=visitor, side=side, priority=priority, **kwargs
    )


def test_priority_one_is_the_heaviest_and_both_sides_wishes_add_up(session, firms):
    assert events.PRIORITY_WEIGHT == {1: 3, 2: 2, 3: 1}
    event = _event(session)
    (h1, h2), (v1, v2, v3) = _people(session, event, firms, 2, 3)
    _ask(session, event, h1, v1, side="host", priority=1)
    _ask(session, event, h1, v1, side="visitor", priority=3)
    _ask(session, event, h2, v2, side="visitor", priority=1)
    _ask(session, event, h2, v3, side="host", priority=3)
    _ask(session, event, h1, v3, side="matcher", priority=1, status=events.PROPOSED)  # not yet accepted
    weights = {(r.host, r.visitor): r.weight for r in events.scheduler_event(session=session, event=event).requests}
    ids = events.scheduler_id
    assert weights == {(ids(h1.id), ids(v1.id)): 4, (ids(h2.id), ids(v2.id)): 3, (ids(h2.id), ids(v3.id)): 1}
    assert event_proposals.accept_proposals(session=session, event=event) == 1
    weights = {(r.host, r.visitor): r.weight for r in events.scheduler_event(session=session, event=event).requests}
    assert weights[ids(h1.id), ids(v3.id)] == 3


def _brute_force(plain) -> int:
    """The best priority-weighted value over every way to give each request a slot or none."""
    tables = {h.id: len(h.tables) for h in plain.hosts}
    best = 0
    for choice in itertools.product([None, *range(len(plain.slots))], repeat=len(plain.requests)):
        placed = [(r, s) for r, s in zip(plain.requests, choice, strict=True) if s is not None]
        host_load = {(r.host, s): sum(1 for q, t in placed if q.host == r.host and t == s) for r, s in placed}
        visitor_clash = len({(r.visitor, s) for r, s in placed}) < len(placed)
        if not visitor_clash and all(n <= tables[h] for (h, _), n in host_load.items()):
            best = max(best, sum(r.weight for r, _ in placed))
    return best


def test_the_schedule_from_the_database_is_optimal_against_brute_force(session, firms):
    event = _event(session, n_slots=2)
    (h1, h2), visitors = _people(session, event, firms, 2, 4)
    h2.tables = ["2", "2-B"]  # a host with two tables
    wishes = [(h1, 0, 1), (h1, 1, 2), (h1, 2, 1), (h1, 3, 3), (h2, 0, 2), (h2, 1, 1), (h2, 2, 3), (h2, 3, 2)]
    for host, v, priority in wishes:
        _ask(session, event, host, visitors[v], priority=priority)
    report = event_schedule.schedule(session=session, event=event)
    plain = events.scheduler_event(session=session, event=event)
    assert report["proven_optimal"] and report["value"] == report["bound"] == _brute_force(plain)
    rows = events.meetings(session=session, event=event)
    assert violations(plain, _planned(rows)) == [] and len(rows) == report["meetings"]
    assert 0 < report["greedy_share"] <= 1 and event.status == events.SCHEDULED


def _planned(rows):
    return [
        Meeting(events.scheduler_id(r.host_id), events.scheduler_id(r.visitor_id), r.slot, r.table_no) for r in rows
    ]


def test_re_scheduling_after_late_changes_keeps_the_confirmed_meetings(session, firms):
    event = _event(session, n_slots=4)
    hosts, visitors = _people(session, event, firms, 3, 6)
    for i, visitor in enumerate(visitors):
        for host in hosts[i % 2 : i % 2 + 2]:
            _ask(session, event, host, visitor, priority=1 + i % 3)
    event_schedule.schedule(session=session, event=event)
    assert event_schedule.confirm(session=session, event=event) > 0
    before = {(r.host_id, r.visitor_id): (r.slot, r.table_no) for r in events.meetings(session=session, event=event)}
    late = events.register(session=session, event=event, role="visitor", enterprise=firms[9])  # a late visitor
    for host in hosts:
        _ask(session, event, host, late, priority=1)
    report = event_schedule.schedule(session=session, event=event)
    after = {
        (r.host_id, r.visitor_id): (r.slot, r.table_no, r.status) for r in events.meetings(session=session, event=event)
    }
    assert report["kept_confirmed"] == len(before) and report["moved_confirmed"] == report["dropped_confirmed"] == 0
    assert all(after[pair] == (*place, events.CONFIRMED) for pair, place in before.items())
    assert {status for pair, (_, _, status) in after.items() if pair not in before} == {events.SCHEDULED}
    assert event.status == events.SCHEDULED
    event_schedule.confirm(session=session, event=event)
    (leaving_pair, (slot, _)), *staying = sorted(before.items())
    leaving = session.get(m.EventParticipant, leaving_pair[1])
    leaving.available = [[clock(s.start), clock(s.end)] for i, s in enumerate(events.slots(event)) if i != slot]
    report = event_schedule.schedule(session=session, event=event)  # that confirmed meeting cannot stay
    after = {(r.host_id, r.visitor_id): (r.slot, r.table_no) for r in events.meetings(session=session, event=event)}
    assert report["moved_confirmed"] + report["dropped_confirmed"] >= 1 and after.get(leaving_pair) != (slot, _)
    assert report["kept_confirmed"] >= len(staying) - 1


def test_empty_and_infeasible_events_are_refused_in_chinese(session, firms):
    event = _event(session, n_slots=3)
    with pytest.raises(events.EventError, match="还没有有效的会面请求"):
        event_schedule.schedule(session=session, event=event)
    (host,), (visitor,) = _people(session, event, firms, 1, 1)
    host.available = [["09:00", "09:20"]]
    visitor.available = [["09:40", "10:00"]]
    _ask(session, event, host, visitor)
    with pytest.raises(events.EventError, match="没有共同的可参会时段") as refused:
        event_schedule.schedule(session=session, event=event)
    assert firms[0].name in str(refused.value) and "#" not in str(refused.value)
    assert events.meetings(session=session, event=event) == []
    for bad, field, message in [  # led by the field's label as the form names it, never its code name
        ({"first_slot_at": "25:00"}, "first_slot_at", "首个时段开始：时间“25:00”不是 HH:MM 格式"),
        ({"n_slots": 0}, "n_slots", "时段数：应为 1 到 60 个"),
        ({"breaks": {3: 30}}, "breaks", "休息：第 3 个时段后"),
        ({"slot_minutes": 240, "n_slots": 20}, "n_slots", "时段数：时段超出当天 24:00"),
        ({"venue": "会场\x0b"}, "venue", "会场：不能包含控制字符"),
    ]:
        with pytest.raises(events.EventError, match=f"^{message}") as refused:
            _event(session, **{"n_slots": 3, **bad})
        assert refused.value.field == field
    with pytest.raises(events.EventError, match="已报名"):
        events.register(session=session, event=event, role="visitor", enterprise=firms[1])
    with pytest.raises(events.EventError, match="不晚于开始时间"):
        events.parse_windows("12:00-09:00")


def test_a_signed_contract_becomes_a_contract_row_with_its_reward_estimate(session, firms):
    event = _event(session, n_slots=2)
    (host,), (visitor,) = _people(session, event, firms, 1, 1)
    _ask(session, event, host, visitor)
    event_schedule.schedule(session=session, event=event)
    (meeting,) = events.meetings(session=session, event=event)
    with pytest.raises(events.EventError, match="尚未发布"):
        event_schedule.record_outcome(session=session, event=event, meeting=meeting, kind="follow_up")
    event_schedule.confirm(session=session, event=event)
    with pytest.raises(events.EventError, match="合同金额"):
        event_schedule.record_outcome(session=session, event=event, meeting=meeting, kind="contract")
    contract = event_schedule.record_outcome(
        session=session, event=event, meeting=meeting, kind="contract", amount_yuan=4_000_000
    )
    row = session.get(m.Contract, meeting.contract_id)
    assert (row.buyer_id, row.seller_id, row.contracted_yuan, row.year) == (firms[0].id, firms[1].id, 4_000_000, 2026)
    assert contract.first_year_reward_yuan == 400_000 and "40 万元" in event_schedule.contract_note(contract)
    assert Contract(firms[1].uscc, firms[0].uscc, HELD_ON) in contracts_from_db(session)  # the matcher's history
    small = event_schedule.record_outcome(
        session=session, event=event, meeting=meeting, kind="contract", amount_yuan=1_000_000, host_buys=False
    )
    assert small.gap_to_threshold_yuan == 2_000_000 and "还差 200 万元" in event_schedule.contract_note(small)
    assert session.get(m.Contract, row.id) is None  # the earlier outcome's contract is replaced
    assert session.get(m.Contract, meeting.contract_id).buyer_id == firms[1].id
    event_schedule.record_outcome(session=session, event=event, meeting=meeting, kind="follow_up")
    assert meeting.contract_id is None and meeting.amount_yuan is None
    with pytest.raises(events.EventError, match="重新排程"):
        event_schedule.schedule(session=session, event=event)


def test_the_demo_events_are_a_past_one_with_outcomes_and_an_upcoming_one_with_requests(session, firms):
    summary = demo_events.replace_demo_events(session=session, today=date(2026, 11, 30))
    demo_events.replace_demo_events(session=session, today=date(2026, 11, 30))  # replaced, not added
    past, upcoming = sorted(events.list_events(session=session), key=lambda e: e.held_on)
    assert "示例" in past.name and past.is_demo and past.held_on < date(2026, 11, 30) < upcoming.held_on
    assert past.report["proven_optimal"] and "份签约合同" in summary
    assert all(mt.outcome for mt in events.meetings(session=session, event=past))
    assert upcoming.status == events.OPEN and events.requests(session=session, event=upcoming)
    report = event_schedule.schedule(session=session, event=upcoming, time_limit=20, gap_time_limit=1)
    assert report["proven_optimal"] and report["meetings"] > 0


def test_reloading_the_demo_district_takes_the_demo_events_with_it(session, firms, small_demo):
    demo_events.replace_demo_events(session=session, today=date(2026, 11, 30))
    repository.replace_demo(session=session, district=small_demo, chain_code="smart_terminal")  # cascades
    assert session.exec(select(m.Meeting)).all() == []
    assert [p.department for p in session.exec(select(m.EventParticipant))] == [demo_events.DEPARTMENT]
    demo_events.replace_demo_events(session=session, today=date(2026, 11, 30))
    assert len(events.list_events(session=session)) == 2


def test_a_withdrawn_request_drops_its_confirmed_meeting_and_keeps_the_others(session, firms):
    event = _event(session, n_slots=3)
    hosts, visitors = _people(session, event, firms, 2, 3)
    asked = [_ask(session, event, host, visitor) for host in hosts for visitor in visitors]
    event_schedule.schedule(session=session, event=event)
    event_schedule.confirm(session=session, event=event)
    before = {(r.host_id, r.visitor_id): (r.slot, r.table_no) for r in events.meetings(session=session, event=event)}
    gone = asked[0]
    events.withdraw_request(session=session, event=event, request_id=gone.id)
    report = event_schedule.schedule(session=session, event=event)
    after = {(r.host_id, r.visitor_id): (r.slot, r.table_no) for r in events.meetings(session=session, event=event)}
    assert (gone.host_id, gone.visitor_id) not in after and report["dropped_confirmed"] == 1
    assert report["kept_confirmed"] == len(before) - 1 and all(after[p] == before[p] for p in after)
    with pytest.raises(events.EventError, match="没有编号为"):
        events.withdraw_request(session=session, event=event, request_id=gone.id)
