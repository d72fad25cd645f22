"""Named permissions, the roles that hold them, and the ``requires`` route guard.

Every route declares one permission (or ``PUBLIC`` / ``AUTHENTICATED``); a test walks
the URL map and fails on any route without one. Plugins add permissions through the
``register_permissions`` hook, with the roles that get them by default.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, g, request
from flask_smorest import abort

from zerenzhi.auth.roles import ROLES
from zerenzhi.labels import Label

PUBLIC = "public"  # the permission of a route anyone may call, signed in or not (login)
AUTHENTICATED = "authenticated"  # any signed-in user, whatever their posts (``GET /me``)
security_log = logging.getLogger("zerenzhi.security")


@dataclass(frozen=True)
class Permission:
    """A named right (``"<plugin>.<thing>.<verb>"``) with its label and the roles that hold
    it by default; a route declares one with ``requires(name)``."""

    name: str
    label: Label
    roles: tuple[str, ...] = field(default_factory=tuple)


class PermissionRegistry:
    def __init__(self) -> None:
        self._permissions: dict[str, Permission] = {}
        self._by_roles: dict[frozenset[str], frozenset[str]] = {}  # cleared by add()

    def add(self, permission: Permission, *, source: str = "core") -> None:
        if permission.name in self._permissions:
            raise ValueError(f"permission {permission.name!r} from {source} is already registered")
        unknown = set(permission.roles) - set(ROLES)
        if unknown:
            raise ValueError(
                f"permission {permission.name!r} grants unknown roles {sorted(unknown)}")
        self._permissions[permission.name] = permission
        self._by_roles.clear()

    def extend(self, permissions: Iterable[Permission], *, source: str) -> None:
        for permission in permissions:
            self.add(permission, source=source)

    def __contains__(self, name: str) -> bool:
        return name in self._permissions

    def __iter__(self):
        return iter(self._permissions.values())

    def for_roles(self, roles: Iterable[str]) -> frozenset[str]:
        """What ``roles`` grant; memoised per role set (the grants change only at boot, and
        ``add`` forgets the memo), so a request costs a dict lookup, not a walk."""
        key = frozenset(roles)
        granted = self._by_roles.get(key)
        if granted is None:
            granted = self._by_roles[key] = frozenset(
                p.name for p in self._permissions.values() if key & set(p.roles))
        return granted


def requires(permission: str) -> Callable:
    """Guard a view: authenticate, then check ``permission`` in the request's tenant.

    Put it above the flask-smorest decorators so a caller without the right gets
    401/403 before their body is even parsed.
    """

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(*args, **kwargs):
            check(permission)
            return func(*args, **kwargs)

        wrapper._zz_permission = permission
        doc = dict(getattr(wrapper, "_apidoc", {}))
        manual = dict(doc.get("manual_doc", {}))
        if permission == PUBLIC:
            manual["security"] = []
        manual["x-permission"] = permission
        doc["manual_doc"] = manual
        wrapper._apidoc = doc
        return wrapper

    return decorator


def check(permission: str) -> None:
    if permission == PUBLIC:
        return
    identity = g.get("zz_identity")
    if identity is None:
        abort(401, message="authentication required: send 'Authorization: Bearer <token>'")
    if permission == AUTHENTICATED:
        return
    if permission not in current_app.extensions["zerenzhi"].permissions:
        raise RuntimeError(f"route requires unregistered permission {permission!r}")
    if permission not in identity.permissions:
        security_log.warning(
            "denied %s %s to %s: lacks %s", request.method, request.path,
            identity.username, permission,
        )
        abort(403, message=f"your roles here do not grant {permission}")


def permission_of(view: Callable) -> str | None:
    return getattr(view, "_zz_permission", None)
