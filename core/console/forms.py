"""Forms on pages, parsed by the API's own input schemas and written by the same services.

A page form posts ordinary HTML fields; ``Form`` turns them into what the API's schema
loads (blank fields left out, lists from repeated fields, a checkbox's absence as false),
so a page can accept nothing the API would refuse and refuse nothing it would accept. A
rejected form re-renders with field messages in the page's language and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import marshmallow as ma
from flask import request, url_for
from sqlalchemy.orm import Session

from zerenzhi.console.i18n import translate_errors
from zerenzhi.db.session import writing
from zerenzhi.domain import DomainError
from zerenzhi.tenancy.clock import tenant_zone
from zerenzhi.tenancy.context import require_tenant

T = TypeVar("T")
Prepare = Callable[[dict[str, Any]], dict[str, Any]]


def _raw(schema: ma.Schema) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the schema loads, what the fields showed) from the posted form."""
    data: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        if isinstance(field, ma.fields.List):
            values = [v for v in request.form.getlist(key) if v.strip()]
            shown[key] = values
            if values or key in request.form:
                data[key] = values
        elif isinstance(field, ma.fields.Boolean):
            shown[key] = data[key] = key in request.form and request.form[key] != "false"
        elif key in request.form:
            value = request.form[key]
            shown[key] = value
            if value.strip():
                data[key] = value
    return data, shown


class Form:
    """One form of a page: ``values`` for its fields, ``errors`` by field after a post.

    ::

        form = Form(StudyPlanIn)
        if (plan := form.submit(lambda db, data: plans.create(db, data))) is not None:
            return redirect(...)
        return render_page("study/plan_form.html", form=form)

    ``prepare`` turns the posted fields into the schema's shape where a page shows a field
    the API takes differently (attendance ticked per member, for example)."""

    def __init__(self, schema: type[ma.Schema] | ma.Schema, *, initial: dict | None = None,
                 prepare: Prepare | None = None) -> None:
        self.schema = schema() if isinstance(schema, type) else schema
        self.values: dict[str, Any] = dict(initial or {})
        self.errors: dict[str, list[str]] = {}
        self.data: dict[str, Any] | None = None
        self.prepare = prepare

    @property
    def submitted(self) -> bool:
        return request.method == "POST"

    def validate(self) -> bool:
        data, shown = _raw(self.schema)
        self.values = {**self.values, **shown}
        if self.prepare is not None:
            data = self.prepare(data)
        try:
            self.data = self.schema.load(data)
        except ma.ValidationError as error:
            self.errors = translate_errors(error.messages)
            return False
        return True

    def submit(self, write: Callable[[Session, dict[str, Any]], T]) -> T | None:
        """On a post whose fields validate, ``write(db, data)`` in one transaction; a
        ``DomainError`` (or any error) rolls it back whole. None: show the form (again)."""
        if not self.submitted or not self.validate():
            return None
        try:
            with writing() as db:
                return write(db, self.data or {})
        except DomainError as error:
            self.errors = translate_errors({error.field or "_schema": [error.message]})
            return None

    def fail(self, field: str, message: str) -> None:
        """Add a message the page found itself (already in the page's language)."""
        self.errors.setdefault(field, []).append(message)

    def error(self, field: str) -> str:
        return " ".join(self.errors.get(field, ()))

    def value(self, field: str, default: Any = "") -> Any:
        value = self.values.get(field, default)
        return default if value is None else value


def load_query(schema: type[ma.Schema]) -> dict[str, Any]:
    """A page's query string loaded by the API route's own query schema; a bad value is a
    422 error page naming the field, in the page's language (nothing to re-render). A GET
    form sends its empty fields too: they mean "no filter", so they are left out; a field
    the schema takes as a list gets every repeated value (``?status=a&status=b``)."""
    instance = schema()
    keys = {field.data_key or name: field for name, field in instance.fields.items()}
    args: dict[str, Any] = {}
    for key in request.args:
        values = [value for value in request.args.getlist(key) if value.strip()]
        if values:
            args[key] = values if isinstance(keys.get(key), ma.fields.List) else values[0]
    try:
        return instance.load(args)
    except ma.ValidationError as error:
        field, messages = next(iter(translate_errors(error.messages).items()))
        raise DomainError(field, f"{field}: {' '.join(messages)}", location="query") from error


# --- what every module's pages need beside their forms -------------------------------------


def N_(text: str) -> str:
    """Mark a message for the module's catalogue without translating it here: the services'
    and schemas' own messages a page can meet, translated when the page shows them."""
    return text


@dataclass
class Pager:
    """A list page's place: what flask-smorest's pagination parameters hold (``page``,
    ``page_size``, ``first_item``, ``item_count`` set by the service that counts), so a page
    passes it to the same service its API route calls, and the template reads ``pages``."""

    page: int
    page_size: int = 50
    item_count: int = 0

    @property
    def first_item(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def pages(self) -> int:
        return max(1, -(-self.item_count // self.page_size))


def page_answer(page: str, form: Form | None) -> tuple[str, int]:
    """A form page's answer: 422 when its post was refused (the page re-renders with the
    field messages and what was typed), 200 otherwise."""
    return page, 422 if form is not None and form.errors else 200


def township_url(endpoint: str, **values: Any) -> str:
    """``url_for`` in the current township (a page's links and redirects)."""
    return url_for(endpoint, township=require_tenant().slug, **values)


def local_value(moment: dt.datetime | None) -> str:
    """What a ``datetime-local`` field shows for ``moment``: the township's local time."""
    return moment.astimezone(tenant_zone()).strftime("%Y-%m-%dT%H:%M") if moment else ""


def local_moments(*names: str, then: Prepare | None = None) -> Prepare:
    """A ``Form`` prepare: ``datetime-local`` fields hold the township's local time, made
    aware for the API's schemas (which take only times with their offset); a value that is
    no time is left for the schema to name. ``then`` prepares further."""

    def prepare(data: dict[str, Any]) -> dict[str, Any]:
        for name in names:
            if name in data:
                try:
                    local = dt.datetime.fromisoformat(data[name])
                except ValueError:
                    continue
                if local.tzinfo is None:
                    data[name] = local.replace(tzinfo=tenant_zone()).isoformat()
        return then(data) if then else data

    return prepare
