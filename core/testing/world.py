"""Townships to test in: a county, a township, its org tree and one user per role, with
API clients holding their tokens (``build_world``; the ``township`` fixture is one)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "correct horse battery"
LIVE_FROM = dt.date(2025, 1, 1)  # the test township's go-live date
_counter = itertools.count(1)


class Response:
    """A test response with ``.json`` and an assertion that prints the body on failure."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.status_code = raw.status_code
        self.headers = raw.headers
        self.json = raw.get_json(silent=True)

    def assert_status(self, *expected: int) -> Response:
        assert self.status_code in expected, (
            f"expected {expected}, got {self.status_code}: {self.raw.get_data(as_text=True)[:800]}"
        )
        return self


class ApiClient:
    """A test client that sends a bearer token and returns ``Response`` objects."""

    def __init__(self, app, token: str | None = None, headers: dict | None = None) -> None:
        self.app, self.token = app, token
        self.client = app.test_client()
        self.default_headers = dict(headers or {})

    def request(self, method: str, path: str, **kwargs) -> Response:
        headers = {**self.default_headers, **kwargs.pop("headers", {})}
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return Response(self.client.open(path, method=method, headers=headers, **kwargs))

    def get(self, path, **kw): return self.request("GET", path, **kw)
    def post(self, path, **kw): return self.request("POST", path, **kw)
    def put(self, path, **kw): return self.request("PUT", path, **kw)
    def patch(self, path, **kw): return self.request("PATCH", path, **kw)
    def delete(self, path, **kw): return self.request("DELETE", path, **kw)


UNITS = (
    ("office", "意識形態領導小組辦公室", "office", "committee"),
    ("branch-1", "第一黨支部", "branch", "committee"),
    ("branch-2", "第二黨支部", "branch", "committee"),
    ("village-1", "東村村委會", "village", "committee"),
    ("station-1", "文化站", "station", "committee"),
)
ROLE_UNITS = {
    "secretary": "committee", "deputy": "committee", "office": "office",
    "member": "branch-1", "branch_secretary": "branch-1", "unit_head": "village-1",
    "branch_committee_member": "branch-1",
    "viewer": "committee", "tenant_admin": "committee",
}


@dataclass
class World:
    """A county with one township, its org tree and one user per role, with tokens.

    ``tokens["all"]`` belongs to a user holding the township-wide roles at once
    (secretary, deputy, office, tenant_admin), for tests that need broad rights;
    ``users["subject"]`` is a member that route matrices may act upon.
    """

    app: Any
    county_slug: str
    slug: str
    tenant_id: uuid.UUID
    county_id: uuid.UUID
    units: dict[str, uuid.UUID] = field(default_factory=dict)
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    positions: dict[str, uuid.UUID] = field(default_factory=dict)
    records: dict[str, uuid.UUID] = field(default_factory=dict)  # made on demand

    def object_ids(self) -> dict[str, str]:
        """Ids of real records here, by the URL argument name that takes them."""
        kernel = self.app.extensions["zerenzhi"]
        return {
            "unit_id": str(self.units["branch-1"]),
            "user_id": str(self.users["subject"]),
            "position_id": str(self.positions["subject"]),
            "plugin": next(iter(sorted(kernel.plugins.installed)), "none"),
            "rule_key": next((rule.key for rule in kernel.rules), "none.none"),
            "directive_id": self.directive_id(),
            "item_id": self.inbox_item_id(),  # a report it sent to its county's inbox
            "township_slug": self.slug,  # a county's township, by slug
        }

    def directive_id(self) -> str:
        """A task directive from this county to this township (made once, on first use)."""
        if "directive" not in self.records:
            from zerenzhi.db.base import utcnow
            from zerenzhi.db.session import session
            from zerenzhi.directives.service import create_directive
            from zerenzhi.tenancy.context import tenant_scope
            from zerenzhi.tenancy.models import Tenant

            with self.app.app_context():
                sess = session()
                with tenant_scope(sess.get(Tenant, self.county_id).ref()):
                    directive = create_directive(
                        sess, title="督辦", content="matrix",
                        deadline=utcnow() + dt.timedelta(days=30), townships=[self.slug])
                sess.commit()
                self.records["directive"] = directive.id
        return str(self.records["directive"])

    def inbox_item_id(self) -> str:
        """A report this township sent upward to its county (made once, on first use)."""
        if "inbox_item" not in self.records:
            from zerenzhi.db.session import session
            from zerenzhi.directives.service import send_upward
            from zerenzhi.tenancy.context import tenant_scope
            from zerenzhi.tenancy.models import Tenant

            with self.app.app_context():
                sess = session()
                with tenant_scope(sess.get(Tenant, self.tenant_id).ref()):
                    item = send_upward(sess, "half_year_report", "上報", "matrix",
                                       "matrix.report", self.tenant_id)
                sess.commit()
                self.records["inbox_item"] = item.id
        return str(self.records["inbox_item"])

    @property
    def base(self) -> str:
        return f"/api/v1/townships/{self.slug}"

    def client(self, role: str | None = None, **headers) -> ApiClient:
        return ApiClient(self.app, self.tokens.get(role) if role else None, headers)

    def enable(self, plugin: str, settings: dict | None = None) -> None:
        from zerenzhi.obligations.materialize import materialise
        from zerenzhi.plugin_host.models import TenantPlugin
        from zerenzhi.tenancy.context import require_tenant

        with self.scope() as sess:
            sess.add(TenantPlugin(plugin=plugin, enabled=True, settings=settings or {}))
            sess.flush()
            # as if the township had gone live with it: its calendar from the go-live date
            materialise(sess, since=require_tenant().live_from)
            sess.commit()

    def open_periods(self, now: dt.datetime | None = None) -> int:
        """Run what the scheduler runs as periods begin (``materialise``) for this township,
        as of ``now``: a test that travels in time opens the periods it arrives in."""
        from zerenzhi.obligations.materialize import materialise

        with self.scope() as sess:
            changed = materialise(sess, now)
            sess.commit()
        return changed

    def scope(self):
        return _scoped_session(self.app, self.tenant_id)


