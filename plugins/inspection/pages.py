"""The inspection module's console pages (issue 14): half-year campaigns with the coverage
of every village and station (I1, I2), the office's checks, findings and their
rectification with deadlines, ratings and the interview a "prominent problems" rating
starts (I3). Each page calls the service its API route calls, with that route's permission
and input schema; units, campaigns and ratings are picked from lists, never typed as ids."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    N_,
    DomainError,
    Form,
    Label,
    NavEntry,
    Pages,
    can_write_unit,
    get_or_404,
    listed,
    load_query,
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
from zerenzhi.plugins.inspection import findings, ratings, scores, services
from zerenzhi.plugins.inspection.common import caller
from zerenzhi.plugins.inspection.models import Campaign, Check, Finding, Interview, Rating
from zerenzhi.plugins.inspection.rules import (
    FINDING_KINDS,
    METHODS,
    OFFICE_METHODS,
    RATINGS,
    SCOPE_KINDS,
    SEVERITIES,
)
from zerenzhi.plugins.inspection.schemas import (
    InspectionCampaignIn,
    InspectionCampaignQuery,
    InspectionCheckIn,
    InspectionFindingIn,
    InspectionFindingQuery,
    InspectionInterviewIn,
    InspectionRatingIn,
    InspectionRectificationIn,
    InspectionSelfInspectionIn,
    InspectionVerificationIn,
)

bp = Blueprint("inspection_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("inspection_pages.index", Label("督查", "Inspection"),
                  "inspection.campaign.read", order=80),),
    translations=Path(__file__).parent / "translations",
)
LIST_LIMIT = 200


# the services' and schemas' own messages a page can meet, in this module's catalogue
SERVICE_MESSAGES = (
    N_("a half-year such as 2026H1"),
    N_("a date between 2000 and 2100"),
    N_("ends on or after its start"),
    N_("a rectification plan has a plan, an owner and a deadline"),
    N_("on or after the day it was found"),
    N_("archived campaigns cannot change"),
    N_("already verified"),
    N_("no rectification reported yet"),
    N_("nothing left to rectify"),
    N_("set a rectification plan with a deadline first"),
    N_("interviews follow a 'prominent problems' rating"),
    N_("on or after the rating"),
    N_("name the head interviewed (the unit has none)"),
    N_("no such rating in this township"),
)
# a finding's status (findings.status_of) -> (css status, words)
FINDING_STATUS = {
    "no_plan": ("waived", _l("No plan yet")),
    "rectifying": ("upcoming", _l("Rectifying")),
    "awaiting_verification": ("due_soon", _l("Awaiting verification")),
    "overdue": ("overdue", _l("Overdue")),
    "verified": ("fulfilled", _l("Verified")),
    "effective": ("fulfilled", _l("Effective")),
    "not_effective": ("overdue", _l("Not effective")),
    "archived": ("waived", _l("Archived")),
}


def _units(kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(str(u.id), u.name) for u in units_of_kind(session(), *kinds)]


def _labels(catalogue: dict[str, Label], keys: Any = None) -> list[tuple[str, str]]:
    return [(key, render(catalogue[key])) for key in (keys or catalogue)]


def _half_years(started: dt.date | None = None) -> list[tuple[str, str]]:
    day = started or today()
    year, half = day.year, 1 if day.month <= 6 else 2
    found = []
    for _n in range(3):
        found.append((f"{year}H{half}", f"{year}H{half}"))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return found


def _when(value: Any) -> dt.datetime | None:
    """An obligation's ``due_at`` as the services describe it (ISO text) for ``|moment``."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


# --- the module's page ----------------------------------------------------------------------


