"""``FlatSchema`` dumps exactly as marshmallow would, only faster, and falls back to
marshmallow for anything that is not a plain field."""

from __future__ import annotations

import datetime as dt
import json
import types
import uuid

import marshmallow as ma
import pytest

from zerenzhi.routes.common import FlatSchema, Rows
from zerenzhi.routes.units import UnitSchema


def _pair(base: type[ma.Schema], fields: dict, **hooks) -> tuple[ma.Schema, ma.Schema]:
    """The same schema twice: on ``FlatSchema`` and on plain marshmallow."""
    return (type("Flat", (FlatSchema,), {**fields, **hooks}),
            type("Plain", (base,), {**fields, **hooks}))


FIELDS = {
    "id": ma.fields.UUID(),
    "code": ma.fields.String(),
    "label": ma.fields.String(attribute="name", data_key="title"),
    "at": ma.fields.DateTime(),
    "ref": ma.fields.UUID(allow_none=True),
    "secret": ma.fields.String(load_only=True),
}
NOW = dt.datetime(2026, 5, 15, 10, 0, 0, 123456, tzinfo=dt.UTC)
OBJECTS = [
    types.SimpleNamespace(id=uuid.uuid4(), code="c1", name="名", at=NOW, ref=None, secret="x"),
    types.SimpleNamespace(id=uuid.uuid4(), code=b"bytes", name="n", at=NOW.replace(tzinfo=None)),
    {"id": uuid.uuid4(), "code": 7, "name": None, "at": NOW, "ref": uuid.uuid4()},
    types.SimpleNamespace(),
]


@pytest.mark.parametrize("options", [{}, {"only": ("id", "label")}, {"exclude": ("at",)}])
def test_same_result_as_marshmallow(options):
    flat, plain = _pair(ma.Schema, FIELDS)
    assert flat(many=True, **options)._plan() is not None  # the fast path is taken
    for many in (True, False):
        for objects in (OBJECTS, [OBJECTS[0]]):
            data = objects if many else objects[0]
            expected = plain(many=many, **options).dump(data)
            got = flat(many=many, **options).dump(data)
            assert got == expected
            assert [list(d) for d in (got if many else [got])] == \
                   [list(d) for d in (expected if many else [expected])]  # key order too
    assert flat(many=True).dump(None) == plain(many=True).dump(None)


def test_other_fields_and_hooks_fall_back():
    flat, _ = _pair(ma.Schema, {**FIELDS, "n": ma.fields.Decimal()})
    assert flat()._plan() is None
    assert flat().dump({"n": "3", "code": "c"}) == {"n": 3, "code": "c"}
    for field in (ma.fields.Integer(as_string=True), ma.fields.Function(str),
                  ma.fields.List(ma.fields.Decimal()), ma.fields.Date(format="%Y"),
                  ma.fields.Nested(_pair(ma.Schema, {"n": ma.fields.Decimal()})[0])):
        assert _pair(ma.Schema, {"x": field})[0]()._plan() is None, field

    def shout(self, data, **_kwargs):
        return {**data, "code": data["code"].upper()}

    hooked, _ = _pair(ma.Schema, {"code": ma.fields.String()}, shout=ma.post_dump(shout))
    assert hooked()._plan() is None
    assert hooked().dump({"code": "c"}) == {"code": "C"}
    formatted, _ = _pair(ma.Schema, {"at": ma.fields.DateTime(format="%Y")})
    assert formatted().dump({"at": NOW}) == {"at": "2026"}


def test_unit_schema_takes_the_fast_path():
    assert UnitSchema(many=True)._plan() is not None


