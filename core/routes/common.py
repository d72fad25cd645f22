"""Shared pieces of core and plugin routes: pagination over a select, base schemas."""

from __future__ import annotations

import datetime as dt
import uuid
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import flask_smorest
import marshmallow as ma
from flask import current_app, g, request
from flask_smorest import Page
from flask_smorest.exceptions import PreconditionFailed, PreconditionRequired
from flask_smorest.pagination import PaginationMetadataSchema
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, missing
from sqlalchemy import Row, Select, func, inspect, select
from sqlalchemy.orm import InstanceState
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import MultiDict

from zerenzhi.db.session import session, write_lock
from zerenzhi.labels import Label, render
from zerenzhi.tenancy.clock import tenant_zone
from zerenzhi.tenancy.context import current_tenant
from zerenzhi.web.pipeline import not_found

Record = TypeVar("Record")
_FETCHED = "_zz_fetched"  # g: the records get_or_404 returned; check_etag locks them


def get_or_404(model: type[Record], record_id: uuid.UUID | str, *,
               include_archived: bool = True) -> Record:
    """The current township's ``model`` row with this id, or the 404 every unknown or
    foreign id gets (scoping sees only this township, so the two cannot be told apart).
    ``include_archived=False`` treats an archived record as gone too."""
    row = session().scalar(select(model).where(model.id == record_id))
    if row is None or (not include_archived and getattr(row, "archived_at", None) is not None):
        not_found()
    g.setdefault(_FETCHED, []).append(row)  # Blueprint.check_etag locks it
    return row


def _locked(state: InstanceState) -> bool:
    """Lock ``state``'s row until the transaction ends and reload it; whether it had changed
    since it was loaded. On PostgreSQL ``FOR UPDATE`` waits for a concurrent writer of the
    row to commit, then returns what it committed; SQLite ignores ``FOR UPDATE`` and is
    locked as a whole before (``write_lock``)."""
    mapper = state.mapper
    columns = [prop.key for prop in mapper.column_attrs]
    before = [state.dict.get(key) for key in columns]
    statement = (select(mapper).where(*(column == value for column, value in
                                        zip(mapper.primary_key, state.identity, strict=True)))
                 .with_for_update(of=mapper.class_).execution_options(populate_existing=True))
    session().execute(statement).scalar_one()  # populates the instance
    return [state.dict.get(key) for key in columns] != before


class _SchemaOnceParser(FlaskParser):
    """webargs' Flask parser, instantiating a schema class once instead of per request
    (flask-smorest hands over its pagination schema as a class; building one deep-copies
    its fields). Loading keeps no state on the schema, so one instance serves all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type, ma.Schema] = {}

    def _get_schema(self, argmap, req) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)


PAGE_PARAMETERS = frozenset({"page", "page_size"})  # parsed by the pagination parser
NOTHING_TO_CHANGE = Label("沒有要修改的內容", "nothing to change")
_paged: dict[tuple[str | None, str], bool] = {}


def _paginated() -> bool:
    """Whether the view answering this request is paginated (``Blueprint.paginate``)."""
    key = (request.endpoint, request.method)
    if key not in _paged:
        view = current_app.view_functions.get(request.endpoint)
        cls = getattr(view, "view_class", None)
        method = getattr(cls, request.method.lower(), None) if cls else view
        _paged[key] = "pagination" in getattr(method, "_apidoc", {})
    return _paged[key]


class _ArgumentsParser(_SchemaOnceParser):
    """The parser of declared arguments. Query strings obey their schema's ``unknown``
    (``QuerySchema``: RAISE, so ``?perod=`` is a 422 naming it) instead of webargs'
    default EXCLUDE; a paginated view's ``page``/``page_size`` are left to the pagination
    parser. A PATCH with an empty body is refused: it changes nothing, and a client that
    sent it meant something else."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "query": None, "querystring": None}

    def pre_load(self, location_data, *, schema, req, location):
        if location in ("query", "querystring") and _paginated() \
                and PAGE_PARAMETERS.intersection(location_data):
            location_data = MultiDictProxy(MultiDict(
                [(key, value) for key, value in req.args.items(multi=True)
                 if key not in PAGE_PARAMETERS]), schema)
        elif (location == "json" and req.method == "PATCH"
              and isinstance(location_data, dict) and not location_data):
            raise ma.ValidationError({"_schema": [render(NOTHING_TO_CHANGE)]})
        return location_data