@bp.route("/")
@requires("inspection.campaign.read")
def index() -> str:
    """Campaigns with their coverage, open rectifications by deadline, and the interviews
    that "prominent problems" ratings started."""
    db = session()
    query = load_query(InspectionCampaignQuery)
    campaigns = services.shown_campaigns(db, db.scalars(listed(
        Campaign, query, match=("period",),
        order_by=(Campaign.started_on.desc(), Campaign.id.desc())).limit(LIST_LIMIT)).all())
    open_findings = findings.shown_findings(db, db.scalars(findings.listing(
        {"open": True}).limit(LIST_LIMIT)).all())
    prominent = ratings.shown_ratings(db, db.scalars(select(Rating).where(
        Rating.rating == ratings.PROMINENT, Rating.archived_at.is_(None))
        .order_by(Rating.rated_on.desc(), Rating.id)).all())
    interviews = db.scalars(listed(Interview, {}, order_by=(Interview.held_on.desc(),
                                                            Interview.id)).limit(50)).all()
    return render_page("inspection/index.html", campaigns=campaigns,
                       findings=open_findings, prominent=prominent, interviews=interviews,
                       **_names())


def _names() -> dict[str, Any]:
    """What templates show instead of ids: unit names, labels of methods, severities,
    ratings and finding statuses."""
    units = {u.id: u.name for u in units_of_kind(session())}
    return {"unit_names": units, "when": _when,
            "methods": {k: render(v) for k, v in METHODS.items()},
            "severities": {k: render(v) for k, v in SEVERITIES.items()},
            "rating_labels": {k: render(v) for k, v in RATINGS.items()},
            "finding_status": FINDING_STATUS}


# --- campaigns (I1, I2) -----------------------------------------------------------------------


@bp.route("/campaigns/new", methods=["GET", "POST"])
@requires("inspection.campaign.write")
def new_campaign() -> Response | tuple[str, int]:
    """Start the half-year special inspection, led by the office (I1)."""
    form = Form(InspectionCampaignIn, initial={"started_on": today().isoformat()})
    if (row := form.submit(lambda db, data: services.create_campaign(db, **data))) is not None:
        flash(_("The campaign was started."))
        return redirect(township_url(".campaign", campaign_id=row.id))
    return page_answer(render_page("inspection/campaign_form.html", form=form,
                                periods=_half_years()), form)


@bp.route("/campaigns/<uuid:campaign_id>")
@requires("inspection.campaign.read")
def campaign(campaign_id, check_form: Form | None = None,
             rating_form: Form | None = None) -> tuple[str, int]:
    """One campaign: every village and station with its self-inspection, rating and score
    (I2–I4), the office's methods used and missing, its checks, findings and ratings."""
    db = session()
    row = get_or_404(Campaign, campaign_id)
    shown = services.shown_campaign(db, row)
    checks = db.scalars(select(Check).where(Check.campaign_id == row.id,
                                            Check.archived_at.is_(None))
                        .order_by(Check.checked_on, Check.id)).all()
    rated = ratings.shown_ratings(db, db.scalars(select(Rating).where(
        Rating.campaign_id == row.id, Rating.archived_at.is_(None)).order_by(Rating.id)).all())
    found = findings.shown_findings(db, db.scalars(findings.listing(
        {"campaign_id": row.id}).limit(LIST_LIMIT)).all())
    check_form = check_form or Form(InspectionCheckIn, initial={
        "checked_on": today().isoformat(), "method": "key"})
    rating_form = rating_form or Form(InspectionRatingIn, initial={
        "rated_on": today().isoformat()})
    page = render_page(
        "inspection/campaign.html", row=row, shown=shown, scores=scores.unit_scores(db, row),
        checks=checks, ratings=rated, found=found, check_form=check_form,
        rating_form=rating_form, scope_units=_units(SCOPE_KINDS),
        office_methods=_labels(METHODS, OFFICE_METHODS), rating_options=_labels(RATINGS),
        **_names())
    return page_answer(page, check_form if check_form.errors else rating_form)


@bp.route("/campaigns/<uuid:campaign_id>/checks", methods=["POST"])
@requires("inspection.campaign.write")
def record_check(campaign_id) -> Response | tuple[str, int]:
    """Record a key, written or on-site check of a village or station (I2)."""
    row = get_or_404(Campaign, campaign_id)
    form = Form(InspectionCheckIn)
    if form.submit(lambda db, data: services.record_check(db, row, **data)) is not None:
        flash(_("The check was recorded."))
        return redirect(township_url(".campaign", campaign_id=row.id) + "#coverage")
    return campaign(campaign_id, check_form=form)


