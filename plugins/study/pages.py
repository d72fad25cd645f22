"""The study module's console pages (issue 14): sessions (list, record with attendance
ticked per member, edit with the version shown, archive), plans with their progress, and
the spreadsheet import with its row errors. Every page calls the service the API route
calls, with the API route's permission and input schema, so a session recorded here
counts toward W2/W3 exactly as one posted to the API."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import uuid
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Blueprint, Response, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from zerenzhi import (
    N_,
    DomainError,
    Form,
    Label,
    NavEntry,
    Pager,
    Pages,
    can_write_unit,
    get_or_404,
    listed,
    load_query,
    page_answer,
    plugin_settings,
    render_page,
    require_unit_write,
    requires,
    session,
    today,
    township_members,
    township_url,
    unit_members,
    units_of_kind,
    writing,
)
from zerenzhi.plugins.study import importer, plans, services
from zerenzhi.plugins.study.bounds import MAX_FILE_BYTES
from zerenzhi.plugins.study.models import StudyMeeting, StudyPlan
from zerenzhi.plugins.study.schemas import (
    DUPLICATES,
    StudyImportQuery,
    StudyMeetingIn,
    StudyMeetingOut,
    StudyMeetingPatch,
    StudyMeetingQuery,
    StudyPlanIn,
    StudyPlanOut,
    StudyPlanPatch,
    StudyPlanQuery,
)
from zerenzhi.plugins.study.settings import KINDS

bp = Blueprint("study_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("study_pages.sessions", Label("學習", "Study"), "study.session.read",
                  order=60),),
    translations=Path(__file__).parent / "translations",
)
PAGE_SIZE = 30
LIST_LIMIT = 200
BLANK_ITEMS = 3  # empty rows offered below a plan's items
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# the services' and schemas' own messages a page can meet, in this module's catalogue
SERVICE_MESSAGES = (
    N_("not a member posted to this session's unit"),
    N_("listed twice"),
    N_("an absent member needs a reason"),
    N_("an archived session cannot change"),
    N_("an archived plan cannot change"),
    N_("this unit already has a plan for that year"),
    N_("this unit is outside your posts' scope"),
    N_("no such unit in this township"),
    N_("cannot be in the future"),
)
KIND_LABELS = {  # kind -> (label, the clause it counts for by default)
    "centralised": (_l("Centralised study"), "W3"),
    "special_study": (_l("Special deliberation"), "W2"),
    "training": (_l("Training"), "M5"),
}
COUNTS = {  # rule -> (its clause, what a session counts as there)
    "study.secretary_special_study": ("W2", _l("special deliberation")),
    "study.branch_theory_study": ("W3", _l("theory study")),
    "study.branch_ideology_study": ("W3", _l("on ideology work")),
}
PROGRESS_STATUS = {"held": ("fulfilled", _l("Held")), "due": ("due_soon", _l("Due")),
                   "missed": ("overdue", _l("Missed")),
                   "upcoming": ("upcoming", _l("Upcoming"))}
STALE = _l("Someone changed this record after you opened it. Your changes were not saved: "
           "here is the current version; make them again.")


def _settings() -> dict:
    return plugin_settings("study")


def kinds() -> list[tuple[str, str]]:
    return [(kind, f"{KIND_LABELS[kind][0]} ({KIND_LABELS[kind][1]})") for kind in KINDS]


def unit_names() -> dict[uuid.UUID, str]:
    return {unit.id: unit.name for unit in units_of_kind(session())}


def writable_units() -> list[tuple[str, str]]:
    """The units the caller may record for (a branch secretary: their branch), as a pick list."""
    return [(str(unit.id), unit.name) for unit in units_of_kind(session())
            if can_write_unit(unit.id)]


# --- the lost-update guard ------------------------------------------------------------------


def version(dumped: dict) -> str:
    """A record's version: sha1 of the API schema's dump, as its ETag is made. An edit form
    carries it in a hidden field."""
    return hashlib.sha1(json.dumps(dumped, sort_keys=True, default=str).encode()).hexdigest()


def meeting_version(db: Session, row: StudyMeeting) -> str:
    return version(StudyMeetingOut().dump(services.shown(db, [row], _settings())[0]))


def plan_version(row: StudyPlan) -> str:
    return version(StudyPlanOut().dump(row))


def unchanged(db: Session, row: Any, current: Any) -> None:
    """Refuse a save when the record changed since its form was shown. A no-op UPDATE first
    locks the row (SQLite: the database) until the commit, as the API's ETag check does, so
    of two saves of one version only the first passes and the second sees its change."""
    table = type(row).__table__
    db.execute(update(table).where(table.c.tenant_id == row.tenant_id, table.c.id == row.id)
               .values(updated_at=table.c.updated_at))
    db.expire_all()
    if request.form.get("version") != current(db, row):
        raise DomainError("_schema", str(STALE), 412)


# --- sessions: the list -----------------------------------------------------------------------


class SessionPageQuery(StudyMeetingQuery):
    """The API's list query plus the page number."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100000))



