"""enterprise.industry_code (the GB/T 4754-2017 class registrations carry); enterprisesegment.model

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(
            sa.Column("industry_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="")
        )
    with op.batch_alter_table("enterprisesegment") as batch:
        batch.add_column(
            sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprisesegment") as batch:
        batch.drop_column("model")
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("industry_code")
