"""Analyses and their sections (A2, A3), approval, and what they count for in the ledger.

A half-year analysis counts toward ``analysis.half_year`` only while it is approved by the
leader in charge or the secretary AND covers every domain the township's settings require,
and it counts for the half-year it covers (``period``), not the one it was held in; a
forward-looking analysis counts toward the obligation its sensitive date started. Every
write re-states the record's evidence (``sync_evidence``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    committee,
    emit,
    listed,
    local_noon,
    parse_period,
    period_of,
    plugin_settings,
    require_tenant,
    sync_evidence,
    today,
    utcnow,
)
from zerenzhi.plugins.analysis.common import Actor, Shown
from zerenzhi.plugins.analysis.models import Analysis, Contribution, Section, SensitiveDate
from zerenzhi.plugins.analysis.rules import DOMAIN_KEYS, HALF_YEAR, SENSITIVE_DATE

SOURCE = "analysis_analysis"  # how the ledger names this module's records
SECTION_FIELDS = ("mainstream", "minor_currents", "prominent_problems", "proposed_measures")
# The leaders (LEADERS) in the order an approval names them: M2 first, the directly
# responsible leader in charge, then the secretary (M1).
APPROVER_ROLES = ("deputy", "secretary")


def required_domains(settings: dict | None = None) -> list[str]:
    settings = settings if settings is not None else plugin_settings("analysis")
    return list(settings.get("required_domains") or DOMAIN_KEYS)


def missing_domains(analysis: Analysis, settings: dict | None = None) -> list[str]:
    """Required domains without a section, in the catalogue's order (A2)."""
    if analysis.kind != "half_year":
        return []
    covered = {section.domain for section in analysis.sections}
    return [domain for domain in required_domains(settings) if domain not in covered]


def counts(analysis: Analysis, settings: dict | None = None) -> bool:
    """Whether the analysis counts toward its rule now (what the ledger says)."""
    if analysis.archived_at is not None:
        return False
    if analysis.kind == "half_year":
        return analysis.approved_at is not None and not missing_domains(analysis, settings)
    return analysis.kind == "forward_looking" and analysis.sensitive_date_id is not None


def covered_half_year(kind: str, held_on: dt.date, period: str | None) -> str:
    """The half-year an analysis covers (A2: 每半年): ``period`` if given, else the one of
    ``held_on``. An H1 analysis held in early July covers H1; none covers a half-year that
    had not begun when it was held, nor one ending before the township went live (nothing
    is owed for it); only a half-year analysis covers another half-year than its date's."""
    own = period_of("half_year", held_on)
    if period is None or period == own.label:
        return own.label
    if kind != "half_year":
        raise DomainError("period", f"only a half-year analysis covers another half-year "
                                    f"than {own.label}, the one it was held in")
    covered = parse_period(period)
    if covered.start > own.start:
        raise DomainError("period", f"{period} had not begun on held_on ({held_on})")
    live_from = require_tenant().live_from
    if live_from is not None and covered.end < live_from:
        raise DomainError("period", f"{period} ended before the township went live on "
                                    f"{live_from.isoformat()}; nothing is owed for it")
    return covered.label


def sync_analysis(session: Session, analysis: Analysis, settings: dict | None = None) -> None:
    """A half-year analysis counts for the half-year it covers (``counts_on``: the earlier
    of held_on and that half-year's end) and keeps the day it was held, so an H1 analysis
    held on 3 July fulfils H1, late, and leaves H2 open (A2)."""
    session.flush()
    session.expire(analysis, ["sections"])
    evidence: list[Evidence] = []
    if counts(analysis, settings) and analysis.kind == "half_year":
        counts_on = min(analysis.held_on, parse_period(analysis.period).end)
        evidence.append(Evidence(HALF_YEAR.key, analysis.unit_id, local_noon(analysis.held_on),
                                 counts_on=counts_on))
    elif counts(analysis, settings):
        date = _sensitive_date(session, analysis.sensitive_date_id)
        if date is not None and date.obligation_id is not None:
            evidence.append(Evidence(SENSITIVE_DATE.key, date.unit_id,
                                     local_noon(analysis.held_on), date.obligation_id))
    sync_evidence(session, SOURCE, analysis.id, evidence)


