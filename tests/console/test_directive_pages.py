"""Directives (W1) and the inbox (R1, R3, P2) on pages: the county admin issues a
directive from the form (written by the API's service, refused as the API refuses), follows
each township's progress, chases, cancels and archives; the township reads it on its home
page and reports it completed; county staff read and acknowledge what was sent upward."""

# ruff: noqa: F811  (the directives fixtures, imported by name, are the tests' arguments)
from __future__ import annotations

import re
import uuid

import time_machine

from tests.directives.conftest import county, zz_load_entrypoints, zz_plugins  # noqa: F401
from tests.directives.test_directives import AFTER, NOW
from tests.directives.test_inbox import _send


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _token(client, path: str) -> str:
    html = _html(client.get(path).assert_status(200))
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _county_path(world, rest=""):
    return f"/counties/{world.county_slug}{rest}"


def _issue(county, **fields):
    world = county.world
    admin = world.client("county_admin", **{"Accept-Language": "zh-Hant"})
    path = _county_path(world, "/directives")
    data = {"csrf_token": _token(admin, path), "kind": "task", "title": "防汛檢查",
            "content": "月底前完成防汛檢查並報告。", "deadline": "2026-03-20T18:00",
            "townships": [county.a.slug, county.b.slug], **fields}
    return admin.post(_county_path(world, "/directives/new"), data=data)


def _directives(world):
    return world.client("county_viewer").get(
        f"/api/v1/counties/{world.county_slug}/directives").assert_status(200).json


@time_machine.travel(NOW, tick=False)
def test_w1_the_form_issues_what_the_api_issues(county):
    world = county.world
    answer = _issue(county)
    assert answer.status_code == 302
    [made] = _directives(world)
    assert made["title"] == "防汛檢查" and made["counts"]["townships"] == 2
    assert made["deadline"].startswith("2026-03-20T10:00:00")  # 18:00 in the county's zone
    assert answer.headers["Location"].endswith(f"/directives/{made['id']}")
    page = _html(world.client("county_viewer").get(
        _county_path(world, f"/directives/{made['id']}")).assert_status(200))
    assert "乙鎮" in page and 'data-status="open"' in page
    assert "/cancel" not in page  # a viewer has no buttons
    listing = _html(world.client("county_viewer").get(_county_path(world, "/directives")))
    assert "防汛檢查" in listing and "/directives/new" not in listing


@time_machine.travel(NOW, tick=False)
def test_w1_a_bad_form_re_renders_in_chinese_and_writes_nothing(county):
    world = county.world
    for fields, field in (({"townships": []}, "townships"), ({"title": ""}, "title"),
                          ({"deadline": "2026-03-01T18:00"}, "deadline"),
                          ({"kind": "rule", "period": "", "applies_to": []}, "period")):
        answer = _issue(county, **fields)
        assert answer.status_code == 422, fields
        assert f'id="{field}-error"' in _html(answer), fields
        assert "請更正下面標出的欄位" in _html(answer)
    assert _directives(world) == []


def test_w1_the_township_sees_it_at_home_and_reports_completion(county):
    world = county.world
    with time_machine.travel(NOW, tick=False):
        _issue(county)
        [made] = _directives(world)
        home = _html(world.client("office").get(f"/townships/{world.slug}/").assert_status(200))
        assert 'id="home-directives"' in home and "防汛檢查" in home
        path = f"/townships/{world.slug}/directives/{made['id']}"
        viewer_page = _html(world.client("viewer").get(path).assert_status(200))
        assert "/completion" not in viewer_page  # not theirs to report
        office = world.client("office")
        refused = office.post(f"{path}/completion",
                              data={"csrf_token": _token(office, path), "report": ""})
        assert refused.status_code == 422
        done = office.post(f"{path}/completion", data={"csrf_token": _token(office, path),
                                                        "report": "已完成防汛檢查。"})
        assert done.status_code == 302
        listing = _html(office.get(f"/townships/{world.slug}/directives?status=completed"))
        assert "防汛檢查" in listing
    with time_machine.travel(AFTER, tick=False):
        page = _html(world.client("county_viewer").get(
            _county_path(world, f"/directives/{made['id']}")).assert_status(200))
        assert f'data-township="{county.a.slug}" data-status="completed"' in page
        assert f'data-township="{county.b.slug}" data-status="overdue"' in page
        assert "已完成防汛檢查。" in page  # the report went upward on purpose


def test_w1_chase_cancel_and_archive_from_the_page(county):
    world = county.world
    with time_machine.travel(NOW, tick=False):
        _issue(county)
        [made] = _directives(world)
    admin = world.client("county_admin")
    path = _county_path(world, f"/directives/{made['id']}")
    with time_machine.travel(AFTER, tick=False):
        token = _token(admin, path)
        chased = admin.post(f"{path}/townships/{county.b.slug}/chase",
                            data={"csrf_token": token})
        assert chased.status_code == 302
        [row] = [t for t in _directives(world)[0]["townships"]
                 if t["township"]["slug"] == county.b.slug]
        assert row["chase_count"] == 1
        page = _html(admin.get(path))
        version = re.search(r'name="version" value="([^"]+)"', page).group(1)
        admin.post(f"{path}/archive", data={"csrf_token": token, "version": version})
        assert len(_directives(world)) == 1  # still owed: not archived
        admin.post(f"{path}/cancel", data={"csrf_token": token})
        assert _directives(world)[0]["counts"]["cancelled"] == 2
        stale = admin.post(f"{path}/archive", data={"csrf_token": token, "version": version})
        assert stale.status_code == 302 and len(_directives(world)) == 1  # an old version
        version = re.search(r'name="version" value="([^"]+)"', _html(admin.get(path))).group(1)
        archived = admin.post(f"{path}/archive", data={"csrf_token": token, "version": version})
        assert archived.headers["Location"].endswith("/directives")
        assert _directives(world) == []
        admin.get(path).assert_status(404)


def test_inbox_read_and_acknowledge_on_the_page(county):
    world = county.world
    item_id = _send(county.a)
    viewer = world.client("county_viewer")
    listing = _html(viewer.get(_county_path(world, "/inbox")).assert_status(200))
    assert item_id in listing
    path = _county_path(world, f"/inbox/{item_id}")
    page = _html(viewer.get(path).assert_status(200))
    assert "上半年意識形態工作情況報告正文" in page and "/acknowledgement" not in page
    admin = world.client("county_admin")
    token = _token(admin, path)
    admin.post(f"{path}/acknowledgement", data={"csrf_token": token, "note": ""}
               ).assert_status(422)
    done = admin.post(f"{path}/acknowledgement", data={"csrf_token": token, "note": "已閱"})
    assert done.status_code == 302
    home = _html(world.client("secretary").get(f"/townships/{world.slug}/"))
    assert 'id="home-outbox"' in home and "已閱" in home
    # another county: the unknown county's page; a made-up item: 404
    county.other.client("county_admin").get(path).assert_status(404)
    viewer.get(_county_path(world, f"/inbox/{uuid.uuid4()}")).assert_status(404)
