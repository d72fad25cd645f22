"""County roll-ups: module metrics (I4, M4: scores and counts the modules report upward)
and the spreadsheet exports county staff work with."""

from __future__ import annotations

import csv
import io

import time_machine
from openpyxl import load_workbook

from tests.rollups.conftest import rollup

NOW = "2026-07-10T09:00:00+08:00"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _by_slug(result, town):
    return next(r for r in result["townships"] if r["township"]["slug"] == town.slug)


@time_machine.travel(NOW, tick=False)
def test_enabled_modules_report_disabled_ones_say_so(county):
    result = rollup(county.world, "metrics", period="2026H1").assert_status(200).json
    meta = {m["key"]: m for m in result["metrics"]}
    assert meta["tally.entries"] == {"key": "tally.entries", "plugin": "tally",
                                     "label": "记录次数", "type": "count", "unit": "次"}
    assert meta["tally.meeting_share"]["type"] == "rate"
    a, b, c = (_by_slug(result, t) for t in (county.a, county.b, county.c))
    assert a["values"] == {"tally.entries": 4, "tally.meeting_share": 0.25,
                           "hello.greetings": 1}  # hello reads its own table, in A's scope
    assert a["disabled"] == ["rogue"] and a["failed"] == []
    assert b["values"] == {"tally.entries": 3, "tally.meeting_share": 0.0}
    assert b["disabled"] == ["hello"]
    assert c["values"] == {"tally.entries": 0, "tally.meeting_share": None}
    assert c["disabled"] == ["hello", "rogue"]  # absent, not zero


@time_machine.travel(NOW, tick=False)
def test_a_broken_metric_is_reported_not_fatal_and_never_text(county):
    """Per township or set-based: raising, answering text or leaving a township out fails
    that metric for the townships it was asked about, and the view still answers."""
    result = rollup(county.world, "metrics", period="2026H1").assert_status(200).json
    b = _by_slug(result, county.b)
    assert b["failed"] == ["rogue.crash", "rogue.crash_all", "rogue.leak", "rogue.leak_all",
                           "rogue.silent"]
    assert not [key for key in b["values"] if key.startswith("rogue.")]
    assert b["values"] == {"tally.entries": 3, "tally.meeting_share": 0.0}  # after the crash
    assert _by_slug(result, county.c)["values"]["tally.entries"] == 0  # later townships too
    assert _by_slug(result, county.a)["failed"] == []  # rogue is B's only


@time_machine.travel(NOW, tick=False)
def test_a_raising_set_based_metric_is_logged_and_rolled_back(county, caplog):
    with caplog.at_level("ERROR", logger="zerenzhi.rollups"):
        rollup(county.world, "metrics", period="2026H1").assert_status(200)
    messages = [r.getMessage() for r in caplog.records]
    assert any("rogue.crash_all failed for the townships of county" in m for m in messages)
    assert any("rogue.silent" in m and "nothing" in m for m in messages)


@time_machine.travel(NOW, tick=False)
def test_labels_follow_accept_language(county):
    client = county.world.client("county_admin", **{"Accept-Language": "en"})
    url = f"/api/v1/counties/{county.world.county_slug}/rollup"
    metrics = client.get(f"{url}/metrics?period=2026H1").json
    assert {m["key"]: m["label"] for m in metrics["metrics"]}["tally.entries"] == "Entries"
    hant = county.world.client("county_admin", **{"Accept-Language": "zh-TW"})
    rules = hant.get(f"{url}/compliance?period=2026H1").json["rules"]
    assert {r["title"] for r in rules} >= {"專題會議", "集中學習"}


@time_machine.travel(NOW, tick=False)
def test_compliance_workbook_has_a_sheet_per_view(county):
    response = rollup(county.world, "compliance", period="2026H1", format="xlsx")
    response.assert_status(200)
    assert response.headers["Content-Type"] == XLSX
    assert response.headers["Content-Disposition"].endswith(
        f'{county.world.county_slug}-compliance-2026H1.xlsx"')
    book = load_workbook(io.BytesIO(response.raw.data))
    assert book.sheetnames == ["合规矩阵", "明细", "按规则", "完成率图"]
    matrix = book["合规矩阵"]
    assert matrix.freeze_panes == "A3"  # the title row and the header row stay in view
    headers = [c.value for c in matrix[2]]
    assert headers[:2] == ["乡镇", "乡镇代码"] and headers[-1] == "完成率"
    assert matrix.column_dimensions["A"].width >= 6
    rows = {r[1]: r for r in matrix.iter_rows(min_row=3, values_only=True)}
    assert rows[county.b.slug][-1] == 0.3333
    assert matrix.cell(row=3, column=len(headers)).number_format == "0.0%"
    detail = list(book["明细"].iter_rows(min_row=3, values_only=True))
    assert len(detail) == 6  # a row per township and rule (A 3, B 2), C listed with zeros
    assert book["明细"].freeze_panes == "A3"


