"""County roll-ups: a county's staff compare their townships (who is behind, on what,
since when) as JSON, ``.xlsx`` or ``.csv``.

Only county users of that county reach these routes (``rollups.read``: county_viewer,
county_admin). Everyone else gets the unknown-county 404 from the request pipeline, and a
platform operator — admitted to county URLs to provision townships — gets 403: operating
the service gives no view of townships' work (docs/domain.md, platform_admin).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, g, request
from flask.views import MethodView
from flask_smorest import abort

from zerenzhi.auth.permissions import requires
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session
from zerenzhi.labels import Label, render
from zerenzhi.obligations.periods import Period, local_today, parse, period_of, periods_within
from zerenzhi.rollups import exports, service
from zerenzhi.rollups.metrics import METRIC_TYPES
from zerenzhi.routes.common import Blueprint, QuerySchema
from zerenzhi.routes.obligations import PeriodField
from zerenzhi.web.pipeline import not_found

blp = Blueprint("rollups", __name__, url_prefix="/api/v1/counties/<county>/rollup",
                description="County roll-ups over its townships: compliance matrix, overdue "
                            "list, trend and module metrics; counts and rates only")

JSON = "application/json"
BINARY = {"type": "string", "format": "binary"}
MAX_EXPORT_ROWS = 100_000
FORMAT_HELP = ("json (default), xlsx (a sheet per view) or csv (UTF-8 with BOM); "
               "an Accept header of either spreadsheet type works too")


def exportable(func):
    """Document the spreadsheet answers next to the JSON one (OpenAPI ``produces``)."""
    func = blp.alt_response(200, schema=BINARY, content_type=exports.CSV, success=True,
                            description="CSV, UTF-8 with BOM (the long-form table)")(func)
    return blp.alt_response(200, schema=BINARY, content_type=exports.XLSX, success=True,
                            description="Excel workbook, a sheet per view")(func)


class HalfYearField(PeriodField):
    def _deserialize(self, value, attr, data, **kwargs) -> Period:
        period = super()._deserialize(value, attr, data, **kwargs)
        if period.cadence != "half_year":
            raise ma.ValidationError("a half-year: YYYYH1 or YYYYH2")
        return period


class ExportQuery(QuerySchema):
    format = ma.fields.String(validate=ma.validate.OneOf(("json", *exports.FORMATS)),
                              metadata={"description": FORMAT_HELP})


class ComplianceQuery(ExportQuery):
    period = PeriodField(metadata={"description": "2026H1, 2026, 2026Q2 or 2026-04; "
                                                  "default: the current half-year"})
    sort = ma.fields.String(load_default="township", validate=ma.validate.OneOf(service.SORTS))
    order = ma.fields.String(load_default="asc", validate=ma.validate.OneOf(service.ORDERS))
    rule = ma.fields.String(validate=ma.validate.Length(max=80), metadata={
        "description": "sort the townships by their rate on this rule (instead of `sort`)"})


class TownshipRowQuery(QuerySchema):
    period = PeriodField(metadata={"description": "default: the current half-year"})


class OverdueQuery(ExportQuery):
    township = ma.fields.String(validate=ma.validate.Length(max=63),
                                metadata={"description": "a township's slug"})
    rule = ma.fields.String(validate=ma.validate.Length(max=80))
    min_days = ma.fields.Integer(load_default=0, validate=ma.validate.Range(0, 3660),
                                 metadata={"description": "at least this many days overdue"})
    period = PeriodField(metadata={"description": "only obligations of this period"})


class TrendQuery(ExportQuery):
    start = HalfYearField(data_key="from", metadata={"description": "first half-year, e.g. "
                                                                    "2025H1"})
    end = HalfYearField(data_key="to", metadata={"description": "last half-year, e.g. 2026H2"})

    @ma.validates_schema
    def _span(self, data, **_kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and start.start > end.start:
            raise ma.ValidationError("must not be after 'to'", "from")
        if start and end and len(periods_within("half_year", Period(
                start.start, end.end, "window", ""))) > service.MAX_TREND_PERIODS:
            raise ma.ValidationError(f"at most {service.MAX_TREND_PERIODS} half-years", "to")


class MetricsQuery(ExportQuery):
    period = PeriodField(metadata={"description": "default: the current half-year"})


class TownshipLabel(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String(allow_none=True)


class CountsSchema(ma.Schema):
    required = ma.fields.Integer(metadata={"description": "obligations, waived ones left out"})
    done = ma.fields.Integer(metadata={"description": "fulfilled obligations"})
    overdue = ma.fields.Integer()
    waived = ma.fields.Integer()
    rate = ma.fields.Float(allow_none=True, metadata={"description": "done / required; null "
                                                                     "when nothing is required"})


class CellSchema(CountsSchema):
    rule = ma.fields.String()


class ComplianceRow(CountsSchema):
    township = ma.fields.Nested(TownshipLabel)
    cells = ma.fields.List(ma.fields.Nested(CellSchema))


class RuleTotal(CountsSchema):
    rule = ma.fields.String()
    title = ma.fields.String()
    source = ma.fields.String(allow_none=True, metadata={"description": "clause ID, e.g. W3"})


class RuleLabel(ma.Schema):
    rule = ma.fields.String()
    title = ma.fields.String()
    source = ma.fields.String(allow_none=True)


class UnitRow(CountsSchema):
    unit_id = ma.fields.UUID()
    code = ma.fields.String(allow_none=True)
    name = ma.fields.String(allow_none=True)
    kind = ma.fields.String(allow_none=True)
    cells = ma.fields.List(ma.fields.Nested(CellSchema))


class TownshipRowOut(CountsSchema):
    township = ma.fields.Nested(TownshipLabel)
    period = ma.fields.String()
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    as_of = ma.fields.DateTime()
    rules = ma.fields.List(ma.fields.Nested(RuleLabel))
    units = ma.fields.List(ma.fields.Nested(UnitRow))


class ComplianceOut(ma.Schema):
    period = ma.fields.String()
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    as_of = ma.fields.DateTime()
    sort = ma.fields.String()
    order = ma.fields.String()
    rule = ma.fields.String(allow_none=True)
    townships = ma.fields.List(ma.fields.Nested(ComplianceRow))
    rules = ma.fields.List(ma.fields.Nested(RuleTotal))
    totals = ma.fields.Nested(CountsSchema)


class PostSchema(ma.Schema):
    """A post (role), never its holder's name, at county level."""

    role = ma.fields.String()
    label = ma.fields.String()


