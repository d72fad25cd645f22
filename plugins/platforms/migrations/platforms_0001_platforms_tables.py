"""platforms tables: the channel register, filings, reviews, incidents and their timeline,
each under forced row-level security.

Revision ID: platforms_0001
Revises:
Create Date: 2026-11-26 07:03:23.434715

Timestamps are plain ``DateTime(timezone=True)``, the column type core's UTC timestamps
map to, so this lineage imports nothing but the ``zerenzhi`` face.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "platforms_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "platforms_channel",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("responsible_member_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('website', 'wechat_official_account', 'wechat_work_group', "
            "'xuexi_qiangguo_group', 'bulletin_board', 'village_broadcast', 'other')",
            name=op.f("ck_platforms_channel_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'closed')", name=op.f("ck_platforms_channel_status")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "responsible_member_id"],
            ["member.tenant_id", "member.id"],
            name=op.f("fk_platforms_channel_tenant_id_responsible_member_id_member"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_platforms_channel_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_platforms_channel_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_platforms_channel")),
    )
    with op.batch_alter_table("platforms_channel", schema=None) as batch_op:
        batch_op.create_index("ix_platforms_channel_unit", ["tenant_id", "unit_id"], unique=False)

    op.create_table(
        "platforms_filing",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("filed_with", sa.String(length=200), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('open', 'change', 'close')", name=op.f("ck_platforms_filing_action")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "channel_id"],
            ["platforms_channel.tenant_id", "platforms_channel.id"],
            name=op.f("fk_platforms_filing_tenant_id_channel_id_platforms_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_platforms_filing_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_platforms_filing")),
    )
    with op.batch_alter_table("platforms_filing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_platforms_filing_channel", ["tenant_id", "channel_id"], unique=False
        )

    op.create_table(
        "platforms_incident",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("report_obligation_id", sa.Uuid(), nullable=True),
        sa.Column("report_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_report_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('opinion', 'network', 'religious_propagation', 'foreign_exchange', "
            "'ngo_activity', 'illegal_publication', 'cult', 'other')",
            name=op.f("ck_platforms_incident_category"),
        ),
        sa.CheckConstraint(
            "severity IN ('minor', 'serious', 'major', 'especially_major')",
            name=op.f("ck_platforms_incident_severity"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_platforms_incident_status")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "channel_id"],
            ["platforms_channel.tenant_id", "platforms_channel.id"],
            name=op.f("fk_platforms_incident_tenant_id_channel_id_platforms_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_platforms_incident_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_platforms_incident_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_platforms_incident")),
    )
    with op.batch_alter_table("platforms_incident", schema=None) as batch_op:
        batch_op.create_index(
            "ix_platforms_incident_detected", ["tenant_id", "detected_at"], unique=False
        )

    op.create_table(
        "platforms_review",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("update_frequency", sa.String(length=20), nullable=False),
        sa.Column("content_checked", sa.Text(), nullable=False),
        sa.Column("problems_found", sa.Text(), nullable=True),
        sa.Column("rectification", sa.Text(), nullable=True),
        sa.Column("rectified_on", sa.Date(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "update_frequency IN ('daily', 'weekly', 'monthly', 'irregular', 'dormant')",
            name=op.f("ck_platforms_review_update_frequency"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "channel_id"],
            ["platforms_channel.tenant_id", "platforms_channel.id"],
            name=op.f("fk_platforms_review_tenant_id_channel_id_platforms_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_platforms_review_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_platforms_review_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_platforms_review")),
    )
    with op.batch_alter_table("platforms_review", schema=None) as batch_op:
        batch_op.create_index(
            "ix_platforms_review_channel", ["tenant_id", "channel_id"], unique=False
        )
        batch_op.create_index(
            "ix_platforms_review_unit_quarter", ["tenant_id", "unit_id", "quarter"], unique=False
        )

    op.create_table(
        "platforms_incident_entry",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_member_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("reported_to", sa.String(length=200), nullable=True),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('handling', 'report', 'liaison')",
            name=op.f("ck_platforms_incident_entry_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "actor_member_id"],
            ["member.tenant_id", "member.id"],
            name=op.f("fk_platforms_incident_entry_tenant_id_actor_member_id_member"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "incident_id"],
            ["platforms_incident.tenant_id", "platforms_incident.id"],
            name=op.f("fk_platforms_incident_entry_tenant_id_incident_id_platforms_incident"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_platforms_incident_entry_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_platforms_incident_entry")),
    )
    with op.batch_alter_table("platforms_incident_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_platforms_incident_entry_incident", ["tenant_id", "incident_id", "at"], unique=False
        )
    enable_tenant_rls(op, "platforms_channel")
    enable_tenant_rls(op, "platforms_filing")
    enable_tenant_rls(op, "platforms_incident")
    enable_tenant_rls(op, "platforms_review")
    enable_tenant_rls(op, "platforms_incident_entry")


def downgrade() -> None:
    disable_tenant_rls(op, "platforms_incident_entry")
    disable_tenant_rls(op, "platforms_review")
    disable_tenant_rls(op, "platforms_incident")
    disable_tenant_rls(op, "platforms_filing")
    disable_tenant_rls(op, "platforms_channel")
    with op.batch_alter_table("platforms_incident_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_platforms_incident_entry_incident")

    op.drop_table("platforms_incident_entry")
    with op.batch_alter_table("platforms_review", schema=None) as batch_op:
        batch_op.drop_index("ix_platforms_review_unit_quarter")
        batch_op.drop_index("ix_platforms_review_channel")

    op.drop_table("platforms_review")
    with op.batch_alter_table("platforms_incident", schema=None) as batch_op:
        batch_op.drop_index("ix_platforms_incident_detected")

    op.drop_table("platforms_incident")
    with op.batch_alter_table("platforms_filing", schema=None) as batch_op:
        batch_op.drop_index("ix_platforms_filing_channel")

    op.drop_table("platforms_filing")
    with op.batch_alter_table("platforms_channel", schema=None) as batch_op:
        batch_op.drop_index("ix_platforms_channel_unit")

    op.drop_table("platforms_channel")
