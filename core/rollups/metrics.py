"""County roll-up metrics that plugins contribute (``register_rollup_metrics``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zerenzhi.labels import Label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from zerenzhi.obligations.periods import Period

METRIC_TYPES = ("count", "rate", "score", "number")


@dataclass(frozen=True)
class RollupMetric:
    """A number about one township and period, for the county's comparison.

    ``key`` is ``"<plugin>.<name>"``; ``label`` (and ``unit``, e.g. 次 / times) name it in
    the county's tables; ``type`` is one of ``count``, ``rate`` (0–1), ``score`` or
    ``number``. ``compute(session, period)`` runs inside one township's scope, only for
    townships that enabled the plugin (others show "not enabled", never 0); ``period`` is a
    ``Period`` of any cadence the county asks for. It returns a number, or None when there
    is nothing to report. It must return counts, rates or scores only — never the content of
    a record: county staff see townships' figures, not their files.
    """

    key: str
    label: Label
    type: str
    compute: Callable[[Session, Period], float | int | None]
    unit: Label | None = None

    def __post_init__(self) -> None:
        if "." not in self.key:
            raise ValueError(f"metric {self.key}: key must be '<plugin>.<name>'")
        if self.type not in METRIC_TYPES:
            raise ValueError(f"metric {self.key}: type must be one of {METRIC_TYPES}")
