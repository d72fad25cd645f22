"""The study module's console pages (issue 14, item 5): a branch secretary records a session
with attendance ticked per member and the overview's W3 turns as through the API; bad input
re-renders and writes nothing; a stale edit is refused; the import's dry run shows its row
errors; the pages follow the module's switch and the API's permissions."""

from __future__ import annotations

import io
import re

import time_machine
from werkzeug.datastructures import MultiDict

from tests.plugins.study.helpers import body, item
from zerenzhi.testing import ApiClient

NOW = "2026-03-20T10:00:00+08:00"
THEORY, IDEOLOGY = "study.branch_theory_study", "study.branch_ideology_study"


def _pages(world) -> str:
    return f"/townships/{world.slug}/study"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _csrf(client: ApiClient, path: str) -> str:
    html = _html(client.get(path).assert_status(200))
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _post(client: ApiClient, form_path: str, data: dict | list, action: str | None = None):
    """Post ``data`` as the form on ``form_path`` would (its CSRF token included); a list of
    pairs posts repeated fields."""
    token = _csrf(client, form_path)
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    return client.post(action or form_path, data=MultiDict([("csrf_token", token), *pairs]))


def _roster(world, present: tuple[str, ...] = ("branch_secretary", "member",
                                                "branch_committee_member"),
            reasons: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """branch-1's members as the form lists them, ticked when in ``present``."""
    pairs = []
    for role in ("branch_secretary", "member", "branch_committee_member"):
        member = str(world.users[role])
        pairs.append(("member", member))
        if role in present:
            pairs.append(("present", member))
        pairs.append((f"reason-{member}", (reasons or {}).get(role, "")))
    return pairs


def _session_form(world, **fields) -> list[tuple[str, str]]:
    values = {"unit_id": str(world.units["branch-1"]), "title": "三月集中學習",
              "held_on": "2026-03-12", "kind": "centralised",
              "ideology": "true", "materials_text": "黨章 https://example.org/charter\n講話稿",
              "topics_text": "意識形態工作責任制"}
    values.update(fields)
    return [(k, v) for k, v in values.items() if v is not None]


def _count(world, client=None) -> int:
    client = client or world.client("office")
    return len(client.get(f"{world.base}/study/sessions?include_archived=true").json)


@time_machine.travel(NOW, tick=False)
def test_a_branch_secretary_records_a_session_and_the_overview_counts_it(studied):
    client = studied.client("branch_secretary")
    new = f"{_pages(studied)}/sessions/new"
    html = _html(client.get(new).assert_status(200))
    assert "支部" in html or "branch" in html.lower()
    for role in ("branch_secretary", "member", "branch_committee_member"):
        assert f'name="present" value="{studied.users[role]}"' in html  # picked, never typed
    assert str(studied.users["subject"]) not in html  # branch-2's member is not listed
    response = _post(client, new, _session_form(studied) + _roster(
        studied, present=("branch_secretary", "member"),
        reasons={"branch_committee_member": "外出開會"}))
    assert response.status_code == 302, _html(response)
    shown = _html(client.get(response.headers["Location"]).assert_status(200))
    assert "三月集中學習" in shown and "外出開會" in shown and "2026年3月12日" in shown
    assert "W3" in shown and "https://example.org/charter" in shown
    assert not re.search(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", shown)  # no raw ids
    theory = item(studied, "2026", THEORY, "branch-1")
    assert theory["done"] == 1
    recorded = studied.client("office").get(f"{studied.base}/study/sessions").json[0]
    assert (recorded["present_count"], recorded["absent_count"]) == (2, 1)
    assert recorded["materials"][0] == {"title": "黨章", "url": "https://example.org/charter"}
    listing = _html(client.get(f"{_pages(studied)}/").assert_status(200))
    assert "三月集中學習" in listing


@time_machine.travel(NOW, tick=False)
def test_two_sessions_a_month_fulfil_the_ideology_rule_on_the_overview(studied):
    """W3's two on ideology: the overview board (core's home page) shows it fulfilled."""
    client = studied.client("branch_secretary")
    new, home = f"{_pages(studied)}/sessions/new", f"/townships/{studied.slug}/?period=2026"
    board = f'data-rule="{IDEOLOGY}" data-unit="branch-1" data-status='
    assert f'{board}"fulfilled"' not in _html(client.get(home).assert_status(200))
    for day in ("2026-02-10", "2026-03-10"):
        _post(client, new, _session_form(studied, held_on=day, title=f"學習 {day}")
              + _roster(studied)).assert_status(302)
    assert item(studied, "2026", IDEOLOGY, "branch-1")["status"] == "fulfilled"
    assert f'{board}"fulfilled"' in _html(client.get(home).assert_status(200))


@time_machine.travel(NOW, tick=False)
def test_bad_input_re_renders_with_messages_and_writes_nothing(studied):
    client = studied.client("branch_secretary")
    new = f"{_pages(studied)}/sessions/new"
    cases = [
        _session_form(studied, title="") + _roster(studied),                 # no title
        _session_form(studied, held_on="2026-04-01") + _roster(studied),     # in the future
        _session_form(studied) + _roster(studied, present=("member",)),      # absent, no reason
        _session_form(studied) + _roster(studied)                            # another unit's
        + [("member", str(studied.users["subject"])), ("present", str(studied.users["subject"]))],
    ]
    for fields in cases:
        response = _post(client, new, fields)
        assert response.status_code == 422, _html(response)
        html = _html(response)
        assert 'class="form-errors"' in html and 'class="error"' in html
    assert _count(studied) == 0
    html = _html(_post(client, new, cases[2]))
    assert "原因" in html or "reason" in html  # the absent member's row names what is missing


@time_machine.travel(NOW, tick=False)
def test_a_branch_secretary_may_not_record_for_another_branch(studied):
    client = studied.client("branch_secretary")
    new = f"{_pages(studied)}/sessions/new"
    html = _html(client.get(new).assert_status(200))
    assert str(studied.units["branch-2"]) not in html
    fields = _session_form(studied, unit_id=str(studied.units["branch-2"]))
    response = _post(client, new, fields)
    assert response.status_code in (403, 422)
    assert _count(studied) == 0


@time_machine.travel(NOW, tick=False)
def test_a_stale_edit_is_refused_and_archive_takes_the_session_out(studied):
    office = studied.client("office")
    created = office.post(f"{studied.base}/study/sessions", json=body(
        studied, day="2026-03-12")).assert_status(201).json
    edit = f"{_pages(studied)}/sessions/{created['id']}/edit"
    html = _html(office.get(edit).assert_status(200))
    shown_version = re.search(r'name="version" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    # someone else changes it meanwhile (through the API)
    etag = office.get(f"{studied.base}/study/sessions/{created['id']}").headers["ETag"]
    office.patch(f"{studied.base}/study/sessions/{created['id']}", json={"title": "他人改過"},
                 headers={"If-Match": etag}).assert_status(200)
    fields = [("csrf_token", token), ("version", shown_version),
              *_session_form(studied, title="我的修改"), *_roster(studied)]
    response = office.post(edit, data=MultiDict(fields))
    assert response.status_code in (409, 412, 422)
    assert "他人改過" in _html(response)  # the current version is shown
    assert office.get(f"{studied.base}/study/sessions/{created['id']}").json["title"] == "他人改過"
    # with the current version the edit passes
    html = _html(office.get(edit))
    fresh = re.search(r'name="version" value="([^"]+)"', html).group(1)
    office.post(edit, data=MultiDict([("csrf_token", token), ("version", fresh),
                                      *_session_form(studied, title="我的修改"),
                                      *_roster(studied)])).assert_status(302)
    assert item(studied, "2026", THEORY, "branch-1")["done"] == 1
    page = f"{_pages(studied)}/sessions/{created['id']}"
    html = _html(office.get(page))
    version = re.search(r'name="version" value="([^"]+)"', html).group(1)
    office.post(f"{page}/archive", data={"csrf_token": token, "version": "stale"}) \
        .assert_status(302)
    assert item(studied, "2026", THEORY, "branch-1")["done"] == 1  # a stale archive: refused
    office.post(f"{page}/archive", data={"csrf_token": token, "version": version}) \
        .assert_status(302)
    assert item(studied, "2026", THEORY, "branch-1")["done"] == 0
    assert office.get(f"{studied.base}/study/sessions/{created['id']}").json["archived_at"]


def test_the_pages_answer_404_when_the_module_is_disabled(township):
    client = township.client("office")
    for path in ("/", "/sessions/new", "/plans", "/import"):
        assert client.get(f"{_pages(township)}{path}").status_code == 404


def test_a_role_without_the_permission_gets_403(studied):
    viewer = studied.client("viewer")
    viewer.get(f"{_pages(studied)}/").assert_status(200)
    viewer.get(f"{_pages(studied)}/sessions/new").assert_status(403)
    viewer.get(f"{_pages(studied)}/import").assert_status(403)
    studied.client("member").get(f"{_pages(studied)}/import").assert_status(403)


def _csv(rows: list[list[str]]) -> bytes:
    head = ["單位", "日期", "開始時間", "類型", "主題", "學習內容", "意識形態", "主講人",
            "學習材料", "會議記錄", "出席人員", "缺席人員及原因"]
    lines = [",".join(head)] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _upload(client: ApiClient, path: str, content: bytes, **fields):
    token = _csrf(client, path)
    return client.post(path, data={"csrf_token": token, "dry_run": "true",
                                   "duplicates": "refuse", **fields,
                                   "file": (io.BytesIO(content), "register.csv")},
                       content_type="multipart/form-data")


@time_machine.travel(NOW, tick=False)
def test_the_import_dry_run_shows_row_errors_then_imports_the_checked_file(studied):
    office = studied.client("office")
    path = f"{_pages(studied)}/import"
    good = ["branch-1", "2026-03-02", "09:00", "集中學習", "學習一", "", "否", "", "", "", "", ""]
    bad = ["branch-9", "2026-02-30", "", "集中學習", "學習二", "", "否", "", "", "", "", ""]
    response = _upload(office, path, _csv([good, bad]))
    assert response.status_code == 422
    html = _html(response)
    assert 'data-import-row="3"' in html and "單位" in html and "日期" in html
    assert 'name="content"' not in html  # a file with errors is not offered for import
    assert _count(studied) == 0
    response = _upload(office, path, _csv([good]))
    html = _html(response.assert_status(200))
    carried = re.search(r'name="content" value="([^"]+)"', html).group(1)
    assert _count(studied) == 0  # the dry run wrote nothing
    token = _csrf(office, path)
    office.post(path, data={"csrf_token": token, "content": carried, "filename": "register.csv",
                            "dry_run": "false", "duplicates": "refuse"}).assert_status(302)
    assert _count(studied) == 1
    assert item(studied, "2026", THEORY, "branch-1")["done"] == 1
    template = office.get(f"{path}/template.xlsx").assert_status(200)
    assert template.raw.data[:2] == b"PK"  # the same xlsx the API serves


@time_machine.travel(NOW, tick=False)
def test_a_plan_is_written_on_the_page_and_shows_its_progress(studied):
    client = studied.client("branch_secretary")
    new = f"{_pages(studied)}/plans/new"
    fields = [("unit_id", str(studied.units["branch-1"])), ("year", "2026"), ("title", ""),
              ("item_on", "2026-03-10"), ("item_topic", "黨章"), ("item_kind", "centralised"),
              ("item_ideology", "0"),
              ("item_on", "2026-05-10"), ("item_topic", "條例"), ("item_kind", "centralised"),
              ("item_on", ""), ("item_topic", ""), ("item_kind", "centralised")]
    response = _post(client, new, fields)
    assert response.status_code == 302, _html(response)
    html = _html(client.get(response.headers["Location"]).assert_status(200))
    assert "2026年度理論學習計劃" in html and "黨章" in html and "W3" in html
    plans = studied.client("office").get(f"{studied.base}/study/plans").json
    assert [i["topic"] for i in plans[0]["items"]] == ["黨章", "條例"]
    assert plans[0]["items"][0]["ideology"] is True
    bad = _post(client, new, [("unit_id", str(studied.units["branch-1"])), ("year", "2026"),
                              ("item_on", "2027-01-05"), ("item_topic", "跨年"),
                              ("item_kind", "centralised")])
    assert bad.status_code == 422  # one live plan per year, and the item outside the year
    assert len(studied.client("office").get(f"{studied.base}/study/plans").json) == 1
    listing = _html(client.get(f"{_pages(studied)}/plans").assert_status(200))
    assert "2026年度理論學習計劃" in listing


@time_machine.travel(NOW, tick=False)
def test_a_plan_is_edited_with_its_version_and_archived(studied):
    office = studied.client("office")
    created = office.post(f"{studied.base}/study/plans", json={
        "unit_id": str(studied.units["branch-1"]), "year": 2026, "items": [
            {"planned_on": "2026-04-10", "topic": "黨章"}]}).assert_status(201).json
    edit = f"{_pages(studied)}/plans/{created['id']}/edit"
    html = _html(office.get(edit).assert_status(200))
    version = re.search(r'name="version" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    rows = [("item_on", "2026-04-10"), ("item_topic", "黨章（修訂）"), ("item_kind", "centralised")]
    stale = office.post(edit, data=MultiDict([("csrf_token", token), ("version", "old"),
                                              ("year", "2026"), *rows]))
    assert stale.status_code == 422 and "黨章（修訂）" not in _html(stale)
    office.post(edit, data=MultiDict([("csrf_token", token), ("version", version),
                                      ("year", "2026"), *rows])).assert_status(302)
    plan = office.get(f"{studied.base}/study/plans/{created['id']}").json
    assert [i["topic"] for i in plan["items"]] == ["黨章（修訂）"]
    page = f"{_pages(studied)}/plans/{created['id']}"
    version = re.search(r'name="version" value="([^"]+)"', _html(office.get(page))).group(1)
    office.post(f"{page}/archive", data={"csrf_token": token, "version": version}) \
        .assert_status(302)
    assert office.get(f"{studied.base}/study/plans/{created['id']}").json["archived_at"]
