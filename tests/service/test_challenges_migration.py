"""Migration 0006 (揭榜挂帅) upgrades and downgrades on SQLite and PostgreSQL, keeping existing challenges."""

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from service.db import alembic_config, make_engine
from service.settings import Settings
from tests.conftest import POSTGRES_ADMIN_URL

NEW_TABLES = {"challengetransition", "challengeattachment", "challengeinvitation"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> Iterator[str]:
    """A database nobody else uses, as the migration would meet it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"chainmap_m6_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _to(engine, revision: str, *, down: bool = False) -> None:
    with engine.begin() as connection:
        (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)


def test_0006_upgrades_an_existing_challenge_and_downgrades(empty_url):
    engine = make_engine(Settings(database_url=empty_url))
    _to(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO challenge (kind, title, description, specification, status, created_at) "
                "VALUES ('scenario', '旧榜单', '', '', 'open', '2026-01-01 00:00:00')"
            )
        )
    _to(engine, "0006")
    assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    with engine.connect() as connection:
        row = connection.execute(text("SELECT title, location, is_demo, segments FROM challenge")).one()
    assert row[:3] == ("旧榜单", "", False) and row[3] in ([], "[]")
    _to(engine, "0005", down=True)
    assert not NEW_TABLES & set(inspect(engine).get_table_names())
    assert "location" not in {c["name"] for c in inspect(engine).get_columns("challenge")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM challenge")).scalar_one() == "旧榜单"
    engine.dispose()
