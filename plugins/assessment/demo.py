"""Demo assessment for a township (龍爪鎮): inspection scores for every unit, a bonus and a
deduction with their reasons, and this year's ranked, finalised assessment.

``zerenzhi tenants apply`` calls modules' demo hooks in name order, so the compliance
figures are those of the moment of provisioning; the office recomputes after reopening.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import DomainError, units_of_kind
from zerenzhi.plugins.assessment import services
from zerenzhi.plugins.assessment.models import Assessment, InspectionScore
from zerenzhi.plugins.assessment.settings import AssessmentSettings

# Results of the year's inspection (I1), in unit-code order; low ones were interviewed (I3).
SCORES = (93.0, 88.5, 85.0, 90.0, 79.5, 95.0, 82.0, 86.5, 72.0, 89.0, 91.0, 80.0, 84.0, 87.5)
ROUTINE = "上半年專題督查：自查與重點檢查相結合"
INTERVIEWED = "督查發現突出問題，分管領導已約談負責人（I3）"
ADJUSTMENTS = (
    ("station-1", 2.0, "承辦全鎮學習貫徹全會精神宣講報告會，獲區委宣傳部通報表揚"),
    ("village-1", -3.0, "村民議事論壇未經鎮黨委事先批准即舉辦（W6）"),
)


def load(session: Session, settings: dict) -> None:
    """Fill the township once; skipped when it has assessment records already."""
    if session.scalar(select(Assessment.id).limit(1)) is not None or session.scalar(
            select(InspectionScore.id).limit(1)) is not None:
        return
    settings = AssessmentSettings().load(settings)  # complete, whatever the caller passed
    units = units_of_kind(session)
    if not units:
        return
    year = services.current_year()
    for index, unit in enumerate(units):
        score = SCORES[index % len(SCORES)]
        services.set_inspection_score(session, year, unit.id, score,
                                      INTERVIEWED if score < 80 else ROUTINE)
    by_code = {unit.code: unit for unit in units}
    for code, points, reason in ADJUSTMENTS:
        if code not in by_code:
            continue
        try:
            services.add_adjustment(session, year, unit_id=by_code[code].id, points=points,
                                    reason=reason, max_bonus=settings["max_bonus"],
                                    max_deduction=settings["max_deduction"])
        except DomainError:
            continue  # the township's caps are tighter than the demo's points
    services.compute(session, year, settings=settings, finalise=True)
