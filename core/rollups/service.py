"""County roll-ups: how a county's townships stand on their obligations, side by side.

The database does the counting (``zerenzhi.rollups.queries``: one grouped statement per
view); Python only pivots the grouped rows (townships × rules × statuses, a few hundred
at most) into the API's shape. Roll-ups read what exists and never materialise periods
inside a county read: township reads and the nightly ``zerenzhi obligations remind``
create obligations, each in its own township's scope.

Privacy (docs/domain.md, "Scope"): a roll-up shows counts, rates, rule titles, unit names and
responsible *roles* — never persons' names (the member table is not county-readable, and
naming a township's staff is the township's business) and never a record's content.
"""

from __future__ import annotations

import datetime as dt
import logging
import numbers
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import Session

from zerenzhi.auth.roles import ROLES
from zerenzhi.labels import render
from zerenzhi.obligations.periods import Period
from zerenzhi.obligations.service import due_on
from zerenzhi.obligations.versions import registry
from zerenzhi.plugin_host.service import forget_enabled_cache
from zerenzhi.rollups import queries
from zerenzhi.tenancy.context import TenantRef, county_read_scope, require_tenant, tenant_scope

log = logging.getLogger("zerenzhi.rollups")
SORTS = ("township", "rate", "overdue")
ORDERS = ("asc", "desc")
MAX_TREND_PERIODS = 20
@dataclass
class Counts:
    """Obligations by outcome; ``required`` leaves waived ones out, as the dashboard does."""

    required: int = 0
    done: int = 0
    overdue: int = 0
    waived: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.required += other.required
        self.done += other.done
        self.overdue += other.overdue
        self.waived += other.waived
        return self

    @property
    def rate(self) -> float | None:
        """None when nothing is required: "no data" must not read as 100 %."""
        return round(self.done / self.required, 4) if self.required else None

    def out(self) -> dict[str, Any]:
        return {"required": self.required, "done": self.done, "overdue": self.overdue,
                "waived": self.waived, "rate": self.rate}


def _label(row) -> dict[str, Any]:
    return {"slug": row.slug, "name": row.name, "name_en": row.name_en}


def _rule(key: str) -> dict[str, Any]:
    rule = registry().get(key)
    return {"rule": key, "title": render(rule.title) if rule else key,
            "source": rule.source if rule else None}


def _townships(session: Session, county: TenantRef) -> list:
    return session.execute(queries.townships(county.id)).all()


def county_townships(session: Session, county: TenantRef) -> list:
    """The county's live townships (id, slug, name, name_en, timezone), by slug."""
    with county_read_scope(county):
        return _townships(session, county)


def _sort_key(sort: str, row: dict[str, Any], rule: str | None = None):
    if rule is not None:  # one rule's column: the township's rate on it
        return next((cell["rate"] for cell in row["cells"] if cell["rule"] == rule), None)
    if sort == "rate":
        return row["rate"]
    if sort == "overdue":
        return row["overdue"]
    return row["township"]["slug"]


def sort_rows(rows: list[dict[str, Any]], sort: str, order: str,
              rule: str | None = None) -> list[dict[str, Any]]:
    """Sort townships (by one rule's rate when ``rule`` is given); those with nothing to
    rate go last in either order."""
    rows = sorted(rows, key=lambda r: r["township"]["slug"])
    rated = [r for r in rows if _sort_key(sort, r, rule) is not None]
    unrated = [r for r in rows if _sort_key(sort, r, rule) is None]
    rated.sort(key=lambda r: _sort_key(sort, r, rule), reverse=order == "desc")
    return rated + unrated