@bp.route("/")
@requires("study.session.read")
def sessions() -> str:
    """The township's study sessions, newest first, filtered as the API's list is; each with
    the rules it counts toward (W2, W3) and its attendance."""
    query = load_query(SessionPageQuery)
    pager, db = Pager(query.pop("page"), PAGE_SIZE), session()
    statement = services.meetings(query)
    pager.item_count = db.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.scalars(statement.limit(PAGE_SIZE).offset((pager.page - 1) * PAGE_SIZE)).all()
    args = {k: v for k, v in request.args.items() if v.strip() and k != "page"}
    return render_page(
        "study/sessions.html", rows=services.shown(db, rows, _settings()), pager=pager,
        names=unit_names(), kinds=kinds(), kind_labels=KIND_LABELS, counts=COUNTS, shown=args,
        years=range(today().year, today().year - 6, -1),
        page_url=lambda page: township_url(".sessions", **args, page=page))


# --- sessions: record, edit, archive ------------------------------------------------------


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def _materials(lines: list[str]) -> list[dict]:
    """One material a line: its title, then (optionally) a link after a space or "|"."""
    found = []
    for line in lines:
        title, _sep, url = line.replace("|", " ").rpartition(" ")
        if url.startswith(("http://", "https://")) and title.strip():
            found.append({"title": title.strip(), "url": url})
        else:
            found.append({"title": line, "url": None})
    return found


def _attendance(data: dict) -> dict:
    """Every listed member of the unit (``member`` fields) is present when ticked, else absent
    with the reason typed beside them: the API's ``attendance`` list."""
    members = request.form.getlist("member")
    present = set(request.form.getlist("present"))
    data["attendance"] = [
        {"member_id": member, "present": member in present,
         "absence_reason": request.form.get(f"reason-{member}", "").strip() or None}
        for member in members]
    if "topics_text" in request.form:
        data["topics"] = _lines("topics_text")
    if "materials_text" in request.form:
        data["materials"] = _materials(_lines("materials_text"))
    return data


def _member_errors(form: Form) -> dict[str, str]:
    """Messages on ``attendance.<n>.…`` moved to the member of row ``n`` (the page lists
    members, not indexes); anything else about attendance stays on the list."""
    posted = request.form.getlist("member")
    found: dict[str, str] = {}
    for key in [k for k in form.errors if k.startswith("attendance.")]:
        index = key.split(".")[1]
        if index.isdigit() and int(index) < len(posted):
            found[posted[int(index)]] = form.error(key)
        else:
            form.errors.setdefault("attendance", []).extend(form.errors[key])
    if found and "attendance" not in form.errors:
        form.errors["attendance"] = [_("Check the attendance marked below.")]
    return found


def _roster(unit_id: uuid.UUID, row: StudyMeeting | None, fresh: bool = False) -> list[dict]:
    """The unit's members now, each with what the form shows for them: as posted (after a
    refused save), else ticked present (everyone, on a new record) or as recorded, and an
    absence reason."""
    recorded = {a.member_id: a for a in row.attendance if a.archived_at is None} if row else {}
    posted = request.method == "POST" and not fresh
    ticked = set(request.form.getlist("present"))
    people: dict[uuid.UUID, dict] = {}
    for member_id, name, _role in unit_members(session(), unit_id):
        if member_id in people:
            continue
        key, was = str(member_id), recorded.get(member_id)
        people[member_id] = {
            "id": key, "name": name,
            "present": key in ticked if posted else (was.present if was else row is None),
            "reason": request.form.get(f"reason-{key}", "") if posted
            else ((was.absence_reason or "") if was else "")}
    return list(people.values())


def _meeting_page(form: Form, row: StudyMeeting | None, unit_id: uuid.UUID | None,
                  units: list[tuple[str, str]], fresh: bool = False) -> tuple[str, int]:
    member_errors = _member_errors(form) if form.errors else {}
    if request.method == "POST" and not fresh:  # the text fields as typed
        form.values |= {k: request.form.get(k, "") for k in ("topics_text", "materials_text")}
    db = session()
    return page_answer(render_page(
        "study/session_form.html", form=form, row=row, units=units,
        unit_id=str(unit_id) if unit_id else "", kinds=kinds(),
        roster=_roster(unit_id, row, fresh) if unit_id else [], member_errors=member_errors,
        unit_name=unit_names().get(unit_id, "") if unit_id else "",
        today_iso=today().isoformat(),
        version=meeting_version(db, row) if row else None), form)


