"""How a unit's score is made (M4, I4): pure functions over plain values, no database.

- **Compliance** (0–1): the mean, over the unit's obligations of the year, of each one's
  ``compliance_rate`` from ``core.obligation_summary`` (done / required, capped at 1), so a
  branch with 10 of 12 study sessions earns 0.83 of that obligation, not nothing. Waived
  obligations are left out, and so are event obligations not yet due and not yet met
  (an activity next month is not a failure today). The assessment's own rule is left
  out too: an assessment does not score itself.
- **Inspection** (0–100): the office's score for the unit from the year's inspection,
  entered by hand (see ``services`` for why).
- **Base**: the weighted mean of the components the unit has, on a 0–100 scale, with the
  township's weights; a missing component's weight goes to the others.
- **Total**: base plus the net of the year's manual adjustments (bounded by the township's
  caps), kept within 0–100. A unit with no component has no total and no rank.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

NOT_YET_JUDGED = ("upcoming", "due_soon")


@dataclass
class Line:
    unit_id: uuid.UUID
    obligations: int
    compliance_rate: float | None
    inspection_score: float | None
    adjustment: float
    total: float | None = None
    rank: int | None = None


def compliance_by_unit(items: Iterable[dict],
                       exclude: tuple[str, ...] = ()) -> dict[uuid.UUID, tuple[int, float]]:
    """(number of obligations judged, mean compliance rate) per unit of a summary."""
    rates: dict[uuid.UUID, list[float]] = defaultdict(list)
    for item in items:
        if item["status"] == "waived" or item["rule"] in exclude:
            continue
        if item["trigger"] is not None and item["status"] in NOT_YET_JUDGED:
            continue
        rates[item["unit_id"]].append(item["compliance_rate"])
    return {unit: (len(values), round(sum(values) / len(values), 4))
            for unit, values in rates.items()}


def total_of(compliance_rate: float | None, inspection_score: float | None,
             adjustment: float, compliance_weight: int, inspection_weight: int) -> float | None:
    parts = []
    if compliance_rate is not None and compliance_weight > 0:
        parts.append((100 * compliance_rate, compliance_weight))
    if inspection_score is not None and inspection_weight > 0:
        parts.append((inspection_score, inspection_weight))
    if not parts:
        return None
    base = sum(value * weight for value, weight in parts) / sum(w for _v, w in parts)
    return round(min(100.0, max(0.0, base + adjustment)), 2)


def rank(lines: list[Line]) -> None:
    """Competition ranking by total (1, 2, 2, 4); lines without a total get no rank."""
    scored = sorted((line for line in lines if line.total is not None),
                    key=lambda line: line.total, reverse=True)
    for position, line in enumerate(scored, start=1):
        previous = scored[position - 2] if position > 1 else None
        line.rank = previous.rank if previous and previous.total == line.total else position


def township_total(lines: Iterable[Line]) -> float | None:
    """The township's own figure for the county: the mean of its units' totals."""
    totals = [line.total for line in lines if line.total is not None]
    return round(sum(totals) / len(totals), 2) if totals else None
