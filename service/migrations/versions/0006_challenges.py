"""揭榜挂帅: challenge details, lifecycle transitions, attachments, invitations; response details

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def challenge_columns() -> list[sa.Column]:
    return [
        sa.Column("segments", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("budget_min_yuan", sa.BigInteger(), nullable=True),
        sa.Column("location", TEXT(length=100), nullable=False, server_default=""),
        sa.Column("contact", TEXT(length=100), nullable=False, server_default=""),
        sa.Column("created_by", TEXT(length=64), nullable=False, server_default=""),
        sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()),
    ]


def response_columns() -> list[sa.Column]:
    return [
        sa.Column("delivery_days", sa.Integer(), nullable=True),
        sa.Column("track_record", TEXT(), nullable=False, server_default=""),
        sa.Column("updated_at", WHEN(), nullable=True),
    ]


def _challenge_id() -> sa.Column:
    return sa.Column("challenge_id", sa.Integer(), sa.ForeignKey("challenge.id"), nullable=False)


def upgrade() -> None:
    for table, columns in (("challenge", challenge_columns()), ("challengeresponse", response_columns())):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(column)
        with op.batch_alter_table(table) as batch:  # the model has no server defaults
            for column in columns:
                if column.server_default is not None:
                    batch.alter_column(column.name, server_default=None)
    op.create_table(
        "challengetransition",
        sa.Column("id", sa.Integer(), primary_key=True),
        _challenge_id(),
        sa.Column("source", TEXT(length=16), nullable=True),
        sa.Column("target", TEXT(length=16), nullable=False),
        sa.Column("actor", TEXT(length=64), nullable=False),
        sa.Column("at", WHEN(), nullable=False),
        sa.Column("note", TEXT(length=500), nullable=False),
    )
    op.create_table(
        "challengeattachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        _challenge_id(),
        sa.Column("filename", TEXT(length=200), nullable=False),
        sa.Column("stored_name", TEXT(length=64), nullable=False, unique=True),
        sa.Column("content_type", TEXT(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", TEXT(length=64), nullable=False),
        sa.Column("uploaded_at", WHEN(), nullable=False),
    )
    op.create_table(
        "challengeinvitation",
        sa.Column("id", sa.Integer(), primary_key=True),
        _challenge_id(),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("invited_by", TEXT(length=64), nullable=False),
        sa.Column("at", WHEN(), nullable=False),
        sa.Column("note", TEXT(length=500), nullable=False),
        sa.UniqueConstraint("challenge_id", "enterprise_id"),
    )
    for table in ("challengetransition", "challengeattachment", "challengeinvitation"):
        op.create_index(f"ix_{table}_challenge_id", table, ["challenge_id"])


def downgrade() -> None:
    for table in ("challengeinvitation", "challengeattachment", "challengetransition"):
        op.drop_table(table)
    for table, columns in (("challengeresponse", response_columns()), ("challenge", challenge_columns())):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column.name)
