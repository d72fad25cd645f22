"""The console's blueprint, its navigation and ``render_page``, which every page uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from zerenzhi.console.i18n import language_choices, page_language
from zerenzhi.labels import Label, render
from zerenzhi.plugin_host.pages import NavEntry
from zerenzhi.plugin_host.wiring import enabled_plugins

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/console")

# core's navigation: (endpoint, label, permission, order)
CORE_NAV: tuple[tuple[str, Any, str, int], ...] = (
    ("console.home", _l("Overview"), "obligations.read", 10),
    ("console.calendar", _l("Calendar"), "obligations.read", 20),
    ("console.organisation", _l("Organisation"), "units.read", 30),
    ("console.modules", _l("Modules and rules"), "plugins.read", 40),
    ("console.audit", _l("Audit log"), "audit.read", 50),
)


# the county's navigation: shown to county users of that county; directives, the inbox and
# the bulletin only where their pages are installed
COUNTY_NAV: tuple[tuple[str, Any, str, int], ...] = (
    ("console.county_home", _l("Compliance"), "rollups.read", 10),
    ("console.county_trend", _l("Trend"), "rollups.read", 20),
    ("console.county_overdue", _l("Overdue"), "rollups.read", 30),
    ("console.county_metrics", _l("Module figures"), "rollups.read", 40),
    ("console.county_directives", _l("Directives"), "rollups.read", 50),
    ("console.county_inbox", _l("Inbox"), "rollups.read", 60),
    ("console.county_bulletin", _l("Bulletin"), "rollups.read", 70),
)


def _county_navigation(identity, tenant) -> list[dict[str, Any]]:
    held = identity.permissions
    links = [{"url": url_for(endpoint, county=tenant.slug), "label": str(label),
              "current": False}
             for endpoint, label, permission, _order in COUNTY_NAV
             if permission in held and endpoint in current_app.view_functions]
    # the current entry: the longest link the address lies under (the heat map is the
    # county's root, so it is current only for itself and a township's row)
    path = request.path
    under = [link for link in links if path == link["url"] or (
        path.startswith(link["url"]) and not link["url"].endswith("/"))]
    if not under and "/townships/" in path and links:
        under = [links[0]]
    if under:
        max(under, key=lambda link: len(link["url"]))["current"] = True
    return links


# pages whose address is not under the navigation entry they belong to, by the first part
# of the address after the township: the rules are shown with the modules
NAV_PARENT = {"rules": "console.modules"}


def navigation() -> list[dict[str, Any]]:
    """The links this user sees in this township: core's by permission, a plugin's only
    where the township enabled it; the current one marked."""
    identity, tenant = g.get("zz_identity"), g.get("zz_tenant")
    if identity is not None and tenant is not None and tenant.kind == "county":
        return _county_navigation(identity, tenant)
    if identity is None or tenant is None or tenant.kind != "township":
        return []
    held = identity.permissions
    entries: list[tuple[int, str, str]] = [
        (order, endpoint, str(label)) for endpoint, label, permission, order in CORE_NAV
        if permission in held and endpoint in current_app.view_functions]
    kernel = current_app.extensions["zerenzhi"]
    enabled = enabled_plugins() if kernel.pages else frozenset()
    for plugin, pages in kernel.pages.items():
        if plugin not in enabled:
            continue
        entry: NavEntry
        for entry in pages.nav:
            if entry.permission in held:
                entries.append((entry.order, entry.endpoint, render(entry.label)))
    links = []
    for _order, endpoint, label in sorted(entries):
        links.append({"url": url_for(endpoint, township=tenant.slug), "label": label,
                      "current": False})
    # the current entry: the one whose page this is, or under whose address it lies (the
    # longest prefix: a member's page is under Organisation); rules sit with the modules
    home = url_for("console.home", township=tenant.slug)
    path = request.path
    section = path.removeprefix(home).split("/")[0]
    if section in NAV_PARENT:
        path = url_for(NAV_PARENT[section], township=tenant.slug)
    under = [link for link in links if path.startswith(link["url"])]
    if under:
        max(under, key=lambda link: len(link["url"]))["current"] = True
    return links


def render_page(template: str, **context: Any) -> str:
    """A page in the console's layout, with the township, the user, the navigation and the
    language switch filled in."""
    return render_template(template, **context)


def layout_context() -> dict[str, Any]:
    language = page_language()  # first: the names below are rendered in it
    tenant = g.get("zz_tenant")
    return {
        "tenant": tenant,
        "tenant_name": _tenant_name(tenant),
        "identity": g.get("zz_identity"),
        "nav": navigation(),
        "lang": language,
        "languages": language_choices(),
    }


def _tenant_name(tenant) -> str:
    if tenant is None:
        return ""
    return render(Label(tenant.name, tenant.name_en or tenant.name))
