"""The analysis module's console pages (issue 15): the committee's analyses (A1–A3) — the
half-year one over the six domains (A2) with the domains written and still missing, the
contributions asked of units with their due dates, approval — and the sensitive dates and
hot topics by month (A3), each with the forward-looking analysis it is owed. Each page
calls the service its API route calls, with that route's permission and input schema."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, flash, redirect
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from zerenzhi import (
    Form,
    InputSchema,
    Label,
    NavEntry,
    Pages,
    can_write_unit,
    committee,
    get_or_404,
    page_answer,
    render,
    render_page,
    require_unit_write,
    requires,
    session,
    today,
    township_url,
    units_of_kind,
)
from zerenzhi.plugins.analysis import calendar, services
from zerenzhi.plugins.analysis.common import caller
from zerenzhi.plugins.analysis.models import Analysis, SensitiveDate
from zerenzhi.plugins.analysis.rules import DATE_KINDS, DOMAIN_KEYS, DOMAINS, KINDS
from zerenzhi.plugins.analysis.schemas import (
    AnalysisContributionIn,
    AnalysisIn,
    AnalysisSectionNew,
    AnalysisSensitiveDateIn,
)

bp = Blueprint("analysis_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("analysis_pages.index", Label("研判", "Analysis"),
                  "analysis.analysis.read", order=75),),
    translations=Path(__file__).parent / "translations",
)
LIST_LIMIT = 100
CONTRIBUTION_CSS = {"pending": "upcoming", "overdue": "overdue", "submitted": "fulfilled",
                    "submitted_late": "due_soon"}


class ApprovalIn(InputSchema):
    """No fields: the approval is the button, by whoever presses it."""


def _names() -> dict[str, Any]:
    return {"domains": {k: render(v) for k, v in DOMAINS.items()},
            "kinds": {k: render(v) for k, v in KINDS.items()},
            "date_kinds": {k: render(v) for k, v in DATE_KINDS.items()},
            "unit_names": {u.id: u.name for u in units_of_kind(session())},
            "contribution_css": CONTRIBUTION_CSS, "status_of": calendar.contribution_status}


@bp.route("/")
@requires("analysis.analysis.read")
def index() -> str:
    """The analyses, newest first, with the domains each still misses; the sensitive dates
    and hot topics by month, soonest first, each with its obligation's state."""
    db = session()
    analyses = services.show_page(db, db.scalars(
        services.analyses({}).limit(LIST_LIMIT)).all())
    dates = calendar.show_dates(db, db.scalars(
        calendar.sensitive_dates({}).limit(LIST_LIMIT)).all())
    months = [(month, list(rows)) for month, rows in itertools.groupby(
        dates, key=lambda d: d.falls_on.strftime("%Y-%m"))]
    return render_page("analysis/index.html", analyses=analyses, months=months, **_names())


@bp.route("/analyses/new", methods=["GET", "POST"])
@requires("analysis.analysis.write")
def new() -> Response | tuple[str, int]:
    """Record an analysis by the committee (A1); a half-year one covers the six domains."""
    form = Form(AnalysisIn, initial={"held_on": today().isoformat(), "kind": "half_year"})

    def write(db: Session, data: dict) -> Analysis:
        require_unit_write(committee(db).id)
        return services.create_analysis(db, **data)

    if (row := form.submit(write)) is not None:
        flash(_("The analysis was recorded: write its domains' sections."))
        return redirect(township_url(".analysis", analysis_id=row.id))
    return page_answer(render_page("analysis/new.html", form=form,
                                kind_choices=list(_names()["kinds"].items())), form)


@bp.route("/analyses/<uuid:analysis_id>")
@requires("analysis.analysis.read")
def analysis(analysis_id, forms: dict[str, Form] | None = None) -> str:
    """One analysis: each domain's section or its absence, the contributions asked of units
    with their due dates, and for writers the section and contribution forms."""
    db = session()
    shown = services.show(db, get_or_404(Analysis, analysis_id))
    contributions = db.scalars(calendar.contributions({"analysis_id": shown.id})).all()
    forms = {"section": Form(AnalysisSectionNew), "contribution": Form(AnalysisContributionIn),
             **(forms or {})}
    names = _names()
    return render_page("analysis/analysis.html", row=shown, forms=forms,
                       sections={s.domain: s for s in shown.sections if s.archived_at is None},
                       contributions=contributions, domain_keys=DOMAIN_KEYS,
                       writer=can_write_unit(shown.unit_id),
                       unit_choices=[(str(k), v) for k, v in names["unit_names"].items()],
                       **names)


def _step(analysis_id, name: str, schema, write, done: str) -> Response | tuple[str, int]:
    row = get_or_404(Analysis, analysis_id)
    require_unit_write(row.unit_id)
    form = Form(schema)
    if form.submit(lambda db, data: write(db, row, data)) is not None:
        flash(done)
        return redirect(township_url(".analysis", analysis_id=row.id))
    return analysis(analysis_id, forms={name: form}), 422


@bp.route("/analyses/<uuid:analysis_id>/sections", methods=["POST"])
@requires("analysis.analysis.write")
def section(analysis_id) -> Response | tuple[str, int]:
    """Write one domain's section (A2): mainstream, minor currents, problems, measures."""

    def write(db: Session, row: Analysis, data: dict) -> Any:
        domain = data.pop("domain")
        return services.put_section(db, row, domain, data)

    return _step(analysis_id, "section", AnalysisSectionNew, write, _("The section was saved."))


@bp.route("/analyses/<uuid:analysis_id>/contributions", methods=["POST"])
@requires("analysis.analysis.write")
def contribution(analysis_id) -> Response | tuple[str, int]:
    """Ask a unit for its part by a due date (A1)."""
    return _step(analysis_id, "contribution", AnalysisContributionIn,
                 lambda db, row, data: calendar.assign(db, row, **data),
                 _("The contribution was asked for."))


@bp.route("/analyses/<uuid:analysis_id>/approval", methods=["POST"])
@requires("analysis.analysis.approve")
def approve(analysis_id) -> Response | tuple[str, int]:
    """Approve as the leader in charge or the secretary; a half-year analysis must cover
    every required domain first (the refusal names the missing ones)."""
    row = get_or_404(Analysis, analysis_id)
    form = Form(ApprovalIn)
    if form.submit(lambda db, _data: services.approve(db, row, caller())) is not None:
        flash(_("The analysis was approved."))
        return redirect(township_url(".analysis", analysis_id=row.id))
    return analysis(analysis_id, forms={"approval": form}), 422


@bp.route("/dates/new", methods=["GET", "POST"])
@requires("analysis.sensitive_date.write")
def new_date() -> Response | tuple[str, int]:
    """Add a sensitive date or hot topic: it starts the forward-looking analysis it owes."""
    form = Form(AnalysisSensitiveDateIn, initial={"kind": "sensitive_date"})

    def write(db: Session, data: dict) -> SensitiveDate:
        require_unit_write(committee(db).id)
        return calendar.create_sensitive_date(db, **data)

    if form.submit(write) is not None:
        flash(_("The date was added to the calendar."))
        return redirect(township_url(".index"))
    return page_answer(render_page("analysis/date_form.html", form=form,
                                kind_choices=list(_names()["date_kinds"].items())), form)

