"""matchmaking conferences (对接大会): events, participants, meeting requests and meetings with outcomes

The three tables of 0001 never had code behind them; they are replaced by the shapes the scheduler needs
(hosts may be departments, tables are named, outcomes become contracts).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _ref(name: str, table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    for table in ("meeting", "meetingrequest", "matchmakingsession"):  # the first shapes, never written to
        op.drop_table(table)
    op.create_table(
        "matchmakingsession",
        _id(),
        sa.Column("name", TEXT(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("venue", TEXT(length=200), nullable=False),
        sa.Column("first_slot_at", TEXT(length=5), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("n_slots", sa.Integer(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.Column("max_meetings_per_visitor", sa.Integer(), nullable=True),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("challenge_id", sa.Integer(), sa.ForeignKey("challenge.id"), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
    )
    op.create_table(
        "eventparticipant",
        _id(),
        _ref("session_id", "matchmakingsession"),
        _ref("enterprise_id", "enterprise", nullable=True),
        sa.Column("department", TEXT(length=64), nullable=True),
        sa.Column("role", TEXT(length=16), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("need", TEXT(), nullable=False),
        sa.Column("available", sa.JSON(), nullable=False),
        sa.Column("registered_at", WHEN(), nullable=False),
        sa.UniqueConstraint("session_id", "enterprise_id"),
        sa.UniqueConstraint("session_id", "department"),
    )
    op.create_index("ix_eventparticipant_session_id", "eventparticipant", ["session_id"])
    op.create_index("ix_eventparticipant_enterprise_id", "eventparticipant", ["enterprise_id"])
    op.create_table(
        "meetingrequest",
        _id(),
        _ref("session_id", "matchmakingsession"),
        _ref("host_id", "eventparticipant"),
        _ref("visitor_id", "eventparticipant"),
        sa.Column("side", TEXT(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.Column("reasons", TEXT(length=500), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.UniqueConstraint("session_id", "host_id", "visitor_id", "side"),
    )
    op.create_index("ix_meetingrequest_session_id", "meetingrequest", ["session_id"])
    op.create_table(
        "meeting",
        _id(),
        _ref("session_id", "matchmakingsession"),
        _ref("host_id", "eventparticipant"),
        _ref("visitor_id", "eventparticipant"),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("table_no", TEXT(length=32), nullable=False),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.Column("outcome", TEXT(length=16), nullable=True),
        sa.Column("amount_yuan", sa.BigInteger(), nullable=True),
        sa.Column("host_buys", sa.Boolean(), nullable=False),
        _ref("contract_id", "contract", nullable=True, ondelete="SET NULL"),
        sa.Column("outcome_at", WHEN(), nullable=True),
        sa.UniqueConstraint("session_id", "slot", "table_no"),
        sa.UniqueConstraint("session_id", "host_id", "visitor_id"),
    )
    op.create_index("ix_meeting_session_id", "meeting", ["session_id"])


def downgrade() -> None:
    for table in ("meeting", "meetingrequest", "eventparticipant", "matchmakingsession"):
        op.drop_table(table)
    op.create_table(
        "matchmakingsession",
        _id(),
        sa.Column("name", TEXT(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("venue", TEXT(length=200), nullable=False),
        sa.Column("first_slot_at", TEXT(length=5), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("n_slots", sa.Integer(), nullable=False),
        sa.Column("n_tables", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), sa.ForeignKey("challenge.id"), nullable=True),
    )
    op.create_table(
        "meetingrequest",
        _id(),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("matchmakingsession.id"), nullable=False),
        sa.Column("requester_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("target_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.UniqueConstraint("session_id", "requester_id", "target_id"),
    )
    op.create_index("ix_meetingrequest_session_id", "meetingrequest", ["session_id"])
    op.create_table(
        "meeting",
        _id(),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("matchmakingsession.id"), nullable=False),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("meetingrequest.id"), nullable=True),
        sa.Column("enterprise_a_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("enterprise_b_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.UniqueConstraint("session_id", "slot", "table_no"),
    )
    op.create_index("ix_meeting_session_id", "meeting", ["session_id"])