def _chosen_unit(units: list[tuple[str, str]]) -> uuid.UUID | None:
    """The unit the form records for: posted, asked for (``?unit_id=``), or the only one."""
    wanted = request.form.get("unit_id") or request.args.get("unit_id")
    if wanted in {value for value, _name in units}:
        return uuid.UUID(wanted)
    return uuid.UUID(units[0][0]) if len(units) == 1 else None


@bp.route("/sessions/new", methods=["GET", "POST"])
@requires("study.session.write")
def new_session() -> Response | tuple[str, int]:
    """Record a session, attendance ticked per member of its unit: it counts toward W2/W3
    in the same transaction, as through the API."""
    units = writable_units()
    unit_id = _chosen_unit(units)
    form = Form(StudyMeetingIn, initial={"held_on": today().isoformat(), "kind": KINDS[0],
                                         "unit_id": str(unit_id or "")}, prepare=_attendance)

    def write(db: Session, data: dict) -> StudyMeeting:
        require_unit_write(data["unit_id"])
        return services.record_meeting(db, data, _settings())

    if (row := form.submit(write)) is not None:
        flash(_("The session was recorded."))
        return redirect(township_url(".session_page", session_id=row.id))
    return _meeting_page(form, None, unit_id, units)


@bp.route("/sessions/<uuid:session_id>")
@requires("study.session.read")
def session_page(session_id) -> str:
    """One session: its attendance by name, materials, and the rules it counts toward."""
    row = get_or_404(StudyMeeting, session_id)
    db = session()
    shown = services.shown(db, [row], _settings())[0]
    people = {k: v.display_name for k, v in township_members(
        db, [a.member_id for a in row.attendance]).items()} if row.attendance else {}
    return render_page("study/session.html", row=row, shown=shown, people=people,
                       unit_name=unit_names().get(row.unit_id, ""), kind_labels=KIND_LABELS,
                       counts=COUNTS, can_write=can_write_unit(row.unit_id),
                       version=meeting_version(db, row))


def _meeting_values(row: StudyMeeting) -> dict:
    return {"unit_id": str(row.unit_id), "held_on": row.held_on.isoformat(),
            "start_time": row.start_time.strftime("%H:%M") if row.start_time else "",
            "kind": row.kind, "title": row.title, "ideology": row.ideology,
            "presenter": row.presenter or "", "minutes": row.minutes or "",
            "topics_text": "\n".join(row.topics or []),
            "materials_text": "\n".join(
                f"{m['title']} {m['url']}" if m.get("url") else m["title"]
                for m in row.materials or [])}


@bp.route("/sessions/<uuid:session_id>/edit", methods=["GET", "POST"])
@requires("study.session.write")
def edit_session(session_id) -> Response | tuple[str, int]:
    """Change a session of the same unit; the version shown travels with the form, and a save
    over someone else's change is refused with the current record shown."""
    row = get_or_404(StudyMeeting, session_id)
    require_unit_write(row.unit_id)
    form = Form(StudyMeetingPatch, initial=_meeting_values(row), prepare=_attendance)

    def save(db: Session, data: dict) -> StudyMeeting:
        unchanged(db, row, meeting_version)
        data.pop("unit_id", None)  # the unit is not changed here (its roster would not match)
        return services.update_meeting(db, row, data, _settings())

    if form.submit(save) is not None:
        flash(_("The session was saved."))
        return redirect(township_url(".session_page", session_id=row.id))
    stale = form.errors.get("_schema") == [str(STALE)]
    if stale:  # show what is there now, not what was refused
        session().refresh(row)
        form.values = {**form.values, **_meeting_values(row)}
    return _meeting_page(form, row, row.unit_id, [], fresh=stale)


@bp.route("/sessions/<uuid:session_id>/archive", methods=["POST"])
@requires("study.session.write")
def archive_session(session_id) -> Response:
    """Archive (never delete) the version shown: the session stops counting."""
    row = get_or_404(StudyMeeting, session_id)
    try:
        with writing() as db:
            unchanged(db, row, meeting_version)
            require_unit_write(row.unit_id)
            services.archive_meeting(db, row)
    except DomainError as error:
        flash(str(STALE) if error.status == 412 else error.message)
        return redirect(township_url(".session_page", session_id=row.id))
    flash(_("The session was archived: it no longer counts."))
    return redirect(township_url(".sessions"))


