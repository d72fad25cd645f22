"""Accountability alerts: what a leader should look at, never a case by itself.

Computed on request from the obligations summary of a period (default: this year, which
takes in its half-years, quarters and event deadlines): obligations overdue for at least
``overdue_alert_days`` (K13: 為官不為、為官慢為), and overdue rectifications
(``inspection.rectification``, I1–I3) after ``rectification_alert_days``. Each alert
carries the reference a case would cite and the cases that already cite it. The software
never opens a case or chooses a sanction: that stays with the secretary and the deputy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import obligation_summary, parse_period, period_of, today
from zerenzhi.plugins.accountability.models import Case, CaseLink

RECTIFICATION = "inspection.rectification"


def _citations(session: Session) -> dict[str, list]:
    rows = session.execute(
        select(CaseLink.ref_id, CaseLink.case_id)
        .join(Case, (Case.id == CaseLink.case_id) & (Case.tenant_id == CaseLink.tenant_id))
        .where(CaseLink.ref_type == "obligation", CaseLink.archived_at.is_(None),
               Case.archived_at.is_(None)))
    cited: dict[str, list] = {}
    for ref_id, case_id in rows:
        cited.setdefault(ref_id, []).append(case_id)
    return cited


def alerts(session: Session, label: str | None, settings: dict,
           now: dt.datetime) -> dict[str, Any]:
    """The alerts of the period ``label`` (default: this year) as of ``now``, from the
    obligations that exist; it writes nothing."""
    period = parse_period(label) if label else period_of("year", today(now))
    summary = obligation_summary(session, period, now)
    cited = _citations(session)
    items = []
    for item in summary["overdue"]:
        days = (now - item["due_at"]).days
        rectification = item["rule"] == RECTIFICATION
        threshold = settings["rectification_alert_days" if rectification
                             else "overdue_alert_days"]
        if days < threshold:
            continue
        items.append({
            "kind": "overdue_rectification" if rectification else "overdue_obligation",
            "obligation_id": item["id"], "days_overdue": days,
            "reference": {"type": "obligation", "id": str(item["id"])},
            "cited_by": cited.get(str(item["id"]), []),
            **{key: item[key] for key in (
                "rule", "title", "source", "unit_id", "unit_code", "unit_name", "period",
                "due_at", "responsible_role", "responsible", "responsible_at_due")},
        })
    items.sort(key=lambda a: (-a["days_overdue"], a["rule"], str(a["unit_id"])))
    return {"period": period.label, "as_of": now, "items": items,
            "overdue_alert_days": settings["overdue_alert_days"],
            "rectification_alert_days": settings["rectification_alert_days"]}
