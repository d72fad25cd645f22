"""A township's analysis settings (validated on write and load; unknown keys refused)."""

from __future__ import annotations

import marshmallow as ma

from zerenzhi import InputSchema
from zerenzhi.plugins.analysis.rules import DOMAIN_KEYS

UUID = ma.validate.Regexp(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                          error="an id in lower-case hex with dashes")


def _distinct(values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise ma.ValidationError("each domain once")


class AnalysisSettings(InputSchema):
    """A2 names six domains; a township may require fewer (or, via the county, the same)."""

    required_domains = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(DOMAIN_KEYS)),
        load_default=lambda: list(DOMAIN_KEYS),
        validate=[ma.validate.Length(min=1, max=len(DOMAIN_KEYS)), _distinct],
        metadata={"description": "domains a half-year analysis must cover to count (A2): "
                                 + ", ".join(DOMAIN_KEYS)})
    contribution_days = ma.fields.Integer(
        load_default=14, validate=ma.validate.Range(min=1, max=180),
        metadata={"description": "days a unit has for its contribution when no due date is "
                                 "given (A1: 'supply information on time'; 14 is not in "
                                 "the text)"})
    information_contacts = ma.fields.Dict(
        keys=ma.fields.String(validate=UUID), values=ma.fields.String(validate=UUID),
        load_default=dict,
        metadata={"description": "A1 ('指定專人負責'): unit id -> the member each department or "
                                 "unit named to supply information; a contribution asked of "
                                 "the unit names that person unless the request names another"})
    hot_topic_hours = ma.fields.Integer(
        load_default=48, validate=ma.validate.Range(min=1, max=24 * 30),
        metadata={"description": "hours after a hot topic is recorded by which its "
                                 "forward-looking analysis is due (A3; 48 is not in the text)"})
