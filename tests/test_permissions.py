"""Permission matrix: every route declares a permission; each role gets exactly what
DOMAIN.md gives it (M1–M3, W4 and the role table)."""

from __future__ import annotations

from zerenzhi.auth.permissions import AUTHENTICATED, PUBLIC
from zerenzhi.auth.roles import ROLES
from zerenzhi.testing import iter_routes

# DOMAIN.md's role table, as the kernel's permissions: the expected grants per role.
EXPECTED_CORE = {
    "secretary": {"units.read", "units.write", "users.read", "audit.read", "plugins.read",
                  "rules.write", "obligations.waive", "directives.read", "directives.complete",
                  "directives.report", "outbox.read"},
    "deputy": {"units.read", "users.read", "audit.read", "plugins.read", "rules.write",
               "obligations.waive", "directives.read", "directives.complete",
               "directives.report", "outbox.read"},
    "member": {"units.read", "plugins.read", "directives.read", "directives.report",
               "outbox.read"},
    "office": {"units.read", "units.write", "users.read", "plugins.read", "directives.read",
               "directives.complete", "directives.report", "outbox.read"},
    "branch_secretary": {"units.read", "plugins.read", "directives.read", "directives.report",
                         "outbox.read"},
    "unit_head": {"units.read", "plugins.read", "directives.read", "directives.report",
                  "outbox.read"},
    "viewer": {"units.read", "audit.read", "plugins.read", "directives.read", "outbox.read"},
    "tenant_admin": {"units.read", "units.write", "users.read", "users.write", "plugins.read",
                     "plugins.manage", "directives.read", "outbox.read"},
    "county_viewer": {"counties.read", "rollups.read"},
    "county_admin": {"counties.read", "townships.manage", "county_plugins.manage",
                     "rollups.read", "directives.write", "inbox.acknowledge"},
    "platform_admin": {"counties.read", "counties.manage", "townships.manage"},
}


def test_every_route_declares_a_registered_permission(app):
    registry = app.extensions["zerenzhi"].permissions
    missing = [f"{r.method} {r.rule}" for r in iter_routes(app) if r.permission is None]
    assert not missing, f"routes without @requires: {missing}"
    unknown = [
        f"{r.method} {r.rule}: {r.permission}" for r in iter_routes(app)
        if r.permission not in (PUBLIC, AUTHENTICATED) and r.permission not in registry
    ]
    assert not unknown


def test_only_login_and_docs_are_public(app):
    public = {f"{r.method} {r.rule}" for r in iter_routes(app) if r.permission == PUBLIC}
    assert public == {"POST /api/v1/auth/tokens", "GET /api/docs/assets/<path:filename>"}


def test_core_grants_match_the_domain(app):
    registry = app.extensions["zerenzhi"].permissions
    for role in ("secretary", "deputy", "member", "office", "branch_secretary", "unit_head",
                 "viewer", "tenant_admin"):
        EXPECTED_CORE[role] = EXPECTED_CORE[role] | {"obligations.read"}
    core_names = {p for perms in EXPECTED_CORE.values() for p in perms}
    for role, expected in EXPECTED_CORE.items():
        granted = {p for p in registry.for_roles([role]) if p in core_names}
        assert granted == expected, role


def test_read_only_roles_hold_no_write_permission(app):
    registry = app.extensions["zerenzhi"].permissions
    for name, role in ROLES.items():
        if role.read_only:
            writes = [p for p in registry.for_roles([name]) if not p.endswith(".read")]
            assert writes == [], name


def test_platform_admin_reads_no_township_records(app):
    """DOMAIN.md: platform_admin operates the service, with no access to business records."""
    registry = app.extensions["zerenzhi"].permissions
    township_perms = {r.permission for r in iter_routes(app) if r.scope == "township"}
    assert not (registry.for_roles(["platform_admin"]) & township_perms)
