"""Write scope follows the org tree (docs/architecture.md, Identity): secretary, deputy and office
write township-wide; a branch secretary or unit head only in their own unit; a member only
in the units they are posted to. Plugins call ``require_unit_write`` before writing a
record that belongs to a unit."""

from __future__ import annotations

import uuid

from flask import g, has_request_context
from flask_smorest import abort

from zerenzhi.auth.roles import ROLES

TOWNSHIP_WIDE_WRITERS = frozenset(
    name for name, role in ROLES.items()
    if role.scope == "township" and not role.read_only and role.tenant_kind == "township"
)


def writable_units() -> frozenset[uuid.UUID] | None:
    """Units the caller may write in; None means the whole township."""
    identity = g.get("zz_identity") if has_request_context() else None
    if identity is None:
        return None  # CLI, jobs and tests act with the operator's full rights
    if any(post.role in TOWNSHIP_WIDE_WRITERS for post in identity.posts):
        return None
    return frozenset(post.unit_id for post in identity.posts if post.unit_id is not None)


def can_write_unit(unit_id: uuid.UUID) -> bool:
    """Whether the caller's posts reach ``unit_id`` for writing (a branch secretary: their
    own unit; township-wide roles: any). True outside a request (CLI, jobs, demo data)."""
    units = writable_units()
    return units is None or unit_id in units


def require_unit_write(unit_id: uuid.UUID) -> None:
    """403 unless the caller's posts reach ``unit_id``."""
    if not can_write_unit(unit_id):
        abort(403, message="this unit is outside your posts' scope")


def current_identity():
    """The caller (``Identity``: user id, name, posts, permissions), or None outside a
    request (CLI, jobs)."""
    return g.get("zz_identity") if has_request_context() else None