class OverdueItem(ma.Schema):
    township = ma.fields.Nested(TownshipLabel)
    obligation_id = ma.fields.UUID()
    rule = ma.fields.String()
    title = ma.fields.String()
    source = ma.fields.String()
    unit_id = ma.fields.UUID()
    unit_code = ma.fields.String()
    unit_name = ma.fields.String()
    period = ma.fields.String(allow_none=True, metadata={"description": "null for event "
                                                                        "obligations"})
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    due_at = ma.fields.DateTime()
    due_on = ma.fields.Date(metadata={"description": "the township's local day it was due "
                                                     "(a period's last day)"})
    days_overdue = ma.fields.Integer()
    required = ma.fields.Integer()
    done = ma.fields.Integer()
    responsible_role = ma.fields.String(metadata={"description": "a role, never a person's "
                                                                 "name, at county level"})
    responsible_role_label = ma.fields.String()
    first_responsible = ma.fields.Nested(PostSchema, allow_none=True, metadata={
        "description": "committee-level work: the secretary's post, first responsible (M1)"})
    directly_responsible = ma.fields.Nested(PostSchema, allow_none=True, metadata={
        "description": "committee-level work: the leader in charge, directly responsible "
                       "(M2)"})


class TrendPoint(CountsSchema):
    period = ma.fields.String()


