"""The county's bulletin (通報): one printable page of a period — the compliance table, the
trend chart with its figures, the most overdue duties and the townships ranked — and the same
page as a PDF (WeasyPrint, decision 0028) to send round or file.

Its figures are the API's roll-ups (``rollup/compliance``, ``trend``, ``overdue``): the same
services and query schemas, so the bulletin, the pages and the JSON never disagree. Only the
county's own viewers and admins reach it (``rollups.read``); the request pipeline answers
everyone else with the unknown-county 404 page. Both routes are GETs that write nothing.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Response, g, render_template, url_for
from flask_babel import gettext as _
from flask_smorest import abort

from zerenzhi.auth.permissions import requires
from zerenzhi.console.charts import line_chart
from zerenzhi.console.county import band, cell_map, town_name
from zerenzhi.console.forms import load_query
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session as db_session
from zerenzhi.obligations.periods import period_of
from zerenzhi.rollups import service
from zerenzhi.routes import rollups as api
from zerenzhi.routes.common import QuerySchema
from zerenzhi.routes.obligations import PeriodField

TOP_OVERDUE = 20
TREND_HALVES = 4
STATIC = Path(__file__).parent / "static"
# The vendored screen framework (Pico) is left out of the PDF: its custom properties and
# media queries are for browsers (WeasyPrint warns on each), and reading it costs a third
# of the PDF's time; console.css and bulletin.css hold what print needs.
SCREEN_ONLY = ("vendor/",)


class BulletinQuery(QuerySchema):
    period = PeriodField(metadata={"description": "2026H1, 2026, 2026Q2 or 2026-04; default: "
                                                  "the current half-year"})


@bp.route("/counties/<county>/bulletin")
@requires("rollups.read")
def county_bulletin(county: str | None = None) -> str:
    """The bulletin as a page, printable as it stands (its print stylesheet)."""
    return render_page("console/bulletin.html", **bulletin_context())


@bp.route("/counties/<county>/bulletin.pdf")
@requires("rollups.read")
def county_bulletin_pdf(county: str | None = None) -> Response:
    """The same page as an A4 PDF, its Chinese font embedded."""
    context = bulletin_context()
    html = render_template("console/bulletin.html", pdf=True, **context)
    name = f"{g.zz_tenant.slug}-bulletin-{context['period'].label}.pdf"
    return Response(to_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"',
        "Cache-Control": "private, no-store"})


def bulletin_context() -> dict[str, Any]:
    """The period's figures, by the services the API's roll-ups call, counted at one time."""
    query = load_query(BulletinQuery)
    period = query.get("period") or api.current_half_year()
    db, county, now = db_session(), g.zz_tenant.ref(), utcnow()
    result = service.compliance(db, county, period, now)
    # the trend ends at the period's half-year: the bulletin of 2026Q1 shows up to 2026H1
    last = period_of("half_year", period.start)
    halves = [api.shift_half(last, shift) for shift in range(1 - TREND_HALVES, 1)]
    trend = service.trend(db, county, halves, now)
    series = {_("Whole county"): [p["rate"] for p in trend["overall"]]}
    for row in trend["townships"]:
        series[town_name(row["township"])] = [p["rate"] for p in row["points"]]
    chart = line_chart(_("Fulfilment rate by half-year"), trend["periods"], series)
    overdue, overdue_total = service.overdue(db, county, now, limit=TOP_OVERDUE)
    ranked = service.sort_rows(list(result["townships"]), "rate", "desc")
    return {"result": result, "period": period, "trend": trend, "chart": chart,
            "overdue": overdue, "overdue_total": overdue_total, "ranked": ranked,
            "band": band, "cell_map": cell_map, "town_name": town_name}


def static_file(url: str, prefix: str) -> tuple[bytes, str]:
    """A console stylesheet (or other static file) read from disk for WeasyPrint; anything
    else is refused, so no request leaves the server while a PDF is drawn (nor comes back to
    this app): a stored name cannot make the PDF fetch a URL."""
    path = urlsplit(url).path
    if not path.startswith(prefix):
        raise ValueError(f"not fetched while drawing a PDF: {url}")
    name = path.removeprefix(prefix)
    file = (STATIC / name).resolve()
    if not file.is_relative_to(STATIC.resolve()) or not file.is_file():
        raise ValueError(f"no such static file: {url}")
    if name.startswith(SCREEN_ONLY):
        return b"", "text/css"
    return file.read_bytes(), mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def to_pdf(html: str) -> bytes:
    """The page drawn for print media (A4, its print stylesheet), fonts subset-embedded."""
    # imported when a PDF is asked for: loading WeasyPrint takes half a second
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except OSError:  # Pango missing on this host (docs/operations.md): the page still works
        abort(503, message="PDF rendering is not installed on this server")

    prefix = url_for("console.static", filename="")

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            body, mime = static_file(url, prefix)
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    document = HTML(string=html, base_url="http://bulletin.invalid/",
                    url_fetcher=StaticOnly(allowed_protocols=("http",)))
    return document.write_pdf()
