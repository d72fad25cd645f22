"""Links between records of different modules, without one plugin importing another.

A record is named by ``(type, id)``: ``"obligation"`` is core's; a plugin's types are
``"<plugin>.<thing>"`` and are described by that plugin's ``describe_reference`` hook,
asked only when the township has the plugin enabled.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from zerenzhi.tenancy.context import require_tenant


def describe(session: Session, ref_type: str, ref_id: str) -> dict[str, Any] | None:
    """``{"type", "id", "title", "status", ...}`` of a record here, or None if unknown."""
    if ref_type == "obligation":
        from zerenzhi.db.base import utcnow
        from zerenzhi.obligations.service import one

        try:
            item = one(session, uuid.UUID(str(ref_id)), utcnow())
        except ValueError:
            return None
        if item is None:
            return None
        return {"type": "obligation", "id": str(item["id"]), "title": item["title"],
                "status": item["status"], "unit_id": str(item["unit_id"]),
                "due_at": item["due_at"].isoformat()}
    from zerenzhi.plugin_host.service import hooks

    plugin = ref_type.split(".", 1)[0]
    from zerenzhi.plugin_host.service import enabled_names

    if plugin not in enabled_names(session):
        return None
    return hooks(session).describe_reference(session=session, tenant=require_tenant(),
                                             ref_type=ref_type, ref_id=str(ref_id))
