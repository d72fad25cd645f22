"""The organisation pages (issue 14, item 3): the unit tree, members and their posts, and
the admin's forms, which write exactly what the API writes and refuse what it refuses."""

from __future__ import annotations

import re

import pytest

from zerenzhi.testing.world import ApiClient


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _path(world, rest: str = "") -> str:
    return f"/townships/{world.slug}/organisation{rest}"


def _post(client: ApiClient, form_path: str, data: dict, action: str | None = None,
          **kw):
    """Post ``data`` as the form on ``form_path`` would (its CSRF token included)."""
    html = _html(client.get(form_path, **kw).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(action or form_path, data={"csrf_token": token, **data}, **kw)


def _users(world) -> list[dict]:
    return world.client("tenant_admin").get(f"{world.base}/users?page_size=100").json


def _units(world) -> list[dict]:
    return world.client("tenant_admin").get(f"{world.base}/units?page_size=100").json


@pytest.mark.parametrize("role", ["secretary", "office", "viewer", "branch_secretary"])
def test_every_reader_sees_the_tree(township, role):
    html = _html(township.client(role).get(_path(township)).assert_status(200))
    assert 'id="unit-branch-1"' in html and "第一黨支部" in html
    assert ('id="members-heading"' in html) == (role in ("secretary", "office"))
    assert ("/organisation/units/new" in html) == (role in ("secretary", "office"))
    assert not re.search(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", html)  # no raw ids


def test_a_unit_added_on_the_page_is_the_api_s_unit(township):
    client = township.client("office")
    answer = _post(client, _path(township, "/units/new"), {
        "name": "第三黨支部", "code": "branch-3", "kind": "branch",
        "parent_id": str(township.units["committee"])})
    assert answer.status_code == 302
    added = [u for u in _units(township) if u["code"] == "branch-3"]
    assert len(added) == 1 and added[0]["parent_id"] == str(township.units["committee"])
    assert added[0]["kind"] == "branch" and added[0]["name"] == "第三黨支部"


def test_a_bad_unit_re_renders_in_chinese_and_writes_nothing(township):
    client = township.client("office", **{"Accept-Language": "zh-Hant"})
    before = len(_units(township))
    answer = _post(client, _path(township, "/units/new"), {
        "name": "重複", "code": "branch-1", "kind": "branch",
        "parent_id": str(township.units["committee"])})
    assert answer.status_code == 422
    html = _html(answer)
    assert 'aria-invalid="true" aria-describedby="code-error"' in html
    missing = _post(client, _path(township, "/units/new"), {"code": "x-1", "kind": "branch"})
    assert missing.status_code == 422
    assert "缺少必填欄位" in _html(missing) or "必填" in _html(missing)
    assert len(_units(township)) == before


def test_viewer_cannot_open_or_post_the_unit_form(township):
    client = township.client("viewer")
    assert client.get(_path(township, "/units/new")).status_code == 403


def test_an_account_added_on_the_page_is_the_api_s_user(township):
    client = township.client("tenant_admin")
    answer = _post(client, _path(township, "/members/new"), {
        "display_name": "李四", "username": "li.si", "password": "long-enough-1"})
    assert answer.status_code == 302
    added = [u for u in _users(township) if u["username"] == "li.si"]
    assert len(added) == 1 and added[0]["display_name"] == "李四"
    assert added[0]["positions"] == []
    token = township.client().post("/api/v1/auth/tokens", json={
        "username": "li.si", "password": "long-enough-1"})
    assert token.status_code in (200, 201)


def test_a_short_password_is_refused_in_the_page_language(township):
    client = township.client("tenant_admin", **{"Accept-Language": "zh-Hant"})
    before = len(_users(township))
    answer = _post(client, _path(township, "/members/new"), {
        "display_name": "李四", "username": "li.si", "password": "short"})
    assert answer.status_code == 422
    html = _html(answer)
    message = html.split('id="password-error">')[1].split("<")[0]
    assert "10" in message and "Shorter" not in message  # marshmallow's, in Chinese
    assert len(_users(township)) == before


def test_assigning_and_ending_a_post_moves_the_obligations(township):
    township.enable("study")
    admin = township.client("secretary")
    subject = township.users["subject"]
    page = _path(township, f"/members/{subject}")
    answer = _post(admin, page, {"role": "branch_secretary",
                                 "unit_id": str(township.units["branch-2"])},
                   action=page + "/posts")
    assert answer.status_code == 302
    api = admin.get(f"{township.base}/users/{subject}/positions").json
    post = next(p for p in api if p["role"] == "branch_secretary"
                and p["unit_id"] == str(township.units["branch-2"]))
    html = _html(admin.get(page).assert_status(200))
    assert 'data-role="branch_secretary"' in html
    owed = html.split('id="owed-heading"')[1].split("</section>")[0]
    assert 'data-rule="study.branch_theory_study"' in owed  # the post's duty is theirs now
    handover = f"{page}/posts/{post['id']}/end"
    preview = _html(township.client("tenant_admin").get(handover).assert_status(200))
    owes = preview.split('id="owes-heading"')[1].split("</section>")[0]
    assert 'data-rule="study.branch_theory_study"' in owes  # what passes on with the post
    assert all(p["ended_at"] is None for p in admin.get(
        f"{township.base}/users/{subject}/positions").json)  # the preview ended nothing
    ended = _post(township.client("tenant_admin"), handover, {})
    assert ended.status_code == 302
    api = admin.get(f"{township.base}/users/{subject}/positions?include_ended=true").json
    assert next(p for p in api if p["id"] == post["id"])["ended_at"] is not None
    after = _html(admin.get(page).assert_status(200))
    owed = after.split('id="owed-heading"')[1].split("</section>")[0]
    assert 'data-rule="study.branch_theory_study"' not in owed  # it left with the post
    history = after.split('id="history-heading"')[1]
    assert 'data-role="branch_secretary"' in history


def test_a_post_the_caller_may_not_grant_is_refused(township):
    admin = township.client("tenant_admin", **{"Accept-Language": "en"})
    subject = township.users["subject"]
    page = _path(township, f"/members/{subject}")
    html = _html(admin.get(page).assert_status(200))
    assert 'value="secretary"' not in html  # the pick list offers only grantable posts
    answer = _post(admin, page, {"role": "secretary"}, action=page + "/posts")
    assert answer.status_code in (403, 422)
    api = admin.get(f"{township.base}/users/{subject}/positions").json
    assert all(p["role"] != "secretary" for p in api)


def test_a_post_missing_its_unit_re_renders(township):
    admin = township.client("secretary")
    subject = township.users["subject"]
    page = _path(township, f"/members/{subject}")
    before = admin.get(f"{township.base}/users/{subject}/positions").json
    answer = _post(admin, page, {"role": "branch_secretary"}, action=page + "/posts")
    assert answer.status_code == 422
    assert 'aria-describedby="unit_id-error"' in _html(answer)
    assert admin.get(f"{township.base}/users/{subject}/positions").json == before
