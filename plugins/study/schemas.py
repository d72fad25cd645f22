"""API schemas of the study module (names carry ``Study``: one OpenAPI namespace for all)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from zerenzhi import InputSchema, ListQuery, QuerySchema, not_in_future
from zerenzhi.plugins.study.bounds import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_UNPACKED_BYTES,
)
from zerenzhi.plugins.study.settings import KINDS

EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
DAY = ma.validate.Range(min=EARLIEST, max=LATEST)
DONE_ON = (DAY, not_in_future)  # a session is evidence: held, not planned
KIND = ma.validate.OneOf(KINDS)
DUPLICATES = ("refuse", "skip")  # what an import does with a row repeating a session
KIND_HELP = "centralised 集中學習 (W3) | special_study 專題研究 (W2) | training 培訓 (M5)"


def _text(maximum: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(min=1, max=maximum), **kwargs)


class StudyMaterial(InputSchema):
    title = _text(200, required=True)
    url = ma.fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                        validate=ma.validate.Length(max=2000))


class StudyAttendanceIn(InputSchema):
    member_id = ma.fields.UUID(required=True, metadata={"description": "posted to the unit"})
    present = ma.fields.Boolean(required=True)
    absence_reason = ma.fields.String(load_default=None, allow_none=True,
                                      validate=ma.validate.Length(max=200))


class StudyAttendanceOut(ma.Schema):
    member_id = ma.fields.UUID()
    present = ma.fields.Boolean()
    absence_reason = ma.fields.String(allow_none=True)


class StudyMeetingOut(ma.Schema):
    """A meeting as ``services.shown`` computed it: plain values, nothing looked up here."""

    id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    held_on = ma.fields.Date()
    start_time = ma.fields.Time(allow_none=True)
    kind = ma.fields.String(metadata={"description": KIND_HELP})
    title = ma.fields.String()
    topics = ma.fields.List(ma.fields.String())
    ideology = ma.fields.Boolean()
    presenter = ma.fields.String(allow_none=True)
    materials = ma.fields.List(ma.fields.Dict())
    minutes = ma.fields.String(allow_none=True)
    attendance = ma.fields.List(ma.fields.Nested(StudyAttendanceOut))
    present_count = ma.fields.Integer()
    absent_count = ma.fields.Integer()
    attendance_rate = ma.fields.Float(allow_none=True,
                                      metadata={"description": "present / listed members"})
    counts_toward = ma.fields.List(ma.fields.String(), metadata={
        "description": "rule keys this session counts for under the township's settings"})
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class StudyMeetingPatch(InputSchema):
    unit_id = ma.fields.UUID()
    held_on = ma.fields.Date(validate=DONE_ON)
    start_time = ma.fields.Time(allow_none=True)
    kind = ma.fields.String(validate=KIND, metadata={"description": KIND_HELP})
    title = _text(200)
    topics = ma.fields.List(_text(200), validate=ma.validate.Length(max=30))
    ideology = ma.fields.Boolean(metadata={"description": "on ideology work (W3's 2 a year)"})
    presenter = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    materials = ma.fields.List(ma.fields.Nested(StudyMaterial), validate=ma.validate.Length(max=50))
    minutes = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=20000))
    attendance = ma.fields.List(ma.fields.Nested(StudyAttendanceIn),
                                validate=ma.validate.Length(max=500))


class StudyMeetingIn(StudyMeetingPatch):
    unit_id = ma.fields.UUID(required=True)
    held_on = ma.fields.Date(required=True, validate=DONE_ON)
    kind = ma.fields.String(required=True, validate=KIND, metadata={"description": KIND_HELP})
    title = _text(200, required=True)


class StudyMeetingQuery(ListQuery):
    unit_id = ma.fields.UUID()
    kind = ma.fields.String(validate=KIND)
    ideology = ma.fields.Boolean()
    year = ma.fields.Integer(validate=ma.validate.Range(2000, 2100))
    held_from = ma.fields.Date(validate=DAY)
    held_to = ma.fields.Date(validate=DAY)


class StudyImportQuery(QuerySchema):
    dry_run = ma.fields.Boolean(load_default=False, metadata={
        "description": "check every row and answer per-row results; write nothing"})
    duplicates = ma.fields.String(load_default="refuse", validate=ma.validate.OneOf(
        DUPLICATES), metadata={"description": (
            "a row repeating a session already recorded or an earlier row (same unit, date "
            "and title): refuse the file (default) or skip the row")})


class StudyImportFile(ma.Schema):
    file = ma.fields.Raw(required=True, metadata={
        "type": "string", "format": "binary", "description": (
            f"xlsx, or CSV in UTF-8 or GB18030: at most {MAX_FILE_BYTES // 2**20} MiB, "
            f"{MAX_ROWS} rows and {MAX_COLUMNS} columns; an xlsx that unpacks to more than "
            f"{MAX_UNPACKED_BYTES // 2**20} MiB or holds more than {MAX_SHARED_STRINGS:,} "
            "distinct texts is refused (413) before it is read")})


class StudyImportRow(ma.Schema):
    row = ma.fields.Integer(metadata={"description": "spreadsheet row (the header is row 1)"})
    status = ma.fields.String(metadata={"description": "ok | error | duplicate | skipped"})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                            metadata={"description": "messages by column header"})
    warnings = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                              metadata={"description": "a duplicate's, by column header"})
    title = ma.fields.String(allow_none=True)
    id = ma.fields.UUID(allow_none=True)
    duplicate_of = ma.fields.UUID(allow_none=True, metadata={
        "description": "the session already recorded with the same unit, date and title"})
    duplicate_of_row = ma.fields.Integer(allow_none=True, metadata={
        "description": "the earlier row of this file it repeats"})


class StudyImportResult(ma.Schema):
    dry_run = ma.fields.Boolean()
    rows = ma.fields.Integer()
    valid = ma.fields.Integer()
    invalid = ma.fields.Integer()
    duplicates = ma.fields.Integer(metadata={"description": "rows repeating a session"})
    skipped = ma.fields.Integer(metadata={"description": "duplicates left out (duplicates=skip)"})
    created = ma.fields.Integer()
    results = ma.fields.List(ma.fields.Nested(StudyImportRow))


class StudyPlanItem(InputSchema):
    planned_on = ma.fields.Date(required=True, validate=DAY)
    topic = _text(200, required=True)
    kind = ma.fields.String(load_default="centralised", validate=KIND)
    ideology = ma.fields.Boolean(load_default=False)


class StudyPlanOut(ma.Schema):
    id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    year = ma.fields.Integer()
    title = ma.fields.String()
    items = ma.fields.List(ma.fields.Dict())
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class StudyPlanPatch(InputSchema):
    year = ma.fields.Integer(validate=ma.validate.Range(2000, 2100))
    title = _text(200)
    items = ma.fields.List(ma.fields.Nested(StudyPlanItem), validate=ma.validate.Length(max=200))


class StudyPlanIn(StudyPlanPatch):
    unit_id = ma.fields.UUID(required=True)
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(2000, 2100))
    title = _text(200, load_default=None)

    @ma.post_load
    def _default_title(self, data: dict, **_kwargs) -> dict:
        if not data.get("title"):
            data["title"] = render_title(data["year"])
        return data


def render_title(year: int) -> str:
    return f"{year}年度理論學習計劃"


class StudyPlanQuery(ListQuery):
    unit_id = ma.fields.UUID()
    year = ma.fields.Integer(validate=ma.validate.Range(2000, 2100))


class StudyPlanProgressItem(ma.Schema):
    planned_on = ma.fields.String()
    topic = ma.fields.String()
    kind = ma.fields.String()
    ideology = ma.fields.Boolean()
    status = ma.fields.String(metadata={"description": "held | due | missed | upcoming"})


class StudyPlanObligation(ma.Schema):
    rule = ma.fields.String()
    title = ma.fields.String()
    source = ma.fields.String()
    required = ma.fields.Integer()
    done = ma.fields.Integer()
    status = ma.fields.String()


class StudyPlanProgress(ma.Schema):
    plan_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    year = ma.fields.Integer()
    as_of = ma.fields.Date()
    planned = ma.fields.Integer()
    planned_to_date = ma.fields.Integer()
    held_as_planned = ma.fields.Integer()
    held = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    items = ma.fields.List(ma.fields.Nested(StudyPlanProgressItem))
    obligations = ma.fields.List(ma.fields.Nested(StudyPlanObligation))
    targets = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
