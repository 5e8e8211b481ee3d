"""Validate an event and index it for the solvers: one row per (request, open slot) pair."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.scheduling.model import Event, Host, ScheduleInputError, Slot, Visitor, Window


def open_slots(windows: tuple[Window, ...], slots: Sequence[Slot]) -> frozenset[int]:
    """Indices of the slots inside one of ``windows`` (all of them when there are no windows)."""
    return frozenset(i for i, slot in enumerate(slots) if not windows or any(w.holds(slot) for w in windows))


@dataclass(frozen=True)
class Problem:
    """An event with integer indices; ``pair_*`` arrays list every feasible (request, slot) pair."""

    event: Event
    host_index: dict[str, int]
    visitor_index: dict[str, int]
    request_host: np.ndarray
    request_visitor: np.ndarray
    weight: np.ndarray
    tables: np.ndarray  # tables per host
    pair_request: np.ndarray
    pair_slot: np.ndarray
    confirmed_slot: dict[int, int]  # request -> slot of its confirmed meeting, when that slot is still open

    @property
    def n_slots(self) -> int:
        return len(self.event.slots)


def _check_slots(slots: Sequence[Slot]) -> None:
    if not slots:
        raise ScheduleInputError("slots", "活动没有任何时段，无法排程")
    for i, slot in enumerate(slots):
        if slot.minutes <= 0:
            raise ScheduleInputError(f"slots[{i}].minutes", f"时段 {i + 1} 的时长必须大于 0 分钟")
        if i and slot.start < slots[i - 1].end:
            raise ScheduleInputError(f"slots[{i}].start", f"时段 {i + 1} 与上一时段重叠或顺序颠倒")


def _check_people(event: Event) -> dict[str, frozenset[int]]:
    """Every participant's open slots, after checking ids, tables and windows."""
    if not event.hosts:
        raise ScheduleInputError("hosts", "活动没有任何主持方（需求方），无法排程")
    if not event.visitors:
        raise ScheduleInputError("visitors", "活动没有任何来访方，无法排程")
    opened: dict[str, frozenset[int]] = {}
    owners: dict[str, str] = {}
    people: list[tuple[str, Host | Visitor]] = [*(("hosts", h) for h in event.hosts)]
    people += [("visitors", v) for v in event.visitors]
    positions = {"hosts": 0, "visitors": 0}
    for kind, person in people:
        where = f"{kind}[{positions[kind]}]"
        positions[kind] += 1
        if not person.id:
            raise ScheduleInputError(f"{where}.id", "参会方编号不能为空")
        if person.id in opened:
            raise ScheduleInputError(
                f"{where}.id", f"参会方“{person.id}”重复登记（同一方不能登记两次或兼任主持方与来访方）"
            )
        for j, window in enumerate(person.available):
            if window.end <= window.start:
                raise ScheduleInputError(f"{where}.available[{j}]", f"“{person.id}”的可参会时段结束时间不晚于开始时间")
        opened[person.id] = open_slots(person.available, event.slots)
        if not opened[person.id]:
            raise ScheduleInputError(f"{where}.available", f"“{person.id}”的可参会时间不覆盖任何时段")
        if isinstance(person, Host):
            if not person.tables:
                raise ScheduleInputError(f"{where}.tables", f"主持方“{person.id}”没有桌位")
            for table in person.tables:
                if table in owners:
                    raise ScheduleInputError(f"{where}.tables", f"桌号“{table}”已分配给“{owners[table]}”")
                owners[table] = person.id
    return opened


def _check_requests(event: Event, opened: dict[str, frozenset[int]]) -> list[list[int]]:
    """Open slots of every request, after checking its participants, weight and uniqueness."""
    hosts = {h.id for h in event.hosts}
    visitors = {v.id for v in event.visitors}
    seen: set[tuple[str, str]] = set()
    feasible: list[list[int]] = []
    for i, request in enumerate(event.requests):
        if request.host not in hosts:
            raise ScheduleInputError(f"requests[{i}].host", f"第 {i + 1} 条会面请求的主持方“{request.host}”未登记")
        if request.visitor not in visitors:
            raise ScheduleInputError(
                f"requests[{i}].visitor", f"第 {i + 1} 条会面请求的来访方“{request.visitor}”未登记"
            )
        if request.weight < 1:
            raise ScheduleInputError(f"requests[{i}].weight", f"第 {i + 1} 条会面请求的权重必须是正整数")
        if (request.host, request.visitor) in seen:
            raise ScheduleInputError(
                f"requests[{i}]", f"“{request.host}”与“{request.visitor}”的会面请求重复，请合并为一条"
            )
        seen.add((request.host, request.visitor))
        common = sorted(opened[request.host] & opened[request.visitor])
        if not common:
            raise ScheduleInputError(
                f"requests[{i}]",
                f"“{request.host}”与“{request.visitor}”没有共同的可参会时段，请调整可参会时间或撤下该请求",
            )
        feasible.append(common)
    return feasible


def _check_confirmed(event: Event) -> None:
    tables = {h.id: set(h.tables) for h in event.hosts}
    visitors = {v.id for v in event.visitors}
    for i, meeting in enumerate(event.confirmed):
        if meeting.host not in tables:
            raise ScheduleInputError(f"confirmed[{i}].host", f"已确认会面的主持方“{meeting.host}”未登记")
        if meeting.visitor not in visitors:
            raise ScheduleInputError(f"confirmed[{i}].visitor", f"已确认会面的来访方“{meeting.visitor}”未登记")
        if not 0 <= meeting.slot < len(event.slots):
            raise ScheduleInputError(f"confirmed[{i}].slot", f"已确认会面的时段 {meeting.slot + 1} 不存在")
        if meeting.table not in tables[meeting.host]:
            raise ScheduleInputError(f"confirmed[{i}].table", f"桌号“{meeting.table}”不属于“{meeting.host}”")


def build_problem(event: Event) -> Problem:
    """Check ``event`` (a :class:`ScheduleInputError` names the first inconsistency) and index it."""
    _check_slots(event.slots)
    opened = _check_people(event)
    if event.max_meetings_per_visitor is not None and event.max_meetings_per_visitor < 1:
        raise ScheduleInputError("max_meetings_per_visitor", "每位来访方的会面上限必须至少为 1")
    feasible = _check_requests(event, opened)
    _check_confirmed(event)
    host_index = {h.id: i for i, h in enumerate(event.hosts)}
    visitor_index = {v.id: i for i, v in enumerate(event.visitors)}
    request_of = {(r.host, r.visitor): i for i, r in enumerate(event.requests)}
    confirmed_slot = {
        request_of[m.host, m.visitor]: m.slot
        for m in event.confirmed
        if (m.host, m.visitor) in request_of and m.slot in feasible[request_of[m.host, m.visitor]]
    }
    counts = [len(slots) for slots in feasible]
    return Problem(
        event=event,
        host_index=host_index,
        visitor_index=visitor_index,
        request_host=np.array([host_index[r.host] for r in event.requests], dtype=np.int64),
        request_visitor=np.array([visitor_index[r.visitor] for r in event.requests], dtype=np.int64),
        weight=np.array([r.weight for r in event.requests], dtype=np.int64),
        tables=np.array([len(h.tables) for h in event.hosts], dtype=np.int64),
        pair_request=np.repeat(np.arange(len(feasible), dtype=np.int64), counts),
        pair_slot=np.array([s for slots in feasible for s in slots], dtype=np.int64),
        confirmed_slot=confirmed_slot,
    )
