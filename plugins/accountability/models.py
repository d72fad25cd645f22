"""The accountability tables (prefix ``accountability_``): cases about leadership groups
and party-member leading cadres (K), and the evidence they cite by reference.

Personal data is limited to the case's subject, an official named in the text's sense
(the product's scope); evidence is linked by (type, id) across modules, never copied.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zerenzhi import (
    Archivable,
    Base,
    CountyReadable,
    TenantScoped,
    Timestamped,
    member_fk,
    tenant_fk,
)
from zerenzhi.plugins.accountability.catalogue import SEVERITIES, STATUSES, SUBJECT_KINDS


def _one_of(column: str, codes) -> CheckConstraint:
    listed = ", ".join(f"'{code}'" for code in codes)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


def _severity(column: str) -> CheckConstraint:
    listed = ", ".join(f"'{code}'" for code in SEVERITIES)
    return CheckConstraint(f"{column} IS NULL OR {column} IN ({listed})", name=column)


class Case(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """One accountability case: opened → investigating → decided (the township proposes a
    severity and sanctions) → referred (報請區紀委) → outcome_recorded (the commission's
    decision) → closed; a case closed earlier records why no referral was needed.

    ``circumstances`` are K codes; ``sanctions`` and ``outcome_sanctions`` are catalogue
    codes a decision of their severity may apply. The software records what people decide;
    it never opens a case or chooses a sanction itself.
    """

    __tablename__ = "accountability_case"

    title: Mapped[str] = mapped_column(String(200))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_unit_id: Mapped[uuid.UUID]  # the unit whose leadership, or where the cadre serves
    subject_member_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    subject_name: Mapped[str | None] = mapped_column(String(100), default=None)
    subject_post: Mapped[str | None] = mapped_column(String(100), default=None)
    circumstances: Mapped[list] = mapped_column(default=list)
    facts: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="opened")
    opened_on: Mapped[dt.date]
    investigation_started_on: Mapped[dt.date | None] = mapped_column(default=None)
    investigation_note: Mapped[str | None] = mapped_column(Text, default=None)
    severity: Mapped[str | None] = mapped_column(String(20), default=None)
    sanctions: Mapped[list] = mapped_column(default=list)
    decided_on: Mapped[dt.date | None] = mapped_column(default=None)
    decision_reasoning: Mapped[str | None] = mapped_column(Text, default=None)
    referred_on: Mapped[dt.date | None] = mapped_column(default=None)
    referred_to: Mapped[str | None] = mapped_column(String(200), default=None)
    referral_reference: Mapped[str | None] = mapped_column(String(120), default=None)
    outcome_on: Mapped[dt.date | None] = mapped_column(default=None)
    outcome_severity: Mapped[str | None] = mapped_column(String(20), default=None)
    outcome_sanctions: Mapped[list] = mapped_column(default=list)
    outcome_summary: Mapped[str | None] = mapped_column(Text, default=None)
    outcome_reference: Mapped[str | None] = mapped_column(String(120), default=None)
    closed_on: Mapped[dt.date | None] = mapped_column(default=None)
    closing_note: Mapped[str | None] = mapped_column(Text, default=None)

    # Loaded with the case, for a whole page in one IN statement (selectin): dumping a
    # case or a page of them never queries.
    links: Mapped[list[CaseLink]] = relationship(
        viewonly=True, lazy="selectin", order_by="CaseLink.created_at, CaseLink.id")

    @property
    def evidence(self) -> list[CaseLink]:
        """The links the case cites now (archived ones are kept, not shown)."""
        return [link for link in self.links if link.archived_at is None]

    __table_args__ = (
        tenant_fk("subject_unit_id", "org_unit"),
        member_fk("subject_member_id"),
        _one_of("subject_kind", SUBJECT_KINDS),
        _one_of("status", STATUSES),
        _severity("severity"),
        _severity("outcome_severity"),
        Index("ix_accountability_case_status", "tenant_id", "status"),
    )


class CaseLink(TenantScoped, Archivable, Timestamped, Base):
    """Evidence a case cites: a record of another module (or core) named by (type, id).
    ``title`` and ``status`` are what ``core.describe_reference`` said when it was cited,
    kept so the case file still reads if that module is later disabled."""

    __tablename__ = "accountability_case_link"

    case_id: Mapped[uuid.UUID]
    ref_type: Mapped[str] = mapped_column(String(60))
    ref_id: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str | None] = mapped_column(String(40), default=None)
    note: Mapped[str | None] = mapped_column(String(500), default=None)

    __table_args__ = (
        tenant_fk("case_id", "accountability_case"),
        Index("ix_accountability_case_link_case", "tenant_id", "case_id"),
        Index("ix_accountability_case_link_ref", "tenant_id", "ref_type", "ref_id"),
    )