class _scoped_session:
    def __init__(self, app, tenant_id) -> None:
        self.app, self.tenant_id = app, tenant_id

    def __enter__(self):
        from zerenzhi.db.session import session
        from zerenzhi.tenancy.context import tenant_scope
        from zerenzhi.tenancy.models import Tenant

        self.ctx = self.app.app_context()
        self.ctx.push()
        sess = session()
        tenant = sess.get(Tenant, self.tenant_id)
        self.scope = tenant_scope(tenant.ref())
        self.scope.__enter__()
        return sess

    def __exit__(self, *exc):
        self.scope.__exit__(*exc)
        self.ctx.pop()


_password_hash: list[str] = []


def _fixture_hash() -> str:
    if not _password_hash:
        from zerenzhi.auth.passwords import hash_password

        _password_hash.append(hash_password(PASSWORD))
    return _password_hash[0]


def build_world(app, prefix: str = "t", live_from: dt.date = LIVE_FROM) -> World:
    """Make a fresh county, township, units and one user per role (fast: no per-user hash).
    The township went live on ``live_from`` (default 2025-01-01, so tests may ask for any
    period of 2025 on); ``World.enable`` materialises a module's calendar from it."""
    from zerenzhi.auth.models import Position, UserAccount
    from zerenzhi.auth.service import issue_token_for
    from zerenzhi.db.session import session
    from zerenzhi.orgunits.models import OrgUnit
    from zerenzhi.orgunits.service import root_unit
    from zerenzhi.provisioning.service import create_county, create_township
    from zerenzhi.tenancy.context import tenant_scope

    n = f"{prefix}{next(_counter)}-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        sess = session()
        county = create_county(sess, f"c-{n}", f"縣{n}")
        township = create_township(sess, county, f"w-{n}", f"鎮{n}", live_from=live_from)
        world = World(app, county.slug, township.slug, township.id, county.id)
        with tenant_scope(township.ref()):
            world.units["committee"] = root_unit(sess).id
            for code, name, kind, parent in UNITS:
                unit = OrgUnit(code=code, name=name, kind=kind, parent_id=world.units[parent])
                sess.add(unit)
                sess.flush()
                world.units[code] = unit.id
            for role, unit_code in ROLE_UNITS.items():
                _user(sess, world, role, f"{role}@{n}", township.id,
                      lambda m, r=role, u=unit_code: Position(
                          member_id=m.id, role=r, unit_id=world.units[u]))
            _user(sess, world, "subject", f"subject@{n}", township.id,
                  lambda m: Position(member_id=m.id, role="member",
                                     unit_id=world.units["branch-2"]))
            _user(sess, world, "all", f"all@{n}", township.id, None)
            for role in ("secretary", "deputy", "office", "tenant_admin"):
                sess.add(Position(member_id=world.users["all"], role=role,
                                  unit_id=world.units[ROLE_UNITS[role]]))
            sess.flush()
        with tenant_scope(county.ref()):
            for role in ("county_viewer", "county_admin"):
                _user(sess, world, role, f"{role}@{n}", county.id,
                      lambda m, r=role: Position(member_id=m.id, role=r))
        sess.commit()
        for role, user_id in world.users.items():
            # long-lived, so tests may travel in time (time-machine) years ahead
            world.tokens[role] = issue_token_for(sess, sess.get(UserAccount, user_id),
                                                 dt.timedelta(days=3650))
        sess.commit()
    return world


def _user(sess, world: World, role: str, username: str, home, position) -> None:
    from zerenzhi.auth.models import Member, UserAccount

    account = UserAccount(username=username, display_name=f"{role} {world.slug}",
                          password_hash=_fixture_hash(), home_tenant_id=home)
    sess.add(account)
    sess.flush()
    member = Member(id=account.id, display_name=account.display_name)
    sess.add(member)
    sess.flush()
    if position is not None:
        post = position(member)
        sess.add(post)
        sess.flush()
        world.positions[role] = post.id
    world.users[role] = account.id


def platform_admin_token(app) -> str:
    from zerenzhi.auth.models import UserAccount
    from zerenzhi.auth.service import issue_token_for
    from zerenzhi.db.session import session

    with app.app_context():
        sess = session()
        account = UserAccount(username=f"ops-{uuid.uuid4().hex[:8]}", display_name="ops",
                              password_hash=_fixture_hash(), platform_admin=True)
        sess.add(account)
        sess.flush()
        token = issue_token_for(sess, account)
        sess.commit()
    return token


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
