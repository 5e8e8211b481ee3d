"""a data version: one counter the database raises on every change to enterprises, their segments and
contracts, so that a server process learns of a change (and refits the partner ranker) by reading one row

On PostgreSQL the counter is raised once per statement; writers to these tables take turns on its row
until they commit. SQLite raises it once per row (its writers take turns anyway).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("enterprise", "enterprisesegment", "contract")
VERBS = ("insert", "update", "delete")
RAISE = "UPDATE dataversion SET version = version + 1"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER {table}_{verb}_data_version AFTER {verb.upper()} ON {table} BEGIN {RAISE}; END"
    for table in TABLES
    for verb in VERBS
]
POSTGRES_TRIGGERS = [
    f"CREATE FUNCTION raise_data_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {RAISE}; RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version()"
        for table in TABLES
    ),
]


def upgrade() -> None:
    version = op.create_table(
        "dataversion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_data_version ON {table}")
        op.execute("DROP FUNCTION raise_data_version()")
    else:
        for table in TABLES:
            for verb in VERBS:
                op.execute(f"DROP TRIGGER {table}_{verb}_data_version")
    op.drop_table("dataversion")
