"""Obligations, the fulfilment ledger, per-township rule versions and sent reminders."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Base, CountyReadable, TenantScoped, Timestamped, tenant_fk

OPEN = "archived_at IS NULL AND waived_at IS NULL AND counted < min_count"


class RuleVersion(TenantScoped, Timestamped, Base):
    """A township's numbers for a rule from ``effective_from`` (a period start) on.

    Closed periods keep the version they were judged by; a change made during a period
    rewrites that period's version, which is still open.
    """

    __tablename__ = "rule_version"

    rule_key: Mapped[str] = mapped_column(String(80))
    effective_from: Mapped[dt.date]
    enabled: Mapped[bool] = mapped_column(default=True)
    min_count: Mapped[int | None] = mapped_column(default=None)
    deadline_hours: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str | None] = mapped_column(String(500), default=None)

    __table_args__ = (UniqueConstraint("tenant_id", "rule_key", "effective_from"),)


class Obligation(TenantScoped, CountyReadable, Timestamped, Base):
    """A rule applied to one unit for one period (or one triggering event)."""

    __tablename__ = "obligation"
    __audit__ = False  # derived from rules; waivers and rule changes are audited instead
    # county-readable: counts and titles only reach the county

    rule_key: Mapped[str] = mapped_column(String(80))
    unit_id: Mapped[uuid.UUID]
    slot: Mapped[str] = mapped_column(String(120))  # "2026H1", or "<type>:<id>" for events
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    due_at: Mapped[dt.datetime]
    min_count: Mapped[int]
    source_clause: Mapped[str] = mapped_column(String(16))
    rule_version: Mapped[str] = mapped_column(String(40))
    responsible_role: Mapped[str] = mapped_column(String(40))
    trigger_type: Mapped[str | None] = mapped_column(String(60), default=None)
    trigger_id: Mapped[str | None] = mapped_column(String(60), default=None)
    triggered_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    waived_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    waived_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    waive_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    archived_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # live ledger entries counting for it, kept by zerenzhi.obligations.tally (decision 0009)
    counted: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("tenant_id", "rule_key", "unit_id", "slot"),
        tenant_fk("unit_id", "org_unit"),
        Index("ix_obligation_due", "tenant_id", "due_at"),
        Index("ix_obligation_period", "tenant_id", "period_start", "rule_key"),
        # the status query's overlap window: a township's cost stops growing with its years
        Index("ix_obligation_window", "tenant_id", "period_end", "period_start"),
        # what is still owed, by due date: the county's overdue list and its count
        Index("ix_obligation_open", "tenant_id", "due_at",
              postgresql_where=text(OPEN), sqlite_where=text(OPEN)),
    )


class Fulfilment(TenantScoped, CountyReadable, Timestamped, Base):
    """Evidence that counts: one entry per (rule, unit, source record)."""

    __tablename__ = "fulfilment"
    __audit__ = False
    # county-readable: written with the audited source record, in its transaction

    rule_key: Mapped[str] = mapped_column(String(80))
    unit_id: Mapped[uuid.UUID]
    occurred_at: Mapped[dt.datetime]
    occurred_on: Mapped[dt.date]  # local date in the township's time zone
    source_type: Mapped[str] = mapped_column(String(60))
    source_id: Mapped[str] = mapped_column(String(60))
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    archived_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        tenant_fk("unit_id", "org_unit"),
        tenant_fk("obligation_id", "obligation"),
        Index("ix_fulfilment_count", "tenant_id", "rule_key", "unit_id", "occurred_on"),
        Index("ix_fulfilment_source", "tenant_id", "source_type", "source_id"),
    )


class ReminderSent(TenantScoped, Base):
    """One row per obligation and threshold, so cron running twice reminds once."""

    __tablename__ = "reminder_sent"
    __audit__ = False

    obligation_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40))  # "due_soon:7", "overdue", "digest:2026-W48"
    sent_at: Mapped[dt.datetime]

    __table_args__ = (
        UniqueConstraint("tenant_id", "obligation_id", "kind"),
    )


OUTCOMES = ("met", "owed", "waived")


class ObligationCount(TenantScoped, CountyReadable, Base):
    """How many of a township's live obligations of one rule, period and due moment are met,
    owed or waived: what county roll-ups read instead of every obligation (a few rows per
    township and rule, decision 0033). Kept by ``zerenzhi.obligations.tally`` in the
    transaction that changes an obligation or its count; never written by hand. "Owed" turns
    overdue when ``due_at`` passes, so the reader compares it with its ``now``."""

    __tablename__ = "obligation_count"
    __audit__ = False  # derived, like ``Obligation.counted``

    rule_key: Mapped[str] = mapped_column(String(80))
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    due_at: Mapped[dt.datetime]
    outcome: Mapped[str] = mapped_column(String(8))  # one of OUTCOMES
    n: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("tenant_id", "rule_key", "period_start", "period_end", "due_at",
                         "outcome", name="uq_obligation_count_group"),
        # the roll-ups' window: the periods overlapping a half-year, township by township
        Index("ix_obligation_count_window", "tenant_id", "period_end", "period_start"),
    )