def _pivot(rows) -> tuple[dict, dict[uuid.UUID, Counts], dict[str, list[int]]]:
    """Cells per township (by rule), totals per township and per rule, in one pass over
    the rows of ``queries.compliance`` (a row per township, its cells packed: a province's
    are tens of thousands, so plain dicts and local sums; ~1 µs a cell)."""
    cells: dict[uuid.UUID, list[dict[str, Any]]] = {}
    per_town: dict[uuid.UUID, Counts] = {}
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for tenant_id, packed in rows:
        packed.sort()  # by rule: a township's rules are distinct
        own_cells = cells[tenant_id] = []
        required_sum = done_sum = overdue_sum = waived_sum = 0
        for rule_key, total_n, waived, done, overdue in packed:
            required = total_n - waived
            own_cells.append({
                "rule": rule_key, "required": required, "done": done, "overdue": overdue,
                "waived": waived, "rate": round(done / required, 4) if required else None})
            required_sum += required
            done_sum += done
            overdue_sum += overdue
            waived_sum += waived
            sums = per_rule[rule_key]
            sums[0] += required
            sums[1] += done
            sums[2] += overdue
            sums[3] += waived
        per_town[tenant_id] = Counts(required_sum, done_sum, overdue_sum, waived_sum)
    return cells, per_town, per_rule


def compliance(session: Session, county: TenantRef, period: Period, now: dt.datetime,
               sort: str = "township", order: str = "asc",
               rule: str | None = None) -> dict[str, Any]:
    """The townships × rules matrix of ``period`` with totals per township, rule and county;
    ``rule`` sorts the townships by their rate on that rule instead of ``sort``."""
    with county_read_scope(county):
        towns = _townships(session, county)
        rows = session.execute(queries.compliance(period, now)).all()
    cells, per_town, per_rule = _pivot(rows)
    total = Counts()
    result_rows = []
    for town in towns:
        own = per_town.get(town.id, Counts())
        total += own
        result_rows.append({"township": _label(town), **own.out(),
                            "cells": cells.get(town.id, [])})
    return {
        "period": period.label, "period_start": period.start, "period_end": period.end,
        "as_of": now, "sort": sort, "order": order, "rule": rule,
        "townships": sort_rows(result_rows, sort, order, rule),
        "rules": [{**_rule(key), **Counts(*sums).out()} for key, sums in sorted(per_rule.items())],
        "totals": total.out(),
    }


def township_units(session: Session, county: TenantRef, township: str, period: Period,
                   now: dt.datetime) -> dict[str, Any] | None:
    """One township's row of the matrix opened up: its units' counts per rule for
    ``period`` (counts only, as every county view). None when ``township`` is no live
    township of this county."""
    with county_read_scope(county):
        town = next((t for t in _townships(session, county) if t.slug == township), None)
        if town is None:
            return None
        rows = session.execute(queries.units(town.id, period, now)).all()
        labels = {row.id: row for row in session.execute(queries.unit_labels(town.id))}
    per_unit: dict[uuid.UUID, dict[str, Any]] = {}
    rules: set[str] = set()
    for unit_id, rule_key, total_n, waived, done, overdue in rows:
        unit = per_unit.setdefault(unit_id, {"counts": Counts(), "cells": []})
        counts = Counts(total_n - waived, done, overdue, waived)
        unit["counts"] += counts
        unit["cells"].append({"rule": rule_key, **counts.out()})
        rules.add(rule_key)
    units = []
    for unit_id, unit in per_unit.items():
        label = labels.get(unit_id)
        units.append({"unit_id": unit_id, "code": label.code if label else None,
                      "name": label.name if label else None,
                      "kind": label.kind if label else None, **unit["counts"].out(),
                      "cells": sorted(unit["cells"], key=itemgetter("rule"))})
    units.sort(key=lambda u: (u["kind"] != "committee", u["code"] or ""))
    total = Counts()
    for unit in per_unit.values():
        total += unit["counts"]
    return {"township": _label(town), "period": period.label, "period_start": period.start,
            "period_end": period.end, "as_of": now, **total.out(),
            "rules": [_rule(key) for key in sorted(rules)], "units": units}


def _post(role_key: str | None) -> dict[str, Any]:
    role = ROLES.get(role_key) if role_key else None
    return {"role": role_key, "label": render(role.label) if role else role_key}


def _overdue_item(row, town, now: dt.datetime) -> dict[str, Any]:
    role = ROLES.get(row.responsible_role)
    committee_work = row.unit_kind == "committee"  # M1/M2 answer for it, by post
    return {
        "township": _label(town), "obligation_id": row.id, **_rule(row.rule_key),
        "source": row.source_clause, "unit_id": row.unit_id, "unit_code": row.unit_code,
        "unit_name": row.unit_name,
        # an event obligation's slot names its trigger record: the county sees no such ids
        "period": row.slot if row.trigger_id is None else None,
        "period_start": row.period_start, "period_end": row.period_end,
        "due_at": row.due_at, "due_on": due_on(row.due_at, ZoneInfo(town.timezone)),
        "days_overdue": (now - row.due_at) // dt.timedelta(days=1),
        "required": row.min_count, "done": row.done,
        "responsible_role": row.responsible_role,
        "responsible_role_label": render(role.label) if role else row.responsible_role,
        "first_responsible": _post("secretary") if committee_work else None,
        "directly_responsible": _post("deputy") if committee_work else None,
    }