class TrendRow(ma.Schema):
    township = ma.fields.Nested(TownshipLabel)
    points = ma.fields.List(ma.fields.Nested(TrendPoint))


class TrendOut(ma.Schema):
    start = ma.fields.String(data_key="from")
    end = ma.fields.String(data_key="to")
    periods = ma.fields.List(ma.fields.String())
    as_of = ma.fields.DateTime()
    overall = ma.fields.List(ma.fields.Nested(TrendPoint))
    townships = ma.fields.List(ma.fields.Nested(TrendRow))


class MetricMeta(ma.Schema):
    key = ma.fields.String()
    plugin = ma.fields.String()
    label = ma.fields.String()
    type = ma.fields.String(validate=ma.validate.OneOf(METRIC_TYPES))
    unit = ma.fields.String(allow_none=True)


class MetricsRow(ma.Schema):
    township = ma.fields.Nested(TownshipLabel)
    values = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True),
                            metadata={"description": "metric key → number (null: nothing "
                                                     "to report); only enabled modules'"})
    disabled = ma.fields.List(ma.fields.String(), metadata={
        "description": "modules with metrics that this township has not enabled"})
    failed = ma.fields.List(ma.fields.String(), metadata={
        "description": "metrics that could not be computed here (logged)"})


class MetricsOut(ma.Schema):
    period = ma.fields.String()
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    metrics = ma.fields.List(ma.fields.Nested(MetricMeta))
    townships = ma.fields.List(ma.fields.Nested(MetricsRow))


def _county():
    return g.zz_tenant.ref()


def current_half_year() -> Period:
    return period_of("half_year", local_today(_county().timezone))


def shift_half(period: Period, halves: int) -> Period:
    index = period.start.year * 2 + (period.start.month > 6) + halves
    return parse(f"{index // 2}H{index % 2 + 1}")


def _format(query: dict) -> str:
    """``?format=`` first, then the Accept header; JSON unless a spreadsheet is preferred."""
    if query.get("format"):
        return query["format"]
    best = request.accept_mimetypes.best_match([JSON, exports.XLSX, exports.CSV])
    return {exports.XLSX: "xlsx", exports.CSV: "csv"}.get(best or JSON, "json")


def _rows_asked(query: dict, pagination) -> tuple[int, int]:
    """(limit, offset): the asked page as JSON; an export holds every row."""
    if _format(query) == "json":
        return pagination.page_size, pagination.first_item
    return MAX_EXPORT_ROWS, 0


def overdue_filters(query: dict) -> dict[str, Any]:
    """The overdue list's filters, as ``service.overdue`` takes them."""
    return {"township": query.get("township"), "rule": query.get("rule"),
            "min_days": query["min_days"], "period": query.get("period")}


def heading() -> exports.Heading:
    """A workbook's title row names the county, in the request's language, and tells the
    time on the county's clock."""
    county = g.zz_tenant
    return exports.Heading(render(Label(county.name, county.name_en or county.name)),
                           county.timezone)


def _export(fmt: str, sheets: list[exports.Sheet], csv_sheet: int, name: str) -> Response:
    if fmt == "xlsx":
        body, mimetype = exports.to_xlsx(sheets, heading=heading()), exports.XLSX
    else:
        body, mimetype = exports.to_csv(sheets[csv_sheet]), f"{exports.CSV}; charset=utf-8"
    filename = f"{g.zz_tenant.slug}-{name}.{fmt}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Vary": "Accept, Accept-Language", "Cache-Control": "private, no-store"})


def _answer(query: dict, result: Any, sheets, csv_sheet: int, name: str):
    """``result`` as JSON, or as the spreadsheet ``?format=`` or Accept asks for: the
    workbook's sheets from ``sheets(result)``, the CSV of sheet ``csv_sheet``."""
    fmt = _format(query)
    return result if fmt == "json" else _export(fmt, sheets(result), csv_sheet, name)


