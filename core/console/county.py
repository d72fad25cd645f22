"""The county's pages: the compliance heat map, a township's row opened up, the trend, the
overdue list and the modules' metrics — the API's roll-ups (``rollup/…``), same services and
query schemas, so a page and the JSON never disagree; and their spreadsheets.

Only the county's own viewers and admins reach them (``rollups.read``); the request pipeline
answers everyone else with the unknown-county 404 page, a platform operator with 403.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, g
from flask_babel import gettext as _

from zerenzhi.auth.permissions import requires
from zerenzhi.console.charts import line_chart
from zerenzhi.console.forms import load_query
from zerenzhi.console.i18n import page_language
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session as db_session
from zerenzhi.labels import Label, render
from zerenzhi.obligations.versions import registry
from zerenzhi.rollups import exports, service
from zerenzhi.routes import rollups as api
from zerenzhi.web.pipeline import not_found

PAGE_SIZE = 50
# heat-map bands by rate: the cell shows its number too, the colour only groups them
BANDS = ((1.0, "full"), (0.8, "high"), (0.6, "mid"), (0.0, "low"))


class OverduePageQuery(api.OverdueQuery):
    """The API's overdue filters plus the page number."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100000))


def band(rate: float | None) -> str:
    """The heat map's colour class of a rate (None: nothing required there)."""
    if rate is None:
        return "none"
    return next(name for floor, name in BANDS if rate >= floor)


def cell_map(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A row's cells by rule, for the table's columns."""
    return {cell["rule"]: cell for cell in row["cells"]}


def town_name(label: dict[str, Any]) -> str:
    return render(Label(label["name"], label.get("name_en") or label["name"]))


def _county():
    return g.zz_tenant.ref()


@bp.route("/counties/<county>/")
@requires("rollups.read")
def county_home(county: str | None = None) -> str:
    """The compliance heat map: townships × rules for a period, sortable by a township's
    total or by one rule, each cell coloured by its rate and showing it."""
    query = load_query(api.ComplianceQuery)
    period = query.get("period") or api.current_half_year()
    result = service.compliance(db_session(), _county(), period, utcnow(), query["sort"],
                                query["order"], query.get("rule"))
    return render_page("console/county_home.html", result=result, period=period,
                       periods=_recent_halves(period), band=band, town_name=town_name,
                       cell_map=cell_map, query=query)


@bp.route("/counties/<county>/townships/<township_slug>")
@requires("rollups.read")
def county_township(township_slug: str, county: str | None = None) -> str:
    """One township's row opened up: its units' counts per rule (counts only)."""
    query = load_query(api.TownshipRowQuery)
    period = query.get("period") or api.current_half_year()
    row = service.township_units(db_session(), _county(), township_slug, period, utcnow())
    if row is None:
        not_found()
    return render_page("console/county_township.html", row=row, period=period, band=band,
                       town_name=town_name, cell_map=cell_map)


@bp.route("/counties/<county>/trend")
@requires("rollups.read")
def county_trend(county: str | None = None) -> str:
    """Each township's rate and the county's per half-year: a line chart, and its table."""
    query = load_query(api.TrendQuery)
    periods = api.trend_periods(query)
    result = service.trend(db_session(), _county(), periods, utcnow())
    series = {_("Whole county"): [p["rate"] for p in result["overall"]]}
    for row in result["townships"]:
        series[town_name(row["township"])] = [p["rate"] for p in row["points"]]
    chart = line_chart(_("Fulfilment rate by half-year"), result["periods"], series)
    return render_page("console/county_trend.html", result=result, chart=chart,
                       town_name=town_name, query=query)


@bp.route("/counties/<county>/overdue")
@requires("rollups.read")
def county_overdue(county: str | None = None) -> str:
    """Every overdue obligation of the county, oldest first, with filters, 50 to a page."""
    query = load_query(OverduePageQuery)
    offset = (query["page"] - 1) * PAGE_SIZE
    items, total = service.overdue(db_session(), _county(), utcnow(), limit=PAGE_SIZE,
                                   offset=offset, **api.overdue_filters(query))
    towns = service.county_townships(db_session(), _county())
    return render_page("console/county_overdue.html", items=items, total=total, query=query,
                       pages=max(1, -(-total // PAGE_SIZE)), towns=towns,
                       rules=sorted(registry(), key=lambda r: r.key),
                       town_name=town_name, render=render)


@bp.route("/counties/<county>/metrics")
@requires("rollups.read")
def county_metrics(county: str | None = None) -> str:
    """What each township's modules report; a module not enabled says so, never zero."""
    query = load_query(api.MetricsQuery)
    period = query.get("period") or api.current_half_year()
    result = service.metrics(db_session(), _county(), period)
    return render_page("console/county_metrics.html", result=result, period=period,
                       periods=_recent_halves(period), town_name=town_name, query=query)


# the spreadsheets of each view: (service call, sheets, the sheet a CSV holds, file name)
VIEWS = ("compliance", "overdue", "trend", "metrics")


@bp.route("/counties/<county>/exports/<view>.<fmt>")
@requires("rollups.read")
def county_export(view: str, fmt: str, county: str | None = None) -> Response:
    """A view's spreadsheet from a signed-in page (the API's exports want a bearer token):
    the same sheets the API's ``?format=xlsx|csv`` gives, every row."""
    if view not in VIEWS or fmt not in exports.FORMATS:
        not_found()
    sheets, csv_sheet, name = _export_sheets(view)
    language = page_language()
    if fmt == "xlsx":
        body, mimetype = exports.to_xlsx(sheets, language), exports.XLSX
    else:
        body, mimetype = (exports.to_csv(sheets[csv_sheet], language),
                          f"{exports.CSV}; charset=utf-8")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{g.zz_tenant.slug}-{name}.{fmt}"',
        "Cache-Control": "private, no-store"})


def _export_sheets(view: str) -> tuple[list[exports.Sheet], int, str]:
    db, county, now = db_session(), _county(), utcnow()
    if view == "compliance":
        query = load_query(api.ComplianceQuery)
        period = query.get("period") or api.current_half_year()
        result = service.compliance(db, county, period, now, query["sort"], query["order"],
                                    query.get("rule"))
        return exports.compliance_sheets(result), 1, f"compliance-{period.label}"
    if view == "overdue":
        query = load_query(api.OverdueQuery)
        items, _total = service.overdue(db, county, now, limit=api.MAX_EXPORT_ROWS,
                                        **api.overdue_filters(query))
        return exports.overdue_sheets(items), 0, "overdue"
    if view == "trend":
        periods = api.trend_periods(load_query(api.TrendQuery))
        result = service.trend(db, county, periods, now)
        return (exports.trend_sheets(result), 1,
                f"trend-{periods[0].label}-{periods[-1].label}")
    query = load_query(api.MetricsQuery)
    period = query.get("period") or api.current_half_year()
    return (exports.metrics_sheets(service.metrics(db, county, period)), 0,
            f"metrics-{period.label}")


def _recent_halves(period) -> list:
    """The period switcher's half-years: the four before this one, it, and the next."""
    current = api.current_half_year()
    halves = [api.shift_half(current, shift) for shift in range(1, -6, -1)]
    if period.label not in {h.label for h in halves}:
        halves.append(period)
    return halves