def overdue(session: Session, county: TenantRef, now: dt.datetime, *,
            township: str | None = None, limit: int | None = None, offset: int = 0,
            **filters: Any) -> tuple[list[dict[str, Any]], int]:
    """One page of the county's overdue obligations (oldest first) and how many in all;
    ``township`` is a slug of this county (any other matches nothing)."""
    with county_read_scope(county):
        towns = {town.id: town for town in _townships(session, county)}
        if township is not None:
            picked = [tid for tid, town in towns.items() if town.slug == township]
            if not picked:
                return [], 0
            filters["township_id"] = picked[0]
        rows = session.execute(queries.page(queries.overdue(now, **filters), limit,
                                            offset)).all()
        total = session.scalar(queries.overdue_total(now, **filters))
    return [_overdue_item(row, towns[row.tenant_id], now) for row in rows], total


def trend(session: Session, county: TenantRef, periods: list[Period],
          now: dt.datetime) -> dict[str, Any]:
    """Per township and for the county, each period's counts and rate (as ``compliance``
    of that period would give them)."""
    with county_read_scope(county):
        towns = _townships(session, county)
        rows = session.execute(queries.trend(periods[0].start, periods[-1].end, now)).all()
    points = _spread(rows, queries.half_index(periods[0].start), len(periods))
    labels = [p.label for p in periods]
    empty = [[0, 0, 0, 0] for _ in labels]
    overall = [Counts() for _ in labels]
    result = []
    for town in towns:
        own = [Counts(*sums) for sums in points.get(town.id, empty)]
        for county_sum, counts in zip(overall, own, strict=True):
            county_sum += counts
        result.append({"township": _label(town),
                       "points": [{"period": label, **counts.out()}
                                  for label, counts in zip(labels, own, strict=True)]})
    return {
        "from": labels[0], "to": labels[-1], "periods": labels, "as_of": now,
        "overall": [{"period": label, **counts.out()}
                    for label, counts in zip(labels, overall, strict=True)],
        "townships": result,
    }


def _spread(rows, first: int, count: int) -> dict[uuid.UUID, list[list[int]]]:
    """Per township, (required, done, overdue, waived) for each of ``count`` half-years
    from ``first`` (``half_index``): each of a township's groups (``queries.trend``) adds to
    every asked half-year between the ones its period starts and ends in."""
    points: dict[uuid.UUID, list[list[int]]] = {}
    for tenant_id, spans in rows:
        sums = points[tenant_id] = [[0, 0, 0, 0] for _ in range(count)]
        for first_half, last_half, total_n, waived, done, overdue in spans:
            for index in range(max(first_half - first, 0), min(last_half - first, count - 1) + 1):
                point = sums[index]
                point[0] += total_n - waived
                point[1] += done
                point[2] += overdue
                point[3] += waived
    return points


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool))


def registered_metrics() -> list[tuple[str, Any]]:
    """(plugin, RollupMetric) for every metric the installed plugins registered, by key."""
    found = current_app.extensions["zerenzhi"].metrics
    return [found[key] for key in sorted(found)]


def metric_meta(plugin: str, metric) -> dict[str, Any]:
    return {"key": metric.key, "plugin": plugin, "label": render(metric.label),
            "type": metric.type, "unit": render(metric.unit) if metric.unit else None}


