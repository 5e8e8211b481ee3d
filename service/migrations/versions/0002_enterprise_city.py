"""enterprise.city: where an enterprise is registered (松江区, or another G60 city)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(
            sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="松江区")
        )
        batch.create_index("ix_enterprise_city", ["city"])


def downgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_index("ix_enterprise_city")
        batch.drop_column("city")
