"""The MILP that re-times the meetings of a set of free requests to the fewest idle minutes, every
other meeting staying put; a row keeps the free requests' value (stage 1's objective, with its
bonus for kept confirmed meetings) at least where it was.

Per participant and slot ``t`` of its range: ``started_t`` (a meeting at or before t),
``unfinished_t`` (a meeting at or after t), ``inside_t >= started_t + unfinished_t - 1`` and
``inside_t >= busy_t`` (tightens the relaxation); idle minutes are ``sum minutes_t * (inside_t -
busy_t)``. Only meeting pairs are integer: minimisation pushes the others to their indicator
values. A host with several tables is busy (``busy_t <= sum of its pairs``, at most 1) when any
table is; for one table or a visitor, busy is the sum itself. Slots taken by fixed meetings
raise the floors of those variables instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.scheduling.milp import OPTIMAL, packing_rows
from matching.scheduling.problem import Problem


@dataclass
class _Model:
    """Columns (cost, bounds) and rows ``lower <= A v <= upper`` collected as triplets."""

    cost: list[float]
    column_lower: list[float]
    entries: list[tuple[int, int, float]] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    def add_columns(self, costs: list[float], lower: list[float]) -> int:
        first = len(self.cost)
        self.cost += costs
        self.column_lower += lower
        return first

    def add_row(self, terms: Sequence[tuple[int, float]], lower: float, upper: float = np.inf) -> None:
        row = len(self.lower)
        self.entries += [(row, column, coefficient) for column, coefficient in terms]
        self.lower.append(lower)
        self.upper.append(upper)

    def matrix(self) -> sparse.csr_array:
        rows, columns, values = zip(*self.entries, strict=True) if self.entries else ((), (), ())
        return sparse.csr_array((values, (rows, columns)), shape=(len(self.lower), len(self.cost)))


@dataclass(frozen=True)
class _Person:
    """A participant in a sub-MILP: slots taken by fixed meetings, free columns per slot."""

    fixed: frozenset[int]
    free: dict[int, list[int]]
    several_tables: bool


def _add_person(model: _Model, person: _Person, minutes: list[int]) -> None:
    slots = person.fixed | person.free.keys()
    first, last = min(slots), max(slots)
    span = range(first, last + 1)
    floor = [1.0 if s in person.fixed else 0.0 for s in span]
    started = model.add_columns([0.0] * len(span), floor)
    unfinished = model.add_columns([0.0] * len(span), floor)
    inside = model.add_columns([float(minutes[s]) for s in span], floor)
    for j, slot in enumerate(span):
        model.add_row([(inside + j, 1), (started + j, -1), (unfinished + j, -1)], -1)
        if j:
            model.add_row([(started + j, 1), (started + j - 1, -1)], 0)
            model.add_row([(unfinished + j - 1, 1), (unfinished + j, -1)], 0)
        columns = person.free.get(slot, [])
        if not columns or slot in person.fixed:
            continue
        if person.several_tables:
            busy = model.add_columns([-float(minutes[slot])], [0.0])
            model.add_row([(busy, 1)] + [(c, -1) for c in columns], -np.inf, 0)
            model.add_row([(inside + j, 1), (busy, -1)], 0)
            for column in columns:
                model.add_row([(started + j, 1), (column, -1)], 0)
                model.add_row([(unfinished + j, 1), (column, -1)], 0)
        else:
            for column in columns:
                model.cost[column] -= minutes[slot]
            for first_column in (started, unfinished, inside):
                model.add_row([(first_column + j, 1)] + [(c, -1) for c in columns], 0)


def _people(problem: Problem, chosen: np.ndarray, free: np.ndarray, pairs: np.ndarray) -> list[_Person]:
    """The participants of the free pairs with two or more meetings possible."""
    fixed: dict[tuple[str, int], set[int]] = defaultdict(set)
    for met in np.flatnonzero((chosen >= 0) & ~free).tolist():
        fixed["h", int(problem.request_host[met])].add(int(chosen[met]))
        fixed["v", int(problem.request_visitor[met])].add(int(chosen[met]))
    columns: dict[tuple[str, int], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    requests: dict[tuple[str, int], set[int]] = defaultdict(set)
    for column, pair in enumerate(pairs):
        request, slot = int(problem.pair_request[pair]), int(problem.pair_slot[pair])
        for key in (("h", int(problem.request_host[request])), ("v", int(problem.request_visitor[request]))):
            columns[key][slot].append(column)
            requests[key].add(request)
    return [
        _Person(frozenset(fixed[key]), dict(by_slot), key[0] == "h" and problem.tables[key[1]] > 1)
        for key, by_slot in columns.items()
        if len(requests[key]) + len(fixed[key]) >= 2
    ]


def _free_pairs(problem: Problem, chosen: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of free requests still open once the fixed meetings are in place, and the capacities left
    for visitor-slot and host-slot keys."""
    slots = problem.n_slots
    kept = (chosen >= 0) & ~free
    visitor_left = np.ones(len(problem.visitor_index) * slots, dtype=np.int64)
    np.subtract.at(visitor_left, problem.request_visitor[kept] * slots + chosen[kept], 1)
    host_left = np.repeat(problem.tables, slots)
    np.subtract.at(host_left, problem.request_host[kept] * slots + chosen[kept], 1)
    request = problem.pair_request
    visitor_key = problem.request_visitor[request] * slots + problem.pair_slot
    host_key = problem.request_host[request] * slots + problem.pair_slot
    pairs = np.flatnonzero(free[request] & (visitor_left[visitor_key] > 0) & (host_left[host_key] > 0))
    return pairs, visitor_left, host_left


