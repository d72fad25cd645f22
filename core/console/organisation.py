"""The township's organisation pages (issue 14): the unit tree, the members and their posts
with their history, and the admin's forms (add a unit, an account, a post; end a post).

Every write calls the service the API route calls, with the same permission on the view,
so a page can do nothing the API would refuse. Responsibility follows the post: a member's
page lists the open obligations their posts owe now, and ending a post shows who holds it
next (the obligations go with the post, not the person).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from zerenzhi.auth import users
from zerenzhi.auth.grants import grantable_roles
from zerenzhi.auth.models import Member, Position
from zerenzhi.auth.permissions import requires
from zerenzhi.auth.roles import ROLES
from zerenzhi.auth.scope import current_identity
from zerenzhi.console.forms import Form
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session as db_session
from zerenzhi.db.session import writing
from zerenzhi.labels import render
from zerenzhi.obligations import service as obligations
from zerenzhi.orgunits import service as units
from zerenzhi.orgunits.models import UNIT_KINDS, OrgUnit
from zerenzhi.routes.common import get_or_404
from zerenzhi.routes.units import UnitIn
from zerenzhi.routes.users import PositionIn, UserIn
from zerenzhi.tenancy.clock import today
from zerenzhi.web.pipeline import not_found

OWED_AHEAD_DAYS = 183  # a member's page lists what their posts owe in the next half-year
OPEN = ("overdue", "due_soon", "upcoming")


def N_(text: str) -> str:
    return text


# the services' own messages a page can meet, in this area's catalogue
SERVICE_MESSAGES = (
    N_("every unit but the committee has a parent"),
    N_("no such unit in this township"),
    N_("a unit cannot be placed under itself"),
    N_("the township already has its committee"),
    N_("the committee is the root of the tree"),
    N_("this username is not available"),
    N_("letters, digits, '.', '_' and '-'"),
    N_("3–150 letters, digits, '.', '_', '@' or '-'"),
)


def kind_label(kind: str) -> str:
    return {"committee": _("Party committee"), "branch": _("Party branch"),
            "village": _("Village"), "station": _("Station"),
            "office": _("Office")}.get(kind, kind)


def _can(permission: str) -> bool:
    return permission in g.zz_identity.permissions


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, township=g.zz_tenant.slug, **values)


def _units(db: Session) -> list[OrgUnit]:
    return list(db.scalars(select(OrgUnit).where(OrgUnit.archived_at.is_(None))
                           .order_by(OrgUnit.code)))


def _tree(all_units: list[OrgUnit]) -> list[tuple[int, OrgUnit]]:
    """The units depth-first under the committee, as (depth, unit); orphans last."""
    children: dict[uuid.UUID | None, list[OrgUnit]] = {}
    for unit in all_units:
        children.setdefault(unit.parent_id, []).append(unit)
    ids = {unit.id for unit in all_units}
    rows: list[tuple[int, OrgUnit]] = []

    def walk(unit: OrgUnit, depth: int) -> None:
        rows.append((depth, unit))
        for child in children.get(unit.id, ()):
            walk(child, depth + 1)

    for unit in all_units:
        if unit.parent_id is None or unit.parent_id not in ids:
            walk(unit, 0)
    return rows


def role_label(role: str) -> str:
    spec = ROLES.get(role)
    return render(spec.label) if spec else role


def _choices(db: Session) -> dict[str, list[tuple[str, str]]]:
    """Pick lists: units (by code and name), unit kinds, the roles this user may post to."""
    grantable = grantable_roles(g.zz_identity.permissions)
    return {
        "units": [(str(u.id), f"{u.name} ({u.code})") for u in _units(db)],
        "kinds": [(kind, kind_label(kind)) for kind in UNIT_KINDS],
        "roles": [(name, render(role.label)) for name, role in ROLES.items()
                  if role.tenant_kind == "township" and name in grantable],
    }


def _post_view(post: Position, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {"id": post.id, "role": post.role, "role_label": role_label(post.role),
            "unit": names.get(post.unit_id, "") if post.unit_id else "",
            "started_at": post.started_at, "ended_at": post.ended_at}


@bp.route("/townships/<township>/organisation")
@requires("units.read")
def organisation(township: str | None = None) -> str:
    """組織架構: the unit tree and, for readers of users, the members and their posts."""
    db = db_session()
    all_units = _units(db)
    names = {unit.id: unit.name for unit in all_units}
    members = []
    if _can("users.read"):
        rows = list(db.scalars(select(Member).where(Member.archived_at.is_(None))
                               .order_by(Member.display_name, Member.id)))
        for view in users.user_views(db, rows):
            view["posts"] = [_post_view(p, names) for p in view["positions"]]
            members.append(view)
    return render_page("console/organisation.html", tree=_tree(all_units), members=members,
                       kind_label=kind_label, can=_can)


def answered(template: str, form: Form, **context: Any) -> tuple[str, int]:
    """A form page: 422 when a post was refused (it re-renders with field messages)."""
    return render_page(template, form=form, **context), 422 if form.errors else 200


@bp.route("/townships/<township>/organisation/units/new", methods=["GET", "POST"])
@requires("units.write")
def unit_new(township: str | None = None) -> Response | tuple[str, int]:
    """Add a unit under a parent, as ``POST .../units`` does."""
    form = Form(UnitIn)
    unit = form.submit(lambda db, data: units.create_unit(db, **data))
    if unit is not None:
        flash(_("Unit %(name)s added.", name=unit.name))
        return redirect(_url("console.organisation") + f"#unit-{unit.code}")
    return answered("console/organisation_unit.html", form, choices=_choices(db_session()))


@bp.route("/townships/<township>/organisation/members/new", methods=["GET", "POST"])
@requires("users.write")
def member_new(township: str | None = None) -> Response | tuple[str, int]:
    """Add an account of this township, as ``POST .../users`` does (its first post is
    assigned on the member's page, by a holder of users.grant)."""
    form = Form(UserIn)
    member = form.submit(lambda db, data: users.create_user(db, **data,
                                                            by=current_identity()))
    if member is not None:
        flash(_("Account %(name)s added. Assign a post below.", name=member.display_name))
        return redirect(_url("console.member", member_id=member.id))
    return answered("console/organisation_member_new.html", form)


def _owed(db: Session, member_id: uuid.UUID) -> list[dict[str, Any]]:
    """The open obligations the member's posts owe now (the calendar's ``responsible``)."""
    day, now = today(), utcnow()
    rows = db.execute(obligations.calendar_query(
        db, start=None, end=day + dt.timedelta(days=OWED_AHEAD_DAYS), now=now,
        due_soon_days=14, statuses=OPEN, responsible=member_id)).all()
    return obligations.describe(rows, db, now)


def _holders(db: Session, post: Position, *, besides: uuid.UUID | None = None) -> list[str]:
    """Who holds the same post (role at unit) now: the obligations are theirs."""
    ids = [member_id for member_id in db.scalars(select(Position.member_id).where(
        Position.role == post.role, Position.unit_id == post.unit_id,
        Position.ended_at.is_(None))) if member_id != besides]
    if not ids:
        return []
    return list(db.scalars(select(Member.display_name).where(Member.id.in_(ids))
                           .order_by(Member.display_name)))


def _member_page(member: Member, form: Form | None = None) -> tuple[str, int]:
    db = db_session()
    all_units = _units(db)
    names = {unit.id: unit.name for unit in all_units}
    view = users.user_views(db, [member])[0]
    history = [_post_view(p, names) for p in users.member_positions(db, member.id)]
    form = form or Form(PositionIn)
    return answered("console/organisation_member.html", form, member=view,
                    current=[p for p in history if p["ended_at"] is None],
                    ended=[p for p in reversed(history) if p["ended_at"] is not None],
                    owed=_owed(db, member.id), choices=_choices(db), can=_can)


@bp.route("/townships/<township>/organisation/members/<uuid:member_id>")
@requires("users.read")
def member(member_id: uuid.UUID, township: str | None = None) -> tuple[str, int]:
    """One member: the posts held now and before, and what those posts owe now."""
    return _member_page(get_or_404(Member, member_id))


@bp.route("/townships/<township>/organisation/members/<uuid:member_id>/posts",
          methods=["POST"])
@requires("users.grant")
def post_add(member_id: uuid.UUID, township: str | None = None) -> Response | tuple[str, int]:
    """Post the member to a role at a unit, as ``POST .../positions`` does (leaders and
    viewers need users.grant_leadership: the service's grant check decides)."""
    target = get_or_404(Member, member_id)
    form = Form(PositionIn)
    post = form.submit(lambda db, data: users.add_position(
        db, target, data["role"], data.get("unit_id"), by=current_identity()))
    if post is None:
        return _member_page(target, form)
    flash(_("%(name)s now holds the post %(post)s: the obligations below follow it.",
            name=target.display_name, post=role_label(post.role)))
    return redirect(_url("console.member", member_id=target.id))


def _post_owes(db: Session, post: Position) -> list[dict[str, Any]]:
    """The open obligations this one post (role at unit) owes, of those its holder owes."""
    return [item for item in _owed(db, post.member_id)
            if item["responsible_role"] == post.role
            and str(item["unit_id"]) == str(post.unit_id)]


@bp.route("/townships/<township>/organisation/members/<uuid:member_id>/posts/"
          "<uuid:position_id>/end", methods=["GET", "POST"])
@requires("users.write")
def post_end(member_id: uuid.UUID, position_id: uuid.UUID,
             township: str | None = None) -> Response | str:
    """Hand a post over: the GET shows what the post owes and who else holds it; the POST
    ends it (kept in the history), as ``DELETE .../positions/<id>`` does."""
    post = get_or_404(Position, position_id)
    if post.member_id != member_id:  # another member's post is as unknown as none
        not_found()
    if request.method == "GET":
        db = db_session()
        holder = get_or_404(Member, member_id)
        names = {unit.id: unit.name for unit in _units(db)}
        return render_page("console/organisation_handover.html", member=holder,
                           post=_post_view(post, names),
                           owes=_post_owes(db, post),
                           others=_holders(db, post, besides=member_id))
    with writing() as db:
        users.end_position(db, post)
        holders = _holders(db, post)
    label = role_label(post.role)
    if holders:
        flash(_("Post %(post)s ended. Its obligations now go to %(names)s.",
                post=label, names="、".join(holders)))
    else:
        flash(_("Post %(post)s ended. Nobody holds it now: its obligations show it vacant "
                "until someone is posted to it.", post=label))
    return redirect(_url("console.member", member_id=member_id))
