"""County roll-up metrics that plugins contribute (``register_rollup_metrics``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zerenzhi.labels import Label

METRIC_TYPES = ("count", "rate", "score", "number")


@dataclass(frozen=True)
class RollupMetric:
    """A number about one township and period, for the county's comparison.

    ``compute(session, period)`` runs inside the township's scope (``period`` is a
    ``zerenzhi.Period``) and returns a number or None (nothing to report). It must return
    counts, rates or scores only — never the content of a record (DESIGN.md, privacy at
    county level).
    """

    key: str
    label: Label
    type: str
    compute: Callable[[Any, Any], float | int | None]
    unit: Label | None = None

    def __post_init__(self) -> None:
        if "." not in self.key:
            raise ValueError(f"metric {self.key}: key must be '<plugin>.<name>'")
        if self.type not in METRIC_TYPES:
            raise ValueError(f"metric {self.key}: type must be one of {METRIC_TYPES}")
