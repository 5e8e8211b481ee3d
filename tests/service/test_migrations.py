"""The migrations create the same schema on SQLite and PostgreSQL, equal to the models."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

from service.db import alembic_config, head_revision, migrate, schema_version

# How each dialect reflects the same SQLAlchemy type, where the names differ.
SAME_TYPE = {"DOUBLE_PRECISION": "FLOAT", "TIMESTAMP": "DATETIME"}


def _schema(engine) -> dict:
    inspector = inspect(engine)
    tables = {}
    for table in inspector.get_table_names():
        columns = {
            c["name"]: (
                SAME_TYPE.get(type(c["type"]).__name__, type(c["type"]).__name__),
                getattr(c["type"], "length", None),
                c["nullable"],
            )
            for c in inspector.get_columns(table)
        }
        uniques = sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table))
        foreign = sorted(
            (tuple(f["constrained_columns"]), f["referred_table"]) for f in inspector.get_foreign_keys(table)
        )
        tables[table] = (columns, inspector.get_pk_constraint(table)["constrained_columns"], uniques, foreign)
    return tables


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        assert schema_version(connection) == head_revision()
    assert diff == []


@pytest.mark.postgres
def test_sqlite_and_postgresql_schemas_are_the_same(sqlite_url, postgres_url, prepare_engine):
    lite, pg = prepare_engine(sqlite_url), prepare_engine(postgres_url)
    lite_schema, pg_schema = _schema(lite), _schema(pg)
    assert set(lite_schema) == set(pg_schema)
    assert "enterprise" in lite_schema and "meeting" in lite_schema
    for table in lite_schema:
        lite_columns, pg_columns = lite_schema[table][0], pg_schema[table][0]
        assert lite_columns == pg_columns, table
        assert lite_schema[table][1:] == pg_schema[table][1:], table


def test_the_audit_trail_refuses_updates_and_deletes_on_both_databases(engine):
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(
            text("INSERT INTO auditevent (at, actor, action, target, client) VALUES (:at, 'a', 'b', '', '')"),
            {"at": "2026-01-01 00:00:00"},
        )
        for statement in ("UPDATE auditevent SET actor = 'x'", "DELETE FROM auditevent"):
            nested = connection.begin_nested()
            with pytest.raises(DatabaseError, match="append-only"):
                connection.execute(text(statement))
            nested.rollback()
        transaction.rollback()


def test_the_events_and_data_version_migrations_go_down_and_back_up(engine):
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0006")  # through 0008 and 0007
        inspector = inspect(connection)
        assert "eventparticipant" not in inspector.get_table_names()
        assert "n_tables" in {c["name"] for c in inspector.get_columns("matchmakingsession")}
        migrate(connection)
    with engine.connect() as connection:
        assert schema_version(connection) == head_revision()
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_every_change_to_enterprises_segments_and_contracts_raises_the_data_version(session):
    from datetime import date

    from sqlmodel import select

    from service import models as m

    def version() -> int:
        session.flush()
        return session.exec(select(m.DataVersion.version)).one()

    seen = [version()]
    buyer, seller = (
        m.Enterprise(uscc="91310117TEST00001A", name="买方"),
        m.Enterprise(uscc="91310117TEST00002B", name="卖方"),
    )
    session.add_all([buyer, seller])
    seen.append(version())
    buyer.revenue_yuan = 50_000_000  # an edit moves the ranker's inputs too
    seen.append(version())
    segment = session.exec(select(m.Segment).limit(1)).one()
    session.add(m.EnterpriseSegment(enterprise_id=seller.id, segment_id=segment.id))
    seen.append(version())
    contract = m.Contract(
        buyer_id=buyer.id,
        seller_id=seller.id,
        year=2026,
        contracted_yuan=1,
        performed_yuan=1,
        signed_on=date(2026, 1, 5),
    )
    session.add(contract)
    seen.append(version())
    session.delete(contract)
    seen.append(version())
    assert seen == sorted(set(seen)), seen  # rose at every step
