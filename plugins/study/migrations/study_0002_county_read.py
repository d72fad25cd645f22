"""study: the tables its roll-up metrics (sessions_count, ideology_sessions_count and
attendance_rate) read become county-readable: each row carries its township's county
(``county_id``, stamped on insert by the central scoping; existing rows filled from
``tenant``), and the county read policy lets a county's roll-up read scope — only that — see
its townships' rows, so the metrics run once per county instead of once per township
(decision 0034).

Revision ID: study_0002
Revises: study_0001
Create Date: 2026-12-05 01:00:00
"""

from collections.abc import Sequence

from alembic import op

from zerenzhi import add_county_read, drop_county_read

revision: str = "study_0002"
down_revision: str | None = "study_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("study_session", "study_attendance")


def upgrade() -> None:
    for table in TABLES:
        add_county_read(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        drop_county_read(op, table)
