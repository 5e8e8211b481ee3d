"""The scheduler against exhaustive search on small random events, and its guarantees on larger ones."""

from __future__ import annotations

import itertools
import random

import pytest

from matching.scheduling.check import idle_minutes, value, violations
from matching.scheduling.greedy import assign_tables, greedy
from matching.scheduling.model import Event, Host, Request, Slot, Visitor, Window
from matching.scheduling.problem import build_problem
from matching.scheduling.solve import schedule_event
from matching.scheduling.synthetic import synthetic_event

SLOTS = (Slot(540, 20), Slot(560, 20), Slot(600, 30))  # a 20-minute coffee break before the third


def small_event(seed: int) -> Event:
    """2-3 hosts (1-2 tables), 3-4 visitors, up to 7 requests, some partial availability, sometimes a cap."""
    rng = random.Random(seed)

    def windows() -> tuple[Window, ...]:
        return rng.choice([(), (), (Window(540, 580),), (Window(560, 630),)])

    hosts = [
        Host(f"H{i}", tuple(f"H{i}-{t}" for t in range(rng.choice((1, 1, 2)))), available=windows())
        for i in range(rng.randint(2, 3))
    ]
    visitors = [Visitor(f"V{i}", available=windows()) for i in range(rng.randint(3, 4))]
    pairs = [(h, v) for h in hosts for v in visitors]
    requests = [
        Request(h.id, v.id, rng.randint(1, 3))
        for h, v in rng.sample(pairs, min(len(pairs), rng.randint(4, 7)))
        if open_of(h.available) & open_of(v.available)
    ]
    return Event(
        SLOTS, tuple(hosts), tuple(visitors), tuple(requests), max_meetings_per_visitor=rng.choice((None, None, 2))
    )


def open_of(windows: tuple[Window, ...]) -> set[int]:
    return {
        i for i, s in enumerate(SLOTS) if not windows or any(w.start <= s.start and s.end <= w.end for w in windows)
    }


def brute_force(event: Event) -> tuple[int, int]:
    """The best value over every assignment of requests to slots (or none), and the least idle minutes among
    the assignments of that value; written without the scheduler's code."""
    hosts = {h.id: h for h in event.hosts}
    visitors = {v.id: v for v in event.visitors}
    options = [
        [None, *sorted(open_of(hosts[r.host].available) & open_of(visitors[r.visitor].available))]
        for r in event.requests
    ]
    best = (-1, 0)
    for assignment in itertools.product(*options):
        placed = [(r, s) for r, s in zip(event.requests, assignment, strict=True) if s is not None]
        visitor_slots = [(r.visitor, s) for r, s in placed]
        if len(set(visitor_slots)) < len(visitor_slots):
            continue
        host_slots = [(r.host, s) for r, s in placed]
        if any(host_slots.count(key) > len(hosts[key[0]].tables) for key in host_slots):
            continue
        cap = event.max_meetings_per_visitor
        if cap is not None and any(sum(1 for r, _ in placed if r.visitor == v) > cap for v in visitors):
            continue
        busy: dict[str, set[int]] = {}
        for r, s in placed:
            busy.setdefault(r.host, set()).add(s)
            busy.setdefault(r.visitor, set()).add(s)
        idle = sum(
            SLOTS[s].minutes for slots in busy.values() for s in range(min(slots), max(slots) + 1) if s not in slots
        )
        score = (sum(r.weight for r, _ in placed), -idle)
        best = max(best, score)
    return best[0], -best[1]


@pytest.mark.parametrize("seed", range(12))
def test_stage1_is_optimal_and_stage2_least_idle_on_small_events(seed):
    event = small_event(seed)
    best_value, least_idle = brute_force(event)
    schedule = schedule_event(event)
    report = schedule.report
    assert violations(event, schedule.meetings) == []
    assert value(event, schedule.meetings) == report.value == best_value
    assert report.proven_optimal and report.bound == best_value
    assert report.greedy_value <= report.value
    assert sum(idle_minutes(event, schedule.meetings).values()) == report.idle_after == least_idle
    assert report.idle_after <= report.idle_before
    assert report.gap_status in {"optimal", "skipped"}
    assert len(schedule.meetings) + len(schedule.unscheduled) == len(event.requests)


@pytest.fixture(scope="module")
def medium_event() -> Event:
    """About 4,000 (request, slot) pairs: stage 2 searches neighbourhoods instead of the whole event."""
    event = synthetic_event(40, 200, 400, seed=7)
    return Event(event.slots, event.hosts, event.visitors, event.requests, max_meetings_per_visitor=3)


def test_stage2_keeps_the_value_and_never_adds_idle_time(medium_event):
    without = schedule_event(medium_event, minimise_idle=False)
    with_gaps = schedule_event(medium_event, gap_time_limit=3.0)
    for schedule in (without, with_gaps):
        assert violations(medium_event, schedule.meetings) == []
        assert schedule.report.proven_optimal
    assert with_gaps.report.value == without.report.value == value(medium_event, with_gaps.meetings)
    assert without.report.gap_status == "skipped" and without.report.idle_after == without.report.idle_before
    assert with_gaps.report.idle_after <= with_gaps.report.idle_before
    assert with_gaps.report.idle_after == sum(idle_minutes(medium_event, with_gaps.meetings).values())
    assert with_gaps.report.idle_after < without.report.idle_after  # the search does find shorter days here


def test_greedy_baseline_is_valid_and_not_above_the_optimum(medium_event):
    problem = build_problem(medium_event)
    baseline = assign_tables(problem, greedy(problem))
    assert violations(medium_event, baseline) == []
    schedule = schedule_event(medium_event, minimise_idle=False)
    assert value(medium_event, baseline) == schedule.report.greedy_value
    assert 0 < schedule.report.greedy_value <= schedule.report.value
    assert 0 < schedule.report.greedy_share <= 1
    assert schedule.report.relative_gap == 0
