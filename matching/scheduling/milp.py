"""Stage 1: the most valuable set of meetings as a MILP solved by HiGHS (``scipy.optimize.milp``).

One binary per feasible (request, slot) pair; tables are a capacity per host and slot (numbers are
given afterwards), so symmetric table choices never reach the solver. Rows that can never bind
(a visitor with one option in a slot, a host with no more options than tables) are left out.
The objective is integer: ``weight * keep_scale + kept``, where ``kept`` counts confirmed meetings left
in their slot, so keeping them only decides between schedules of equal value.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.scheduling.problem import Problem

OPTIMAL = 0  # HiGHS model status: solved to optimality


@dataclass(frozen=True)
class Stage1:
    x: np.ndarray | None  # 0/1 per pair, None when the solver found nothing
    objective: int  # scaled: value * keep_scale + kept
    bound: float  # upper bound on the scaled objective
    status: int
    seconds: float


def packing_rows(keys: np.ndarray, capacity: np.ndarray, n_columns: int) -> tuple[sparse.csr_array, np.ndarray]:
    """Rows ``sum of the pairs with key k <= capacity[k]``, only for keys with more pairs than capacity."""
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    limit = capacity[unique]
    binding = counts > limit
    row_of_key = np.cumsum(binding) - 1
    columns = np.flatnonzero(binding[inverse])
    rows = row_of_key[inverse[columns]]
    matrix = sparse.csr_array((np.ones(len(columns)), (rows, columns)), shape=(int(binding.sum()), n_columns))
    return matrix, limit[binding].astype(float)


def meeting_rows(problem: Problem, n_columns: int | None = None) -> tuple[sparse.csr_array, np.ndarray]:
    """Every packing row over the pair columns (then ``n_columns - pairs`` empty ones): a request at most
    once, a visitor in one place per slot, a host within its tables per slot, the cap per visitor."""
    n, slots = n_columns or len(problem.pair_request), problem.n_slots
    visitor = problem.request_visitor[problem.pair_request]
    host = problem.request_host[problem.pair_request]
    blocks = [
        packing_rows(problem.pair_request, np.ones(len(problem.weight), dtype=np.int64), n),
        packing_rows(visitor * slots + problem.pair_slot, np.ones(len(problem.visitor_index) * slots, np.int64), n),
        packing_rows(host * slots + problem.pair_slot, np.repeat(problem.tables, slots), n),
    ]
    cap = problem.event.max_meetings_per_visitor
    if cap is not None:
        blocks.append(packing_rows(visitor, np.full(len(problem.visitor_index), cap, dtype=np.int64), n))
    matrix = sparse.vstack([block for block, _ in blocks], format="csr")
    return matrix, np.concatenate([limit for _, limit in blocks])


def confirmed_pairs(problem: Problem) -> np.ndarray:
    """Whether each pair is a confirmed meeting in its confirmed slot."""
    keys = problem.pair_request * problem.n_slots + problem.pair_slot
    return np.isin(keys, [request * problem.n_slots + slot for request, slot in problem.confirmed_slot.items()])


def scaled_values(problem: Problem, keep_scale: int) -> np.ndarray:
    """The objective coefficient of each pair: its weight times ``keep_scale``, plus one for a kept meeting."""
    return problem.weight[problem.pair_request] * keep_scale + confirmed_pairs(problem)


def solve_stage1(problem: Problem, *, values: np.ndarray, lower: np.ndarray, time_limit: float) -> Stage1:
    if not len(values):
        return Stage1(np.zeros(0, dtype=np.int64), 0, 0.0, OPTIMAL, 0.0)
    started = time.perf_counter()
    matrix, limit = meeting_rows(problem)
    total = max(float(values.sum()), 1.0)
    result = milp(
        -values.astype(float),
        constraints=LinearConstraint(matrix, -np.inf, limit) if matrix.shape[0] else None,
        integrality=np.ones(len(values)),
        bounds=Bounds(lower, 1),
        # A relative gap this small is an absolute gap below 1: with an integer objective, proven optimal.
        # HiGHS's presolve (probing this set-packing structure) took seconds and removed almost nothing.
        options={"time_limit": time_limit, "mip_rel_gap": 0.5 / total, "presolve": False},
    )
    seconds = time.perf_counter() - started
    if result.x is None:
        return Stage1(None, 0, total, result.status, seconds)
    x = np.round(result.x).astype(np.int64)
    bound = -float(result.mip_dual_bound) if result.mip_dual_bound is not None else total
    return Stage1(x, int(values @ x), bound, result.status, seconds)