def trend_periods(query: dict) -> list[Period]:
    """The asked half-years: ``from``–``to``, by default the last four up to the current
    one; a ``from`` alone runs to the current half-year, at most ``MAX_TREND_PERIODS``."""
    start, end = query.get("start"), query.get("end")
    if end is None:
        end = max(current_half_year(), start) if start else current_half_year()
    start = start or shift_half(end, -3)
    periods = periods_within("half_year", Period(start.start, end.end, "window", ""))
    if len(periods) > service.MAX_TREND_PERIODS:
        abort(422, message="too long a span", errors={"query": {
            "from": [f"at most {service.MAX_TREND_PERIODS} half-years up to 'to'"]}})
    return periods


@blp.route("/compliance")
class Compliance(MethodView):
    @requires("rollups.read")
    @blp.arguments(ComplianceQuery, location="query")
    @blp.response(200, ComplianceOut)
    @exportable
    def get(self, query):
        """Townships × rules for a period: required, done, rate and overdue per cell, with
        totals per township, per rule and for the county; sortable by rate, overdue or
        township. Counts what the townships' calendars hold (periods are created by
        township reads and the nightly reminder job)."""
        period = query.get("period") or current_half_year()
        result = service.compliance(session(), _county(), period, utcnow(),
                                    query["sort"], query["order"], query.get("rule"))
        return _answer(query, result, exports.compliance_sheets, 1, f"compliance-{period.label}")


@blp.route("/compliance/townships/<township_slug>")
class TownshipRow(MethodView):
    @requires("rollups.read")
    @blp.arguments(TownshipRowQuery, location="query")
    @blp.response(200, TownshipRowOut)
    def get(self, query, township_slug):
        """One township's row of the matrix opened up: its units' counts per rule for a
        period (counts only; no record of the township's is shown)."""
        period = query.get("period") or current_half_year()
        return service.township_units(session(), _county(), township_slug, period,
                                      utcnow()) or not_found()


@blp.route("/overdue")
class Overdue(MethodView):
    @requires("rollups.read")
    @blp.arguments(OverdueQuery, location="query")
    @blp.response(200, OverdueItem(many=True))
    @exportable
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Every overdue obligation across the county, oldest first: township, unit, rule,
        days overdue and the responsible role. Filters: township (slug), rule, min_days,
        period. Exports hold every matching row, not one page."""
        limit, offset = _rows_asked(query, pagination_parameters)
        items, pagination_parameters.item_count = service.overdue(
            session(), _county(), utcnow(), limit=limit, offset=offset, **overdue_filters(query))
        return _answer(query, items, exports.overdue_sheets, 0, "overdue")


@blp.route("/trend")
class Trend(MethodView):
    @requires("rollups.read")
    @blp.arguments(TrendQuery, location="query")
    @blp.response(200, TrendOut)
    @exportable
    def get(self, query):
        """Per township and for the whole county, each half-year's required, done and
        rate (default: the last four half-years); an obligation counts in every half-year
        it overlaps, as in ``compliance``."""
        periods = trend_periods(query)
        result = service.trend(session(), _county(), periods, utcnow())
        return _answer(query, result, exports.trend_sheets, 1,
                       f"trend-{periods[0].label}-{periods[-1].label}")


@blp.route("/metrics")
class Metrics(MethodView):
    @requires("rollups.read")
    @blp.arguments(MetricsQuery, location="query")
    @blp.response(200, MetricsOut)
    @exportable
    def get(self, query):
        """What each township's enabled modules report for a period (inspection scores,
        assessment totals, incident counts…), labelled and typed; a township that has not
        enabled a module lists it under ``disabled`` instead of showing zeros."""
        period = query.get("period") or current_half_year()
        result = service.metrics(session(), _county(), period)
        return _answer(query, result, exports.metrics_sheets, 0, f"metrics-{period.label}")
