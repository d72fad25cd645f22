"""assessment_year, _score, _inspection_score, _adjustment: the assessment lineage's first
tables, each under forced row-level security.

Revision ID: assessment_0001
Revises:
Create Date: 2026-11-26 07:04:07

Plugin migrations import only the public face ``zerenzhi``; ``zerenzhi.Base`` maps aware datetimes
onto ``DateTime(timezone=True)`` and floats onto ``Double``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "assessment_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("assessment_year", "assessment_adjustment", "assessment_inspection_score",
          "assessment_score")


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _keys(table: str) -> list:
    """tenant_id + id primary key, the tenant foreign key."""
    return [
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f(f"fk_{table}_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _unit_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", "unit_id"], ["org_unit.tenant_id", "org_unit.id"],
                                   name=op.f(f"fk_{table}_tenant_id_unit_id_org_unit"))


def _ids() -> list[sa.Column]:
    return [sa.Column("tenant_id", sa.Uuid(), nullable=False),
            sa.Column("id", sa.Uuid(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "assessment_year", *_ids(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("compliance_weight", sa.Integer(), nullable=False),
        sa.Column("inspection_weight", sa.Integer(), nullable=False),
        _moment("computed_at", nullable=False),
        _moment("finalised_at"),
        sa.Column("township_total", sa.Double(), nullable=True),
        sa.Column("reopen_reason", sa.String(length=1000), nullable=True),
        _moment("created_at", nullable=False),
        _moment("updated_at", nullable=False),
        *_keys("assessment_year"),
        sa.UniqueConstraint("tenant_id", "year", name=op.f("uq_assessment_year_tenant_id_year")),
    )
    op.create_table(
        "assessment_adjustment", *_ids(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("points", sa.Double(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        _moment("archived_at"),
        _moment("created_at", nullable=False),
        _moment("updated_at", nullable=False),
        _unit_fk("assessment_adjustment"),
        *_keys("assessment_adjustment"),
    )
    op.create_table(
        "assessment_inspection_score", *_ids(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        _moment("created_at", nullable=False),
        _moment("updated_at", nullable=False),
        _unit_fk("assessment_inspection_score"),
        *_keys("assessment_inspection_score"),
        sa.UniqueConstraint("tenant_id", "year", "unit_id",
                            name=op.f("uq_assessment_inspection_score_tenant_id_year_unit_id")),
    )
    op.create_table(
        "assessment_score", *_ids(),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("obligations", sa.Integer(), nullable=False),
        sa.Column("compliance_rate", sa.Double(), nullable=True),
        sa.Column("inspection_score", sa.Double(), nullable=True),
        sa.Column("adjustment", sa.Double(), nullable=False),
        sa.Column("total", sa.Double(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        _moment("archived_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment_year.tenant_id", "assessment_year.id"],
            name=op.f("fk_assessment_score_tenant_id_assessment_id_assessment_year")),
        _unit_fk("assessment_score"),
        *_keys("assessment_score"),
        sa.UniqueConstraint(
            "tenant_id", "assessment_id", "unit_id",
            name=op.f("uq_assessment_score_tenant_id_assessment_id_unit_id")),
    )
    for table in TABLES:
        enable_tenant_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(op, table)
        op.drop_table(table)
