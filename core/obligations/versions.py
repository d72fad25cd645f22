"""Effective rules of a township: a plugin's definition with the township's numbers for
a period (``RuleVersion``), validated and versioned by period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.domain import DomainError
from zerenzhi.obligations.models import Obligation, RuleVersion
from zerenzhi.obligations.periods import local_today, period_of
from zerenzhi.obligations.rules import RuleDef, RuleRegistry
from zerenzhi.plugin_host.service import enabled_names
from zerenzhi.tenancy.context import require_tenant

MAX_DEADLINE_HOURS = 24 * 366


class RuleChangeError(DomainError):
    """Every wrong number of one rule change at once (``fields``: name -> messages), where
    a ``DomainError`` names one field; provisioning files catch it to name their entry."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(next(iter(fields), "_schema"), "invalid rule change")
        self.fields = fields

    @property
    def errors(self) -> dict[str, dict[str, list[str]]]:
        return {self.location: self.fields}


@dataclass(frozen=True)
class EffectiveRule:
    rule: RuleDef
    enabled: bool
    min_count: int | None
    deadline_hours: int | None
    version: str  # "default" or "v<effective_from>"
    sources: dict[str, str]  # number -> "default" | "township"

    @property
    def key(self) -> str:
        return self.rule.key


def registry() -> RuleRegistry:
    """The app's rules: core's and those the installed plugins registered at start-up."""
    return current_app.extensions["zerenzhi"].rules


def _versions(session: Session, key: str | None = None) -> list[RuleVersion]:
    statement = select(RuleVersion).order_by(RuleVersion.rule_key, RuleVersion.effective_from)
    if key:
        statement = statement.where(RuleVersion.rule_key == key)
    return list(session.scalars(statement))


def effective(rule: RuleDef, versions: list[RuleVersion], on: dt.date) -> EffectiveRule:
    """The rule as judged for a period starting ``on``: the latest version not after it."""
    chosen = None
    for version in versions:
        if version.rule_key == rule.key and version.effective_from <= on:
            chosen = version
    if chosen is None:
        return EffectiveRule(rule, True, rule.min_count, rule.deadline_hours, "default",
                             {"min_count": "default", "deadline_hours": "default"})
    return EffectiveRule(
        rule, chosen.enabled,
        chosen.min_count if chosen.min_count is not None else rule.min_count,
        chosen.deadline_hours if chosen.deadline_hours is not None else rule.deadline_hours,
        f"v{chosen.effective_from.isoformat()}",
        {"min_count": "township" if chosen.min_count is not None else "default",
         "deadline_hours": "township" if chosen.deadline_hours is not None else "default"},
    )


def enabled_rules(session: Session) -> list[RuleDef]:
    return registry().for_plugins(enabled_names(session))


def effective_rules(session: Session, on: dt.date) -> list[EffectiveRule]:
    versions = _versions(session)
    return [effective(rule, versions, on) for rule in enabled_rules(session)]


def _validate(rule: RuleDef, changes: dict) -> None:
    errors: dict[str, list[str]] = {}
    if "min_count" in changes:
        if rule.cadence == "event":
            errors["min_count"] = ["event rules have a deadline, not a count"]
        elif changes["min_count"] is not None and not 0 <= changes["min_count"] <= 366:
            errors["min_count"] = ["between 0 and 366"]
    if "deadline_hours" in changes:
        hours = changes["deadline_hours"]
        if rule.cadence != "event":
            errors["deadline_hours"] = ["periodic rules are due at the end of their period"]
        elif hours is not None and (hours == 0 or abs(hours) > MAX_DEADLINE_HOURS):
            errors["deadline_hours"] = [f"non-zero, within ±{MAX_DEADLINE_HOURS} hours"]
    if errors:
        raise RuleChangeError(errors)


def change(session: Session, rule: RuleDef, changes: dict,
           today: dt.date | None = None) -> RuleVersion:
    """Change a rule from the current period on; open obligations follow, closed keep theirs."""
    _validate(rule, changes)
    tenant = require_tenant()
    today = today or local_today(tenant.timezone)
    cadence = "year" if rule.cadence == "event" else rule.cadence
    starts = period_of(cadence, today).start
    versions = _versions(session, rule.key)
    current = effective(rule, versions, starts)
    row = next((v for v in versions if v.effective_from == starts), None)
    if row is None:
        row = RuleVersion(rule_key=rule.key, effective_from=starts, enabled=current.enabled,
                          min_count=None if current.sources["min_count"] == "default"
                          else current.min_count,
                          deadline_hours=None if current.sources["deadline_hours"] == "default"
                          else current.deadline_hours)
        session.add(row)
    for name in ("enabled", "min_count", "deadline_hours", "reason"):
        if name in changes:
            setattr(row, name, changes[name])
    session.flush()
    _reprice_open(session, rule, effective(rule, _versions(session, rule.key), starts), starts)
    return row


def _reprice_open(session: Session, rule: RuleDef, eff: EffectiveRule, starts: dt.date) -> None:
    """Open obligations of the current period on take the new numbers and version."""
    if rule.cadence == "event":
        return
    rows = session.scalars(select(Obligation).where(
        Obligation.rule_key == rule.key, Obligation.period_start >= starts))
    now = utcnow()
    for obligation in rows:
        obligation.min_count = eff.min_count
        obligation.rule_version = eff.version
        # switching a rule off hides its open obligations; switching it on shows them again
        obligation.archived_at = None if eff.enabled else (obligation.archived_at or now)
    session.flush()