def _sensitive_date(session: Session, date_id: uuid.UUID | None) -> SensitiveDate | None:
    if date_id is None:
        return None
    return session.scalar(select(SensitiveDate).where(SensitiveDate.id == date_id,
                                                      SensitiveDate.archived_at.is_(None)))


def get_analysis(session: Session, analysis_id: uuid.UUID) -> Analysis | None:
    return session.scalar(select(Analysis).where(Analysis.id == analysis_id))


def analyses(query: dict[str, Any]) -> Select:
    """The list's select: newest first, filtered by kind, half-year or sensitive date."""
    return listed(Analysis, query, match=("kind", "period", "sensitive_date_id"),
                  order_by=(Analysis.held_on.desc(), Analysis.id.desc()))


def show_page(session: Session, records: list[Analysis]) -> list[Shown]:
    """The analyses as the API shows them: live sections, required and missing domains,
    whether each counts. The page's sections come in one statement (the relationship loads
    ``selectin`` with the page), the township's settings once."""
    settings = plugin_settings("analysis")
    required = required_domains(settings)
    return [Shown(analysis, sections=list(analysis.sections),
                  required_domains=required if analysis.kind == "half_year" else [],
                  missing_domains=missing_domains(analysis, settings),
                  counts=counts(analysis, settings)) for analysis in records]


def show(session: Session, analysis: Analysis) -> Shown:
    return show_page(session, [analysis])[0]


def _check_kind_fields(session: Session, kind: str, subject: str,
                       sensitive_date_id: uuid.UUID | None) -> None:
    if kind == "forward_looking":
        if sensitive_date_id is None:
            raise DomainError("sensitive_date_id", "a forward-looking analysis names the "
                                "sensitive date or hot topic it looks ahead to (A3)")
        if _sensitive_date(session, sensitive_date_id) is None:
            raise DomainError("sensitive_date_id", "no such sensitive date in this township")
    elif sensitive_date_id is not None:
        raise DomainError("sensitive_date_id", "only forward-looking analyses name a date")
    if kind == "ad_hoc" and not subject.strip():
        raise DomainError("subject", "an ad-hoc analysis names its field or group (A3)")


def create_analysis(session: Session, *, kind: str, title: str, held_on: dt.date,
                    period: str | None = None, subject: str = "", summary: str = "",
                    sensitive_date_id: uuid.UUID | None = None,
                    sections: list[dict] | tuple = (), settings: dict | None = None) -> Analysis:
    """Record an analysis by the committee; its sections may come now or later."""
    _check_kind_fields(session, kind, subject, sensitive_date_id)
    period = covered_half_year(kind, held_on, period)
    domains = [s["domain"] for s in sections]
    if len(set(domains)) != len(domains):
        raise DomainError("sections", "each domain once")
    analysis = Analysis(unit_id=committee(session).id, kind=kind, title=title, held_on=held_on,
                        period=period, subject=subject,
                        summary=summary, sensitive_date_id=sensitive_date_id)
    session.add(analysis)
    session.flush()
    for section in sections:
        session.add(Section(analysis_id=analysis.id, **section))
    sync_analysis(session, analysis, settings)
    emit(session, "analysis.recorded", analysis_id=str(analysis.id), kind=kind)
    return analysis


def _writable(analysis: Analysis) -> None:
    if analysis.archived_at is not None:
        raise DomainError("id", "archived analyses cannot change", 409)


def update_analysis(session: Session, analysis: Analysis, changes: dict[str, Any]) -> Analysis:
    """Edit; a period that was the half-year of held_on follows a new held_on, one set
    apart from it stays (and must still be valid for the new date)."""
    _writable(analysis)
    subject = changes.get("subject", analysis.subject)
    date_id = changes.get("sensitive_date_id", analysis.sensitive_date_id)
    _check_kind_fields(session, analysis.kind, subject, date_id)
    follows = analysis.period == period_of("half_year", analysis.held_on).label
    period = changes.pop("period", None) or (None if follows else analysis.period)
    held_on = changes.get("held_on", analysis.held_on)
    period = covered_half_year(analysis.kind, held_on, period)
    for key, value in changes.items():
        setattr(analysis, key, value)
    analysis.period = period
    sync_analysis(session, analysis)
    return analysis


