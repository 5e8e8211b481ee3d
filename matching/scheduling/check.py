"""Independent checks of a schedule: hard-constraint violations, value and idle time per participant."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from matching.scheduling.model import Event, Meeting
from matching.scheduling.problem import open_slots


def violations(event: Event, meetings: Iterable[Meeting]) -> list[str]:
    """Every broken rule, in Chinese; an empty list means the schedule is valid for ``event``."""
    meetings = list(meetings)
    hosts = {h.id: h for h in event.hosts}
    visitors = {v.id: v for v in event.visitors}
    wanted = {(r.host, r.visitor) for r in event.requests}
    problems: list[str] = []
    for m in meetings:
        name = f"{m.host}—{m.visitor}（时段 {m.slot + 1}，桌 {m.table}）"
        if (m.host, m.visitor) not in wanted:
            problems.append(f"{name}：没有对应的会面请求")
            continue
        if not 0 <= m.slot < len(event.slots):
            problems.append(f"{name}：时段不存在")
            continue
        if m.table not in hosts[m.host].tables:
            problems.append(f"{name}：桌号不属于该主持方")
        for person in (hosts[m.host], visitors[m.visitor]):
            if m.slot not in open_slots(person.available, event.slots):
                problems.append(f"{name}：不在“{person.id}”的可参会时间内")
    repeated = [
        ("同一请求安排了多次", Counter(f"{m.host}—{m.visitor}" for m in meetings)),
        ("来访方同一时段有多场会面", Counter(f"{m.visitor}（时段 {m.slot + 1}）" for m in meetings)),
        ("同一桌同一时段有多场会面", Counter(f"桌 {m.table}（时段 {m.slot + 1}）" for m in meetings)),
    ]
    for rule, counts in repeated:
        problems += [f"{key}：{rule}" for key, count in counts.items() if count > 1]
    cap = event.max_meetings_per_visitor
    if cap is not None:
        per_visitor = Counter(m.visitor for m in meetings)
        problems += [f"{v}：会面 {n} 场，超过上限 {cap} 场" for v, n in per_visitor.items() if n > cap]
    return problems


def value(event: Event, meetings: Iterable[Meeting]) -> int:
    """The priority-weighted number of meetings (the sum of their requests' weights)."""
    weight = {(r.host, r.visitor): r.weight for r in event.requests}
    return sum(weight[m.host, m.visitor] for m in meetings)


def idle_minutes(event: Event, meetings: Iterable[Meeting]) -> dict[str, int]:
    """Per participant with meetings: minutes of slots without a meeting between their first and last meeting.

    Breaks between slots are not idle time; a host with several tables is busy while any of them is.
    """
    busy: dict[str, set[int]] = defaultdict(set)
    for m in meetings:
        busy[m.host].add(m.slot)
        busy[m.visitor].add(m.slot)
    return {
        person: sum(event.slots[s].minutes for s in range(min(slots), max(slots) + 1) if s not in slots)
        for person, slots in busy.items()
    }
