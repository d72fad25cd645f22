"""A township's inspection settings: the checklist (defaults derived from the seed) and the
weights of the score formula (I4). Unknown keys are refused."""

from __future__ import annotations

import marshmallow as ma

from zerenzhi import InputSchema
from zerenzhi.plugins.inspection.rules import RATINGS, SEVERITIES

# Self-inspection checklist derived from the seed's clauses; ``rule`` pre-fills the answer
# from the unit's obligation status where the township tracks that rule.
DEFAULT_CHECKLIST = [
    {"key": "theory_study", "source": "W3", "rule": "study.branch_theory_study",
     "text": "黨支部集中學習每年不少於12次",
     "text_en": "At least 12 centralised study sessions a year"},
    {"key": "ideology_study", "source": "W3", "rule": "study.branch_ideology_study",
     "text": "意識形態相關內容學習每年不少於2次",
     "text_en": "At least 2 study sessions on ideology a year"},
    {"key": "special_study", "source": "W2", "rule": "study.secretary_special_study",
     "text": "書記每年至少兩次專題研究意識形態工作",
     "text_en": "The secretary holds at least two special studies a year"},
    {"key": "information_supplied", "source": "A1", "rule": None,
     "text": "指定專人負責，及時準確提供研判情況",
     "text_en": "A named person supplies information for analyses on time"},
    {"key": "platforms_managed", "source": "P1", "rule": "platforms.register_review",
     "text": "網絡、微信、學習強國等陣地平臺已登記並定期審核",
     "text_en": "Network, WeChat and Xuexi Qiangguo platforms registered and reviewed"},
    {"key": "incidents_reported", "source": "P2", "rule": "platforms.incident_report",
     "text": "重大輿情和意識形態事件邊處置、邊報告",
     "text_en": "Major incidents handled and reported at the same time"},
    {"key": "activities_approved", "source": "W6", "rule": "approvals.prior_approval",
     "text": "重大活動事先經黨委批准並報上級備案",
     "text_en": "Major activities approved in advance and filed with the higher level"},
    {"key": "anti_cult", "source": "W7", "rule": None,
     "text": "開展反邪教宣傳，防範邪教滲透", "text_en": "Anti-cult work carried out"},
    {"key": "rectification_done", "source": "I1", "rule": "inspection.rectification",
     "text": "上次督查發現的問題已整改到位",
     "text_en": "Findings of the last inspection rectified"},
]
KEY = ma.validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$", error="lower-case letters, digits, '_'")
RULE_KEY = ma.validate.Regexp(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", error="a rule key")


class ChecklistItem(InputSchema):
    key = ma.fields.String(required=True, validate=KEY)
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    text_en = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))
    source = ma.fields.String(load_default="", validate=ma.validate.Length(max=16))
    rule = ma.fields.String(load_default=None, allow_none=True, validate=RULE_KEY)


def _weights_default() -> dict:
    return {"checklist": 40, "rating": 30, "findings": 30}


class ScoreWeights(InputSchema):
    checklist = ma.fields.Integer(load_default=40, validate=ma.validate.Range(0, 100))
    rating = ma.fields.Integer(load_default=30, validate=ma.validate.Range(0, 100))
    findings = ma.fields.Integer(load_default=30, validate=ma.validate.Range(0, 100))

    @ma.validates_schema
    def _sum(self, data, **_kwargs):
        if sum(data.values()) != 100:
            raise ma.ValidationError("weights add up to 100", "_schema")


def _points(keys, defaults: dict, description: str) -> ma.fields.Dict:
    return ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(list(keys))),
        values=ma.fields.Integer(validate=ma.validate.Range(0, 100)),
        load_default=lambda: dict(defaults), metadata={"description": description})


def _distinct_keys(items: list[dict]) -> None:
    keys = [item["key"] for item in items]
    if len(set(keys)) != len(keys):
        raise ma.ValidationError("each key once")


class InspectionSettings(InputSchema):
    """I4's formula: score = checklist·C + rating·R + findings·F with the weights below
    (they add up to 100); see ``plugins/inspection/scores.py``."""

    checklist = ma.fields.List(
        ma.fields.Nested(ChecklistItem), load_default=lambda: [dict(i) for i in DEFAULT_CHECKLIST],
        validate=[ma.validate.Length(min=1, max=50), _distinct_keys],
        metadata={"description": "self-inspection checklist items (I2)"})
    score_weights = ma.fields.Nested(ScoreWeights, load_default=_weights_default)
    rating_points = _points(RATINGS, {"good": 100, "adequate": 70, "prominent_problems": 30},
                            "points (0–100) for each rating (I3)")
    severity_deductions = _points(SEVERITIES, {"minor": 5, "serious": 15, "severe": 30},
                                  "points a finding of each severity deducts (of 100)")

    @ma.validates_schema
    def _complete_tables(self, data, **_kwargs):
        errors = {}
        for name, keys in (("rating_points", RATINGS), ("severity_deductions", SEVERITIES)):
            if name in data and set(data[name]) != set(keys):
                errors[name] = [f"one number for each of {', '.join(keys)}"]
        if errors:
            raise ma.ValidationError(errors)
