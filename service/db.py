"""Engines, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, text
from sqlmodel import create_engine

from service.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured database; creates the SQLite file's folder."""
    if path := settings.sqlite_path():
        path.parent.mkdir(parents=True, exist_ok=True)
    server = not settings.database_url.startswith("sqlite")
    engine = create_engine(settings.database_url, pool_pre_ping=server)  # a file needs no ping before use
    if not server:
        event.listen(engine, "connect", _sqlite_foreign_keys)
    return engine


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    config.attributes["connection"] = connection
    return config


def migrate(connection: Connection) -> None:
    """Bring the schema to the newest revision (creates it on an empty database)."""
    command.upgrade(alembic_config(connection), "head")


def migrate_engine(engine: Engine) -> None:
    with engine.begin() as connection:
        migrate(connection)


def head_revision() -> str:
    """The newest migration shipped with the code."""
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def schema_version(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def ping(engine: Engine) -> str | None:
    """Run a trivial query and return the schema revision (None if never migrated)."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        return schema_version(connection)
