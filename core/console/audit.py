"""The township's audit log page: the API's ``GET …/audit`` (same query, same statement),
newest first, 50 to a page, each entry's before and after as a readable diff."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from zerenzhi.audit.models import AuditEntry
from zerenzhi.auth.models import Member
from zerenzhi.auth.permissions import requires
from zerenzhi.console.forms import Pager
from zerenzhi.console.i18n import translate_errors
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.listing import listed
from zerenzhi.db.session import session as db_session
from zerenzhi.domain import DomainError
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.routes.audit import AuditQuery

PAGE_SIZE = 50
HIDDEN = frozenset({"tenant_id", "id", "created_at", "updated_at"})  # noise in every diff
NAMES = ("name", "title", "display_name", "username", "code")  # what names an entity
VERBS = {"create": _l("created"), "update": _l("changed"), "archive": _l("archived"),
         "delete": _l("removed"), "restore": _l("restored")}

# core's record types in words; a plugin's keep their table name (its own pages name them)
ENTITIES = {"member": _l("member"), "position": _l("post"), "tenant": _l("township"),
            "user_account": _l("account"), "org_unit": _l("unit"),
            "tenant_plugin": _l("module"), "obligation": _l("obligation"),
            "rule_version": _l("rule version"), "inbox_item": _l("inbox item"),
            "attachment": _l("attachment"), "directive": _l("directive"),
            "directive_report": _l("directive report"), "fulfilment": _l("fulfilment")}


class AuditPageQuery(AuditQuery):
    """The API's audit query plus the page number."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100000))



def _query(zone: ZoneInfo) -> tuple[dict[str, Any], dict[str, str]]:
    """The query string by the API's schema. The form's date fields give local days; the
    API takes moments, so a day becomes its local midnight (``to``: the next one)."""
    args = {k: v.strip() for k, v in request.args.items() if v.strip()}
    shown = dict(args)
    for key, days in (("from", 0), ("to", 1)):
        value = args.get(key)
        if value and len(value) == 10:
            try:
                day = dt.date.fromisoformat(value) + dt.timedelta(days=days)
            except ValueError:
                continue
            args[key] = dt.datetime.combine(day, dt.time(), zone).isoformat()
    try:
        return AuditPageQuery().load(args), shown
    except ma.ValidationError as error:
        field, messages = next(iter(translate_errors(error.messages).items()))
        raise DomainError(field, f"{field}: {' '.join(messages)}", location="query") from error


def _names(db) -> dict[str, str]:
    """Members and units by id, so a diff shows people and units, not ids."""
    names = {str(m.id): m.display_name for m in db.scalars(select(Member))}
    names.update({str(u.id): u.name for u in db.scalars(select(OrgUnit))})
    return names


def _shown(value: Any, names: dict[str, str]) -> dict[str, Any]:
    """A value as the page shows it: a known id as its name, another id kept out of sight
    (in a title, for the auditor who needs it), anything else as text."""
    if isinstance(value, str):
        try:
            uuid.UUID(value)
        except ValueError:
            return {"text": value}
        return {"text": names.get(value, _("(linked record)")), "ref": value}
    if value is None:
        return {"text": "—"}
    if isinstance(value, bool):
        return {"text": _("yes") if value else _("no")}
    if isinstance(value, list):
        return {"text": "、".join(_shown(v, names)["text"] for v in value) or "—"}
    return {"text": str(value)}


def _entry(entry: AuditEntry, names: dict[str, str]) -> dict[str, Any]:
    before, after = entry.before or {}, entry.after or {}
    changes = [{"field": key, "before": _shown(before.get(key), names),
                "after": _shown(after.get(key), names),
                "changed": before.get(key) != after.get(key)}
               for key in dict.fromkeys([*before, *after]) if key not in HIDDEN
               and (before.get(key) != after.get(key))]
    record = after or before
    name = next((str(record[k]) for k in NAMES if record.get(k)), None) or names.get(
        entry.target_id or "")
    entity, _dot, verb = entry.action.rpartition(".")
    return {"seq": entry.seq, "at": entry.at, "actor": entry.actor, "action": entry.action,
            "verb": str(VERBS[verb]) if verb in VERBS else verb,
            "entity": str(ENTITIES.get(entity or entry.target_type)
                          or (entity or entry.target_type).replace("_", " ")), "name": name,
            "changes": changes, "both": bool(before) and bool(after)}


def _options(db, column) -> list[str]:
    return list(db.scalars(select(column).distinct().order_by(column)))


@bp.route("/townships/<township>/audit")
@requires("audit.read")
def audit(township: str | None = None) -> str:
    """The audit log (the API's ``GET …/audit``), filtered by action, entity type, actor
    and days, newest first."""
    query, shown = _query(ZoneInfo(g.zz_tenant.timezone))
    db, pager = db_session(), Pager(query.pop("page"), PAGE_SIZE)
    during = [AuditEntry.at >= query["since"]] if "since" in query else []
    during += [AuditEntry.at < query["until"]] if "until" in query else []
    statement = listed(AuditEntry, query, order_by=(AuditEntry.seq.desc(),),
                       match=("action", "target_type", "target_id", "actor")).where(*during)
    rows = db.execute(statement.add_columns(func.count().over()).limit(PAGE_SIZE)
                      .offset((pager.page - 1) * PAGE_SIZE)).all()
    pager.item_count = rows[0][-1] if rows else db.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery()))
    names = _names(db)
    args = {k: v for k, v in shown.items() if k != "page"}
    return render_page(
        "console/audit.html", entries=[_entry(row[0], names) for row in rows], pager=pager,
        shown=shown, actions=_options(db, AuditEntry.action),
        types=_options(db, AuditEntry.target_type), actors=_options(db, AuditEntry.actor),
        page_url=lambda page: url_for("console.audit", township=g.zz_tenant.slug,
                                      **args, page=page))
