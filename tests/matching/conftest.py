"""The demo district as a matching market (plain data, as the service builds it)."""

import pytest

from chainmap.demo import generate_demo
from matching.market import Market
from service.matching import chain_data, contract, firm


@pytest.fixture(scope="session")
def demo_3000(chain):
    return generate_demo(chain, 3000, seed=42)


@pytest.fixture(scope="session")
def demo_market(chain, demo_3000):
    return Market([firm(e) for e in demo_3000.enterprises], chain_data(chain))


@pytest.fixture(scope="session")
def demo_contracts(demo_3000):
    return [contract(c) for c in demo_3000.contracts]