def _compute(session: Session, town: TenantRef, metrics: Iterable[tuple[str, Any]],
             period: Period) -> tuple[dict[str, Any], list[str]]:
    """Each metric inside the township's own scope (it may read the plugin's tables).

    A failing metric, or one answering anything but a number, is reported as failed
    instead of breaking the county's view or leaking text upward.
    """
    values: dict[str, Any] = {}
    failed: list[str] = []
    forget_enabled_cache()  # plugin settings are cached per request, not per township
    with tenant_scope(town):
        for plugin, metric in metrics:
            try:
                value = metric.compute(session, period)
            except Exception:
                log.exception("metric %s failed for %s", metric.key, town.slug)
                session.rollback()
                failed.append(metric.key)
                continue
            if not _number(value):
                log.error("metric %s of %s answered a %s, not a number", metric.key, plugin,
                          type(value).__name__)
                failed.append(metric.key)
                continue
            values[metric.key] = value
    forget_enabled_cache()
    return values, failed


def _compute_for_townships(session: Session, towns: dict[uuid.UUID, TenantRef],
                           enabled: dict[uuid.UUID, set[str]],
                           metrics: Iterable[tuple[str, Any]], period: Period,
                           ) -> tuple[dict[uuid.UUID, dict[str, Any]], dict[uuid.UUID, list[str]]]:
    """The set-based metrics, each once for the townships that enabled its plugin, inside
    the caller's county read scope: the statements no longer grow with the townships.

    The same checks as ``_compute``, per township: a metric that raises (or answers
    something other than a mapping) fails for every township it was asked about; a value
    that is not a number, or a township left out, fails for that township."""
    values: dict[uuid.UUID, dict[str, Any]] = defaultdict(dict)
    failed: dict[uuid.UUID, list[str]] = defaultdict(list)
    for plugin, metric in metrics:
        asked = {tid: ref for tid, ref in towns.items() if plugin in enabled[tid]}
        if not asked:
            continue
        try:
            answer = metric.compute_for_townships(session, period, asked)
            if not isinstance(answer, Mapping):
                raise TypeError(f"answered a {type(answer).__name__}, not a mapping")
        except Exception:
            log.exception("metric %s failed for the townships of county %s", metric.key,
                          require_tenant().slug)
            session.rollback()
            for tid in asked:
                failed[tid].append(metric.key)
            continue
        for tid, ref in asked.items():
            value = answer.get(tid, _MISSING)
            if value is _MISSING or not _number(value):
                log.error("metric %s of %s answered %s for %s, not a number", metric.key,
                          plugin, "nothing" if value is _MISSING else type(value).__name__,
                          ref.slug)
                failed[tid].append(metric.key)
                continue
            values[tid][metric.key] = value
    return values, failed


_MISSING = object()


def metrics(session: Session, county: TenantRef, period: Period) -> dict[str, Any]:
    """What each township's enabled modules report for ``period``; disabled modules are
    listed per township instead of showing zeros. Metrics with a set-based form run once
    for the whole county (inside its read scope); the others once per township, in its
    scope. Read-only: anything a metric wrote is rolled back."""
    registered = registered_metrics()
    contributing = sorted({plugin for plugin, _ in registered})
    per_county = [m for m in registered if m[1].compute_for_townships is not None]
    per_town = [m for m in registered if m[1].compute_for_townships is None]
    with county_read_scope(county):
        towns = _townships(session, county)
        enabled: dict[uuid.UUID, set[str]] = defaultdict(set)
        for tenant_id, plugin in session.execute(queries.enabled_plugins()):
            enabled[tenant_id].add(plugin)
        refs = {town.id: TenantRef(town.id, "township", town.slug, county.id, town.timezone)
                for town in towns}
        county_values, county_failed = _compute_for_townships(
            session, refs, enabled, per_county, period)
    order = {metric.key: n for n, (_plugin, metric) in enumerate(registered)}
    result = []
    for town in towns:
        on = enabled[town.id]
        own = [m for m in per_town if m[0] in on]
        values, failed = _compute(session, refs[town.id], own, period) if own else ({}, [])
        values = {**values, **county_values.get(town.id, {})}
        failed = failed + county_failed.get(town.id, [])
        result.append({"township": _label(town),
                       "values": dict(sorted(values.items(), key=lambda kv: order[kv[0]])),
                       "failed": sorted(failed, key=order.__getitem__),
                       "disabled": [name for name in contributing if name not in on]})
    session.rollback()
    return {"period": period.label, "period_start": period.start, "period_end": period.end,
            "metrics": [metric_meta(plugin, metric) for plugin, metric in registered],
            "townships": result}