_PAGINATION_METADATA = PaginationMetadataSchema()


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint without per-request schema building: query arguments and
    pagination parsed with schemas made once, the X-Pagination header dumped by one
    schema instance (flask-smorest's documented override points; same output). Unknown
    query parameters and empty PATCH bodies are 422s (``_ArgumentsParser``)."""

    ARGUMENTS_PARSER = _ArgumentsParser()
    PAGINATION_ARGUMENTS_PARSER = _SchemaOnceParser()

    def check_etag(self, etag_data: Any, etag_schema: Any = None) -> None:
        """Compare If-Match with the record's ETag as one atomic step with the write (issue
        17): the record is locked and reloaded first, so of concurrent writers sending the
        same ETag one passes and the others, waiting on the lock, see its change (412).

        ``etag_data`` is the record itself (reloaded, then compared) or a view of it built
        before the lock (an object with computed fields): then the records ``get_or_404``
        returned are locked, and if any had changed the view was stale (412).

        ``If-Match: *`` is refused with 428 on an existing record (flask-smorest lets it
        match anything, which skips the check): a change must name the version it edits.
        An unknown record never gets here (``get_or_404`` answers 404 first)."""
        if not self._is_etag_enabled():
            return
        if request.if_match.star_tag:
            raise PreconditionRequired(description=(
                "send the record's ETag in If-Match: '*' does not say which version you edit"))
        db = session()
        write_lock(db)
        state = inspect(etag_data, raiseerr=False)
        if isinstance(state, InstanceState) and state.persistent:
            _locked(state)
        elif any([_locked(inspect(row)) for row in g.get(_FETCHED, ())]):
            raise PreconditionFailed
        super().check_etag(etag_data, etag_schema)

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> dict:
        metadata: dict[str, int] = {"total": item_count}
        if item_count == 0:
            metadata["total_pages"] = 0
        else:
            last_page = (item_count - 1) // page_size + 1
            metadata.update(total_pages=last_page, first_page=1, last_page=last_page)
            if page <= last_page:
                metadata["page"] = page
                if page > 1:
                    metadata["previous_page"] = page - 1
                if page < last_page:
                    metadata["next_page"] = page + 1
        return _PAGINATION_METADATA.dump(metadata)


def _windowable(statement: Any) -> bool:
    """Whether ``count(*) OVER ()`` on the page counts what the separate count would:
    not under DISTINCT (windows run before it) nor with a LIMIT/OFFSET of its own."""
    return (isinstance(statement, Select) and not statement._distinct
            and not statement._distinct_on and statement._limit_clause is None
            and statement._offset_clause is None and statement._fetch_clause is None)


# The paged forms of a select, per select object (weakly: they go with it) and page: a list
# whose select is built once (units) then runs the same statement object on every request,
# whose cache key SQLAlchemy memoises and whose tenant-scoped copy scoping keeps
# (db/scoping.py, ScopedStatements). Building and keying the page anew cost ~0.1 ms a
# request (bench/README.md, throughput). Selects carry no tenant: scoping is per execution.
_PAGES: weakref.WeakKeyDictionary[Select, dict[tuple[int, int, bool], Select]] = \
    weakref.WeakKeyDictionary()
_PAGES_PER_SELECT = 32


def page_of(statement: Select, size: int, first: int, counted: bool) -> Select:
    """``statement`` with ``count(*) OVER ()`` as ``zz_total`` (``counted``), limited to the
    page; the same object for the same select object and page."""
    pages = _PAGES.get(statement)
    if pages is None:
        pages = _PAGES.setdefault(statement, {})
    key = (size, first, counted)
    paged = pages.get(key)
    if paged is None:
        if len(pages) >= _PAGES_PER_SELECT:
            pages.clear()
        base = statement.add_columns(func.count().over().label("zz_total")) if counted \
            else statement
        paged = pages[key] = base.limit(size).offset(first)
    return paged


class SelectPage(Page):
    """Paginate a SQLAlchemy ``select`` in the database, not in Python: the page and the
    total in one statement (``count(*) OVER ()`` is computed before LIMIT); a separate
    count only for a page past the end or a select a window cannot count. Items are the
    select's first column (an entity, usually); see ``RowPage`` for rows of columns."""

    _page: list | None = None
    whole_rows = False

    def _limited(self, statement: Select, counted: bool = False) -> Select:
        params = self.page_params
        return page_of(statement, params.page_size, params.first_item, counted)

    @property
    def items(self):
        if self._page is None:
            statement = self._limited(self.collection)
            if self.whole_rows:
                result = session().execute(statement)
                self._page = Rows(result.all(), tuple(result.keys()))
            else:
                self._page = session().scalars(statement).all()
        return self._page

    @property
    def item_count(self) -> int:
        collection: Select = self.collection
        if _windowable(collection):
            result = session().execute(self._limited(collection, counted=True))
            rows = result.all()
            # whole rows keep the extra column: items are dumped by name
            self._page = Rows(rows, tuple(result.keys())) if self.whole_rows \
                else [row[0] for row in rows]
            if rows or self.page_params.first_item == 0:
                return rows[0][-1] if rows else 0
        counted = collection.order_by(None).subquery()
        return session().scalar(select(func.count()).select_from(counted))


