"""A seeded supply network with the shape of a real one, in half-year snapshots.

Firms join over time. Each new supplier→customer pair is drawn one of three ways: triadic
closure (the buyer takes a supplier of a firm that shares a supplier with it: what L3 sees), a
reversal (a customer of the buyer starts supplying it), or preferential attachment to hubs
within the buyer's industry (what popularity sees; the only way for a buyer without suppliers).
"""

from __future__ import annotations

import random
from datetime import date

from matching.market import Contract

INDUSTRIES = 12


def snapshot_dates(count: int) -> list[date]:
    return [date(2015 + i // 2, 6 if i % 2 == 0 else 12, 30 if i % 2 == 0 else 31) for i in range(count)]


class _Network:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.suppliers: dict[int, set[int]] = {}
        self.customers: dict[int, set[int]] = {}
        self.industry: list[int] = []
        self.weight: list[float] = []  # hub propensity, heavy-tailed
        self.members: dict[int, list[int]] = {}

    def add_firm(self) -> int:
        industry = self.rng.randrange(INDUSTRIES)
        self.industry.append(industry)
        self.weight.append(self.rng.paretovariate(1.3))
        self.members.setdefault(industry, []).append(len(self.industry) - 1)
        return len(self.industry) - 1

    def hub(self, industry: int) -> int | None:
        """A supplier of the next industry up, drawn by propensity and degree."""
        pool = self.members.get((industry + 1) % INDUSTRIES, [])
        weights = [self.weight[f] * (1 + len(self.customers.get(f, ()))) for f in pool]
        return self.rng.choices(pool, weights)[0] if pool else None

    def closure(self, buyer: int) -> int | None:
        """A supplier of a firm that shares a supplier with the buyer."""
        mine = sorted(self.suppliers.get(buyer, ()))
        if not mine:
            return None
        peer = self.rng.choice(sorted(self.customers[self.rng.choice(mine)]))
        theirs = sorted(self.suppliers.get(peer, set()) - self.suppliers[buyer])
        return self.rng.choice(theirs) if theirs else None

    def reversal(self, buyer: int) -> int | None:
        mine = sorted(self.customers.get(buyer, set()) - self.suppliers.get(buyer, set()))
        return self.rng.choice(mine) if mine else None

    def link(self, supplier: int, buyer: int) -> bool:
        if supplier == buyer or supplier in self.suppliers.get(buyer, ()):
            return False
        self.suppliers.setdefault(buyer, set()).add(supplier)
        self.customers.setdefault(supplier, set()).add(buyer)
        return True


def supply_network(*, firms: int = 2000, snapshots: int = 10, pairs_per_snapshot: int = 900, seed: int = 0):
    """Contracts dated by the snapshot their pair first appears in (ids ``f0``, ``f1`` …)."""
    rng = random.Random(seed)
    net = _Network(rng)
    for _ in range(firms // 4):
        net.add_firm()
    contracts = []
    for day in snapshot_dates(snapshots):
        for _ in range((firms - firms // 4) // snapshots):
            net.add_firm()
        made = 0
        while made < pairs_per_snapshot:
            buyer = rng.randrange(len(net.industry))
            draw = rng.random()
            supplier = net.closure(buyer) if draw < 0.5 else net.reversal(buyer) if draw < 0.6 else None
            if supplier is None:
                supplier = net.hub(net.industry[buyer])
            if supplier is not None and net.link(supplier, buyer):
                contracts.append(Contract(f"f{supplier}", f"f{buyer}", day))
                made += 1
    return contracts
