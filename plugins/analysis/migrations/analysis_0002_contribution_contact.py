"""A1 (指定專人): a contribution names the person its unit designated to supply it.

Revision ID: analysis_0002
Revises: analysis_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "analysis_0002"
down_revision: str | None = "analysis_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_analysis_contribution_tenant_id_contact_member_id_member"


def upgrade() -> None:
    with op.batch_alter_table("analysis_contribution") as batch_op:
        batch_op.add_column(sa.Column("contact_member_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("contact_name", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(FK, "member", ["tenant_id", "contact_member_id"],
                                    ["tenant_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("analysis_contribution") as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_column("contact_name")
        batch_op.drop_column("contact_member_id")