class Rows(list):
    """The rows of one result and their column names (``fields``): a ``FlatSchema`` dumps
    them by position, without looking each name up in each row."""

    def __init__(self, rows: list[Row], fields: tuple[str, ...]) -> None:
        super().__init__(rows)
        self.fields = fields


class RowPage(SelectPage):
    """``SelectPage`` of a select of columns: items are rows (attributes by column name),
    for lists that need no ORM objects — cheaper to load than 50 entities."""

    whole_rows = True


def _nul_fields(data, path: str = "") -> list[str]:
    if isinstance(data, str):
        return [path or "_schema"] if "\x00" in data else []
    if isinstance(data, dict):
        return [f for k, v in data.items() for f in _nul_fields(v, f"{path}.{k}".strip("."))]
    if isinstance(data, list):
        return [f for i, v in enumerate(data) for f in _nul_fields(v, f"{path}.{i}".strip("."))]
    return []


class _Only:
    """A one-member "set" for ``Boolean``'s ``truthy``/``falsy`` that matches by identity:
    ``1 in {True}`` and ``1.0 in {True}`` hold in Python, ``1 is True`` does not."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def __contains__(self, candidate: object) -> bool:
        return candidate is self.value

    def __iter__(self):
        return iter((self.value,))

    def __bool__(self) -> bool:
        return True


_TRUE, _FALSE = _Only(True), _Only(False)
BLANK = "must not be blank"


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError(BLANK)


def _refuses_empty(field: ma.fields.Field) -> bool:
    """A text the client must give: required, or a ``Length`` of at least 1 (a title)."""
    return field.required or any(isinstance(v, ma.validate.Length) and (v.min or 0) >= 1
                                 for v in field.validators)


def _refuses_blank(field: ma.fields.Field) -> bool:
    """Whether a validator of the field already refuses a blank (a schema's own rule)."""
    for validator in field.validators:
        try:
            if validator("  ") is False:
                return True
        except ma.ValidationError:
            return True
        except Exception:  # a validator that cannot judge a text: no opinion
            continue
    return False


def _strict(field: ma.fields.Field) -> None:
    """Make one input field strict, and the fields inside it (lists, dicts, tuples):
    a boolean is JSON ``true``/``false`` only (marshmallow's default also takes "yes", "on",
    1, "t"...), and a text that may not be empty may not be whitespace only either."""
    if isinstance(field, ma.fields.Boolean):
        field.truthy, field.falsy = _TRUE, _FALSE
    elif isinstance(field, ma.fields.String) and _refuses_empty(field) \
            and not _refuses_blank(field):
        field.validators.append(_not_blank)
    inner = [getattr(field, "inner", None), getattr(field, "value_field", None),
             *getattr(field, "tuple_fields", ())]
    for part in filter(None, inner):
        _strict(part)


class InputSchema(ma.Schema):
    """Request bodies reject unknown fields (a misspelt field is an error, never ignored)
    and NUL characters, which PostgreSQL cannot store, so both backends refuse the same
    input the same way. Every field is strict (``_strict``), whoever declares it: booleans
    are JSON booleans, required texts and titles are not blank (issue 16, item 8). Query
    strings keep text booleans (``?include_archived=true``): ``QuerySchema`` is not this."""

    class Meta:
        unknown = ma.RAISE

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        _strict(field_obj)

    @ma.pre_load
    def _refuse_nul(self, data, **_kwargs):
        bad = _nul_fields(data)
        if bad:
            raise ma.ValidationError({field: ["NUL characters are not allowed"] for field in bad})
        return data


class QuerySchema(ma.Schema):
    """Query strings reject unknown parameters (422 naming them) instead of ignoring a typo."""

    class Meta:
        unknown = ma.RAISE


class ListQuery(QuerySchema):
    """The query of a list route: ``include_archived`` (default false), read by ``listed``;
    subclass it to add a list's own filters."""

    include_archived = ma.fields.Boolean(load_default=False)


EARLIEST_DAY, LATEST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
_BOUNDS = f"between {EARLIEST_DAY} and {LATEST_DAY}"
_DAYS = ma.validate.Range(EARLIEST_DAY, LATEST_DAY, error=_BOUNDS)
_MOMENTS = ma.validate.Range(dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
                             dt.datetime(2201, 1, 1, tzinfo=dt.UTC), max_inclusive=False,
                             error=_BOUNDS)


class BoundedDate(ma.fields.Date):
    """A date from 1900 to 2200, else 422 naming the field: ISO 8601 writes years 1 to
    9999, which the database drivers overflow on (a 500) rather than refuse."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.insert(0, _DAYS)


def not_in_future(value: dt.date | dt.datetime) -> None:
    """Validator of an evidence date or moment (held on, submitted on, occurred at...): not
    after today in the township's time zone. A record of something that has not happened
    proves nothing; a plan or a deadline is not evidence and takes no such check."""
    zone = tenant_zone() if current_tenant() is not None else dt.UTC
    now = dt.datetime.now(dt.UTC).astimezone(zone).date()
    if isinstance(value, dt.datetime):
        try:
            day = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(
                zone).date()
        except OverflowError:  # years 1 and 9999 at the edge: the field's range refuses them
            return
    else:
        day = value
    if day > now:
        raise ma.ValidationError(f"cannot be after today ({now.isoformat()}): "
                                 "record what has happened")


class BoundedAwareDateTime(ma.fields.AwareDateTime):
    """A moment with its offset from 1900 to 2200, else 422 naming the field: shifted to
    UTC, 0001-01-01T00:00+14:00 or 9999-12-31T23:59-14:00 leave the years Python holds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.insert(0, _MOMENTS)


# Field types whose dump is "None stays None, else convert(value)", and how they convert;
# exact types only (a subclass may serialise differently). Numbers as marshmallow's
# ``Number._format_num`` (``num_type(value)``), unless ``as_string``.
_FLAT_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    ma.fields.String: ensure_text_type,
    ma.fields.UUID: str,
    ma.fields.Integer: int,
    ma.fields.Float: float,
}
_ISO = ("iso", "iso8601")
_TEMPORAL = {ma.fields.DateTime: dt.datetime.isoformat, ma.fields.Date: dt.date.isoformat}
Plan = list[tuple[str, str, Callable[[Any], Any]]]


