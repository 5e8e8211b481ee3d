"""Meeting scheduling at conference scale, on seeded synthetic events (not real conferences).

    python -m scripts.bench_schedule                     # both sizes, 3 timed runs each, stage 2 for 10 s
    python -m scripts.bench_schedule --sizes medium --repeat 1 --gap-seconds 5

Per size: the event's pairs (request, open slot), the time to a proven optimal stage 1 (validation,
greedy baseline, MILP and table numbers; median and worst of the runs), the objective (priority-weighted
meetings), HiGHS's bound and the relative gap, the greedy baseline's share of the optimum, then one run
with stage 2: idle minutes summed over participants before and after, its time and status. Then the
schedule is announced, late changes arrive (visitors leaving early, new requests) and the event is
scheduled again: how many confirmed meetings stay, move or go, against the value from scratch.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace

from matching.scheduling.check import violations
from matching.scheduling.model import Event, Meeting, Request, Window
from matching.scheduling.problem import open_slots
from matching.scheduling.solve import schedule_event
from matching.scheduling.synthetic import synthetic_event

SIZES = {
    "medium": {"hosts": 150, "visitors": 800, "requests": 2_100, "target": 2.0},
    "large": {"hosts": 500, "visitors": 3_000, "requests": 10_000, "target": 30.0},
}


def measure(name: str, repeat: int, gap_seconds: float, seed: int) -> None:
    size = SIZES[name]
    event = synthetic_event(size["hosts"], size["visitors"], size["requests"], slots=12, seed=seed)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        schedule_event(event, minimise_idle=False)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    full = schedule_event(event, gap_time_limit=gap_seconds)
    total = time.perf_counter() - started
    timings.append(total - full.report.stage2_seconds)
    report = full.report
    assert not violations(event, full.meetings), "the schedule breaks a rule"
    print(
        f"{name}: {size['hosts']} hosts, {size['visitors']} visitors, {size['requests']} requests, 12 slots "
        f"(seed {seed}; target < {size['target']:.0f} s)"
    )
    print(
        f"  stage 1: median {statistics.median(timings):.2f} s, worst {max(timings):.2f} s over {len(timings)} runs "
        f"(MILP alone {report.stage1_seconds:.2f} s); proven optimal: {report.proven_optimal}"
    )
    print(
        f"  objective {report.value}, bound {report.bound}, gap {report.relative_gap:.4%}; "
        f"{report.meetings} meetings of {report.requests} requests"
    )
    print(f"  greedy baseline {report.greedy_value} = {report.greedy_share:.2%} of the optimum")
    print(
        f"  stage 2 ({gap_seconds:.0f} s limit, {report.stage2_seconds:.1f} s, {report.gap_status}): "
        f"idle minutes {report.idle_before} -> {report.idle_after} "
        f"({1 - report.idle_after / max(report.idle_before, 1):.0%} less), objective unchanged"
    )


def late_changes(event: Event, confirmed: tuple[Meeting, ...], seed: int) -> Event:
    """After the schedule is announced: 5% of the all-day visitors leave at 10:40 (their requests that now
    share no slot are withdrawn) and 2% more requests arrive."""
    rng = random.Random(seed)
    all_day = [v.id for v in event.visitors if not v.available]
    leaving = set(rng.sample(all_day, len(event.visitors) // 20))
    morning = (Window(0, 10 * 60 + 40),)
    visitors = tuple(replace(v, available=morning) if v.id in leaving else v for v in event.visitors)
    opened = {p.id: open_slots(p.available, event.slots) for p in (*event.hosts, *visitors)}
    requests = [r for r in event.requests if opened[r.host] & opened[r.visitor]]
    wanted = {(r.host, r.visitor) for r in requests}
    while len(requests) < len(event.requests) * 1.02:
        host, visitor = rng.choice(event.hosts).id, rng.choice(visitors).id
        if (host, visitor) not in wanted and opened[host] & opened[visitor]:
            wanted.add((host, visitor))
            requests.append(Request(host, visitor, rng.choice((1, 2, 3))))
    return replace(event, visitors=visitors, requests=tuple(requests), confirmed=confirmed)


def measure_rescheduling(name: str, seed: int) -> None:
    size = SIZES[name]
    event = synthetic_event(size["hosts"], size["visitors"], size["requests"], slots=12, seed=seed)
    announced = schedule_event(event, minimise_idle=False).meetings
    changed = late_changes(event, announced, seed)
    started = time.perf_counter()
    again = schedule_event(changed, minimise_idle=False)
    seconds = time.perf_counter() - started
    fresh = schedule_event(replace(changed, confirmed=()), minimise_idle=False).report
    report = again.report
    assert not violations(changed, again.meetings), "the new schedule breaks a rule"
    print(
        f"  re-scheduling after late changes ({len(announced)} confirmed meetings): {seconds:.2f} s, "
        f"kept {report.kept_confirmed}, moved {report.moved_confirmed}, dropped {report.dropped_confirmed}; "
        f"objective {report.value} (from scratch {fresh.value}), proven optimal: {report.proven_optimal}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["medium", "large"])
    parser.add_argument("--repeat", type=int, default=2, help="stage-1-only runs besides the full one")
    parser.add_argument("--gap-seconds", type=float, default=10.0, help="time limit of stage 2")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for name in args.sizes:
        measure(name, args.repeat, args.gap_seconds, args.seed)
        measure_rescheduling(name, args.seed)


if __name__ == "__main__":
    main()
