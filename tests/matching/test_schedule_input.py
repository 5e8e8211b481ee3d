"""Inconsistent, empty and infeasible events; re-scheduling after late changes keeps confirmed meetings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching.scheduling.check import value, violations
from matching.scheduling.model import (
    Event,
    Host,
    Meeting,
    Request,
    ScheduleInputError,
    Visitor,
    Window,
    make_slots,
    minute_of,
)
from matching.scheduling.problem import open_slots
from matching.scheduling.solve import schedule_event
from matching.scheduling.synthetic import synthetic_event

SLOTS = make_slots("09:00", 20, 4, breaks={1: 10})
HOSTS = (Host("区教育局", ("A1",)), Host("链主甲", ("B1", "B2"), available=(Window(540, 580),)))
VISITORS = (Visitor("企业一"), Visitor("企业二"), Visitor("企业三", available=(Window(590, 640),)))
REQUESTS = (Request("区教育局", "企业一", 3), Request("链主甲", "企业二"), Request("区教育局", "企业三", 2))
EVENT = Event(SLOTS, HOSTS, VISITORS, REQUESTS)


def test_slots_follow_lengths_and_breaks():
    assert [s.label for s in SLOTS] == ["09:00-09:20", "09:20-09:40", "09:50-10:10", "10:10-10:30"]
    with pytest.raises(ScheduleInputError) as error:
        minute_of("9点")
    assert error.value.field == "time" and "HH:MM" in error.value.message


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"slots": ()}, "slots", "没有任何时段"),
        ({"hosts": ()}, "hosts", "没有任何主持方"),
        ({"visitors": ()}, "visitors", "没有任何来访方"),
        ({"requests": (Request("无名", "企业一"),)}, "requests[0].host", "未登记"),
        ({"requests": (*REQUESTS, Request("区教育局", "外来者"))}, "requests[3].visitor", "“外来者”未登记"),
        ({"requests": (Request("链主甲", "企业三"),)}, "requests[0]", "没有共同的可参会时段"),
        ({"requests": (*REQUESTS, REQUESTS[0])}, "requests[3]", "重复"),
        ({"requests": (Request("区教育局", "企业一", 0),)}, "requests[0].weight", "正整数"),
        ({"hosts": (*HOSTS, Host("链主乙", ("A1",)))}, "hosts[2].tables", "桌号“A1”已分配给“区教育局”"),
        ({"hosts": (*HOSTS, Host("链主乙", ()))}, "hosts[2].tables", "没有桌位"),
        ({"visitors": (*VISITORS, Visitor("区教育局"))}, "visitors[3].id", "重复登记"),
        ({"visitors": (Visitor("企业一", available=(Window(600, 590),)),)}, "visitors[0].available[0]", "结束时间"),
        ({"visitors": (Visitor("企业一", available=(Window(0, 60),)),)}, "visitors[0].available", "不覆盖任何时段"),
        ({"slots": (SLOTS[1], SLOTS[0])}, "slots[1].start", "重叠或顺序颠倒"),
        ({"max_meetings_per_visitor": 0}, "max_meetings_per_visitor", "至少为 1"),
        ({"confirmed": (Meeting("区教育局", "企业一", 9, "A1"),)}, "confirmed[0].slot", "不存在"),
        ({"confirmed": (Meeting("区教育局", "企业一", 0, "B1"),)}, "confirmed[0].table", "不属于"),
    ],
)
def test_inconsistent_input_names_the_field_in_chinese(change, field, words):
    with pytest.raises(ScheduleInputError) as error:
        schedule_event(replace(EVENT, **change))
    assert error.value.field == field
    assert words in error.value.message
    assert str(error.value).startswith(field)


def test_an_event_without_requests_has_an_empty_proven_schedule():
    schedule = schedule_event(replace(EVENT, requests=()))
    assert schedule.meetings == () and schedule.unscheduled == ()
    assert schedule.report.value == schedule.report.bound == 0 and schedule.report.proven_optimal


def test_small_event_meets_everyone_within_availability():
    schedule = schedule_event(EVENT)
    assert violations(EVENT, schedule.meetings) == []
    assert schedule.report.value == 6 and schedule.unscheduled == ()
    slot_of = {(m.host, m.visitor): m.slot for m in schedule.meetings}
    assert slot_of["链主甲", "企业二"] in {0, 1} and slot_of["区教育局", "企业三"] in {2, 3}


def test_fixed_confirmed_meetings_that_clash_are_refused():
    clash = (Meeting("区教育局", "企业一", 0, "A1"), Meeting("链主甲", "企业一", 0, "B1"))
    event = replace(EVENT, requests=(*REQUESTS, Request("链主甲", "企业一")), confirmed=clash)
    with pytest.raises(ScheduleInputError) as error:
        schedule_event(event, fix_confirmed=True)
    assert error.value.field == "confirmed" and "企业一（时段 1）：来访方同一时段有多场会面" in error.value.message
    withdrawn = replace(EVENT, confirmed=(Meeting("链主甲", "企业一", 0, "B1"),))
    with pytest.raises(ScheduleInputError, match="没有对应的会面请求"):
        schedule_event(withdrawn, fix_confirmed=True)
    # Without fixing, the clash is resolved: one of the two moves, the value stays optimal.
    schedule = schedule_event(event)
    assert violations(event, schedule.meetings) == []
    assert schedule.report.kept_confirmed == 1 and schedule.report.moved_confirmed == 1


@pytest.fixture(scope="module")
def announced():
    """A synthetic event scheduled once; its meetings are then confirmed and announced."""
    event = synthetic_event(12, 60, 150, slots=8, seed=3)
    return event, schedule_event(event, gap_time_limit=2.0)


MORNING = Window(0, 10 * 60 + 40)  # the first five slots


def leaving_visitor(event: Event, confirmed: tuple[Meeting, ...]) -> str:
    """A visitor with a confirmed meeting who came for the whole day and asked only hosts there in the morning."""
    hosts = {h.id: h for h in event.hosts}
    all_day = {v.id for v in event.visitors if not v.available}
    afternoon = {
        r.visitor for r in event.requests if not open_slots(hosts[r.host].available, event.slots) & set(range(5))
    }
    return next(m.visitor for m in confirmed if m.visitor in all_day - afternoon)


def late_changes(event: Event, confirmed: tuple[Meeting, ...]) -> Event:
    """A visitor leaves after the morning, another request is withdrawn, two new requests arrive."""
    leaving = leaving_visitor(event, confirmed)
    visitors = tuple(replace(v, available=(MORNING,)) if v.id == leaving else v for v in event.visitors)
    withdrawn = next((m.host, m.visitor) for m in confirmed if m.visitor != leaving)
    requests = [r for r in event.requests if (r.host, r.visitor) != withdrawn]
    wanted = {(r.host, r.visitor) for r in event.requests}
    new = [
        (h.id, v.id)
        for h in event.hosts
        for v in visitors
        if (h.id, v.id) not in wanted and open_slots(h.available, event.slots) & open_slots(v.available, event.slots)
    ]
    requests += [Request(h, v, 3) for h, v in new[:2]]
    return replace(event, visitors=visitors, requests=tuple(requests), confirmed=confirmed)


def test_rescheduling_keeps_confirmed_meetings_without_losing_value(announced):
    event, first = announced
    changed = late_changes(event, first.meetings)
    again = schedule_event(changed, gap_time_limit=2.0)
    fresh = schedule_event(replace(changed, confirmed=()), minimise_idle=False)
    assert violations(changed, again.meetings) == []
    assert again.report.value == fresh.report.value and again.report.proven_optimal
    report = again.report
    assert report.kept_confirmed + report.moved_confirmed + report.dropped_confirmed == len(first.meetings)
    assert report.dropped_confirmed >= 1  # the withdrawn request
    assert report.kept_confirmed >= len(first.meetings) - 10
    kept = set(again.meetings) & set(first.meetings)
    assert len(kept) == report.kept_confirmed


def test_fixed_rescheduling_keeps_every_confirmed_meeting(announced):
    event, first = announced
    changed = late_changes(event, first.meetings)
    leaving = leaving_visitor(event, first.meetings)
    wanted = {(r.host, r.visitor) for r in changed.requests}
    still = tuple(
        m for m in first.meetings if (m.host, m.visitor) in wanted and not (m.visitor == leaving and m.slot > 4)
    )
    again = schedule_event(replace(changed, confirmed=still), fix_confirmed=True, gap_time_limit=2.0)
    assert set(still) <= set(again.meetings)
    assert violations(changed, again.meetings) == []
    assert again.report.kept_confirmed == len(still)
    assert value(changed, again.meetings) == again.report.value


def test_checker_names_every_broken_rule():
    capped = replace(EVENT, max_meetings_per_visitor=1, requests=(*REQUESTS, Request("链主甲", "企业一")))
    broken = [
        Meeting("链主甲", "企业三", 0, "B1"),  # never requested
        Meeting("区教育局", "企业一", 7, "A1"),  # no such slot
        Meeting("区教育局", "企业三", 0, "B2"),  # another host's table, before 企业三 arrives
        Meeting("链主甲", "企业二", 3, "B1"),  # after 链主甲 has left
        Meeting("链主甲", "企业一", 0, "B1"),
        Meeting("区教育局", "企业一", 0, "A1"),  # 企业一 twice in slot 1; both visitors over their cap of one
        Meeting("链主甲", "企业一", 1, "B2"),  # the same request again
    ]
    problems = violations(capped, broken)
    expected = [
        "链主甲—企业三（时段 1，桌 B1）：没有对应的会面请求",
        "区教育局—企业一（时段 8，桌 A1）：时段不存在",
        "区教育局—企业三（时段 1，桌 B2）：桌号不属于该主持方",
        "区教育局—企业三（时段 1，桌 B2）：不在“企业三”的可参会时间内",
        "链主甲—企业二（时段 4，桌 B1）：不在“链主甲”的可参会时间内",
        "区教育局—企业一：同一请求安排了多次",
        "链主甲—企业一：同一请求安排了多次",
        "企业三（时段 1）：来访方同一时段有多场会面",
        "企业一（时段 1）：来访方同一时段有多场会面",
        "桌 B1（时段 1）：同一桌同一时段有多场会面",
        "企业三：会面 2 场，超过上限 1 场",
        "企业一：会面 4 场，超过上限 1 场",
    ]
    assert problems == expected
    assert violations(capped, broken[4:5]) == []