def put_section(session: Session, analysis: Analysis, domain: str,
                fields: dict[str, str]) -> Section:
    """Write one domain's section (created, replaced, or restored if it was removed)."""
    _writable(analysis)
    section = session.scalar(select(Section).where(Section.analysis_id == analysis.id,
                                                   Section.domain == domain))
    if section is None:
        section = Section(analysis_id=analysis.id, domain=domain)
        session.add(section)
    section.archived_at = None
    for name in SECTION_FIELDS:
        setattr(section, name, fields.get(name, ""))
    sync_analysis(session, analysis)
    return section


def remove_section(session: Session, analysis: Analysis, domain: str) -> bool:
    _writable(analysis)
    section = session.scalar(select(Section).where(
        Section.analysis_id == analysis.id, Section.domain == domain,
        Section.archived_at.is_(None)))
    if section is None:
        return False
    section.archived_at = utcnow()
    sync_analysis(session, analysis)
    return True


def approve(session: Session, analysis: Analysis, actor: Actor | None, *,
            at: dt.datetime | None = None, settings: dict | None = None) -> Analysis:
    """The leader in charge (M2) or the secretary (M1) approves, named by the role they act
    in; a half-year analysis must cover every required domain first, so an approval never
    hides a gap."""
    roles = actor.roles if actor is not None else frozenset()
    role = next((name for name in APPROVER_ROLES if name in roles), None)
    if actor is None or role is None:
        raise DomainError("approver", "approved by the leader in charge or the secretary", 403)
    _writable(analysis)
    if analysis.approved_at is not None:
        raise DomainError("approved", "already approved", 409)
    missing = missing_domains(analysis, settings)
    if missing:
        raise DomainError("sections", "domains not covered yet: " + ", ".join(missing))
    analysis.approved_at = at or utcnow()
    analysis.approved_by, analysis.approved_by_name = actor.member_id, actor.name
    analysis.approver_role = role
    sync_analysis(session, analysis, settings)
    emit(session, "analysis.approved", analysis_id=str(analysis.id), kind=analysis.kind)
    return analysis


def withdraw_approval(session: Session, analysis: Analysis) -> Analysis:
    _writable(analysis)
    if analysis.approved_at is None:
        raise DomainError("approved", "not approved", 409)
    analysis.approved_at = analysis.approved_by = None
    analysis.approved_by_name = analysis.approver_role = None
    sync_analysis(session, analysis)
    return analysis


def archive_analysis(session: Session, analysis: Analysis) -> Analysis:
    """Archive (never delete): it counts for nothing any more; its contributions go too."""
    if analysis.archived_at is None:
        now = utcnow()
        analysis.archived_at = now
        for contribution in session.scalars(select(Contribution).where(
                Contribution.analysis_id == analysis.id, Contribution.archived_at.is_(None))):
            contribution.archived_at = now
        sync_analysis(session, analysis)
    return analysis


def resync_open(session: Session, settings: dict) -> None:
    """Required domains changed: half-year analyses of periods not yet over follow; closed
    periods keep what they were judged by."""
    current = period_of("half_year", today())
    for analysis in session.scalars(select(Analysis).where(
            Analysis.kind == "half_year", Analysis.archived_at.is_(None),
            Analysis.period >= current.label)):  # "2026H2" sorts after "2026H1"
        sync_analysis(session, analysis, settings)


def describe(session: Session, ref_type: str, ref_id: str) -> dict | None:
    """``describe_reference`` for ``analysis.analysis`` and ``analysis.sensitive_date``."""
    try:
        record_id = uuid.UUID(str(ref_id))
    except ValueError:
        return None
    if ref_type == "analysis.analysis":
        analysis = get_analysis(session, record_id)
        if analysis is None:
            return None
        status = ("archived" if analysis.archived_at else "counts" if counts(analysis)
                  else "approved" if analysis.approved_at else "draft")
        return {"type": ref_type, "id": str(analysis.id), "title": analysis.title,
                "status": status, "kind": analysis.kind, "period": analysis.period,
                "held_on": analysis.held_on.isoformat()}
    if ref_type == "analysis.sensitive_date":
        date = session.scalar(select(SensitiveDate).where(SensitiveDate.id == record_id))
        if date is None:
            return None
        return {"type": ref_type, "id": str(date.id), "title": date.title,
                "status": "archived" if date.archived_at else "active",
                "falls_on": date.falls_on.isoformat()}
    return None
