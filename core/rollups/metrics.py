"""County roll-up metrics that plugins contribute (``register_rollup_metrics``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zerenzhi.labels import Label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from zerenzhi.obligations.periods import Period
    from zerenzhi.tenancy.context import TenantRef

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

    ``compute_for_townships(session, period, townships)``, when given, is the set-based form
    the county's view uses instead: called once per view, inside the county's read scope,
    where every query reads the rows of all the county's townships in the plugin's
    county-readable tables (models mixing in ``CountyReadable``) — so a county of 300 costs
    the statements of one township, not 300 times them. ``townships`` maps the id of each
    township that enabled the plugin to its ``TenantRef`` (with its ``timezone``: compute
    local bounds per township, or one statement per zone with ``townships_by_zone``). It
    returns ``{township id: number or None}`` with the same answer ``compute`` gives in
    that township's scope; a township left out is reported as failed, others' ids are
    ignored. Group by ``tenant_id``; ``plugin_settings``, ``today`` and ``current_tenant``
    answer for the county there — use ``township_settings`` and each township's zone.
    """

    key: str
    label: Label
    type: str
    compute: Callable[[Session, Period], float | int | None]
    unit: Label | None = None
    compute_for_townships: Callable[[Session, Period, Mapping[uuid.UUID, TenantRef]],
                                    Mapping[uuid.UUID, float | int | None]] | None = None

    def __post_init__(self) -> None:
        if "." not in self.key:
            raise ValueError(f"metric {self.key}: key must be '<plugin>.<name>'")
        if self.type not in METRIC_TYPES:
            raise ValueError(f"metric {self.key}: type must be one of {METRIC_TYPES}")


def townships_by_zone(townships: Mapping[uuid.UUID, TenantRef]) -> dict[str, list[uuid.UUID]]:
    """The townships' ids by time zone name: a set-based metric whose bounds are local runs
    one statement per zone (a county has one or two), never one per township."""
    zones: dict[str, list[uuid.UUID]] = defaultdict(list)
    for township_id, ref in townships.items():
        zones[ref.timezone].append(township_id)
    return dict(zones)
