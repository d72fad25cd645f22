"""The county's inbox on pages (R1, R3, P2): the reports its townships sent upward — half-
year reports, major situation reports, incident reports — with the deadline of what each
fulfils and whether it went up late; one report read as it was sent (only what the
township deliberately sent upward, never its records) and acknowledged (簽收).

The same services and schemas as the API's ``/counties/<county>/inbox`` routes.
"""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from zerenzhi.auth.permissions import requires
from zerenzhi.console.forms import Form, load_query
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.session import session as db_session
from zerenzhi.directives import service
from zerenzhi.routes.directive_schemas import AcknowledgementIn, InboxQuery
from zerenzhi.web.pipeline import not_found


def N_(text: str) -> str:
    return text


SERVICE_MESSAGES = (N_("already acknowledged"),)  # the service's, in this area's catalogue
PAGE_SIZE = 30
# what townships send upward, by kind: (label, clause)
KINDS = {
    "half_year_report": (_l("Half-year report"), "R1"),
    "major_situation_report": (_l("Major situation report"), "R3"),
    "incident_report": (_l("Incident report"), "P2"),
}


class InboxPageQuery(InboxQuery):
    """The API's inbox filters plus the page number."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100000))


def kind_label(kind: str) -> str:
    label, clause = KINDS.get(kind, (kind, ""))
    return f"{label} ({clause})" if clause else str(label)


@bp.route("/counties/<county>/inbox")
@requires("rollups.read")
def county_inbox(county: str | None = None) -> str:
    """What the townships sent upward, newest first, with deadlines and lateness; filter by
    kind and by whether it is acknowledged."""
    query = load_query(InboxPageQuery)
    items, total = service.county_inbox(
        db_session(), g.zz_tenant.ref(), acknowledged=query.get("acknowledged"),
        kind=query.get("kind"), limit=PAGE_SIZE, offset=(query["page"] - 1) * PAGE_SIZE)
    return render_page("console/inbox.html", items=items, total=total, query=query,
                       pages=max(1, -(-total // PAGE_SIZE)), kinds=KINDS,
                       kind_label=kind_label)


def _item(item_id: uuid.UUID) -> dict:
    return service.county_inbox_item(db_session(), g.zz_tenant.ref(), item_id) or not_found()


def _page(item: dict, form: Form) -> tuple[str, int]:
    can_ack = "inbox.acknowledge" in g.zz_identity.permissions
    return (render_page("console/inbox_item.html", item=item, form=form, can_ack=can_ack,
                        kind_label=kind_label), 422 if form.errors else 200)


@bp.route("/counties/<county>/inbox/<uuid:item_id>")
@requires("rollups.read")
def county_inbox_item(item_id: uuid.UUID, county: str | None = None) -> tuple[str, int]:
    """One report as the township sent it, its deadline, and the county's receipt."""
    return _page(_item(item_id), Form(AcknowledgementIn))


@bp.route("/counties/<county>/inbox/<uuid:item_id>/acknowledgement", methods=["POST"])
@requires("inbox.acknowledge")
def county_inbox_acknowledge(item_id: uuid.UUID,
                             county: str | None = None) -> Response | tuple[str, int]:
    """Acknowledge the report (簽收) with a note; the township sees it on its report."""
    item = _item(item_id)
    form = Form(AcknowledgementIn)
    if form.submit(lambda db, data: service.acknowledge(
            db, g.zz_tenant.ref(), item_id, data["note"], g.zz_identity.user_id)) is not None:
        flash(_("The report was acknowledged; the township sees your note."))
        return redirect(url_for("console.county_inbox_item", county=g.zz_tenant.slug,
                                item_id=item_id))
    return _page(item, form)
