"""The assessment module's console page (issue 15): a year's scores of every unit with the
weights they were computed with (M4, I4), the ranking as a bar chart with its table, the
manual adjustments with their reasons, and for the leaders the forms to adjust and to
compute the year again. The API's services and schemas; the chart is the face's
server-side SVG (``bar_chart``), so it prints and needs no script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from zerenzhi import (
    Form,
    Label,
    NavEntry,
    Pages,
    bar_chart,
    can_write_unit,
    listed,
    not_found,
    plugin_settings,
    render_page,
    require_tenant,
    require_unit_write,
    requires,
    session,
    units_of_kind,
)
from zerenzhi.plugins.assessment import services
from zerenzhi.plugins.assessment.models import Adjustment, Assessment
from zerenzhi.plugins.assessment.schemas import AssessmentAdjustmentIn, AssessmentComputeIn

bp = Blueprint("assessment_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("assessment_pages.index", Label("考覈", "Assessment"),
                  "assessment.score.read", order=100),),
    translations=Path(__file__).parent / "translations",
)


def _year_url(year: int) -> str:
    return url_for(".year", township=require_tenant().slug, year=year)


@bp.route("/")
@requires("assessment.score.read")
def index() -> Response:
    """The latest year assessed, or this year's page to compute it."""
    latest = session().scalar(select(Assessment.year).order_by(Assessment.year.desc()))
    return redirect(_year_url(latest or services.current_year()))


@bp.route("/years/<year>", endpoint="year")
@requires("assessment.score.read")
def show_year(year: str, form: Form | None = None) -> str:
    """A year's ranked scores with their weights, the ranking as a chart, the adjustments."""
    number = services.parse_year(year)
    if number is None:
        not_found()
    db = session()
    assessment = services.get_assessment(db, number)
    table = services.table(db, assessment) if assessment is not None else None
    chart = None
    if table and table["units"]:
        ranked = [u for u in table["units"] if u["total"] is not None]
        chart = bar_chart(_("Total score by unit"), [u["unit_name"] for u in ranked],
                          [round(u["total"], 1) for u in ranked])
    adjustments = db.scalars(listed(Adjustment, {}, order_by=(
        Adjustment.created_at.desc(), Adjustment.id)).where(Adjustment.year == number)).all()
    units = units_of_kind(db)
    years = db.scalars(select(Assessment.year).order_by(Assessment.year.desc())).all()
    return render_page(
        "assessment/year.html", year=number, table=table, chart=chart,
        adjustments=adjustments, unit_names={u.id: u.name for u in units},
        writable=[(str(u.id), u.name) for u in units if can_write_unit(u.id)],
        years=sorted({*years, number, services.current_year()}, reverse=True),
        settings=plugin_settings("assessment"),
        form=form or Form(AssessmentAdjustmentIn))


@bp.route("/years/<year>/adjustments", methods=["POST"])
@requires("assessment.adjustment.write")
def adjust(year: str) -> Response | tuple[str, int]:
    """Add or take points for a unit, with a reason; the township's caps hold."""
    number = services.parse_year(year)
    if number is None:
        not_found()
    settings = plugin_settings("assessment")
    caps: dict[str, Any] = {"max_bonus": settings["max_bonus"],
                            "max_deduction": settings["max_deduction"]}
    form = Form(AssessmentAdjustmentIn)

    def write(db, data: dict):
        require_unit_write(data["unit_id"])
        return services.add_adjustment(db, number, **data, **caps)

    if form.submit(write) is not None:
        flash(_("The adjustment was recorded; compute the year again to see it ranked."))
        return redirect(_year_url(number))
    return show_year(str(number), form=form), 422


@bp.route("/years/<year>/compute", methods=["POST"])
@requires("assessment.score.write")
def compute(year: str) -> Response | tuple[str, int]:
    """Snapshot every active unit's score now (``finalise`` freezes the year)."""
    number = services.parse_year(year)
    if number is None:
        not_found()
    form = Form(AssessmentComputeIn)
    settings = plugin_settings("assessment")
    if form.submit(lambda db, data: services.compute(db, number, settings=settings,
                                                     finalise=data["finalise"])) is not None:
        flash(_("The year was computed."))
        return redirect(_year_url(number))
    return show_year(str(number), form=form), 422
