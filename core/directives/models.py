"""Directives (W1) and the county inbox (R1, R3, P2).

A directive is county data (``directive``, tenant = the county): a one-off task with a
deadline (``kind="task"``) or an extra rule for a period (``kind="rule"``: every active
unit of some kinds does something ``min_count`` times in the period). Each township it
targets holds its own copy (``directive_target``, tenant = the township), written in that
township's scope: the township works on its own row, and the county reads the rows
through its county read scope to track completion. Progress on a rule is recorded per
unit (``directive_report``, the township's own: the county sees counts, not notes).
Reports sent upward (``inbox_item``) are likewise the township's rows, readable by its
county, and the county's acknowledgement is written onto them in the township's scope.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Archivable, Base, CountyReadable, TenantScoped, Timestamped, tenant_fk

TARGET_STATUSES = ("open", "completed", "cancelled")
KINDS = ("task", "rule")


class RuleTerms:
    """What a rule directive asks (None on a task): ``min_count`` times in ``period``
    (a label such as ``2026H2``, with its first and last day) at every active unit of
    the kinds in ``applies_to``."""

    kind: Mapped[str] = mapped_column(String(8), default="task", server_default="task")
    period: Mapped[str | None] = mapped_column(String(8), default=None)
    period_start: Mapped[dt.date | None] = mapped_column(default=None)
    period_end: Mapped[dt.date | None] = mapped_column(default=None)
    applies_to: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    min_count: Mapped[int | None] = mapped_column(default=None)


class Directive(TenantScoped, Timestamped, Archivable, RuleTerms, Base):
    """A one-off task with a deadline, or an extra rule for a period, that a county
    assigns to its townships (督辦). A rule's deadline is its period's end."""

    __tablename__ = "directive"

    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    deadline: Mapped[dt.datetime]
    all_townships: Mapped[bool] = mapped_column(default=True)
    issued_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # withdrawn before done: the townships' unfinished copies are cancelled with it
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (Index("ix_directive_deadline", "tenant_id", "deadline"),)


class DirectiveTarget(TenantScoped, CountyReadable, Timestamped, RuleTerms, Base):
    """A township's copy of a directive: the task, its status and completion report; for
    a rule, its terms (the status then derives from the units' obligations) and
    ``unit_id`` is the committee."""

    __tablename__ = "directive_target"
    # county-readable: the county tracks completion; the report goes upward

    directive_id: Mapped[uuid.UUID]  # the county's row: no foreign key across tenants
    unit_id: Mapped[uuid.UUID]
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    deadline: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(12), default="open")
    report: Mapped[str | None] = mapped_column(Text, default=None)
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    completed_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # the county chased it while overdue (催辦): the last time and how often; each chase is
    # an audited update of this row and an event to the township's notifiers
    chased_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    chase_count: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("tenant_id", "directive_id"),
        tenant_fk("unit_id", "org_unit"),
        tenant_fk("obligation_id", "obligation"),
    )


class DirectiveReport(TenantScoped, Timestamped, Archivable, Base):
    """One thing a unit did under a rule directive (a session held…): it counts toward
    that unit's obligation through the ledger. Township data: the county sees the count."""

    __tablename__ = "directive_report"

    directive_id: Mapped[uuid.UUID]  # the county's row: no foreign key across tenants
    target_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    obligation_id: Mapped[uuid.UUID]
    occurred_at: Mapped[dt.datetime]
    note: Mapped[str | None] = mapped_column(String(2000), default=None)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(default=None)

    __table_args__ = (
        tenant_fk("target_id", "directive_target"),
        tenant_fk("unit_id", "org_unit"),
        tenant_fk("obligation_id", "obligation"),
        Index("ix_directive_report_unit", "tenant_id", "directive_id", "unit_id"),
    )


class InboxItem(TenantScoped, CountyReadable, Timestamped, Base):
    """A report a township deliberately sent upward, with the county's acknowledgement."""

    __tablename__ = "inbox_item"
    # county-readable: sent upward on purpose: the county reads it

    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    source_type: Mapped[str] = mapped_column(String(60))
    source_id: Mapped[str] = mapped_column(String(60))
    sent_at: Mapped[dt.datetime]
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    acknowledgement_note: Mapped[str | None] = mapped_column(String(2000), default=None)

    __table_args__ = (
        UniqueConstraint("tenant_id", "source_type", "source_id"),
        Index("ix_inbox_item_sent", "tenant_id", "sent_at"),
    )
