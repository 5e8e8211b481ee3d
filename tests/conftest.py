"""Shared fixtures: the chain, a small demo district, and a database per dialect.

Database tests run on SQLite always and on the real PostgreSQL at
CHAINMAP_TEST_POSTGRES_URL (default: the local server's `test` database, used only to
create and drop a throw-away database). Under CI=true an unreachable PostgreSQL fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from chainmap.demo import DemoDistrict, generate_demo
from chainmap.taxonomy import Chain, load_named_chain
from service import repository
from service.db import make_engine, migrate_engine
from service.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get("CHAINMAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def chain() -> Chain:
    return load_named_chain("smart_terminal")


@pytest.fixture(scope="session")
def small_demo(chain: Chain) -> DemoDistrict:
    return generate_demo(chain, n_enterprises=300, seed=7)


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests must run in CI but cannot: {reason}")
    pytest.skip(f"PostgreSQL not reachable: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"chainmap_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        _postgres_unavailable(str(exc).splitlines()[0])
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'chainmap.db'}"


def _prepared_engine(url: str, chain: Chain) -> Engine:
    engine = make_engine(Settings(database_url=url))
    migrate_engine(engine)
    with Session(engine) as session:
        repository.sync_places(session=session)
        repository.sync_chain(session=session, spec=chain)
        session.commit()
    return engine


@pytest.fixture(scope="session")
def prepare_engine(chain: Chain) -> Callable[[str], Engine]:
    """Migrate the database at a URL and load the reference data (idempotent)."""
    return lambda url: _prepared_engine(url, chain)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory, prepare_engine, small_demo) -> Callable[[], str]:
    """Make a fresh SQLite database holding the small demo district; returns its URL."""

    def make() -> str:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        with Session(prepare_engine(url)) as session:
            repository.replace_demo(session=session, district=small_demo, chain_code="smart_terminal")
            session.commit()
        return url

    return make


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, chain: Chain) -> Iterator[Engine]:
    """A migrated database with the shipped chain, parks and towns, per dialect."""
    url = request.getfixturevalue(f"{request.param}_url")
    engine = _prepared_engine(url, chain)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        transaction.rollback()