def _identity(value: Any) -> Any:
    return value


def _flat_converter(field: ma.fields.Field) -> Callable[[Any], Any] | None:
    """How ``field`` dumps a value that is not None, or None if it has to be marshmallow's
    own call. Nested schemas and lists of plain fields dump by their own plans (the
    summary's items are 2,000 field calls per request, bench/README.md, throughput)."""
    cls = type(field)
    if (field.dump_default is not missing or "." in (field.attribute or "")):
        return None
    if cls in _TEMPORAL:
        return _TEMPORAL[cls] if field.format in _ISO else None
    if cls is ma.fields.Raw:
        return _identity
    if cls is ma.fields.Nested:
        nested = field.schema
        plan = schema_plan(nested)
        if plan is None:
            return None
        if nested.many or field.many:
            return lambda value: [FlatSchema._flat(item, plan) for item in value]
        return lambda value: FlatSchema._flat(value, plan)
    if cls is ma.fields.List:
        inner = _flat_converter(field.inner)
        if inner is None:
            return None
        return lambda value: [None if item is None else inner(item) for item in value]
    if getattr(field, "as_string", False):
        return None
    return _FLAT_CONVERTERS.get(cls)


def schema_plan(schema: ma.Schema) -> Plan | None:
    """(key, attribute, convert) for each dumped field of ``schema``, or None when some
    field, hook or accessor needs marshmallow's own dump. Built once per schema instance."""
    try:
        return schema.__dict__["_flat_plan"]
    except KeyError:
        pass
    plan: Plan | None = []
    if (schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP] or schema.dict_class is not dict
            or type(schema).get_attribute is not ma.Schema.get_attribute):
        plan = None
    else:
        for name, field in schema.dump_fields.items():
            convert = _flat_converter(field)
            if convert is None:
                plan = None
                break
            key = field.data_key if field.data_key is not None else name
            plan.append((key, field.attribute or name, convert))
    schema.__dict__["_flat_plan"] = plan
    return plan


