"""The plugin's console page: the township's greetings and a form to record one.

A plugin's pages are a plain ``flask.Blueprint`` handed to core through the
``register_pages`` hook as ``zerenzhi.Pages``. Core mounts it at
``/townships/<township>/hello`` behind the console's login session, CSRF check and error
pages, and answers 404 where the township has not enabled the module; each view still
declares the permission its API route uses. The view calls the same service as the API
route, and ``Form`` parses the posted fields with the API's own input schema, so the page
accepts nothing the API would refuse.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from zerenzhi import (
    Form,
    Label,
    NavEntry,
    Pages,
    can_write_unit,
    render_page,
    require_tenant,
    require_unit_write,
    requires,
    session,
    units_of_kind,
)

from zerenzhi_hello import services
from zerenzhi_hello.models import Greeting
from zerenzhi_hello.routes import HelloGreetingIn

# The blueprint's name must differ from the API blueprint's ("hello").
bp = Blueprint("hello_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("hello_pages.greetings", Label("問候", "Greetings"), "hello.greeting.read",
                  order=200),),
    translations=Path(__file__).parent / "translations",
)
SHOWN = 100  # the newest greetings on the page


def _page(form: Form) -> tuple[str, int]:
    """The list and the form; 422 when a post was refused (it re-renders with messages)."""
    db = session()
    names = {unit.id: unit.name for unit in units_of_kind(db)}
    greetings = db.scalars(select(Greeting).where(Greeting.archived_at.is_(None)).order_by(
        Greeting.greeted_at.desc(), Greeting.id).limit(SHOWN)).all()
    units = [(str(unit_id), name) for unit_id, name in names.items() if can_write_unit(unit_id)]
    return render_page("hello/greetings.html", greetings=greetings, names=names, units=units,
                       form=form), 422 if form.errors else 200


@bp.route("/")
@requires("hello.greeting.read")
def greetings() -> tuple[str, int]:
    """The township's greetings, newest first, with the unit each went to."""
    return _page(Form(HelloGreetingIn, initial={"message": "你好"}))


@bp.route("/greet", methods=["POST"])
@requires("hello.greeting.write")
def greet() -> Response | tuple[str, int]:
    """Record a greeting as ``POST .../hello/greetings`` does: the same schema and service."""
    form = Form(HelloGreetingIn)

    def write(db: Session, data: dict) -> Greeting:
        require_unit_write(data["unit_id"])
        return services.record_greeting(db, **data)

    if form.submit(write) is not None:
        flash(_("The greeting was recorded."))
        return redirect(url_for(".greetings", township=require_tenant().slug))
    return _page(form)
