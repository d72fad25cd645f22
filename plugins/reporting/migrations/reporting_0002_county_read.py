"""reporting: the tables its roll-up metrics (reports_submitted, meetings_count and
situations_on_time_rate) read become county-readable: each row carries its township's county
(``county_id``, stamped on insert by the central scoping; existing rows filled from
``tenant``), and the county read policy lets a county's roll-up read scope — only that — see
its townships' rows, so the metrics run once per county instead of once per township
(decision 0034).

Revision ID: reporting_0002
Revises: reporting_0001
Create Date: 2026-12-05 01:00:00
"""

from collections.abc import Sequence

from alembic import op

from zerenzhi import add_county_read, drop_county_read

revision: str = "reporting_0002"
down_revision: str | None = "reporting_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("reporting_meeting",
          "reporting_half_year_report",
          "reporting_situation",
          "reporting_situation_report")


def upgrade() -> None:
    for table in TABLES:
        add_county_read(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        drop_county_read(op, table)
