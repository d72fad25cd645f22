"""Tenant isolation matrix, generated from the URL map (DESIGN.md, Tests).

Every route × role × {own township, foreign township, foreign object id in own path,
county user, anonymous}. A route added later — core or plugin — is covered without
anyone writing a test for it. A township never sees, changes or detects another's data.
"""

from __future__ import annotations

import uuid

from zerenzhi.auth.permissions import AUTHENTICATED, PUBLIC
from zerenzhi.auth.roles import COUNTY_ROLES, TOWNSHIP_ROLES
from zerenzhi.testing import ApiClient, fill, iter_routes

BODY_METHODS = ("POST", "PUT", "PATCH")


def _call(client: ApiClient, method: str, url: str):
    kwargs = {"headers": {"If-Match": '"stale-etag"'}}
    if method in BODY_METHODS:
        kwargs["json"] = {}
    return client.request(method, url, **kwargs)


def _enable_everything(app, *worlds) -> None:
    for world in worlds:
        for name in app.extensions["zerenzhi"].plugins.installed:
            world.enable(name)


def _leaks(response, other) -> list[str]:
    text = response.raw.get_data().decode("utf-8", errors="ignore")
    markers = [other.slug, str(other.tenant_id), *map(str, other.units.values()),
               *map(str, other.users.values())]
    return [marker for marker in markers if marker in text]


def test_isolation_matrix(app, township, other_township):
    own, other = township, other_township
    _enable_everything(app, own, other)
    routes = [r for r in iter_routes(app) if r.scope == "township"]
    assert routes, "no township routes found"
    unknown = own.client("all").get("/api/v1/townships/no-such-township/units")
    assert unknown.status_code == 404
    failures, checks = [], 0
    for route in routes:
        own_ids, foreign_ids = own.object_ids(), other.object_ids()
        own_url = fill(route.rule, {"township": own.slug, **own_ids})
        foreign_url = fill(route.rule, {"township": other.slug, **own_ids})
        for role in TOWNSHIP_ROLES:
            client = own.client(role)
            # foreign township: exactly like one that does not exist
            response = _call(client, route.method, foreign_url)
            checks += 1
            if response.status_code != 404 or response.json != unknown.json:
                failures.append(f"{route.method} {route.rule} as {role} in foreign township: "
                                f"{response.status_code} {response.json}")
            # foreign object ids in our own township's path
            id_args = [a for a in route.arguments if a in foreign_ids and a.endswith("_id")]
            if id_args and route.permission in own_permissions(app, own, role):
                url = fill(route.rule, {"township": own.slug, **own_ids,
                                        **{a: foreign_ids[a] for a in id_args}})
                made_up = fill(route.rule, {"township": own.slug, **own_ids,
                                            **{a: str(uuid.uuid4()) for a in id_args}})
                response = _call(client, route.method, url)
                baseline = _call(client, route.method, made_up)
                checks += 1
                if (response.status_code, response.json) != (
                    baseline.status_code, baseline.json
                ) or not 400 <= response.status_code < 500 or _leaks(response, other):
                    failures.append(f"{route.method} {route.rule} as {role} with foreign ids: "
                                    f"{response.status_code} {response.json}")
            # own township: the permission decides
            response = _call(client, route.method, own_url)
            checks += 1
            allowed = route.permission in own_permissions(app, own, role)
            if (not allowed and response.status_code != 403) or (
                allowed and response.status_code in (401, 403)
            ) or response.status_code >= 500 or _leaks(response, other):
                failures.append(f"{route.method} {route.rule} as {role} (allowed={allowed}): "
                                f"{response.status_code} {response.json}")
        for role in COUNTY_ROLES:
            response = _call(own.client(role), route.method, own_url)
            checks += 1
            if response.status_code != 404 or response.json != unknown.json:
                failures.append(f"{route.method} {route.rule} as {role}: {response.status_code}")
        response = _call(ApiClient(app), route.method, own_url)
        checks += 1
        if response.status_code != 401 or _leaks(response, other):
            failures.append(f"{route.method} {route.rule} anonymous: {response.status_code}")
    print(f"isolation matrix: {len(routes)} township routes, {checks} checks")
    assert not failures, "\n".join(failures)


def own_permissions(app, world, role: str) -> frozenset[str]:
    from zerenzhi.auth.roles import ROLES

    registry = app.extensions["zerenzhi"].permissions
    granted = registry.for_roles([role] if role in ROLES else [])
    return granted | {AUTHENTICATED}


def test_county_routes_matrix(app, township, other_township):
    """County routes: own county's staff by permission; everyone else 404 (or 401)."""
    own, other = township, other_township
    routes = [r for r in iter_routes(app) if r.scope == "county"]
    assert routes
    unknown = own.client("county_admin").get("/api/v1/counties/no-such-county/townships")
    failures, checks = [], 0
    ids = own.object_ids()
    for route in routes:
        if "plugin" in route.arguments and not app.extensions["zerenzhi"].plugins.installed:
            continue  # nothing to configure when no module is installed
        own_url = fill(route.rule, {"county": own.county_slug, **ids})
        for role in COUNTY_ROLES:
            response = _call(own.client(role), route.method, own_url)
            allowed = route.permission in own_permissions(app, own, role)
            checks += 1
            if (allowed and response.status_code in (401, 403, 404)) or (
                not allowed and response.status_code != 403
            ) or response.status_code >= 500 or _leaks(response, other):
                failures.append(f"{route.method} {route.rule} as {role}: {response.status_code}")
            response = _call(other.client(role), route.method, own_url)
            checks += 1
            if response.status_code != 404 or response.json != unknown.json:
                failures.append(f"{route.method} {route.rule} as other county's {role}")
        for role in TOWNSHIP_ROLES:
            response = _call(own.client(role), route.method, own_url)
            checks += 1
            if response.status_code != 404 or response.json != unknown.json:
                failures.append(f"{route.method} {route.rule} as township {role}")
        checks += 1
        if _call(ApiClient(app), route.method, own_url).status_code != 401:
            failures.append(f"{route.method} {route.rule} anonymous")
    print(f"county matrix: {len(routes)} county routes, {checks} checks")
    assert not failures, "\n".join(failures)


def test_global_routes_need_authentication(app, township):
    failures = []
    for route in iter_routes(app):
        if route.scope != "global" or route.permission == PUBLIC:
            continue
        response = _call(ApiClient(app), route.method, fill(route.rule, {}))
        if response.status_code != 401:
            failures.append(f"{route.method} {route.rule}: {response.status_code}")
    assert not failures, failures


def test_unknown_and_foreign_ids_answer_alike(township, other_township):
    """A foreign unit id and a made-up one get the same 404 body."""
    client = township.client("secretary")
    foreign = client.get(f"{township.base}/units/{other_township.units['branch-1']}")
    made_up = client.get(f"{township.base}/units/{uuid.uuid4()}")
    assert foreign.status_code == made_up.status_code == 404
    assert foreign.json == made_up.json
