"""The platforms module's console pages (issue 15): the channel register with each
channel's filings (備案) and quarterly reviews (P1), and incidents with P2's first-report
clock running visibly from the detection and the handling and reporting timeline
(邊處置，邊報告; liaison, P3). Each page calls the service its API route calls, with that
route's permission and input schema; units, members and channels are picked from lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, flash, redirect, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from zerenzhi import (
    N_,
    Form,
    Label,
    NavEntry,
    Pages,
    can_write_unit,
    get_or_404,
    listed,
    local_moments,
    local_value,
    page_answer,
    plugin_settings,
    render,
    render_page,
    require_unit_write,
    requires,
    session,
    today,
    township_members,
    township_url,
    units_of_kind,
    upward_receipt,
    utcnow,
)
from zerenzhi.plugins.platforms import incidents, reviews, services
from zerenzhi.plugins.platforms.catalogue import (
    CHANNEL_KINDS,
    CHANNEL_STATUSES,
    ENTRY_KINDS,
    INCIDENT_CATEGORIES,
    INCIDENT_STATUSES,
    SEVERITIES,
    UPDATE_FREQUENCIES,
)
from zerenzhi.plugins.platforms.models import Channel, Incident, Review
from zerenzhi.plugins.platforms.schemas import (
    PlatformsChannelIn,
    PlatformsEntryIn,
    PlatformsIncidentClose,
    PlatformsIncidentIn,
    PlatformsReviewIn,
)

bp = Blueprint("platforms_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("platforms_pages.index", Label("陣地", "Platforms"),
                  "platforms.incident.read", order=85),),
    translations=Path(__file__).parent / "translations",
)
LIST_LIMIT = 200
# P2's report state -> (the console's status colour, words)
REPORT_CSS = {"not_required": "waived", "pending": "due_soon", "overdue": "overdue",
              "on_time": "fulfilled", "late": "overdue", "reported": "fulfilled"}


REPORT_WORDS = {"not_required": N_("no report required"), "pending": N_("report due"),
                "overdue": N_("report overdue"), "on_time": N_("reported on time"),
                "late": N_("reported late"), "reported": N_("reported")}
SERVICE_MESSAGES = (
    N_("cannot be in the future"),
    N_("an archived channel cannot be reviewed"),
)



def _with_filing(data: dict) -> dict:
    """The form's flat ``filing_*`` fields as the schema's nested filing (備案)."""
    filing = {key: request.form.get(f"filing_{key}", "").strip()
              for key in ("filed_on", "reference", "filed_with", "note")}
    data["filing"] = {key: value for key, value in filing.items() if value}
    return data


def clock(incident: Incident, now: dt.datetime | None = None) -> dict[str, Any]:
    """P2's report clock as a page shows it: the state, the deadline and the minutes left
    (negative: overdue) while the first report is owed."""
    report = incident.report
    left = None
    if report["state"] in ("pending", "overdue") and report["due_at"] is not None:
        left = int((report["due_at"] - (now or utcnow())).total_seconds() // 60)
    return {**report, "css": REPORT_CSS[report["state"]],
            "words": _(REPORT_WORDS[report["state"]]), "minutes_left": left}


def _names() -> dict[str, Any]:
    def labels(table: dict) -> dict[str, str]:
        return {k: render(v[1] if isinstance(v, tuple) else v) for k, v in table.items()}

    return {"unit_names": {u.id: u.name for u in units_of_kind(session())},
            "kinds": labels(CHANNEL_KINDS), "channel_statuses": labels(CHANNEL_STATUSES),
            "categories": labels(INCIDENT_CATEGORIES), "severities": labels(SEVERITIES),
            "entry_kinds": labels(ENTRY_KINDS), "incident_statuses": labels(INCIDENT_STATUSES),
            "frequencies": labels(UPDATE_FREQUENCIES), "clock": clock}


def _writable_units() -> list[tuple[str, str]]:
    return [(str(u.id), u.name) for u in units_of_kind(session()) if can_write_unit(u.id)]


@bp.route("/")
@requires("platforms.incident.read")
def index() -> str:
    """Open incidents first with their report clocks, then the channel register with this
    quarter's review coverage."""
    db = session()
    rows = db.scalars(listed(Incident, {}, order_by=(
        Incident.status.desc(), Incident.detected_at.desc(), Incident.id.desc()))
        .limit(LIST_LIMIT)).all()
    channels = db.scalars(listed(Channel, {}, order_by=(Channel.unit_id, Channel.kind,
                                                        Channel.id)).limit(LIST_LIMIT)).all()
    return render_page("platforms/index.html", incidents=rows, channels=channels,
                       **_names())


@bp.route("/incidents/new", methods=["GET", "POST"])
@requires("platforms.incident.write")
def new_incident() -> Response | tuple[str, int]:
    """Record an incident; a major one starts the first-report clock from its detection."""
    form = Form(PlatformsIncidentIn, initial={"detected_at": local_value(utcnow())},
                prepare=local_moments("detected_at"))

    def write(db: Session, data: dict) -> Incident:
        require_unit_write(data["unit_id"])
        return incidents.record_incident(db, data, plugin_settings("platforms"))

    if (row := form.submit(write)) is not None:
        flash(_("The incident was recorded."))
        return redirect(township_url(".incident", incident_id=row.id))
    return page_answer(render_page(
        "platforms/incident_form.html", form=form, units=_writable_units(),
        category_choices=list(_names()["categories"].items()),
        severity_choices=list(_names()["severities"].items())), form)


