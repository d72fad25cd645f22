"""Links between records of different modules, without one plugin importing another.

A record is named by ``(type, id)``: ``"obligation"`` is core's; a plugin's types are
``"<plugin>.<thing>"`` and are described by that plugin's ``describe_reference`` hook,
asked only when the township has the plugin enabled.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.labels import render
from zerenzhi.obligations.models import Obligation
from zerenzhi.obligations.status import Window, status_query
from zerenzhi.obligations.versions import registry
from zerenzhi.plugin_host.service import enabled_names, hooks
from zerenzhi.tenancy.context import require_tenant


def describe(session: Session, ref_type: str, ref_id: str) -> dict[str, Any] | None:
    """``{"type", "id", "title", "status", ...}`` of a record here, or None if unknown."""
    if ref_type == "obligation":
        try:
            return describe_obligations(session, [ref_id]).get(str(uuid.UUID(str(ref_id))))
        except ValueError:
            return None
    plugin = ref_type.split(".", 1)[0]
    if plugin not in enabled_names(session):
        return None
    return hooks(session).describe_reference(session=session, tenant=require_tenant(),
                                             ref_type=ref_type, ref_id=str(ref_id))


def describe_obligations(session: Session, ids: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """``describe(session, "obligation", id)`` for many ids, keyed by id (text): a list that
    shows each record's obligation asks once for the page, in one statement, not once per
    row. Unknown and archived ids are left out; an id that is no UUID raises ``ValueError``."""
    wanted = {uuid.UUID(str(obligation_id)) for obligation_id in ids}
    if not wanted:
        return {}
    rules, found = registry(), {}
    for obligation, *_count, status in session.execute(
            status_query(Window(), utcnow()).where(Obligation.id.in_(wanted))):
        rule = rules.get(obligation.rule_key)  # the status statement alone: no posts, no units
        found[str(obligation.id)] = {
            "type": "obligation", "id": str(obligation.id),
            "title": render(rule.title) if rule else obligation.rule_key, "status": status,
            "unit_id": str(obligation.unit_id), "due_at": obligation.due_at.isoformat()}
    return found
