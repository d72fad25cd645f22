"""The isolation and permission matrices, over one owner's routes (core's or a plugin's).

Both are generated from the URL map, so a route added later is covered without anyone
writing a test for it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from zerenzhi.testing.owners import owner_of
from zerenzhi.testing.routes import RouteCase, fill, iter_routes
from zerenzhi.testing.world import ApiClient, World, build_world

BODY_METHODS = ("POST", "PUT", "PATCH")
UNKNOWN_TOWNSHIP = "/api/v1/townships/no-such-township/units"
UNKNOWN_COUNTY = "/api/v1/counties/no-such-county/townships"
UNKNOWN_SLUG = "no-such-township"
PAGE_ALIASES = {"member_id": "user_id"}
CSRF_FIELD = re.compile(r'(name="csrf_token" value=|name="csrf-token" content=|"X-CSRFToken": )'
                        r'"[^"]*"')

ObjectMaker = Callable[[World], Mapping[str, str]]


def check_isolation(plugin: Any, app, *, objects: ObjectMaker | None = None,
                    pages_only: bool = False, sessions: bool = False) -> None:
    """Prove that a township never sees, changes or detects another's data through the
    owner's routes, and that the permission decides in one's own township.

    Two fresh townships of two counties, every installed plugin enabled in both; then every
    route × every role × {own township: 403 exactly when the role lacks the route's permission,
    never a 5xx; foreign township: the same 404 as a township that does not exist; a foreign
    record's id in one's own path: the same answer as a made-up id; a county user: 404;
    anonymous: 401}, and no answer mentions the other township (slug, ids of its tenant,
    units, users). County routes (core's) get the mirror-image matrix; global routes must
    authenticate unless public.

    The owner's console pages get the same matrix as a browser sees it (``_Matrix.page``):
    forms posted with their CSRF token; a foreign township the same 404 *page* as an unknown
    one; a role lacking the permission the 403 page; anonymous a redirect to the login page.

    ``objects(world)`` may make the owner's own records in a township and return their ids
    by the URL argument that takes them (``{"greeting_id": ...}``), so foreign ids of the
    plugin's own kinds are tried too; core's kinds (units, users, positions...) always are.
    ``pages_only`` walks the pages alone; ``sessions`` calls them as a person does, signed in
    through the login page (the session cookie) rather than with a bearer token.
    """
    owner = owner_of(plugin, app)
    routes = [route for route in iter_routes(app) if route.owner == owner.name
              and (route.page or not pages_only)]
    own, other = build_world(app), build_world(app, "o")
    for world in (own, other):
        for name in app.extensions["zerenzhi"].plugins.installed:
            world.enable(name)
    matrix = _Matrix(app, own, other, objects)
    matrix.sessions = sessions
    for route in routes:
        {"township": matrix.township_route, "county": matrix.county_route,
         "global": matrix.global_route}[route.scope](route)
    print(f"isolation matrix for {owner.name}: {len(routes)} routes, {matrix.checks} checks")
    assert not matrix.failures, "\n".join(matrix.failures)


def _call(client: ApiClient, method: str, url: str):
    kwargs: dict[str, Any] = {"headers": {"If-Match": '"stale-etag"'}}
    if method in BODY_METHODS:
        kwargs["json"] = {}
    return client.request(method, url, **kwargs)


class _Matrix:
    def __init__(self, app, own: World, other: World, objects: ObjectMaker | None) -> None:
        from zerenzhi.auth.permissions import AUTHENTICATED
        from zerenzhi.auth.roles import ROLES

        self.app, self.own, self.other = app, own, other
        registry = app.extensions["zerenzhi"].permissions
        self.granted = {role: registry.for_roles([role] if role in ROLES else []) | {
            AUTHENTICATED} for role in ROLES}
        self.own_ids = {**own.object_ids(), **(objects(own) if objects else {})}
        self.foreign_ids = {**other.object_ids(), **(objects(other) if objects else {})}
        self.unknown_township = own.client("all").get(UNKNOWN_TOWNSHIP)
        self.unknown_county = own.client("county_admin").get(UNKNOWN_COUNTY)
        assert self.unknown_township.status_code == 404, self.unknown_township.json
        self.failures: list[str] = []
        self.checks = 0
        self.page_clients: dict[tuple[str, str | None], PageClient] = {}
        self.sessions = False

    def fail_unless(self, ok: bool, route: RouteCase, who: str, response) -> None:
        self.checks += 1
        if not ok:
            body = response.json if response.json is not None else \
                response.raw.get_data(as_text=True)[:300]
            self.failures.append(f"{route.method} {route.rule} {who}: "
                                 f"{response.status_code} {body}")

    def leaks(self, response, text: str | None = None) -> list[str]:
        """The other township's slug or ids in the answer (``text``: the body as checked,
        where a page's own URL, echoed in its links, has been taken out)."""
        if text is None:
            text = response.raw.get_data().decode("utf-8", errors="ignore")
        other = self.other
        markers = [other.slug, str(other.tenant_id), *map(str, other.units.values()),
                   *map(str, other.users.values())]
        return [marker for marker in markers if marker in text]

    def township_route(self, route: RouteCase) -> None:
        from zerenzhi.auth.roles import COUNTY_ROLES, TOWNSHIP_ROLES

        if route.page:
            return self.page(route)
        own, unknown = self.own, self.unknown_township
        own_url = fill(route.rule, {"township": own.slug, **self.own_ids})
        foreign_url = fill(route.rule, {"township": self.other.slug, **self.own_ids})
        id_args = [a for a in route.arguments if a in self.foreign_ids and a.endswith("_id")]
        for role in TOWNSHIP_ROLES:
            client = own.client(role)
            allowed = route.permission in self.granted[role]
            response = _call(client, route.method, foreign_url)
            self.fail_unless(response.status_code == 404 and response.json == unknown.json,
                             route, f"as {role} in a foreign township", response)
            if id_args and allowed:
                url = fill(route.rule, {"township": own.slug, **self.own_ids,
                                        **{a: self.foreign_ids[a] for a in id_args}})
                made_up = fill(route.rule, {"township": own.slug, **self.own_ids,
                                            **{a: str(uuid.uuid4()) for a in id_args}})
                response = _call(client, route.method, url)
                baseline = _call(client, route.method, made_up)
                self.fail_unless(
                    (response.status_code, response.json) == (baseline.status_code,
                                                              baseline.json)
                    and 400 <= response.status_code < 500 and not self.leaks(response),
                    route, f"as {role} with foreign ids {id_args}", response)
            response = _call(client, route.method, own_url)
            denied = response.status_code == 403
            self.fail_unless(denied != allowed and response.status_code not in (401,)
                             and response.status_code < 500 and not self.leaks(response),
                             route, f"as {role} (allowed={allowed})", response)
        for role in COUNTY_ROLES:
            response = _call(own.client(role), route.method, own_url)
            self.fail_unless(response.status_code == 404 and response.json == unknown.json,
                             route, f"as {role}", response)
        response = _call(ApiClient(self.app), route.method, own_url)
        self.fail_unless(response.status_code == 401 and not self.leaks(response),
                         route, "anonymous", response)

    def page_client(self, world: World, role: str | None) -> PageClient:
        key = (world.slug, role)
        if key not in self.page_clients:
            if role and self.sessions:
                self.page_clients[key] = PageClient.signed_in(world, role)
            else:
                self.page_clients[key] = PageClient(world.client(role) if role else
                                                    ApiClient(self.app))
        return self.page_clients[key]

    def page(self, route: RouteCase) -> None:
        """A township's page: what a browser gets, in every role, here and elsewhere."""
        from zerenzhi.auth.roles import COUNTY_ROLES, TOWNSHIP_ROLES

        own = self.own
        made_up = {a: str(uuid.uuid4()) for a in route.arguments}  # one per page, not per URL
        own_ids = {**made_up, **_aliased(self.own_ids)}
        foreign_ids = _aliased(self.foreign_ids)
        own_url = fill(route.rule, {**own_ids, "township": own.slug})
        foreign_url = fill(route.rule, {**own_ids, "township": self.other.slug})
        unknown_url = fill(route.rule, {**own_ids, "township": UNKNOWN_SLUG})
        id_args = [a for a in route.arguments if a in foreign_ids and a.endswith("_id")]

        def is_404_page(client: PageClient, slug: str, response) -> bool:
            """The unknown township's 404 page (the links back to the page asked for, as
            the language switch's, aside)."""
            baseline = client.call(route.method, unknown_url)
            return (response.status_code == baseline.status_code == 404 and is_page(response)
                    and page_text(response).replace(f"/townships/{slug}/",
                                                    f"/townships/{UNKNOWN_SLUG}/")
                    == page_text(baseline))

        for role in [*TOWNSHIP_ROLES, *COUNTY_ROLES]:
            client = self.page_client(own, role)
            response = client.call(route.method, foreign_url)
            self.fail_unless(is_404_page(client, self.other.slug, response), route,
                             f"page as {role} in a foreign township", response)
            if role in COUNTY_ROLES:
                response = client.call(route.method, own_url)
                self.fail_unless(is_404_page(client, own.slug, response), route,
                                 f"page as {role}", response)
                continue
            allowed = route.permission in self.granted[role]
            if id_args and allowed:
                url = fill(route.rule, {**own_ids, "township": own.slug,
                                        **{a: foreign_ids[a] for a in id_args}})
                response = client.call(route.method, url)
                baseline = client.call(route.method, fill(route.rule, {
                    **own_ids, "township": own.slug, **{a: made_up[a] for a in id_args}}))
                shown = page_text(response)
                for a in id_args:
                    shown = shown.replace(foreign_ids[a], made_up[a])
                self.fail_unless(
                    (response.status_code, shown) == (baseline.status_code, page_text(baseline))
                    and 400 <= response.status_code < 500 and not self.leaks(response, shown),
                    route, f"page as {role} with foreign ids {id_args}", response)
            response = client.call(route.method, own_url)
            denied = response.status_code == 403
            self.fail_unless(denied != allowed and (not denied or is_page(response))
                             and response.status_code < 500 and not self.leaks(response)
                             and not _to_login(response),
                             route, f"page as {role} (allowed={allowed})", response)
        response = self.page_client(own, None).call(route.method, own_url)
        self.fail_unless(_to_login(response, route.method == "GET" and own_url)
                         and not self.leaks(response), route, "page anonymous", response)

    def county_route(self, route: RouteCase) -> None:
        """Own county's staff by permission; everyone else the unknown county's 404 (or 401)."""
        from zerenzhi.auth.roles import COUNTY_ROLES, TOWNSHIP_ROLES

        if route.page:
            return self.county_page(route)
        own, other, unknown = self.own, self.other, self.unknown_county
        if "plugin" in route.arguments and not self.app.extensions["zerenzhi"].plugins.installed:
            return  # nothing to configure when no module is installed
        own_url = fill(route.rule, {"county": own.county_slug, **self.own_ids})
        for role in COUNTY_ROLES:
            allowed = route.permission in self.granted[role]
            response = _call(own.client(role), route.method, own_url)
            self.fail_unless(
                ((allowed and response.status_code not in (401, 403, 404))
                 or (not allowed and response.status_code == 403))
                and response.status_code < 500 and not self.leaks(response),
                route, f"as {role} (allowed={allowed})", response)
            response = _call(other.client(role), route.method, own_url)
            self.fail_unless(response.status_code == 404 and response.json == unknown.json,
                             route, f"as the other county's {role}", response)
        for role in TOWNSHIP_ROLES:
            response = _call(own.client(role), route.method, own_url)
            self.fail_unless(response.status_code == 404 and response.json == unknown.json,
                             route, f"as township {role}", response)
        response = _call(ApiClient(self.app), route.method, own_url)
        self.fail_unless(response.status_code == 401, route, "anonymous", response)

    def county_page(self, route: RouteCase) -> None:
        """A county's page as a browser sees it: the county's own staff by permission (the
        403 page when it lacks it); the other county's staff and every township user the same
        404 page as a county that does not exist; anonymous a redirect to the login page."""
        from zerenzhi.auth.roles import COUNTY_ROLES, TOWNSHIP_ROLES

        own, other = self.own, self.other
        values = {**{a: str(uuid.uuid4()) for a in route.arguments}, **_aliased(self.own_ids),
                  "township_slug": own.slug}
        own_url = fill(route.rule, {**values, "county": own.county_slug})
        unknown_url = fill(route.rule, {**values, "county": UNKNOWN_SLUG})

        def is_404_page(client: PageClient, response) -> bool:
            baseline = client.call(route.method, unknown_url)
            return (response.status_code == baseline.status_code == 404 and is_page(response)
                    and page_text(response).replace(f"/counties/{own.county_slug}/",
                                                    f"/counties/{UNKNOWN_SLUG}/")
                    == page_text(baseline))

        for role in COUNTY_ROLES:
            allowed = route.permission in self.granted[role]
            response = self.page_client(own, role).call(route.method, own_url)
            denied = response.status_code == 403
            self.fail_unless(denied != allowed and (not denied or is_page(response))
                             and response.status_code < 500 and not _to_login(response)
                             and not self.leaks(response),
                             route, f"county page as {role} (allowed={allowed})", response)
            client = self.page_client(other, role)
            self.fail_unless(is_404_page(client, client.call(route.method, own_url)), route,
                             f"county page as the other county's {role}", response)
        for role in TOWNSHIP_ROLES:
            client = self.page_client(own, role)
            response = client.call(route.method, own_url)
            self.fail_unless(is_404_page(client, response), route,
                             f"county page as township {role}", response)
        response = self.page_client(own, None).call(route.method, own_url)
        self.fail_unless(_to_login(response, route.method == "GET" and own_url),
                         route, "county page anonymous", response)

    def global_route(self, route: RouteCase) -> None:
        from zerenzhi.auth.permissions import PUBLIC

        if route.permission == PUBLIC:
            return
        response = _call(ApiClient(self.app), route.method, fill(route.rule, {}))
        self.fail_unless(response.status_code == 401, route, "anonymous", response)


class PageClient:
    """A browser's view of pages for one caller (a bearer client, or anonymous): it keeps
    the session cookie and posts every form with its CSRF token, as the page would."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self._token: str | None = None

    @classmethod
    def signed_in(cls, world: World, role: str) -> PageClient:
        """A person in ``role`` signed in through the login page: no bearer token, only the
        session cookie (a ``build_world`` user: ``<role>@<township's name>``)."""
        from zerenzhi.testing.world import PASSWORD

        client = cls(ApiClient(world.app))
        username = f"{role}@{world.slug.removeprefix('w-')}"
        client.client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": client.token()}).assert_status(302)
        client._token = None  # a new session after logging in: a new token
        return client

    def token(self) -> str:
        if self._token is None:
            html = self.client.get("/login").raw.get_data(as_text=True)
            found = re.search(r'name="csrf_token" value="([^"]+)"', html)
            assert found, "the login page carries no CSRF token"
            self._token = found.group(1)
        return self._token

    def call(self, method: str, url: str):
        if method == "GET":
            return self.client.get(url)
        response = self.client.request(method, url, data={"csrf_token": self.token()})
        with self.client.client.session_transaction() as session:
            session.pop("_flashes", None)  # a browser shows them on the page it goes to next
        return response


def _aliased(ids: Mapping[str, str]) -> dict[str, str]:
    """Record ids by the names pages give them too (a member is a user: ``member_id``)."""
    return {**{alias: ids[name] for alias, name in PAGE_ALIASES.items() if name in ids}, **ids}


def is_page(response) -> bool:
    return response.raw.mimetype == "text/html"


def page_text(response) -> str:
    """A page's body with its CSRF tokens (signed with the time) blanked, for comparing."""
    return CSRF_FIELD.sub(r'\1""', response.raw.get_data(as_text=True))


def _to_login(response, next_url: str | bool = False) -> bool:
    """A redirect to the login page (coming back to ``next_url`` afterwards, when given)."""
    from urllib.parse import parse_qs, urlsplit

    if response.status_code != 302:
        return False
    target = urlsplit(response.headers.get("Location", ""))
    if target.path != "/login":
        return False
    return not next_url or parse_qs(target.query).get("next", [""])[0].rstrip("?") == next_url


def check_permissions(plugin: Any, app, *, grants: Mapping[str, Iterable[str]] | None = None,
                      public: Iterable[str] = ()) -> None:
    """Prove that every route of the owner declares a registered permission and that each
    role gets exactly what the grants say.

    Every route is guarded by ``zerenzhi.requires``; a plugin's routes use the plugin's own
    permissions (``"<plugin>.<thing>.<verb>"``, granted to township roles only) or
    ``AUTHENTICATED``, and none is ``PUBLIC`` unless listed in ``public`` (as
    ``"METHOD rule"``). For every role, the registry grants exactly ``grants[role]`` of
    the owner's permissions — by default what its ``Permission`` objects declare, so no
    other module adds to them; read-only roles get only ``*.read`` ones and
    ``platform_admin`` none that opens a township route. That the API enforces these grants
    is ``check_isolation``'s part.
    """
    from zerenzhi.auth.permissions import AUTHENTICATED, PUBLIC
    from zerenzhi.auth.roles import ROLES, TOWNSHIP_ROLES

    owner = owner_of(plugin, app)
    registry = app.extensions["zerenzhi"].permissions
    declared = owner.permissions(app)
    names = {permission.name for permission in declared}
    routes = [route for route in iter_routes(app) if route.owner == owner.name]
    problems = []
    for route in routes:
        where = f"{route.method} {route.rule}"
        if route.permission is None:
            problems.append(f"{where}: no permission declared (guard it with @requires)")
        elif route.permission == PUBLIC:
            if where not in public:
                problems.append(f"{where}: public (answers without authentication)")
        elif route.permission != AUTHENTICATED and route.permission not in registry:
            problems.append(f"{where}: permission {route.permission!r} is not registered")
        elif route.permission != AUTHENTICATED and route.permission not in names:
            problems.append(f"{where}: uses another module's permission {route.permission!r}")
    listed = {f"{r.method} {r.rule}" for r in routes if r.permission == PUBLIC}
    problems += [f"{where}: expected to be public" for where in sorted(set(public) - listed)]
    if not owner.is_core:
        for permission in declared:
            if not permission.name.startswith(f"{owner.name}."):
                problems.append(f"permission {permission.name!r}: name it '{owner.name}.…'")
            outside = sorted(set(permission.roles) - set(TOWNSHIP_ROLES))
            if outside:
                problems.append(f"permission {permission.name!r} granted to {outside}: a "
                                f"plugin's routes are township routes")
    expected = ({role: set(grants.get(role, ())) for role in ROLES} if grants is not None else
                {role: {p.name for p in declared if role in p.roles} for role in ROLES})
    township_permissions = {r.permission for r in routes if r.scope == "township"}
    for role, spec in ROLES.items():
        granted = registry.for_roles([role]) & names
        if granted != expected[role]:
            problems.append(f"{role}: granted {sorted(granted - expected[role])} beyond its "
                            f"grants, lacks {sorted(expected[role] - granted)}")
        if spec.read_only:
            writes = sorted(p for p in granted if not p.endswith(".read"))
            if writes:
                problems.append(f"{role} is read-only but holds {writes}")
    reach = sorted(registry.for_roles(["platform_admin"]) & names & township_permissions)
    if reach:
        problems.append(f"platform_admin reaches township records through {reach}")
    assert not problems, "\n".join(problems)
