"""Schedule an event: stage 1 (most valuable meetings, proven optimal), stage 2 (fewest idle minutes),
greedy as fallback and baseline, confirmed meetings kept where possible."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from matching.scheduling.check import idle_minutes, violations
from matching.scheduling.gaps import minimise_gaps
from matching.scheduling.greedy import UNSCHEDULED, assign_tables, greedy
from matching.scheduling.milp import OPTIMAL, confirmed_pairs, scaled_values, solve_stage1
from matching.scheduling.model import Event, Meeting, Request, ScheduleInputError
from matching.scheduling.problem import Problem, build_problem


@dataclass(frozen=True)
class Report:
    method: str  # "milp" or "greedy" (when the solver found nothing better in its time)
    value: int  # priority-weighted meetings: the sum of the scheduled requests' weights
    bound: int  # no schedule is worth more than this
    proven_optimal: bool
    meetings: int
    requests: int
    greedy_value: int
    kept_confirmed: int  # confirmed meetings in their slot and table
    moved_confirmed: int
    dropped_confirmed: int
    idle_before: int  # idle minutes summed over participants, after stage 1
    idle_after: int  # ... after stage 2
    gap_status: str  # "optimal", "time limit", "skipped"
    stage1_seconds: float
    stage2_seconds: float

    @property
    def greedy_share(self) -> float:
        """The greedy baseline's value as a share of this schedule's."""
        return self.greedy_value / self.value if self.value else 1.0

    @property
    def relative_gap(self) -> float:
        return (self.bound - self.value) / self.bound if self.bound else 0.0


@dataclass(frozen=True)
class Schedule:
    meetings: tuple[Meeting, ...]
    unscheduled: tuple[Request, ...]
    report: Report


def _check_fixed(event: Event) -> None:
    """Confirmed meetings that must all stay: each still requested and open, none clashing."""
    broken = violations(event, event.confirmed)
    if broken:
        raise ScheduleInputError("confirmed", "已确认会面无法全部保留：" + "；".join(broken[:3]))


def _chosen(problem: Problem, x: np.ndarray) -> np.ndarray:
    chosen = np.full(len(problem.weight), UNSCHEDULED, dtype=np.int64)
    picked = np.flatnonzero(x)
    chosen[problem.pair_request[picked]] = problem.pair_slot[picked]
    return chosen


def _value(problem: Problem, chosen: np.ndarray) -> int:
    return int(problem.weight[chosen != UNSCHEDULED].sum())


def _idle(problem: Problem, chosen: np.ndarray) -> int:
    return sum(idle_minutes(problem.event, assign_tables(problem, chosen)).values())


@dataclass(frozen=True)
class _Objective:
    """Stage 1's objective per pair (``values``), the pairs that must stay (``lower``) and the weight scale."""

    values: np.ndarray
    lower: np.ndarray
    keep_scale: int


def _objective(problem: Problem, fix_confirmed: bool) -> _Objective:
    confirmed = confirmed_pairs(problem).astype(float)
    if fix_confirmed:
        _check_fixed(problem.event)
        return _Objective(problem.weight[problem.pair_request], confirmed, 1)
    keep_scale = len(problem.confirmed_slot) + 1  # keeping every confirmed meeting is worth less than weight 1
    return _Objective(scaled_values(problem, keep_scale), np.zeros_like(confirmed), keep_scale)


def schedule_event(
    event: Event,
    *,
    fix_confirmed: bool = False,
    time_limit: float = 60.0,
    gap_time_limit: float = 10.0,
    minimise_idle: bool = True,
) -> Schedule:
    """The optimal schedule of ``event``; a :class:`ScheduleInputError` for inconsistent input.

    ``fix_confirmed`` keeps every confirmed meeting exactly (or fails with the reason); otherwise each is
    kept where that costs no value, and moved or dropped only when needed.
    """
    problem = build_problem(event)
    objective = _objective(problem, fix_confirmed)
    baseline = greedy(problem)
    stage1 = solve_stage1(problem, values=objective.values, lower=objective.lower, time_limit=time_limit)
    solved = stage1.x is not None and _value(problem, _chosen(problem, stage1.x)) >= _value(problem, baseline)
    chosen = _chosen(problem, stage1.x) if solved and stage1.x is not None else baseline
    idle_before = idle_after = _idle(problem, chosen)
    gap_status, gap_seconds = "skipped", 0.0
    if minimise_idle and solved and idle_before > 0:
        started = time.perf_counter()
        chosen, gap_status = minimise_gaps(
            problem, values=objective.values, lower=objective.lower, chosen=chosen, time_limit=gap_time_limit
        )
        gap_seconds = time.perf_counter() - started
        idle_after = _idle(problem, chosen)
    meetings = assign_tables(problem, chosen)
    return Schedule(
        meetings=tuple(meetings),
        unscheduled=tuple(r for r, slot in zip(event.requests, chosen, strict=True) if slot == UNSCHEDULED),
        report=Report(
            method="milp" if solved else "greedy",
            value=_value(problem, chosen),
            bound=min(int(np.floor(stage1.bound / objective.keep_scale + 1e-6)), int(problem.weight.sum())),
            proven_optimal=solved and stage1.status == OPTIMAL and stage1.bound - stage1.objective < 1,
            meetings=len(meetings),
            requests=len(event.requests),
            greedy_value=_value(problem, baseline),
            **_confirmed_counts(event, meetings),
            idle_before=idle_before,
            idle_after=idle_after,
            gap_status=gap_status,
            stage1_seconds=stage1.seconds,
            stage2_seconds=gap_seconds,
        ),
    )


def _confirmed_counts(event: Event, meetings: list[Meeting]) -> dict[str, int]:
    placed = {(m.host, m.visitor): m for m in meetings}
    kept = sum(placed.get((c.host, c.visitor)) == c for c in event.confirmed)
    dropped = sum((c.host, c.visitor) not in placed for c in event.confirmed)
    moved = len(event.confirmed) - kept - dropped
    return {"kept_confirmed": kept, "moved_confirmed": moved, "dropped_confirmed": dropped}
