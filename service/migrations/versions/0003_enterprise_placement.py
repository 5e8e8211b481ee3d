"""enterprise.placement: how an enterprise's town and park were found

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(
            sa.Column(
                "placement", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="declared"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("placement")
