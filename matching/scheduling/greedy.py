"""The greedy scheduler (fallback and baseline) and the table numbers of a chosen slot per request."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matching.scheduling.model import Meeting
from matching.scheduling.problem import Problem

UNSCHEDULED = -1


def slots_per_request(problem: Problem) -> list[np.ndarray]:
    counts = np.bincount(problem.pair_request, minlength=len(problem.weight))
    return np.split(problem.pair_slot, np.cumsum(counts)[:-1]) if len(counts) else []


def greedy(problem: Problem, *, pinned: dict[int, int] | None = None, only: np.ndarray | None = None) -> np.ndarray:
    """A slot per request (or ``UNSCHEDULED``): the ``pinned`` requests (default: the confirmed meetings)
    first where they still fit, then the heaviest and least flexible of the requests in ``only`` (default:
    all), each in the earliest slot where both sides and a table are free."""
    n_visitors = len(problem.visitor_index)
    host_load = np.zeros((len(problem.tables), problem.n_slots), dtype=np.int64)
    visitor_busy = np.zeros((n_visitors, problem.n_slots), dtype=bool)
    visitor_count = np.zeros(n_visitors, dtype=np.int64)
    cap = problem.event.max_meetings_per_visitor or problem.n_slots
    chosen = np.full(len(problem.weight), UNSCHEDULED, dtype=np.int64)

    def place(request: int, slots: np.ndarray) -> None:
        host, visitor = problem.request_host[request], problem.request_visitor[request]
        if visitor_count[visitor] >= cap:
            return
        for slot in slots:
            if not visitor_busy[visitor, slot] and host_load[host, slot] < problem.tables[host]:
                chosen[request] = slot
                host_load[host, slot] += 1
                visitor_busy[visitor, slot] = True
                visitor_count[visitor] += 1
                return

    for request, slot in (problem.confirmed_slot if pinned is None else pinned).items():
        place(request, np.array([slot]))
    options = slots_per_request(problem)
    candidates = range(len(options)) if only is None else np.flatnonzero(only).tolist()
    for request in sorted(candidates, key=lambda r: (-problem.weight[r], len(options[r]), r)):
        if chosen[request] == UNSCHEDULED:
            place(request, options[request])
    return chosen


def assign_tables(problem: Problem, chosen: np.ndarray) -> list[Meeting]:
    """Meetings with table numbers: a confirmed meeting keeps its table when it keeps its slot."""
    event = problem.event
    confirmed_table = {(m.host, m.visitor, m.slot): m.table for m in event.confirmed}
    by_host_slot: dict[tuple[str, int], list[int]] = defaultdict(list)
    for met in np.flatnonzero(chosen != UNSCHEDULED).tolist():
        by_host_slot[event.requests[met].host, int(chosen[met])].append(met)
    tables = {h.id: h.tables for h in event.hosts}
    meetings = []
    for (host, slot), requests in sorted(by_host_slot.items()):
        taken: set[str] = set()
        pending = []
        for request in requests:
            visitor = event.requests[request].visitor
            wish = confirmed_table.get((host, visitor, slot))
            if wish is None or wish in taken:
                pending.append(visitor)
            else:
                taken.add(wish)
                meetings.append(Meeting(host, visitor, slot, wish))
        free = [t for t in tables[host] if t not in taken]
        meetings += [Meeting(host, visitor, slot, table) for visitor, table in zip(pending, free, strict=False)]
    return meetings
