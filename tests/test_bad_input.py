"""Bad input is refused with a JSON error and changes nothing
(docs/architecture.md, API conventions)."""

from __future__ import annotations

import json

import pytest

MAX_BODY = 2 * 1024 * 1024
NAME = {"units": "name", "users": "display_name"}


def valid_body(township, resource: str) -> dict:
    if resource == "units":
        return {"code": "branch-3", "name": "第三黨支部", "kind": "branch",
                "parent_id": str(township.units["committee"])}
    return {"username": f"new-{township.slug}", "display_name": "新用戶",
            "password": "a long enough secret", "positions": [{"role": "viewer"}]}


WRONG_TYPES = {
    "units": ({"code": 5, "name": ["x"], "kind": "branch", "parent_id": 7},
              {"code", "name", "parent_id"}),
    "users": ({"username": 5, "display_name": None, "password": 12345678901,
               "positions": "viewer"},
              {"username", "display_name", "password", "positions"}),
}


def total(client, url: str) -> int:
    response = client.get(url).assert_status(200)
    return json.loads(response.headers["X-Pagination"])["total"]


def snapshot(township) -> tuple[int, int, int]:
    """Units, users and audit entries of the township, as its secretary sees them."""
    secretary = township.client("secretary")
    return (total(secretary, f"{township.base}/units?include_archived=true"),
            total(secretary, f"{township.base}/users?include_archived=true"),
            total(secretary, f"{township.base}/audit"))


def assert_json_error(response, status: int) -> dict:
    response.assert_status(status)
    assert response.raw.mimetype == "application/json"
    assert response.json["code"] == status
    assert response.json["status"]
    return response.json


def post_raw(township, resource: str, data, content_type: str = "application/json"):
    return township.client("all").post(f"{township.base}/{resource}", data=data,
                                       content_type=content_type)


@pytest.fixture(params=["units", "users"])
def resource(request) -> str:
    return request.param


def test_malformed_json_is_400(township, resource):
    before = snapshot(township)
    text = json.dumps(valid_body(township, resource))[:-1]
    assert_json_error(post_raw(township, resource, text), 400)
    assert snapshot(township) == before


def test_a_list_instead_of_an_object_is_422(township, resource):
    before = snapshot(township)
    body = assert_json_error(post_raw(township, resource,
                                      json.dumps([valid_body(township, resource)])), 422)
    assert "_schema" in body["errors"]["json"]
    assert snapshot(township) == before


def test_wrong_types_name_each_field(township, resource):
    before = snapshot(township)
    wrong, fields = WRONG_TYPES[resource]
    body = assert_json_error(post_raw(township, resource, json.dumps(wrong)), 422)
    assert set(body["errors"]["json"]) == fields
    assert all(body["errors"]["json"][field] for field in fields)
    assert snapshot(township) == before


def test_unknown_fields_are_named(township, resource):
    before = snapshot(township)
    data = {**valid_body(township, resource), "colour": "red"}
    body = assert_json_error(post_raw(township, resource, json.dumps(data)), 422)
    assert body["errors"]["json"] == {"colour": ["Unknown field."]}
    assert snapshot(township) == before


def test_unknown_field_in_a_position_is_named(township):
    before = snapshot(township)
    data = {**valid_body(township, "users"), "positions": [{"role": "viewer", "scope": "all"}]}
    body = assert_json_error(post_raw(township, "users", json.dumps(data)), 422)
    assert body["errors"]["json"] == {"positions": {"0": {"scope": ["Unknown field."]}}}
    assert snapshot(township) == before


def test_oversize_body_is_413(township, resource):
    before = snapshot(township)
    data = {**valid_body(township, resource), NAME[resource]: "x" * MAX_BODY}
    assert_json_error(post_raw(township, resource, json.dumps(data)), 413)
    assert snapshot(township) == before


def test_text_that_is_not_unicode_is_400_not_500(township, resource):
    """A lone surrogate is valid JSON syntax but no text the database can store."""
    before = snapshot(township)
    data = {**valid_body(township, resource), NAME[resource]: "SURROGATE"}
    text = json.dumps(data).replace('"SURROGATE"', '"\\ud800"')
    assert_json_error(post_raw(township, resource, text), 400)
    assert snapshot(township) == before


def test_deeply_nested_json_is_400_not_500(township, resource):
    before = snapshot(township)
    depth = 100_000
    text = '{"name": ' + "[" * depth + "]" * depth + "}"
    assert_json_error(post_raw(township, resource, text), 400)
    assert snapshot(township) == before


@pytest.mark.parametrize(("query", "field"), [
    ("page=0", "page"), ("page_size=101", "page_size"), ("page=abc", "page"),
    ("page_size=0", "page_size"),
])
def test_bad_list_parameters_are_422(township, resource, query, field):
    before = snapshot(township)
    body = assert_json_error(
        township.client("secretary").get(f"{township.base}/{resource}?{query}"), 422)
    assert list(body["errors"]["query"]) == [field]
    assert snapshot(township) == before


def test_a_page_beyond_any_number_is_not_a_server_error(township, resource):
    response = township.client("secretary").get(f"{township.base}/{resource}?page={10**20}")
    assert_json_error(response, 422)


def test_surrogate_in_a_password_is_refused_at_login(township):
    from zerenzhi.testing import ApiClient

    response = ApiClient(township.app).post(
        "/api/v1/auth/tokens", data='{"username": "someone", "password": "x\\ud800"}',
        content_type="application/json")
    assert_json_error(response, 400)
