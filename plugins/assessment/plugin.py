"""The plugin object: manifest and hooks of the assessment module (M4, I4)."""

from __future__ import annotations

from sqlalchemy import select

from zerenzhi import Blueprint, Label, Manifest, Permission, RollupMetric, RuleDef, hookimpl
from zerenzhi.plugins.assessment.models import Assessment
from zerenzhi.plugins.assessment.routes import blp
from zerenzhi.plugins.assessment.rules import ANNUAL, PERMISSIONS
from zerenzhi.plugins.assessment.settings import AssessmentSettings

VERSION = "1.0.0"


def township_total(session, period) -> float | None:
    """The final assessment's township total for the year the period ends in; drafts are
    not reported to the county."""
    return session.scalar(select(Assessment.township_total).where(
        Assessment.year == period.end.year, Assessment.status == "final"))


class AssessmentPlugin:
    manifest = Manifest(
        name="assessment", version=VERSION, title=Label("考覈", "Annual assessment"),
        settings=AssessmentSettings, migrations="zerenzhi.plugins.assessment:migrations",
        # its demo scores the year's compliance, so the other modules' demo records first
        demo_after=("study", "reporting", "analysis", "inspection", "platforms", "approvals"),
    )

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        return [blp]

    @hookimpl
    def register_permissions(self) -> list[Permission]:
        return PERMISSIONS

    @hookimpl
    def register_rules(self) -> list[RuleDef]:
        return [ANNUAL]

    @hookimpl
    def register_rollup_metrics(self) -> list[RollupMetric]:
        return [RollupMetric("assessment.township_total",
                             Label("年度考覈總分", "Annual assessment total"), "score",
                             township_total, Label("分", "points (0–100)"))]

    @hookimpl
    def demo_data(self, session, tenant, settings: dict) -> None:
        from zerenzhi.plugins.assessment.demo import load

        load(session, settings)
