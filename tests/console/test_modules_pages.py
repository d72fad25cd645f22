"""The modules and rules pages (issue 14, item 3): modules enabled and configured through
a form generated from their settings schema, and rule numbers changed from the current
period on, all by the API's services (checked through the API)."""

from __future__ import annotations

import re

import pytest

from zerenzhi.testing.world import ApiClient


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _path(world, rest: str) -> str:
    return f"/townships/{world.slug}{rest}"


def _post(client: ApiClient, form_path: str, data: dict, action: str | None = None):
    html = _html(client.get(form_path).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(action or form_path, data={"csrf_token": token, **data})


def _plugin(world, name: str) -> dict:
    return world.client("tenant_admin").get(f"{world.base}/plugins/{name}").json


def _rule(world, key: str) -> dict:
    return world.client("secretary").get(f"{world.base}/rules/{key}").json


@pytest.mark.parametrize("role", ["viewer", "secretary", "tenant_admin"])
def test_every_module_is_listed_and_only_managers_see_the_buttons(township, role):
    html = _html(township.client(role).get(_path(township, "/modules")).assert_status(200))
    assert 'data-module="study"' in html and 'data-module="email"' in html
    assert ("/modules/study/enable" in html) == (role == "tenant_admin")


def test_enabling_on_the_page_enables_the_module(township):
    assert _plugin(township, "study")["enabled"] is False
    admin = township.client("tenant_admin")
    answer = _post(admin, _path(township, "/modules"), {},
                   action=_path(township, "/modules/study/enable"))
    assert answer.status_code == 302
    assert _plugin(township, "study")["enabled"] is True
    html = _html(admin.get(_path(township, "/modules")))
    assert 'data-module="study" data-enabled="yes"' in html
    answer = _post(admin, _path(township, "/modules"), {},
                   action=_path(township, "/modules/study/disable"))
    assert answer.status_code == 302 and _plugin(township, "study")["enabled"] is False


def test_viewer_cannot_enable(township):
    answer = township.client("viewer").post(_path(township, "/modules/study/enable"))
    assert answer.status_code in (400, 403)
    assert _plugin(township, "study")["enabled"] is False


def test_the_settings_form_is_generated_from_the_schema(township):
    html = _html(township.client("tenant_admin").get(
        _path(township, "/modules/email/settings")).assert_status(200))
    assert re.search(r'<input type="number" id="s-port" name="port" value="587"', html)
    assert re.search(r'<select id="s-security" name="security"', html)
    assert re.search(r'<textarea id="s-recipients" name="recipients"', html)
    assert re.search(r'<input type="password" id="s-password" name="password" value=""', html)


def test_saving_settings_keeps_only_what_differs_and_enables(township):
    admin = township.client("tenant_admin")
    form = _path(township, "/modules/study/settings")
    answer = _post(admin, form, {
        "special_studies_per_year": "3", "theory_studies_per_year": "12",
        "ideology_studies_per_year": "2", "special_study_kinds": "special_study",
        "theory_study_kinds": "centralised\ntraining", "ideology_study_kinds": "centralised"})
    assert answer.status_code == 302
    state = _plugin(township, "study")
    assert state["enabled"] is True
    assert state["township_settings"] == {"special_studies_per_year": 3,
                                          "theory_study_kinds": ["centralised", "training"]}
    assert state["settings_source"]["theory_studies_per_year"] == "default"


def test_a_bad_setting_shows_the_field_error_and_writes_nothing(township):
    admin = township.client("tenant_admin", **{"Accept-Language": "zh-Hant"})
    form = _path(township, "/modules/study/settings")
    answer = _post(admin, form, {"special_studies_per_year": "999",
                                 "theory_study_kinds": "centralised\nlecture"})
    assert answer.status_code == 422
    html = _html(answer)
    assert 'id="s-special_studies_per_year-error"' in html
    assert 'id="s-theory_study_kinds-error"' in html
    message = html.split('id="s-special_studies_per_year-error">')[1].split("<")[0]
    assert "366" in message and "Must be" not in message  # in the page's language
    assert 'value="999"' in html  # the posted value is shown back
    state = _plugin(township, "study")
    assert state["enabled"] is False and state["township_settings"] == {}


def test_a_flat_nested_setting_is_one_input_per_field(township):
    admin = township.client("tenant_admin", **{"Accept-Language": "en"})
    form = _path(township, "/modules/inspection/settings")
    html = _html(admin.get(form).assert_status(200))
    for name in ("checklist", "rating", "findings"):
        assert f'name="score_weights.{name}"' in html
    refused = _post(admin, form, {"score_weights.checklist": "50",
                                  "score_weights.rating": "30", "score_weights.findings": "30"})
    assert refused.status_code == 422
    assert 'id="s-score_weights-error">weights add up to 100' in _html(refused)
    assert _plugin(township, "inspection")["enabled"] is False
    saved = _post(admin, form, {"score_weights.checklist": "50",
                                "score_weights.rating": "20", "score_weights.findings": "30"})
    assert saved.status_code == 302
    assert _plugin(township, "inspection")["township_settings"] == {
        "score_weights": {"checklist": 50, "rating": 20, "findings": 30}}


def test_a_secret_is_never_shown_back_and_blank_keeps_it(township):
    admin = township.client("tenant_admin")
    form = _path(township, "/modules/email/settings")
    assert _post(admin, form, {"password": "s3cret-code", "port": "587"}).status_code == 302
    assert _plugin(township, "email")["township_settings"]["password"] == {"set": True}
    html = _html(admin.get(form))
    assert "s3cret-code" not in html
    assert _post(admin, form, {"password": "", "port": "465"}).status_code == 302
    state = _plugin(township, "email")
    assert state["township_settings"]["password"] == {"set": True}
    assert state["settings"]["port"] == 465


def test_the_rules_show_clause_numbers_and_their_origin(township):
    township.enable("study")
    html = _html(township.client("viewer").get(_path(township, "/rules")).assert_status(200))
    card = html.split('data-rule="study.branch_theory_study"')[1].split("</article>")[0]
    assert "W3" in card and 'data-number="min_count"' in card
    assert "/rules/study.branch_theory_study" not in card  # no form for a viewer


def test_changing_a_number_creates_a_version_from_the_current_period(township):
    township.enable("study")
    key = "study.branch_theory_study"
    before = _rule(township, key)
    client = township.client("secretary")
    answer = _post(client, _path(township, "/rules"), {"min_count": "14", "reason": "縣委文件"},
                   action=_path(township, f"/rules/{key}"))
    assert answer.status_code == 302
    after = _rule(township, key)
    assert after["min_count"] == 14 and after["sources"]["min_count"] == "township"
    assert after["version"] != before["version"] and after["version"].startswith("v")
    html = _html(client.get(_path(township, "/rules")))
    card = html.split(f'data-rule="{key}"')[1].split("</article>")[0]
    assert f"{before['min_count']} → 14" in card


def test_a_bad_number_re_renders_with_the_field_message(township):
    township.enable("study")
    key = "study.branch_theory_study"
    before = _rule(township, key)
    client = township.client("secretary", **{"Accept-Language": "zh-Hant"})
    answer = _post(client, _path(township, "/rules"), {"min_count": "999"},
                   action=_path(township, f"/rules/{key}"))
    assert answer.status_code == 422
    html = _html(answer)
    assert f'id="r-{key}-min_count-error"' in html and "between 0 and 366" not in html
    assert _rule(township, key) == before


def test_a_viewer_cannot_change_a_rule(township):
    township.enable("study")
    answer = township.client("viewer").post(
        _path(township, "/rules/study.branch_theory_study"), data={"min_count": "3"})
    assert answer.status_code in (400, 403)