def _value(obj: Any, key: str) -> Any:
    """``marshmallow.utils.get_value`` for a key without dots, on an object with
    ``__getitem__``: ``obj[key]``, else the attribute."""
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError, AttributeError):
        return getattr(obj, key, missing)


class FlatSchema(ma.Schema):
    """A schema of plain fields (strings, UUIDs, numbers, ISO dates and datetimes, raw
    values, and nested schemas and lists of those) that dumps without marshmallow's
    per-field calls — a page of 50 rows is 400 of them — with the same result: the same
    keys in the same order, None kept, missing attributes left out. Any other field, dump
    hook or accessor falls back to marshmallow's own ``dump``."""

    def _plan(self) -> Plan | None:
        return schema_plan(self)

    @staticmethod
    def _flat(obj: Any, plan) -> dict:
        out = {}
        if type(obj) is dict:  # the common case (services return dicts): no fallbacks
            for key, attr, convert in plan:
                value = obj[attr] if attr in obj else getattr(obj, attr, missing)
                if value is not missing:
                    out[key] = None if value is None else convert(value)
            return out
        # as marshmallow: obj[key] first, then obj.key (a Row refuses a str key: attribute)
        keyed = hasattr(obj, "__getitem__") and not isinstance(obj, Row)
        for key, attr, convert in plan:
            value = _value(obj, attr) if keyed else getattr(obj, attr, missing)
            if value is missing:
                continue
            out[key] = None if value is None else convert(value)
        return out

    @classmethod
    def _flat_rows(cls, rows: Rows, plan) -> list[dict]:
        fields = rows.fields
        if len(set(fields)) < len(fields) or not all(attr in fields for _, attr, _ in plan):
            return [cls._flat(row, plan) for row in rows]
        steps = [(key, fields.index(attr), convert) for key, attr, convert in plan]
        return [{key: None if row[i] is None else convert(row[i]) for key, i, convert in steps}
                for row in rows]

    def dump(self, obj: Any, *, many: bool | None = None):
        plan = self._plan()
        if plan is None:
            return super().dump(obj, many=many)
        many = self.many if many is None else bool(many)
        if many and obj is not None:
            if isinstance(obj, Rows):
                return self._flat_rows(obj, plan)
            return [self._flat(item, plan) for item in obj]
        return self._flat(obj, plan)
