"""The page matrix (issue 14, tests): every console page — core's and every installed
module's, found in the app's URL map through the page blueprints, never named here — for
every role × {own township, foreign township, anonymous}, as a browser sees it.

``check_isolation(..., pages_only=True)`` does the walking (``zerenzhi.testing``, so a plugin
author's pages get it too): a foreign township answers the same 404 page as one that does not
exist; a county user the 404 page; a role whose API permissions lack the page's permission the
403 page, and no other role is refused; anonymous a redirect to ``/login?next=<the page>``;
forms are posted with their CSRF token; no answer mentions the other township. Once with each
role's bearer token, once signed in through the login page (the session cookie alone).
"""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from zerenzhi.auth.permissions import AUTHENTICATED, PUBLIC
from zerenzhi.testing import CORE, check_isolation, iter_routes

OWNERS = [CORE, *sorted(ep.name for ep in entry_points(group="zerenzhi.plugins"))]
# the console's pages outside a township: anyone may open them (tests/test_permissions.py)
GLOBAL_PAGES = {"GET /", "GET /login", "POST /login", "POST /logout", "POST /language"}


def _pages(app):
    return [route for route in iter_routes(app) if route.page]


def test_every_page_is_enumerated_with_a_permission(app):
    """Every page blueprint — the console's and each module's — is in the matrix, every page
    declares a registered permission, and only the console's start is outside a township or
    a county."""
    kernel = app.extensions["zerenzhi"]
    pages = _pages(app)
    assert {route.endpoint.split(".")[0] for route in pages} == set(kernel.page_blueprints)
    assert {name for name, found in kernel.pages.items() if found} <= {
        route.owner for route in pages}
    problems = [f"{route.method} {route.rule}: {route.permission!r}" for route in pages
                if route.permission not in (AUTHENTICATED, PUBLIC)
                and route.permission not in kernel.permissions]
    outside = {f"{route.method} {route.rule}" for route in pages if route.scope == "global"}
    public = {f"{route.method} {route.rule}" for route in pages if route.permission == PUBLIC}
    assert not problems, problems
    assert outside == public == GLOBAL_PAGES
    print(f"\n{len(pages)} page routes in {len(kernel.page_blueprints)} page blueprints")


@pytest.mark.parametrize("way", ["bearer", "session"])
@pytest.mark.parametrize("owner", OWNERS)
def test_page_matrix(app, owner, way):
    if not any(route.owner == owner for route in _pages(app)):
        pytest.skip(f"{owner} has no pages")
    check_isolation(owner, app, pages_only=True, sessions=way == "session")
