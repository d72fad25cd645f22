"""Obligation rules: what must happen, how often, where, who answers for it (docs/domain.md,
"Default obligation rules"). Plugins contribute them through ``register_rules``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from zerenzhi.auth.roles import ROLES
from zerenzhi.labels import Label
from zerenzhi.orgunits.models import UNIT_KINDS

CADENCES = ("year", "half_year", "quarter", "month", "event")
NUMBERS = ("min_count", "deadline_hours", "cadence")  # what ``not_in_text`` may name
KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class RuleDef:
    """A rule as a plugin ships it; townships override numbers, not definitions.

    ``responsible`` maps a unit kind to the role that answers for the unit's obligation
    (``{"committee": "secretary", "branch": "branch_secretary"}``); a plain role name
    applies to every kind in ``applies_to``. Periodic rules need ``min_count``; event
    rules need ``deadline_hours`` (negative = before the event, as for A3's 7 days before
    a sensitive date). ``units(session, period)``, when given, narrows a periodic rule to
    the units it concerns in that period (P1: only units that own a channel); name the
    tables it reads in ``units_follow``, so a write to them re-materialises the township's
    calendar in the same transaction, as a new unit does (the calendar follows facts, never
    reads).

    ``not_in_text`` names the numbers (of ``NUMBERS``) whose defaults are ours, not the
    clause's: the text gives no cadence for R2, no hours for R3 or P2. The rules API shows
    them as ``defaults_not_in_text`` so a township knows which numbers to set from its own
    text (docs/domain.md, "Numbers the text does not give").
    """

    key: str
    source: str
    title: Label
    cadence: str
    applies_to: tuple[str, ...]
    responsible: str | dict[str, str]
    evidence: Label
    min_count: int | None = None
    deadline_hours: int | None = None
    coverage: Label | None = None
    notes: dict = field(default_factory=dict)
    units: Callable[[Any, Any], Iterable[uuid.UUID]] | None = field(default=None, compare=False)
    units_follow: tuple[str, ...] = ()  # table names ``units`` reads
    not_in_text: tuple[str, ...] = ()  # numbers whose defaults the text does not give

    def __post_init__(self) -> None:
        problems = []
        if not KEY.match(self.key):
            problems.append("key must be '<plugin>.<name>'")
        if self.cadence not in CADENCES:
            problems.append(f"cadence must be one of {CADENCES}")
        if not self.applies_to or set(self.applies_to) - set(UNIT_KINDS):
            problems.append(f"applies_to must be unit kinds from {UNIT_KINDS}")
        roles = self.responsible.values() if isinstance(self.responsible, dict) else [
            self.responsible]
        if set(roles) - set(ROLES):
            problems.append("responsible must name roles of docs/domain.md")
        if self.cadence == "event":
            if self.deadline_hours is None:
                problems.append("event rules need deadline_hours")
        elif self.min_count is None or self.min_count < 0:
            problems.append("periodic rules need min_count >= 0")
        if self.units is not None and self.cadence != "event" and not self.units_follow:
            problems.append("a rule with units() names the tables it reads in units_follow")
        if isinstance(self.not_in_text, str) or set(self.not_in_text) - set(NUMBERS):
            problems.append(f"not_in_text must name numbers from {NUMBERS}")
        if problems:
            raise ValueError(f"rule {self.key}: " + "; ".join(problems))

    @property
    def plugin(self) -> str:
        return self.key.split(".", 1)[0]

    def role_for(self, unit_kind: str) -> str:
        if isinstance(self.responsible, dict):
            return self.responsible[unit_kind]
        return self.responsible


class RuleRegistry:
    """Rules of one app, by key."""

    def __init__(self) -> None:
        self._rules: dict[str, RuleDef] = {}

    def add(self, rule: RuleDef, *, plugin: str) -> None:
        if rule.plugin != plugin:
            raise ValueError(f"rule {rule.key} from plugin {plugin} must start with '{plugin}.'")
        if rule.key in self._rules:
            raise ValueError(f"rule {rule.key} is registered twice")
        self._rules[rule.key] = rule

    def get(self, key: str) -> RuleDef | None:
        return self._rules.get(key)

    def __iter__(self):
        return iter(sorted(self._rules.values(), key=lambda r: r.key))

    def for_plugins(self, plugins: frozenset[str]) -> list[RuleDef]:
        return [rule for rule in self if rule.plugin in plugins]
