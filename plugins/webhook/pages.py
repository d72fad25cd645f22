"""The webhook module's console page (issue 15): where the township's messages go (the
target, its format and events; the signing secret only as set or not), a test message, and
the delivery log — what was sent, retried or given up on. The settings themselves are edited
on the module's settings page (the same form every module has, secrets write-only)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import marshmallow as ma
from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from zerenzhi import (
    N_,
    Form,
    Label,
    NavEntry,
    Pager,
    Pages,
    load_query,
    plugin_settings,
    render_page,
    require_tenant,
    requires,
    session,
)
from zerenzhi.plugins.webhook import services
from zerenzhi.plugins.webhook.models import STATUSES
from zerenzhi.plugins.webhook.routes import DeliveryQuery, TestIn

bp = Blueprint("webhook_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("webhook_pages.index", Label("推送", "Webhook"), "webhook.deliveries.read",
                  order=120),),
    translations=Path(__file__).parent / "translations",
)
PAGE_SIZE = 50
STATUS_CSS = {"pending": "due_soon", "delivered": "fulfilled", "failed": "overdue"}


SERVICE_MESSAGES = (N_("set the target address in the module's settings first"),)


class LogQuery(DeliveryQuery):
    """The API's delivery-log filters plus the page number."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100000))



def shown_target(url: str | None) -> str | None:
    """The target without its query: a robot's key or token rides there and is as secret
    as the signing secret, so the page shows where, never the key."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")


@bp.route("/")
@requires("webhook.deliveries.read")
def index(form: Form | None = None) -> str | tuple[str, int]:
    """The target, the test button and the delivery log, newest first, 50 to a page."""
    query = load_query(LogQuery)
    settings = plugin_settings("webhook")
    statement = services.delivery_log({k: v for k, v in query.items() if k != "page"})
    db = session()
    pager = Pager(query["page"], PAGE_SIZE, db.scalar(select(func.count()).select_from(
        statement.order_by(None).subquery())) or 0)
    rows = db.scalars(statement.limit(PAGE_SIZE).offset((pager.page - 1) * PAGE_SIZE)).all()
    return render_page("webhook/index.html", rows=rows, pager=pager, query=query,
                       target=shown_target(settings.get("url")), settings=settings,
                       statuses=STATUSES, status_css=STATUS_CSS, form=form or Form(TestIn))


@bp.route("/test", methods=["POST"])
@requires("webhook.test.send")
def test() -> Response | tuple[str | tuple[str, int], int]:
    """Queue a test message (the API's ``POST …/webhook/test``)."""
    form = Form(TestIn)
    settings = plugin_settings("webhook")
    if form.submit(lambda db, _data: services.queue_test(db, require_tenant(),
                                                          settings)) is not None:
        flash(_("A test message was queued: its answer appears in the log within a minute."))
        return redirect(url_for(".index", township=require_tenant().slug))
    return index(form), 422