def _title(sheet) -> str:
    return sheet.cell(row=1, column=1).value


@time_machine.travel(NOW, tick=False)
def test_every_sheet_prints_its_title_on_landscape_a4(county):
    """A printed sheet says whose figures, which view and period, and when they were
    counted, on the county's clock; landscape A4 as wide as the page, the header row on
    every page."""
    book = load_workbook(io.BytesIO(
        rollup(county.world, "compliance", period="2026H1", format="xlsx").raw.data))
    county_name = "县" + county.world.county_slug.removeprefix("c-")  # 縣…, in zh-Hans
    for name in ("合规矩阵", "明细", "按规则"):
        sheet = book[name]
        title = _title(sheet)
        assert title.startswith(county_name) and "合规情况" in title, title
        assert "2026H1" in title and "截至 2026-07-10 09:00" in title, title
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == "9"  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$2:$2"
    english = county.world.client("county_viewer", **{"Accept-Language": "en"}).get(
        f"/api/v1/counties/{county.world.county_slug}/rollup/overdue?format=xlsx")
    sheet = load_workbook(io.BytesIO(english.raw.data)).worksheets[0]
    assert "Overdue" in _title(sheet) and "as of 2026-07-10" in _title(sheet)
    assert [c.value for c in sheet[2]][:2] == ["Township", "Township code"]


@time_machine.travel(NOW, tick=False)
def test_compliance_and_trend_workbooks_carry_a_chart(county):
    """Compliance: a bar per township (its rate); trend: a line per township and the
    county; both drawn from the sheet's own cells."""
    book = load_workbook(io.BytesIO(
        rollup(county.world, "compliance", period="2026H1", format="xlsx").raw.data))
    (chart,) = book.chartsheets[0]._charts
    assert chart.tagname == "barChart" and len(chart.series) == 1
    assert "'合规矩阵'" in chart.series[0].val.numRef.f
    trend = load_workbook(io.BytesIO(rollup(county.world, "trend", format="xlsx").raw.data))
    assert trend.sheetnames == ["完成率趋势", "明细", "完成率图"]
    (line,) = trend.chartsheets[0]._charts
    rates = trend["完成率趋势"]
    assert line.tagname == "lineChart" and len(line.series) == rates.max_row - 2
    for view in ("overdue", "metrics"):
        book = load_workbook(io.BytesIO(rollup(county.world, view, format="xlsx").raw.data))
        assert not book.chartsheets, view


@time_machine.travel(NOW, tick=False)
def test_csv_is_utf8_with_bom_by_accept_header(county):
    response = county.world.client("county_viewer", Accept="text/csv").get(
        f"/api/v1/counties/{county.world.county_slug}/rollup/overdue")
    response.assert_status(200)
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.raw.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["乡镇", "乡镇代码", "单位"]
    assert len(rows) == 1 + 3  # every overdue row, not one page


@time_machine.travel(NOW, tick=False)
def test_every_view_exports_both_formats(county):
    for view in ("compliance", "overdue", "trend", "metrics"):
        for fmt, kind in (("xlsx", XLSX), ("csv", "text/csv")):
            response = rollup(county.world, view, format=fmt).assert_status(200)
            assert response.headers["Content-Type"].startswith(kind), (view, fmt)
    rollup(county.world, "trend", format="pdf").assert_status(422)


def test_exports_are_documented_in_the_openapi(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    for view in ("compliance", "overdue", "trend", "metrics"):
        content = spec["paths"][f"/api/v1/counties/{{county}}/rollup/{view}"]["get"][
            "responses"]["200"]["content"]
        assert set(content) == {"application/json", XLSX, "text/csv"}, view


@time_machine.travel(NOW, tick=False)
def test_names_are_data_never_formulas(county):
    """A township or unit name is text: no formula runs when county staff open the file
    (CSV injection), and control characters do not break the workbook."""
    from tests.rollups.conftest import add_township

    add_township(county.world, '=HYPERLINK("http://example.invalid","x")\x01')
    book = load_workbook(io.BytesIO(
        rollup(county.world, "compliance", format="xlsx").raw.data))
    names = [c for c in book["合规矩阵"]["A"] if str(c.value).startswith("=HYPERLINK")]
    assert len(names) == 1 and names[0].data_type == "s"
    assert "\x01" not in names[0].value
    text = rollup(county.world, "compliance", format="csv").raw.data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