# --- plans and their progress --------------------------------------------------------------


@bp.route("/plans")
@requires("study.plan.read")
def plans_page() -> str:
    """Study plans by year and unit, as the API lists them."""
    query = load_query(StudyPlanQuery)
    rows = session().scalars(listed(StudyPlan, query, match=("unit_id", "year"), order_by=(
        StudyPlan.year.desc(), StudyPlan.id)).limit(LIST_LIMIT)).all()
    return render_page("study/plans.html", rows=rows, names=unit_names(),
                       shown={k: v for k, v in request.args.items() if v.strip()},
                       years=range(today().year + 1, today().year - 5, -1))


def _items(data: dict) -> dict:
    """The plan's rows of the form (date, topic, kind, ideology side by side) as the API's
    ``items``; rows left blank are dropped."""
    if "item_on" not in request.form:
        return data
    ideology = set(request.form.getlist("item_ideology"))
    rows = zip(request.form.getlist("item_on"), request.form.getlist("item_topic"),
               request.form.getlist("item_kind"), strict=False)
    data["items"] = [{"planned_on": day, "topic": topic.strip(), "kind": kind,
                      "ideology": str(index) in ideology}
                     for index, (day, topic, kind) in enumerate(rows)
                     if day.strip() or topic.strip()]
    return data


def _plan_rows(row: StudyPlan | None, fresh: bool = False) -> list[dict]:
    """The item rows to show: as posted (after a refused save), else the plan's, and a few
    blank rows to add more."""
    if request.method == "POST" and not fresh and "item_on" in request.form:
        ideology = set(request.form.getlist("item_ideology"))
        items = [{"planned_on": d, "topic": t, "kind": k, "ideology": str(i) in ideology}
                 for i, (d, t, k) in enumerate(zip(
                     request.form.getlist("item_on"), request.form.getlist("item_topic"),
                     request.form.getlist("item_kind"), strict=False)) if d.strip() or t.strip()]
    else:
        items = list(row.items or []) if row is not None else []
    blank = {"planned_on": "", "topic": "", "kind": KINDS[0], "ideology": False}
    return [*items, *(dict(blank) for _n in range(BLANK_ITEMS))]


def _plan_page(form: Form, row: StudyPlan | None, fresh: bool = False) -> tuple[str, int]:
    item_errors = [m for key, messages in form.errors.items() if key.startswith("items")
                   for m in messages]
    return page_answer(render_page(
        "study/plan_form.html", form=form, row=row, units=writable_units(), kinds=kinds(),
        items=_plan_rows(row, fresh), item_errors=item_errors,
        unit_name=unit_names().get(row.unit_id, "") if row else "",
        version=plan_version(row) if row else None), form)


@bp.route("/plans/new", methods=["GET", "POST"])
@requires("study.plan.write")
def new_plan() -> Response | tuple[str, int]:
    """A unit's plan for a year: topics and planned dates (one live plan per year)."""
    units = writable_units()
    form = Form(StudyPlanIn, initial={"year": today().year,
                                      "unit_id": units[0][0] if len(units) == 1 else ""},
                prepare=_items)

    def write(db: Session, data: dict) -> StudyPlan:
        require_unit_write(data["unit_id"])
        return plans.create_plan(db, data)

    if (row := form.submit(write)) is not None:
        flash(_("The plan was saved."))
        return redirect(township_url(".plan", plan_id=row.id))
    return _plan_page(form, None)


@bp.route("/plans/<uuid:plan_id>")
@requires("study.plan.read")
def plan(plan_id) -> str:
    """A plan's items against the sessions held, and the unit's study obligations for the
    year (W2, W3) as judged now: the API's progress."""
    row = get_or_404(StudyPlan, plan_id)
    shown = plans.progress(session(), row, _settings())
    shown["items"] = [{**i, "planned_on": dt.date.fromisoformat(i["planned_on"])}
                      for i in shown["items"]]  # a day, shown in the page's language
    return render_page("study/plan.html", row=row, progress=shown, kind_labels=KIND_LABELS,
                       statuses=PROGRESS_STATUS, unit_name=unit_names().get(row.unit_id, ""),
                       can_write=can_write_unit(row.unit_id), version=plan_version(row))


