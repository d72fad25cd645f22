"""Permission matrix for core and every installed plugin (``zerenzhi.testing.
check_permissions``): every route declares a registered permission, and each role gets
exactly what the role table gives it (M1–M3, W4)."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from zerenzhi.auth.roles import TOWNSHIP_ROLES
from zerenzhi.testing import CORE, check_permissions

PLUGINS = sorted(ep.name for ep in entry_points(group="zerenzhi.plugins"))

# The role table, as core's permissions: the grants each role must hold, no more, no less.
EXPECTED_CORE = {
    "secretary": {"units.read", "units.write", "users.read", "users.grant",
                  "users.grant_leadership", "audit.read", "plugins.read", "rules.write",
                  "obligations.waive", "directives.read", "directives.complete",
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
    "branch_committee_member": {"units.read", "plugins.read", "directives.read",
                                "directives.report", "outbox.read"},
    "unit_head": {"units.read", "plugins.read", "directives.read", "directives.report",
                  "outbox.read"},
    "viewer": {"units.read", "audit.read", "plugins.read", "directives.read", "outbox.read"},
    "tenant_admin": {"units.read", "units.write", "users.read", "users.write", "users.grant",
                     "plugins.read", "plugins.manage", "directives.read", "outbox.read"},
    "county_viewer": {"counties.read", "rollups.read"},
    "county_admin": {"counties.read", "townships.manage", "county_plugins.manage",
                     "rollups.read", "directives.write", "inbox.acknowledge",
                     "users.grant_leadership"},
    "platform_admin": {"counties.read", "counties.manage", "townships.manage"},
}
# every township role reads the obligations of its reach
for _role in TOWNSHIP_ROLES:
    EXPECTED_CORE[_role] = EXPECTED_CORE[_role] | {"obligations.read"}
# attachments (issue 16, item 8): the business roles, gated further by the record's read
# permission; viewers read only; the admin keeps accounts, not records
for _role in TOWNSHIP_ROLES:
    if _role != "tenant_admin":
        EXPECTED_CORE[_role] |= {"attachments.read"} | (
            set() if _role == "viewer" else {"attachments.write"})

# Only logging in, the API documentation's assets and the operator's probes answer without a
# token (/metrics admits loopback or its own token: tests/test_metrics.py); of the console,
# its start (the login page, or one's township), logging in and out and the language switch
# (tests/console/test_page_matrix.py).
PUBLIC_ROUTES = {"POST /api/v1/auth/tokens", "GET /api/docs/assets/<path:filename>",
                 "GET /healthz", "GET /readyz", "GET /metrics",
                 "GET /", "GET /login", "POST /login", "POST /logout", "POST /language"}


def test_core_routes_and_grants(app):
    check_permissions(CORE, app, grants=EXPECTED_CORE, public=PUBLIC_ROUTES)


@pytest.mark.parametrize("plugin", PLUGINS)
def test_plugin_routes_and_grants(app, plugin):
    check_permissions(plugin, app)
