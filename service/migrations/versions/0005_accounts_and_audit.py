"""accounts, API tokens and the append-only audit trail

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString

# The database refuses to change or delete audit rows, whatever the application does.
SQLITE_GUARDS = [
    f"CREATE TRIGGER auditevent_no_{verb} BEFORE {verb.upper()} ON auditevent "
    "BEGIN SELECT RAISE(ABORT, 'auditevent is append-only'); END"
    for verb in ("update", "delete")
]
POSTGRES_GUARDS = [
    "CREATE FUNCTION auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'auditevent is append-only'; END $$",
    "CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON auditevent "
    "FOR EACH ROW EXECUTE FUNCTION auditevent_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", TEXT(length=64), nullable=False),
        sa.Column("display_name", TEXT(length=64), nullable=False),
        sa.Column("role", TEXT(length=16), nullable=False),
        sa.Column("town_id", sa.Integer(), sa.ForeignKey("town.id"), nullable=True),
        sa.Column("park_id", sa.Integer(), sa.ForeignKey("park.id"), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=True),
        sa.Column("password_hash", TEXT(length=256), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.create_index("ix_account_username", "account", ["username"], unique=True)
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("label", TEXT(length=64), nullable=False),
        sa.Column("token_hash", TEXT(length=64), nullable=False, unique=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.create_index("ix_apitoken_account_id", "apitoken", ["account_id"])
    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", TEXT(length=64), nullable=False),
        sa.Column("action", TEXT(length=48), nullable=False),
        sa.Column("target", TEXT(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("client", TEXT(length=64), nullable=False),
    )
    for column in ("at", "actor", "action"):
        op.create_index(f"ix_auditevent_{column}", "auditevent", [column])
    for statement in POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER auditevent_append_only ON auditevent")
        op.execute("DROP FUNCTION auditevent_append_only()")
    op.drop_table("auditevent")
    op.drop_table("apitoken")
    op.drop_table("account")