@bp.route("/plans/<uuid:plan_id>/edit", methods=["GET", "POST"])
@requires("study.plan.write")
def edit_plan(plan_id) -> Response | tuple[str, int]:
    """Change a plan's title, year or items; a save over someone else's change is refused."""
    row = get_or_404(StudyPlan, plan_id)
    require_unit_write(row.unit_id)
    form = Form(StudyPlanPatch, initial={"year": row.year, "title": row.title},
                prepare=_items)

    def save(db: Session, data: dict) -> StudyPlan:
        unchanged(db, row, lambda _db, current: plan_version(current))
        return plans.update_plan(db, row, data)

    if form.submit(save) is not None:
        flash(_("The plan was saved."))
        return redirect(township_url(".plan", plan_id=row.id))
    stale = form.errors.get("_schema") == [str(STALE)]
    if stale:
        session().refresh(row)
        form.values = {**form.values, "year": row.year, "title": row.title}
    return _plan_page(form, row, fresh=stale)


@bp.route("/plans/<uuid:plan_id>/archive", methods=["POST"])
@requires("study.plan.write")
def archive_plan(plan_id) -> Response:
    """Archive (never delete) the version shown."""
    row = get_or_404(StudyPlan, plan_id)
    try:
        with writing() as db:
            unchanged(db, row, lambda _db, current: plan_version(current))
            require_unit_write(row.unit_id)
            plans.archive_plan(db, row)
    except DomainError as error:
        flash(str(STALE) if error.status == 412 else error.message)
        return redirect(township_url(".plan", plan_id=row.id))
    flash(_("The plan was archived."))
    return redirect(township_url(".plans_page"))


# --- the spreadsheet import ----------------------------------------------------------------


def _upload() -> FileStorage | None:
    """The file: uploaded now, or carried from the dry run the user is confirming."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload
    carried = request.form.get("content", "")
    if carried and len(carried) <= MAX_FILE_BYTES * 4 // 3 + 4:
        try:
            content = base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            return None
        return FileStorage(io.BytesIO(content), filename=request.form.get("filename", ""))
    return None


def _row_errors(body: dict) -> list[dict]:
    """Every bad or repeated row's messages as table rows: row, column, message."""
    found = []
    for result in body["results"]:
        for kind, messages in (("error", result["errors"]), ("duplicate", result["warnings"])):
            for column, texts in messages.items():
                found.extend({"row": result["row"], "column": column, "message": _(text),
                              "kind": kind} for text in texts)
    return found


@bp.route("/import", methods=["GET", "POST"])
@requires("study.session.import")
def import_page() -> Response | tuple[str, int]:
    """The office's spreadsheet: a dry run first (every row checked, row errors shown as a
    table), then the import of the same file, all or nothing, as the API's import."""
    if request.method == "GET":
        return render_page("study/import.html", body=None, errors=[], problem=None,
                           duplicates=DUPLICATES[0], carried=None, filename=""), 200
    query = StudyImportQuery().load({k: request.form[k] for k in ("dry_run", "duplicates")
                                     if request.form.get(k)})
    upload = _upload()
    if upload is None:
        return render_page("study/import.html", body=None, errors=[], carried=None,
                           problem=_("Choose the spreadsheet to import."), filename="",
                           duplicates=query["duplicates"]), 422
    content = upload.read()
    upload = FileStorage(io.BytesIO(content), filename=upload.filename)
    try:
        with writing() as db:
            body = importer.run(db, upload, _settings(), dry_run=query["dry_run"],
                                duplicates=query["duplicates"])
    except DomainError as error:  # the file itself: unreadable, too large, columns missing
        return render_page("study/import.html", body=None, errors=[], carried=None,
                           problem=_(error.message), filename=upload.filename or "",
                           duplicates=query["duplicates"]), error.status
    if body["created"]:
        flash(_("%(count)s sessions were imported.", count=body["created"]))
        return redirect(township_url(".sessions"))
    refused = importer.refusal({**body, "dry_run": False}) is not None
    ready = query["dry_run"] and not refused and body["rows"] > body["skipped"]
    return render_page(
        "study/import.html", body=body, errors=_row_errors(body), problem=None,
        duplicates=query["duplicates"], filename=upload.filename or "",
        carried=base64.b64encode(content).decode() if ready else None), 422 if refused else 200


@bp.route("/import/template.xlsx")
@requires("study.session.read")
def import_template() -> Response:
    """The same template the API's route serves (學習記錄導入模板.xlsx)."""
    return Response(importer.template(), mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename=study-import-template.xlsx; "
                               "filename*=UTF-8''%E5%AD%B8%E7%BF%92%E8%A8%98%E9%8C%84.xlsx"})
