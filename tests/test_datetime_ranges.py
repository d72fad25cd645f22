"""Issue 17, defect 7: dates and times out of range are refused at the schema (422 naming
the field), never handed to a database driver that overflows on them (a 500)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

# The extremes ISO 8601 can write: shifted to UTC they leave the years Python can hold.
EXTREMES = {"date": ("0001-01-01", "9999-12-31"),
            "date-time": ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")}


def field_errors(response, location: str) -> dict:
    assert response.status_code == 422, (response.status_code, response.json)
    return response.json["errors"][location]


@pytest.mark.parametrize("name, value", [("from", EXTREMES["date-time"][0]),
                                         ("to", EXTREMES["date-time"][1])])
def test_audit_window_out_of_range_is_422(township, name, value):
    response = township.client("secretary").get(f"{township.base}/audit",
                                                 query_string={name: value})
    assert name in field_errors(response, "query")


def test_a_directive_deadline_of_year_9999_is_422_and_creates_nothing(township):
    from zerenzhi.directives.models import Directive

    def count() -> int:
        with township.scope() as sess:
            return sess.scalar(select(func.count()).select_from(Directive))

    before = count()
    response = township.client("county_admin").post(
        f"/api/v1/counties/{township.county_slug}/directives",
        json={"title": "督辦", "content": "遠期", "deadline": EXTREMES["date-time"][1]})
    assert "deadline" in field_errors(response, "json")
    assert count() == before


def test_an_overflow_inside_the_driver_is_422_not_500(township, monkeypatch):
    """What no schema caught (a value computed from valid input, say) still answers 4xx."""
    import datetime as dt

    from zerenzhi.routes import audit

    far = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    original = audit.listed
    monkeypatch.setattr(audit, "listed", lambda *args, **kwargs: original(
        *args, **kwargs).where(audit.AuditEntry.at >= far))
    response = township.client("secretary").get(f"{township.base}/audit")
    assert response.status_code == 422, response.json
    assert township.client("secretary").get(f"{township.base}/audit").status_code == 422


# --- every date and date-time the API takes, at both extremes ---------------------------

def _input_fields(spec: dict, schema: dict, seen: tuple[str, ...] = ()):
    """(name, format) of the writable date/date-time properties of a body schema."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _input_fields(spec, spec["components"]["schemas"][name], (*seen, name))
        return
    for name, prop in schema.get("properties", {}).items():
        if not prop.get("readOnly") and prop.get("format") in EXTREMES:
            yield name, prop["format"]


def date_inputs(spec: dict):
    """(method, path, location, name, format) of every date/date-time input in the document."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                fmt = parameter.get("schema", {}).get("format")
                if parameter.get("in") == "query" and fmt in EXTREMES:
                    yield method, path, "query", parameter["name"], fmt
            content = operation.get("requestBody", {}).get("content", {})
            for schema in [c["schema"] for t, c in content.items() if t == "application/json"]:
                for name, fmt in _input_fields(spec, schema):
                    yield method, path, "json", name, fmt


def test_every_date_input_refuses_the_extremes(app, township):
    """Walks the OpenAPI document: no date/date-time query parameter or body field answers
    5xx at 0001-01-01 (+14:00) or 9999-12-31 (-14:00); each is refused naming the field."""
    for plugin in app.extensions["zerenzhi"].plugins.installed:
        township.enable(plugin)
    spec = app.test_client().get("/api/openapi.json").get_json()
    ids = township.object_ids()
    inputs = sorted(set(date_inputs(spec)))
    assert len(inputs) > 20  # the walk found the API's dates
    server_errors, unbounded = [], []
    for method, path, location, name, fmt in inputs:
        url = re.sub(r"\{(\w+)\}", lambda m: {"township": township.slug,
                                              "county": township.county_slug}.get(
            m[1], ids.get(m[1], str(uuid.uuid4()))), path)
        client = township.client("county_admin" if "/counties/" in path else "all",
                                 **{"If-Match": '"any"'})  # past the 428, to the schema
        for value in EXTREMES[fmt]:
            sent = {"query_string": {name: value}} if location == "query" \
                else {"json": {name: value}}
            response = client.request(method.upper(), url, **sent)
            if response.status_code >= 500:
                server_errors.append((method, path, name, value, response.status_code))
            errors = (response.json or {}).get("errors", {}).get(location, {})
            if response.status_code != 422 or name not in errors:
                unbounded.append((method, path, name, value, response.status_code))
    assert (server_errors, unbounded) == ([], [])
