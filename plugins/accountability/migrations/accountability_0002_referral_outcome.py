"""accountability: the district discipline commission's decision is recorded as the case's
outcome (K: 報請區紀委追究責任) — its date, severity, sanctions, summary and reference, and the
status ``outcome_recorded``.

Revision ID: accountability_0002
Revises: accountability_0001
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "accountability_0002"
down_revision: str | None = "accountability_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEVERITIES = "'minor', 'serious', 'especially_serious'"
BEFORE = "'opened', 'investigating', 'decided', 'referred', 'closed'"
AFTER = "'opened', 'investigating', 'decided', 'referred', 'outcome_recorded', 'closed'"


def upgrade() -> None:
    with op.batch_alter_table("accountability_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("outcome_severity", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("outcome_sanctions", sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("outcome_summary", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("outcome_reference", sa.String(length=120),
                                      nullable=True))
        batch_op.drop_constraint(op.f("ck_accountability_case_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_accountability_case_status"),
                                         f"status IN ({AFTER})")
        batch_op.create_check_constraint(
            op.f("ck_accountability_case_outcome_severity"),
            f"outcome_severity IS NULL OR outcome_severity IN ({SEVERITIES})")
    with op.batch_alter_table("accountability_case", schema=None) as batch_op:
        batch_op.alter_column("outcome_sanctions", server_default=None)


def downgrade() -> None:
    # the outcome goes with its columns: such a case is again awaiting the commission
    op.execute("UPDATE accountability_case SET status = 'referred' "
               "WHERE status = 'outcome_recorded'")
    with op.batch_alter_table("accountability_case", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_accountability_case_outcome_severity"), type_="check")
        batch_op.drop_constraint(op.f("ck_accountability_case_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_accountability_case_status"),
                                         f"status IN ({BEFORE})")
        batch_op.drop_column("outcome_reference")
        batch_op.drop_column("outcome_summary")
        batch_op.drop_column("outcome_sanctions")
        batch_op.drop_column("outcome_severity")
        batch_op.drop_column("outcome_on")
