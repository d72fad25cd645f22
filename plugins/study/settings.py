"""A township's study settings: targets and which kinds of session count for which rule.

The targets are what plans are measured against; the obligation's own number is the
rule's ``min_count`` (changed per township through ``PATCH .../rules/<key>``), and both
default to the seed's numbers (W2: 2, W3: 12 and 2).
"""

from __future__ import annotations

import marshmallow as ma

KINDS = ("centralised", "special_study", "training")


def _kinds(default: tuple[str, ...], description: str) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(KINDS)),
        load_default=lambda: list(default),
        validate=ma.validate.Length(min=1, max=len(KINDS)),
        metadata={"description": description},
    )


def _count(default: int, description: str) -> ma.fields.Integer:
    return ma.fields.Integer(load_default=default, validate=ma.validate.Range(0, 366),
                             metadata={"description": description})


class StudySettings(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    special_studies_per_year = _count(2, "W2: special studies by each secretary a year")
    theory_studies_per_year = _count(12, "W3: centralised theory study sessions per branch")
    ideology_studies_per_year = _count(2, "W3: of which on ideology work")
    special_study_kinds = _kinds(("special_study",),
                                 "no longer used: only a branch's special_study (專題研究) "
                                 "counts toward study.secretary_special_study (decision 0019)")
    theory_study_kinds = _kinds(("centralised",),
                                "kinds that count toward study.branch_theory_study")
    ideology_study_kinds = _kinds(("centralised",),
                                  "kinds that, tagged ideology, count toward "
                                  "study.branch_ideology_study")

    @ma.validates_schema
    def _no_duplicates(self, data: dict, **_kwargs) -> None:
        for name in ("special_study_kinds", "theory_study_kinds", "ideology_study_kinds"):
            if name in data and len(set(data[name])) != len(data[name]):
                raise ma.ValidationError("each kind once", field_name=name)
