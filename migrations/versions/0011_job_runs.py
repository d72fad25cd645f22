"""The worker's records: ``job_state`` (one row per periodic job and township, updated by
each run), ``job_run`` (the runs that did something or failed) — tenant tables under
row-level security — and ``worker_heartbeat`` (each worker process's last beat, a global
table read by ``/readyz``). Decision 0015.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zerenzhi.db.base
from zerenzhi.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_state",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("job", sa.String(length=100), nullable=False),
        sa.Column("last_run_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_outcome", sa.String(length=8), nullable=False),
        sa.Column("last_detail", sa.Text(), nullable=False),
        sa.Column("last_success_at", zerenzhi.db.base.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("last_outcome IN ('ok', 'failed')",
                           name=op.f("ck_job_state_last_outcome")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_job_state_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_job_state")),
        sa.UniqueConstraint("tenant_id", "job", name=op.f("uq_job_state_tenant_id_job")),
    )
    enable_tenant_rls(op, "job_state")
    op.create_table(
        "job_run",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("job", sa.String(length=100), nullable=False),
        sa.Column("as_of", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.CheckConstraint("outcome IN ('ok', 'failed')",
                           name=op.f("ck_job_run_outcome")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_job_run_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_job_run")),
    )
    op.create_index("ix_job_run_tenant_id_job_as_of", "job_run",
                    ["tenant_id", "job", "as_of"], unique=False)
    enable_tenant_rls(op, "job_run")
    op.create_table(
        "worker_heartbeat",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("started_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_heartbeat")),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeat")
    disable_tenant_rls(op, "job_run")
    op.drop_index("ix_job_run_tenant_id_job_as_of", table_name="job_run")
    op.drop_table("job_run")
    disable_tenant_rls(op, "job_state")
    op.drop_table("job_state")
