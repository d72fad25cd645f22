"""Counties and their townships (docs/domain.md: county_viewer, county_admin, platform_admin)."""

from __future__ import annotations

import json
import uuid

from zerenzhi.orgunits.service import root_unit
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant
from zerenzhi.testing import ApiClient, platform_admin_token


def all_pages(client, url: str) -> list[dict]:
    items, page = [], 1
    while True:
        response = client.get(f"{url}?page={page}&page_size=100").assert_status(200)
        items += response.json
        if page >= json.loads(response.headers["X-Pagination"])["last_page"]:
            return items
        page += 1


def slugs(client, url: str) -> set[str]:
    return {tenant["slug"] for tenant in all_pages(client, url)}


def committee_of(app, tenant_id: str):
    from zerenzhi.db.session import session

    with app.app_context():
        sess = session()
        tenant = sess.get(Tenant, uuid.UUID(tenant_id))
        with tenant_scope(tenant.ref()):
            unit = root_unit(sess)
            found = (unit.code, unit.kind, unit.name) if unit else None
    return found


def new_slug(prefix: str = "w") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_county_admin_lists_and_provisions_townships(township):
    admin = township.client("county_admin")
    url = f"/api/v1/counties/{township.county_slug}/townships"
    assert slugs(admin, url) == {township.slug}

    slug = new_slug()
    created = admin.post(url, json={"slug": slug, "name": "新鎮"}).assert_status(201).json
    assert created["kind"] == "township"
    assert created["timezone"] == "Asia/Shanghai"
    assert slugs(admin, url) == {township.slug, slug}
    assert committee_of(township.app, created["id"]) == ("committee", "committee", "新鎮黨委")


def test_provisioning_rejects_a_taken_slug_and_an_unknown_timezone(township, other_township):
    admin = township.client("county_admin")
    url = f"/api/v1/counties/{township.county_slug}/townships"
    for taken in (township.slug, other_township.slug, other_township.county_slug):
        conflict = admin.post(url, json={"slug": taken, "name": "重名鎮"}).assert_status(409)
        assert "slug" in conflict.json["errors"]["json"]
    bad = admin.post(url, json={"slug": new_slug(), "name": "火星鎮",
                                "timezone": "Mars/Olympus"}).assert_status(422)
    assert "timezone" in bad.json["errors"]["json"]
    assert slugs(admin, url) == {township.slug}


def test_county_viewer_lists_but_cannot_provision(township):
    viewer = township.client("county_viewer")
    url = f"/api/v1/counties/{township.county_slug}/townships"
    assert slugs(viewer, url) == {township.slug}
    viewer.post(url, json={"slug": new_slug(), "name": "新鎮"}).assert_status(403)
    assert slugs(viewer, url) == {township.slug}


def test_county_users_see_only_their_own_county(township, other_township):
    admin = township.client("county_admin")
    assert slugs(admin, "/api/v1/counties") == {township.county_slug}
    foreign = admin.get(f"/api/v1/counties/{other_township.county_slug}/townships")
    unknown = admin.get("/api/v1/counties/no-such-county/townships")
    assert foreign.assert_status(404).json == unknown.assert_status(404).json
    admin.post(f"/api/v1/counties/{other_township.county_slug}/townships",
               json={"slug": new_slug(), "name": "越界鎮"}).assert_status(404)
    # nor does a county user reach a township's own routes
    admin.get(f"{township.base}/units").assert_status(404)


def test_township_users_get_404_on_county_routes(township):
    for role in ("secretary", "tenant_admin", "all"):
        client = township.client(role)
        client.get(f"/api/v1/counties/{township.county_slug}/townships").assert_status(404)
        client.post(f"/api/v1/counties/{township.county_slug}/townships",
                    json={"slug": new_slug(), "name": "新鎮"}).assert_status(404)
        client.get("/api/v1/counties").assert_status(403)


def test_anonymous_gets_401_on_county_routes(township):
    anonymous = ApiClient(township.app)
    anonymous.get("/api/v1/counties").assert_status(401)
    anonymous.get(f"/api/v1/counties/{township.county_slug}/townships").assert_status(401)


def test_platform_admin_operates_counties_but_reads_no_township_records(township,
                                                                         other_township):
    ops = ApiClient(township.app, platform_admin_token(township.app))
    assert {township.county_slug, other_township.county_slug} <= slugs(ops, "/api/v1/counties")

    county = new_slug("c")
    created = ops.post("/api/v1/counties", json={"slug": county, "name": "新縣"})
    assert created.assert_status(201).json["kind"] == "county"
    ops.post("/api/v1/counties", json={"slug": county, "name": "重名縣"}).assert_status(409)
    slug = new_slug()
    town = ops.post(f"/api/v1/counties/{county}/townships",
                    json={"slug": slug, "name": "新鎮", "timezone": "Asia/Urumqi"})
    assert town.assert_status(201).json["timezone"] == "Asia/Urumqi"
    assert slugs(ops, f"/api/v1/counties/{county}/townships") == {slug}
    assert county in slugs(ops, "/api/v1/counties")

    for path in (f"/api/v1/townships/{slug}/units", f"{township.base}/units",
                 f"{township.base}/users", f"{township.base}/audit"):
        ops.get(path).assert_status(404)


def test_county_staff_cannot_create_counties(township):
    township.client("county_admin").post(
        "/api/v1/counties", json={"slug": new_slug("c"), "name": "新縣"}).assert_status(403)