@bp.route("/campaigns/<uuid:campaign_id>/ratings", methods=["POST"])
@requires("inspection.campaign.write")
def rate(campaign_id) -> Response | tuple[str, int]:
    """Rate a village or station; "prominent problems" starts its interview (I3)."""
    row = get_or_404(Campaign, campaign_id)
    form = Form(InspectionRatingIn)
    if (rated := form.submit(lambda db, data: ratings.rate(db, row, **data))) is not None:
        if rated.rating == ratings.PROMINENT:
            flash(_("Rated: an interview with the unit's head is now due (I3)."))
        else:
            flash(_("The rating was recorded."))
        return redirect(township_url(".campaign", campaign_id=row.id) + "#ratings")
    return campaign(campaign_id, rating_form=form)


def _answers(data: dict) -> dict:
    """One radio group per checklist item (``answer-<key>``) as the API's ``answers``."""
    data["answers"] = {key.removeprefix("answer-"): value for key, value in request.form.items()
                       if key.startswith("answer-") and value}
    return data


@bp.route("/campaigns/<uuid:campaign_id>/self-inspection", methods=["GET", "POST"])
@requires("inspection.self_inspection.write")
def self_inspection(campaign_id) -> Response | tuple[str, int]:
    """A village or station fills in the checklist (its own unit only, I2); submitted, it
    covers the unit."""
    row = get_or_404(Campaign, campaign_id)
    units = [(value, name) for value, name in _units(SCOPE_KINDS)
             if can_write_unit(uuid.UUID(value))]
    form = Form(InspectionSelfInspectionIn, initial={
        "unit_id": units[0][0] if len(units) == 1 else "", "submit": True}, prepare=_answers)

    def write(db: Session, data: dict) -> Check:
        require_unit_write(data["unit_id"])
        if data["submit"] and len(data["answers"]) < len(services.checklist()):
            raise DomainError("answers", _("Answer every item to submit, or save a draft."))
        return services.record_check(db, row, method="self", **data)

    if (check := form.submit(write)) is not None:
        flash(_("The self-inspection was submitted.") if check.submitted_at
              else _("The self-inspection was saved as a draft."))
        return redirect(township_url(".campaign", campaign_id=row.id) + "#coverage")
    items = [{**item, "label": render(Label(item["text"], item.get("text_en") or item["text"]))}
             for item in services.checklist()]
    answers = {key.removeprefix("answer-"): value for key, value in request.form.items()
               if key.startswith("answer-")}
    return page_answer(render_page("inspection/self_inspection.html", row=row, form=form,
                                units=units, items=items, answers=answers), form)


# --- findings and rectification ---------------------------------------------------------------


def _finding_choices() -> dict[str, Any]:
    db = session()
    live = db.scalars(select(Campaign).where(Campaign.archived_at.is_(None))
                      .order_by(Campaign.started_on.desc(), Campaign.id)).all()
    return {"campaign_options": [(str(c.id), f"{c.title} ({c.period})") for c in live],
            "unit_options": _units(FINDING_KINDS), "severity_options": _labels(SEVERITIES)}


@bp.route("/findings")
@requires("inspection.campaign.read")
def finding_list() -> str:
    """Findings by deadline, with their rectification's status; filters as the API's."""
    db = session()
    query = load_query(InspectionFindingQuery)
    rows = findings.shown_findings(db, db.scalars(findings.listing(query)
                                                  .limit(LIST_LIMIT)).all())
    return render_page("inspection/findings.html", findings=rows, query=query,
                       **_finding_choices(), **_names())


@bp.route("/findings/new", methods=["GET", "POST"])
@requires("inspection.finding.write")
def new_finding() -> Response | tuple[str, int]:
    """Raise a finding at a unit; a plan with owner and deadline starts its rectification."""
    form = Form(InspectionFindingIn, initial={"found_on": today().isoformat(),
                                              "campaign_id": request.args.get("campaign", "")})
    if (row := form.submit(lambda db, data: findings.raise_finding(db, **data))) is not None:
        flash(_("The finding was recorded."))
        return redirect(township_url(".finding", finding_id=row.id))
    return page_answer(render_page("inspection/finding_form.html", form=form,
                                **_finding_choices()), form)