@bp.route("/incidents/<uuid:incident_id>")
@requires("platforms.incident.read")
def incident(incident_id, forms: dict[str, Form] | None = None) -> str:
    """One incident: its report clock, liaison (P3) and timeline, and for writers the next
    entry and the closing form."""
    row = get_or_404(Incident, incident_id)
    entries = session().scalars(incidents.timeline(row)).all()
    forms = {"entry": Form(PlatformsEntryIn, initial={"at": local_value(utcnow()),
                                                      "kind": "handling"}),
             "close": Form(PlatformsIncidentClose), **(forms or {})}
    return render_page("platforms/incident.html", row=row, entries=entries, forms=forms,
                       writer=can_write_unit(row.unit_id),
                       receipt=upward_receipt(session(), incidents.SOURCE_TYPE, row.id),
                       **_names())


def _incident_step(incident_id, name: str, schema, write, done: str, prepare=None):
    row = get_or_404(Incident, incident_id)
    require_unit_write(row.unit_id)
    form = Form(schema, prepare=prepare)
    if form.submit(lambda db, data: write(db, row, data)) is not None:
        flash(done)
        return redirect(township_url(".incident", incident_id=row.id))
    return incident(incident_id, forms={name: form}), 422


@bp.route("/incidents/<uuid:incident_id>/timeline", methods=["POST"])
@requires("platforms.incident.write")
def add_entry(incident_id) -> Response | tuple[str, int]:
    """A handling step, a report to the higher level (the first fulfils P2) or liaison."""
    return _incident_step(incident_id, "entry", PlatformsEntryIn,
                          lambda db, row, data: incidents.add_entry(db, row, data),
                          _("The step was added to the timeline."), local_moments("at"))


@bp.route("/incidents/<uuid:incident_id>/closure", methods=["POST"])
@requires("platforms.incident.write")
def close(incident_id) -> Response | tuple[str, int]:
    """Close with a summary; a major incident only after its first report (P2)."""
    return _incident_step(
        incident_id, "close", PlatformsIncidentClose,
        lambda db, row, data: incidents.close_incident(db, row, data,
                                                       plugin_settings("platforms")),
        _("The incident was closed."), local_moments("closed_at"))


# --- the channel register (P1) ------------------------------------------------------------


def _members() -> list[tuple[str, str]]:
    return sorted(((str(m), info.display_name) for m, info in township_members(session()).items()),
                  key=lambda pair: pair[1])


@bp.route("/channels/new", methods=["GET", "POST"])
@requires("platforms.channel.write")
def new_channel() -> Response | tuple[str, int]:
    """Register a channel with its opening's filing (備案)."""
    form = Form(PlatformsChannelIn, initial={"opened_on": today().isoformat(),
                                             "filing_filed_on": today().isoformat()},
                prepare=_with_filing)

    def write(db: Session, data: dict) -> Channel:
        require_unit_write(data["unit_id"])
        return services.register_channel(db, data)

    if (row := form.submit(write)) is not None:
        flash(_("The channel was registered."))
        return redirect(township_url(".channel", channel_id=row.id))
    return page_answer(render_page(
        "platforms/channel_form.html", form=form, units=_writable_units(),
        members=_members(), kind_choices=list(_names()["kinds"].items())), form)


@bp.route("/channels/<uuid:channel_id>")
@requires("platforms.channel.read")
def channel(channel_id, form: Form | None = None) -> str:
    """A channel with its filings and reviews, and for writers the quarter's review form."""
    db = session()
    row = get_or_404(Channel, channel_id)
    filings = db.scalars(services.filings(row)).all()
    done = db.scalars(listed(Review, {"channel_id": row.id}, match=("channel_id",),
                             order_by=(Review.reviewed_on.desc(), Review.id))).all()
    form = form or Form(PlatformsReviewIn, initial={"reviewed_on": today().isoformat()})
    return render_page("platforms/channel.html", row=row, filings=filings, reviews=done,
                       form=form, writer=can_write_unit(row.unit_id),
                       quarter=reviews.quarter_of(today()),
                       frequency_choices=list(_names()["frequencies"].items()), **_names())


@bp.route("/channels/<uuid:channel_id>/reviews", methods=["POST"])
@requires("platforms.review.write")
def review(channel_id) -> Response | tuple[str, int]:
    """Record a quarter's review of the channel (P1)."""
    row = get_or_404(Channel, channel_id)
    require_unit_write(row.unit_id)
    form = Form(PlatformsReviewIn)
    if form.submit(lambda db, data: reviews.record_review(db, row, data)) is not None:
        flash(_("The review was recorded."))
        return redirect(township_url(".channel", channel_id=row.id))
    return channel(channel_id, form=form), 422
