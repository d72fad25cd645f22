"""Privacy and isolation at county level (docs/domain.md "Scope";
docs/architecture.md, Tenancy): a county
sees counts, rates, rule titles, unit names and roles of its own townships — never the
content of their records or the names of their people, and nothing of another county."""

from __future__ import annotations

import io
import zipfile

import time_machine

from tests.rollups.conftest import SECRET_GREETING, SECRET_NAME, SECRET_REASON, rollup
from tests.rollups.plugins import ROGUE_SECRET
from zerenzhi.auth.roles import TOWNSHIP_ROLES
from zerenzhi.testing import ApiClient, platform_admin_token

NOW = "2026-07-10T09:00:00+08:00"
VIEWS = ("compliance", "overdue", "trend", "metrics")
PARAMS = {"compliance": {"period": "2026H1"}, "overdue": {"page_size": 100},
          "trend": {"from": "2025H1", "to": "2026H2"}, "metrics": {"period": "2026H1"}}


def _texts(county) -> list[str]:
    """Every roll-up as JSON, CSV and the XML inside each workbook."""
    texts = []
    for view in VIEWS:
        for fmt in ("json", "csv", "xlsx"):
            raw = rollup(county.world, view, format=fmt, **PARAMS[view]).assert_status(200).raw
            if fmt == "xlsx":
                with zipfile.ZipFile(io.BytesIO(raw.data)) as book:
                    texts.extend(book.read(n).decode() for n in book.namelist())
            else:
                texts.append(raw.get_data(as_text=True))
    return texts


@time_machine.travel(NOW, tick=False)
def test_rollups_never_carry_record_content_or_names(county):
    world = county.world
    # the township itself sees all of these: they exist and are reachable
    own = world.client("secretary")
    summary = own.get(f"{world.base}/obligations/summary?period=2026H1").raw.get_data(
        as_text=True)
    assert SECRET_NAME in summary and SECRET_REASON in summary
    greetings = own.get(f"{world.base}/hello/greetings").raw.get_data(as_text=True)
    assert SECRET_GREETING in greetings
    audit = own.get(f"{world.base}/audit").raw.get_data(as_text=True)
    assert SECRET_REASON in audit
    text = "\n".join(_texts(county))
    persons = [f"{role} {world.slug}" for role in ("secretary", "branch_secretary", "deputy")]
    for secret in (SECRET_NAME, SECRET_REASON, SECRET_GREETING, ROGUE_SECRET, *persons):
        assert secret not in text, secret
    # what the county may see is there, so the search above would have found a leak
    assert "乙鎮第1支部" in text and "专题会议" in text and "党委书记" in text


@time_machine.travel(NOW, tick=False)
def test_another_countys_lookalike_data_never_shows(county):
    other = county.other
    markers = [other.slug, str(other.tenant_id), *map(str, other.units.values())]
    text = "\n".join(_texts(county))
    assert not [m for m in markers if m in text]
    # and the other county's own roll-up sees only its township
    result = rollup(other, "compliance", period="2026H1").json
    assert [r["township"]["slug"] for r in result["townships"]] == [other.slug]
    assert result["totals"]["required"] == 3


def test_only_county_staff_of_that_county(county):
    world, other = county.world, county.other
    unknown = world.client("county_admin").get("/api/v1/counties/no-such-county/rollup/trend")
    assert unknown.status_code == 404
    operator = ApiClient(world.app, platform_admin_token(world.app))
    for view in VIEWS:
        url = f"/api/v1/counties/{world.county_slug}/rollup/{view}"
        for role in ("county_viewer", "county_admin"):
            world.client(role).get(url).assert_status(200)
            response = other.client(role).get(url)  # staff of another county
            assert (response.status_code, response.json) == (404, unknown.json), (view, role)
        for role in TOWNSHIP_ROLES:  # the county's own townships' users
            response = world.client(role).get(url)
            assert (response.status_code, response.json) == (404, unknown.json), (view, role)
        # operators run the service, they do not read townships' work (docs/domain.md)
        assert operator.get(url).status_code == 403
        assert ApiClient(world.app).get(url).status_code == 401


def test_a_township_url_has_no_rollup(county):
    response = county.world.client("county_viewer").get(
        f"/api/v1/townships/{county.world.slug}/obligations/summary")
    assert response.status_code == 404