@bp.route("/findings/<uuid:finding_id>")
@requires("inspection.campaign.read")
def finding(finding_id, rectify_form: Form | None = None,
            verify_form: Form | None = None) -> tuple[str, int]:
    """One finding: its plan and deadline, the rectification's obligation, evidence and
    verification; the unit reports evidence here and the office verifies it."""
    db = session()
    row = findings.shown_finding(db, get_or_404(Finding, finding_id))
    rectify_form = rectify_form or Form(InspectionRectificationIn, initial={
        "rectified_on": today().isoformat()})
    verify_form = verify_form or Form(InspectionVerificationIn)
    campaign_row = db.scalar(select(Campaign).where(Campaign.id == row.campaign_id)) \
        if row.campaign_id else None
    page = render_page("inspection/finding.html", row=row, campaign=campaign_row,
                       rectify_form=rectify_form, verify_form=verify_form, **_names())
    return page_answer(page, rectify_form if rectify_form.errors else verify_form)


def _step(finding_id, schema, action: Callable[..., Any], unit_scoped: bool,
          form_name: str, done: str, **extra: Any) -> Response | tuple[str, int]:
    """One step of a rectification, as the API's ``_step``: the unit's own steps need the
    unit in the caller's scope."""
    row = get_or_404(Finding, finding_id)
    if unit_scoped:
        require_unit_write(row.unit_id)
    form = Form(schema)
    if form.submit(lambda db, data: action(db, row, **extra, **data)) is not None:
        flash(done)
        return redirect(township_url(".finding", finding_id=row.id))
    return finding(finding_id, **{form_name: form})


@bp.route("/findings/<uuid:finding_id>/rectification", methods=["POST"])
@requires("inspection.rectification.write")
def rectify(finding_id) -> Response | tuple[str, int]:
    """The unit reports its rectification with evidence (its own unit only)."""
    return _step(finding_id, InspectionRectificationIn, findings.rectify, True,
                 "rectify_form", _("The rectification was reported: the office verifies it."))


@bp.route("/findings/<uuid:finding_id>/verification", methods=["POST"])
@requires("inspection.finding.verify")
def verify(finding_id) -> Response | tuple[str, int]:
    """The office accepts the rectification (fulfilling its obligation) or returns it."""
    return _step(finding_id, InspectionVerificationIn, findings.verify, False,
                 "verify_form", _("The verification was recorded."), actor=caller())


# --- interviews (I3) ----------------------------------------------------------------------------


def _open_ratings(db: Session) -> list[tuple[str, str]]:
    """"Prominent problems" ratings whose interview is not recorded yet, by unit name."""
    held = select(Interview.rating_id).where(Interview.archived_at.is_(None))
    rows = db.scalars(select(Rating).where(
        Rating.rating == ratings.PROMINENT, Rating.archived_at.is_(None),
        Rating.id.not_in(held)).order_by(Rating.rated_on, Rating.id)).all()
    names = {u.id: u.name for u in units_of_kind(db)}
    return [(str(r.id), _("%(unit)s, rated on %(day)s", unit=names.get(r.unit_id, ""),
                          day=r.rated_on.isoformat())) for r in rows]


@bp.route("/interviews/new", methods=["GET", "POST"])
@requires("inspection.interview.write")
def new_interview() -> Response | tuple[str, int]:
    """Record the interview with the head of a unit rated "prominent problems" (I3): it
    fulfils that rating's interview obligation."""
    form = Form(InspectionInterviewIn, initial={"held_on": today().isoformat(),
                                                "rating_id": request.args.get("rating", "")})

    def write(db: Session, data: dict) -> Interview:
        rating = ratings.get_rating(db, data["rating_id"])
        if rating is not None:
            require_unit_write(rating.unit_id)
        return ratings.record_interview(db, actor=caller(), **data)

    if form.submit(write) is not None:
        flash(_("The interview was recorded."))
        return redirect(township_url(".index") + "#interviews")
    return page_answer(render_page("inspection/interview_form.html", form=form,
                                rating_options=_open_ratings(session())), form)