def retime(
    problem: Problem, chosen: np.ndarray, free: np.ndarray, values: np.ndarray, lower: np.ndarray, time_limit: float
) -> tuple[np.ndarray | None, bool]:
    """The free requests re-timed (a new ``chosen``) to the fewest idle minutes, and whether proven optimal."""
    pairs, visitor_left, host_left = _free_pairs(problem, chosen, free)
    request, slots = problem.pair_request[pairs], problem.n_slots
    n = len(pairs)
    model = _Model([0.0] * n, list(lower[pairs]))
    minutes = [slot.minutes for slot in problem.event.slots]
    for person in _people(problem, chosen, free, pairs):
        _add_person(model, person, minutes)
    current = chosen[request] == problem.pair_slot[pairs]
    model.add_row([(c, float(values[pair])) for c, pair in enumerate(pairs)], float(values[pairs] @ current) - 0.5)
    width = len(model.cost)
    blocks = [
        packing_rows(request, np.ones(len(problem.weight), dtype=np.int64), width),
        packing_rows(problem.request_visitor[request] * slots + problem.pair_slot[pairs], visitor_left, width),
        packing_rows(problem.request_host[request] * slots + problem.pair_slot[pairs], host_left, width),
    ]
    cap = problem.event.max_meetings_per_visitor
    if cap is not None:
        met = np.bincount(problem.request_visitor[(chosen >= 0) & ~free], minlength=len(problem.visitor_index))
        blocks.append(packing_rows(problem.request_visitor[request], cap - met, width))
    rows = [LinearConstraint(block, -np.inf, limit) for block, limit in blocks if block.shape[0]]
    rows.append(LinearConstraint(model.matrix(), np.array(model.lower), np.array(model.upper)))
    result = milp(
        np.array(model.cost),
        constraints=rows,
        integrality=np.r_[np.ones(n), np.zeros(width - n)],
        bounds=Bounds(np.array(model.column_lower), 1),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-6, "presolve": False},
    )
    if result.x is None:
        return None, False
    retimed = chosen.copy()
    retimed[free] = -1
    picked = pairs[np.round(result.x[:n]) == 1]
    retimed[problem.pair_request[picked]] = problem.pair_slot[picked]
    return retimed, result.status == OPTIMAL
