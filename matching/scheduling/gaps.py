"""Stage 2: with stage 1's objective held as a constraint, minimise the idle minutes between meetings.

It starts from the better of stage 1 and a greedy re-timing of the same meetings (earliest free
slots). A small event is then re-timed by one MILP over every request (:mod:`.idle_milp`), which
may also swap in unmet requests of equal value, and proven. A larger one is searched by
neighbourhoods (large-neighbourhood search): from the host with most idle time around it, its
meetings, its visitors' other hosts' meetings, and so on up to a budget of pairs, each re-timed
by the MILP with everything else fixed, until the time limit or a pass without gain.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator

import numpy as np

from matching.scheduling.greedy import UNSCHEDULED, greedy
from matching.scheduling.idle_milp import retime
from matching.scheduling.problem import Problem

WHOLE_EVENT_PAIRS = 400  # up to this many (request, slot) pairs, one MILP re-times every meeting
PAIR_BUDGET = 120  # pairs per sub-MILP of the neighbourhood search
NEIGHBOURHOOD_SECONDS = 0.5  # time limit of one sub-MILP; its best solution found counts


def idle_per_participant(problem: Problem, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Idle minutes of every host and every visitor when request ``r`` meets in slot ``chosen[r]``."""
    met = chosen >= 0
    minutes = np.array([slot.minutes for slot in problem.event.slots])
    result = []
    owners = ((problem.request_host, len(problem.tables)), (problem.request_visitor, len(problem.visitor_index)))
    for owner, count in owners:
        busy = np.zeros((count, problem.n_slots), dtype=bool)
        busy[owner[met], chosen[met]] = True
        slot = np.arange(problem.n_slots)
        first = busy.argmax(axis=1)[:, None]
        last = problem.n_slots - 1 - busy[:, ::-1].argmax(axis=1)[:, None]
        inside = (slot >= first) & (slot <= last) & np.any(busy, axis=1)[:, None]
        result.append(((inside & ~busy) * minutes).sum(axis=1))
    return result[0], result[1]


def idle_total(problem: Problem, chosen: np.ndarray) -> int:
    hosts, visitors = idle_per_participant(problem, chosen)
    return int(hosts.sum() + visitors.sum())


def _hosts_by_idle(problem: Problem, chosen: np.ndarray) -> list[int]:
    """Hosts whose own or visitors' idle minutes are positive, the most first."""
    hosts, visitors = idle_per_participant(problem, chosen)
    score = hosts.astype(float)
    np.add.at(score, problem.request_host, visitors[problem.request_visitor])
    return [int(h) for h in np.argsort(-score, kind="stable") if score[h] > 0]


def _neighbourhoods(problem: Problem, order: list[int], met: np.ndarray) -> Iterator[np.ndarray]:
    """Free-request masks over the ``met`` requests (re-timing only, so unmet requests never swell a
    neighbourhood): from each seed host, its meetings, its visitors' other hosts' meetings, and so on
    breadth first, while the pairs stay within the budget."""
    host_requests: dict[int, list[int]] = defaultdict(list)
    visitor_hosts: dict[int, set[int]] = defaultdict(set)
    for request in np.flatnonzero(met).tolist():
        host_requests[int(problem.request_host[request])].append(request)
        visitor_hosts[int(problem.request_visitor[request])].add(int(problem.request_host[request]))
    pairs_of = np.bincount(problem.pair_request, minlength=len(problem.weight))
    for seed in order:
        free = np.zeros(len(problem.weight), dtype=bool)
        queue, seen, budget = [seed], {seed}, PAIR_BUDGET
        while queue:
            host = queue.pop(0)
            cost = int(pairs_of[host_requests[host]].sum())
            if cost > budget and free.any():
                continue
            budget -= cost
            free[host_requests[host]] = True
            for visitor in problem.request_visitor[host_requests[host]]:
                queue += [h for h in sorted(visitor_hosts[int(visitor)]) if h not in seen]
                seen.update(visitor_hosts[int(visitor)])
        yield free


def _retimed_greedily(problem: Problem, chosen: np.ndarray) -> np.ndarray:
    """The same meetings placed greedily in their earliest free slots. Kept confirmed meetings, and then
    those the greedy could not place, stay in their slot; the last round pins them all (``chosen`` itself)."""
    met = chosen != UNSCHEDULED
    pinned = {r: int(s) for r, s in problem.confirmed_slot.items() if chosen[r] == s}
    while True:
        retimed = greedy(problem, pinned=pinned, only=met)
        lost = [int(r) for r in np.flatnonzero(met & (retimed == UNSCHEDULED)) if r not in pinned]
        if not lost:
            return retimed if np.array_equal(retimed != UNSCHEDULED, met) else chosen
        pinned.update((r, int(chosen[r])) for r in lost)


def minimise_gaps(
    problem: Problem, *, values: np.ndarray, lower: np.ndarray, chosen: np.ndarray, time_limit: float
) -> tuple[np.ndarray, str]:
    """A slot per request with no more idle minutes than ``chosen`` and the same scaled value; with
    ``"optimal"`` (the whole event solved and proven), ``"local"`` (a pass over every host without gain)
    or ``"time limit"``."""
    deadline = time.perf_counter() + time_limit
    best, idle = chosen, idle_total(problem, chosen)
    compact = _retimed_greedily(problem, chosen)
    if (after := idle_total(problem, compact)) < idle:
        best, idle = compact, after
    if len(problem.pair_request) <= WHOLE_EVENT_PAIRS:
        everyone = np.ones(len(problem.weight), dtype=bool)
        retimed, optimal = retime(problem, chosen, everyone, values, lower, time_limit)
        if retimed is not None and idle_total(problem, retimed) <= idle:
            return retimed, "optimal" if optimal else "time limit"
        return best, "time limit"
    while True:
        improved = False
        for free in _neighbourhoods(problem, _hosts_by_idle(problem, best), best != UNSCHEDULED):
            left = deadline - time.perf_counter()
            if left <= 0:
                return best, "time limit"
            retimed, _ = retime(problem, best, free, values, lower, min(left, NEIGHBOURHOOD_SECONDS))
            if retimed is not None and (after := idle_total(problem, retimed)) < idle:
                best, idle, improved = retimed, after, True
        if not improved:
            return best, "local"