def test_rows_of_columns_dump_alike():
    from sqlalchemy import create_engine, text

    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        result = connection.execute(text(
            "SELECT 'a' AS code, 'n' AS name, NULL AS ref, 1 AS extra "
            "UNION ALL SELECT 'b', NULL, NULL, 2"))
        rows = result.all()
        tagged = Rows(rows, tuple(result.keys()))  # as RowPage hands them over
    engine.dispose()
    fields = {"code": ma.fields.String(), "label": ma.fields.String(attribute="name"),
              "ref": ma.fields.UUID(allow_none=True)}
    flat, plain = _pair(ma.Schema, fields)
    expected = [{"code": "a", "label": "n", "ref": None}, {"code": "b", "label": None, "ref": None}]
    assert plain(many=True).dump(rows) == expected
    assert flat(many=True).dump(rows) == expected
    assert flat(many=True).dump(tagged) == expected
    wider, plain_wider = _pair(ma.Schema, {**fields, "gone": ma.fields.String()})
    assert wider(many=True).dump(tagged) == plain_wider(many=True).dump(rows)  # no such column


def test_pagination_header_as_flask_smorest_makes_it():
    from flask_smorest.pagination import PaginationMixin

    from zerenzhi.routes.common import Blueprint

    for page, size, total in [(1, 10, 0), (1, 10, 5), (1, 10, 60), (2, 10, 60), (6, 10, 60),
                              (7, 10, 60), (3, 50, 60), (1, 100, 100)]:
        ours = Blueprint._make_pagination_metadata(page, size, total)
        theirs = PaginationMixin._make_pagination_metadata(page, size, total)
        assert ours == theirs and list(ours) == list(theirs)


def test_bad_list_arguments_still_answer_422(township):
    client = township.client("secretary")
    for query in ("page_size=101", "page=0", "kind=castle", "include_archived=maybe"):
        answer = client.get(f"{township.base}/units?{query}").assert_status(422)
        assert answer.json["code"] == 422 and answer.json["errors"]


def test_nested_lists_numbers_and_dates_dump_alike(monkeypatch):
    """The summary's shape (nested schemas, lists of them, numbers, dates) dumps by plan
    exactly as marshmallow dumps it (every ``FlatSchema`` falls back when there is none)."""
    from zerenzhi.routes import common
    from zerenzhi.routes.obligations import ObligationSchema, SummarySchema

    person = {"id": uuid.uuid4(), "name": "甲"}
    item = {
        "id": uuid.uuid4(), "rule": "r", "title": "標題", "source": "W2", "rule_version": "1",
        "unit_id": uuid.uuid4(), "unit_code": None, "unit_name": "支部", "period": "2026H1",
        "period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 6, 30),
        "due_at": NOW, "due_on": dt.date(2026, 6, 30), "required": 2, "done": True,
        "compliance_rate": 1, "status": "fulfilled", "fulfilled_at": NOW,
        "evidence": {"type": "meeting", "id": 7}, "responsible_role": "secretary",
        "responsible_role_label": "書記", "responsible": [person, person],
        "responsible_at_due": None, "first_responsible": [], "directly_responsible": None,
        "portfolio_leader": [types.SimpleNamespace(id=uuid.uuid4(), name="乙")],
        "trigger": None, "waived": {"at": NOW, "by": None, "reason": "r"},
        "extra": "not dumped",
    }
    sparse = {"id": uuid.uuid4(), "rule": "r", "done": 0, "evidence": None}
    data = {"period": "2026H1", "period_start": dt.date(2026, 1, 1),
            "period_end": dt.datetime(2026, 6, 30, 12, 0), "as_of": NOW, "obligations": 2,
            "fulfilled": 1, "compliance_rate": 0.5,
            "rules": [{"rule": "r", "obligations": 2, "fulfilled": 1, "overdue": 0,
                       "compliance_rate": 0.5}],
            "items": [item, sparse], "overdue": []}
    assert SummarySchema()._plan() is not None and ObligationSchema()._plan() is not None
    got = SummarySchema().dump(data)
    got_items = ObligationSchema(many=True).dump([item, sparse])
    monkeypatch.setattr(common, "schema_plan", lambda _schema: None)
    expected = SummarySchema().dump(data)
    assert got == expected and got_items == ObligationSchema(many=True).dump([item, sparse])
    assert json.dumps(got, default=str) == json.dumps(expected, default=str)  # key order too
