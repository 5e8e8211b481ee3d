"""Seeded synthetic events for tests and benchmarks (not real conferences)."""

from __future__ import annotations

import random

from matching.scheduling.model import Event, Host, Request, Visitor, Window, make_slots

MORNING, AFTERNOON = Window(8 * 60, 12 * 60), Window(13 * 60, 18 * 60)


def synthetic_event(
    hosts: int, visitors: int, requests: int, slots: int = 12, *, seed: int = 0, partial_share: float = 0.2
) -> Event:
    """An event of ``slots`` 20-minute slots from 09:00 (a lunch break after the sixth). Hosts have one
    to three tables; with the lunch break, ``partial_share`` of the participants come only in the
    morning or the afternoon; popular hosts draw more requests; weights are 1 to 3. Requests whose
    sides never overlap are redrawn."""
    rng = random.Random(seed)
    lunch = {5: 13 * 60 - (9 * 60 + 6 * 20)} if slots > 6 else {}

    def windows() -> tuple[Window, ...]:
        return (rng.choice((MORNING, AFTERNOON)),) if lunch and rng.random() < partial_share else ()

    host_list = tuple(
        Host(f"H{i:04d}", tuple(f"T{i:04d}-{t + 1}" for t in range(rng.choice((1, 1, 1, 2, 3)))), available=windows())
        for i in range(hosts)
    )
    visitor_list = tuple(Visitor(f"V{i:05d}", available=windows()) for i in range(visitors))
    popularity = [1 / (rank + 1) ** 0.6 for rank in range(hosts)]
    pairs: dict[tuple[str, str], int] = {}
    limit = min(requests, hosts * visitors // 2)
    while len(pairs) < limit:
        host = rng.choices(host_list, popularity)[0]
        visitor = rng.choice(visitor_list)
        if not host.available or not visitor.available or host.available == visitor.available:
            pairs.setdefault((host.id, visitor.id), rng.choice((1, 1, 2, 3)))
    return Event(
        slots=make_slots("09:00", 20, slots, lunch),
        hosts=host_list,
        visitors=visitor_list,
        requests=tuple(Request(h, v, w) for (h, v), w in pairs.items()),
    )
