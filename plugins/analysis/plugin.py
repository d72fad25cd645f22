"""The analysis plugin: manifest and hooks (A1–A4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from sqlalchemy.orm import Session

from zerenzhi import Job, Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.analysis import (
    routes,  # noqa: F401  (its views join blp)
    routes_calendar,  # noqa: F401  (its views join blp)
    services,
)
from zerenzhi.plugins.analysis.blueprint import blp
from zerenzhi.plugins.analysis.metrics import METRICS
from zerenzhi.plugins.analysis.pages import PAGES
from zerenzhi.plugins.analysis.rules import PERMISSIONS, RULES
from zerenzhi.plugins.analysis.settings import AnalysisSettings

VERSION = "1.0.0"


def inherit_job(session: Session, tenant: TenantRef, now: dt.datetime) -> str:
    """The worker's job (A3): bring one township's copies of its county's sensitive dates
    up to date, so a county date reaches every township that enabled analysis without
    anyone running ``zerenzhi analysis inherit``. Idempotent: a repeat changes nothing."""
    from zerenzhi.plugins.analysis.county import inherit

    changed = inherit(session)
    return f"{changed} change(s)" if changed else ""


class AnalysisPlugin(Plugin):
    manifest = Manifest(
        name="analysis", version=VERSION, title=Label("分析研判", "Situation analysis"),
        settings=AnalysisSettings, migrations="zerenzhi.plugins.analysis:migrations",
    )
    blueprints = (blp,)
    pages = PAGES  # the console's pages: analyses by domain, contributions, dates by month
    permissions = PERMISSIONS
    rules = RULES
    metrics = METRICS
    jobs = (Job("analysis.inherit_county_dates", inherit_job, every=dt.timedelta(minutes=15),
                description="Copy the county's sensitive dates and hot topics to the "
                            "township (A3), with their obligations."),)

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        from zerenzhi.plugins.analysis.county import analysis_group

        cli.add_command(analysis_group)

    @hookimpl
    def on_enable(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        """Inherit the county's sensitive dates at once."""
        from zerenzhi.plugins.analysis.county import inherit

        inherit(session)

    @hookimpl
    def on_settings_changed(self, session: Session, tenant: TenantRef, old: dict[str, Any],
                            new: dict[str, Any]) -> None:
        """Required domains changed: open half-year analyses count (or not) by the new set."""
        if old.get("required_domains") != new.get("required_domains"):
            services.resync_open(session, new)

    @hookimpl
    def describe_reference(self, session: Session, tenant: TenantRef, ref_type: str,
                           ref_id: str) -> dict[str, Any] | None:
        """``analysis.analysis`` and ``analysis.sensitive_date``: one function answers both."""
        return services.describe(session, ref_type, ref_id)

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.analysis.demo import load

        load(session, settings)
