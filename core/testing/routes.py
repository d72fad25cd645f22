"""The app's routes — the API's and the web console's pages — as a list of (rule, method)
cases, each with the permission its view declares and the module that owns it: what the route
matrices walk, so a route or page added later is covered without anyone writing a test for it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

CORE = "core"
"""The owner name of core's own routes and tables (pass it where a check takes a plugin)."""

SKIPPED_ENDPOINTS = ("static",)  # and every blueprint's static files (``console.static``)
READ_METHODS = ("GET",)


@dataclass(frozen=True)
class RouteCase:
    rule: str
    method: str
    endpoint: str
    permission: str | None
    arguments: tuple[str, ...]
    owner: str = CORE  # the plugin whose blueprint serves it, or "core"
    page: bool = False  # a console page (HTML, session cookie, CSRF), not an API route

    @property
    def scope(self) -> str:
        if "township" in self.arguments:
            return "township"
        if "county" in self.arguments:
            return "county"
        return "global"


def _view_permission(app, endpoint: str, method: str) -> str | None:
    from zerenzhi.auth.permissions import permission_of

    view = app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return permission_of(getattr(view_class, method.lower(), None))
    return permission_of(view)


def iter_routes(app) -> list[RouteCase]:
    """Every (rule, method) of the app's API and pages, with the permission its view
    declares (static files and the API documentation's assets aside)."""
    kernel = app.extensions["zerenzhi"]
    owners, pages = kernel.blueprint_owners, kernel.page_blueprints
    cases = []
    for rule in app.url_map.iter_rules():
        if (rule.endpoint in SKIPPED_ENDPOINTS or rule.endpoint.endswith(".static")
                or rule.endpoint.startswith("api-docs.")):
            continue
        blueprint = rule.endpoint.split(".")[0]
        owner = owners.get(blueprint, (CORE,))[0]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            cases.append(RouteCase(rule.rule, method, rule.endpoint,
                                   _view_permission(app, rule.endpoint, method),
                                   tuple(sorted(rule.arguments)), owner,
                                   "." in rule.endpoint and blueprint in pages))
    return cases


def fill(rule: str, values: dict[str, str]) -> str:
    """Put values into a Flask rule: ``/x/<uuid:unit_id>`` -> ``/x/<value>``."""

    def replace(match: re.Match) -> str:
        return str(values.get(match.group(2), uuid.uuid4()))

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule)
