"""Roll-ups as spreadsheets: ``.xlsx`` (a sheet per view) and ``.csv`` (UTF-8 with BOM).

County staff open these in Excel or WPS, and print them for meetings, so each sheet opens
with a title row (the county, the view, the period and the "as of" time in the county's time
zone: a printed page says what it shows), headers are in the request's language, the header
row is frozen and repeated on every printed page, pages are landscape A4 fitted to their
width, columns are wide enough for CJK text and rates are real numbers formatted as
percentages. Compliance and trend workbooks carry a chart sheet drawn by the spreadsheet
program from the sheet's own cells, so the chart and the figures never disagree. CSV carries
the long-form table (one row per township and rule, or per township and period) and a BOM,
without which spreadsheet programs misread UTF-8 as the local code page; it has no title
row, so programs reading it take the first row as its header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from zerenzhi.labels import Label, render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
FORMATS = {"xlsx": XLSX, "csv": CSV}
NUMBER_FORMATS = {"rate": "0.0%", "int": "0", "number": "0.####", "date": "yyyy-mm-dd",
                  "datetime": "yyyy-mm-dd hh:mm"}
MAX_WIDTH, MIN_WIDTH, SAMPLE_ROWS = 60, 6, 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_SIGNS = ("=", "+", "-", "@")


def _clean(value: Any) -> Any:
    """Text as data: no control characters XML cannot hold (names come from townships)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text (CSV injection): ``=…`` becomes ``'=…``, and
    so does `` =…`` or ``\\n=…``: spreadsheets skip leading whitespace before a formula."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and (value.startswith(FORMULA_START)
                                   or value.lstrip().startswith(FORMULA_SIGNS)):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    label: Label | str  # a str is data already rendered (a rule title, a period)
    kind: str = "text"  # text | int | number | rate | date | datetime

    def header(self, language: str | None) -> str:
        return self.label if isinstance(self.label, str) else render(self.label, language)


@dataclass
class Sheet:
    title: Label
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    view: Label | None = None  # the title row's view, e.g. compliance
    period: str | None = None  # the title row's period, e.g. 2026H1 or 2025H1–2026H2
    as_of: dt.datetime | None = None  # when the figures were counted (None: exported now)
    chart: str | None = None  # "bar": last column by township; "line": a line per row


@dataclass(frozen=True)
class Heading:
    """Whose workbook it is, for the title row: the county's name and its time zone (the
    "as of" time is the county's wall clock, as its staff read it)."""

    county: str = ""
    timezone: str | None = None


TITLE_ROW, HEADER_ROW = 1, 2
AS_OF = Label("截至 {time}", "as of {time}")
CHART_SHEET = Label("完成率圖", "Rate chart")


def _width(value: Any) -> int:
    """Display width: CJK characters take two columns."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_title(label: Label, language: str | None) -> str:
    title = render(label, language)
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31]


def title_text(sheet: Sheet, heading: Heading, language: str | None,
               now: dt.datetime | None = None) -> str:
    """``county · view · period · as of 2026-07-10 09:00 (Asia/Taipei)``: what a printed
    page shows and when it was counted."""
    as_of = sheet.as_of or now or dt.datetime.now(dt.UTC)
    zone = heading.timezone or "UTC"
    local = as_of.astimezone(ZoneInfo(zone)) if as_of.tzinfo else as_of
    when = render(AS_OF, language).format(time=f"{local:%Y-%m-%d %H:%M} ({zone})")
    parts = [heading.county, render(sheet.view or sheet.title, language), sheet.period, when]
    return " · ".join(_clean(p) for p in parts if p)


def _page_setup(ws: Worksheet) -> None:
    """Landscape A4, as wide as the page, the header row again on every printed page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1).coordinate


def _chart(ws: Worksheet, sheet: Sheet, title: str) -> BarChart | LineChart | None:
    """The sheet's chart over its own cells: rates are the sheet's, not copies."""
    first, last = HEADER_ROW + 1, HEADER_ROW + len(sheet.rows)
    if not sheet.rows or sheet.chart is None:
        return None
    names = Reference(ws, min_col=1, min_row=first, max_row=last)
    if sheet.chart == "bar":  # the last column (the township's rate) by township
        chart = BarChart()
        chart.type = "bar"  # horizontal: thirty townships' names stay readable
        column = len(sheet.columns)
        chart.add_data(Reference(ws, min_col=column, min_row=HEADER_ROW, max_row=last),
                       titles_from_data=True)
        chart.set_categories(names)
        chart.legend = None
    else:  # a line per row (townships, then the county), the periods along the x axis
        chart = LineChart()
        for row in range(first, last + 1):
            values = Reference(ws, min_col=3, max_col=len(sheet.columns), min_row=row)
            series = Series(values, title=str(ws.cell(row=row, column=1).value or ""))
            chart.series.append(series)
        chart.set_categories(Reference(ws, min_col=3, max_col=len(sheet.columns),
                                       min_row=HEADER_ROW))
        chart.legend.position = "b"
    chart.title = title
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl hides axes by default
    chart.width, chart.height = 28, 16
    return chart


def to_xlsx(sheets: Sequence[Sheet], language: str | None = None,
            heading: Heading | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    heading = heading or Heading()
    now = dt.datetime.now(dt.UTC)
    bold = Font(bold=True)
    charts = []
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title, language))
        title = title_text(sheet, heading, language, now)
        ws.append([title])
        if ws.cell(row=TITLE_ROW, column=1).data_type == "f":  # a county named "=…"
            ws.cell(row=TITLE_ROW, column=1).data_type = "s"
        ws.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=14)
        ws.cell(row=TITLE_ROW, column=1).alignment = Alignment(vertical="center")
        if len(sheet.columns) > 1:  # one cell across the table, not widening column A
            ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW,
                           end_column=len(sheet.columns))
        ws.row_dimensions[TITLE_ROW].height = 24
        headers = [c.header(language) for c in sheet.columns]
        ws.append(headers)
        for cell in ws[HEADER_ROW]:
            cell.font = bold
        for row in sheet.rows:
            ws.append([_clean(v) for v in row])
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":  # a name starting with "=" stays text
                    cell.data_type = "s"
        _page_setup(ws)
        for index, column in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=HEADER_ROW, column=index).column_letter
            sample = [headers[index - 1]] + [r[index - 1] for r in sheet.rows[:SAMPLE_ROWS]]
            ws.column_dimensions[letter].width = min(
                MAX_WIDTH, max(MIN_WIDTH, max(_width(v) for v in sample) + 2))
            if column.kind in NUMBER_FORMATS:
                for (cell,) in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=index,
                                            max_col=index):
                    cell.number_format = NUMBER_FORMATS[column.kind]
        chart = _chart(ws, sheet, title)
        if chart is not None:
            charts.append(chart)
    for chart in charts:  # after the data sheets: a workbook opens on its figures
        workbook.create_chartsheet(_sheet_title(CHART_SHEET, language)).add_chart(chart)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(sheet: Sheet, language: str | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header(language) for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


# --- the views as sheets --------------------------------------------------------------------

TOWNSHIP = Column(Label("鄉鎮", "Township"))
SLUG = Column(Label("鄉鎮代碼", "Township code"))
COUNTS = [Column(Label("應完成", "Required"), "int"), Column(Label("已完成", "Done"), "int"),
          Column(Label("逾期", "Overdue"), "int"), Column(Label("豁免", "Waived"), "int"),
          Column(Label("完成率", "Rate"), "rate")]
RULE = [Column(Label("規則", "Rule")), Column(Label("事項", "Title")),
        Column(Label("條款", "Clause"))]


COMPLIANCE = Label("合規情況", "Compliance")
TREND = Label("完成率趨勢", "Trend")
OVERDUE = Label("逾期事項", "Overdue")


def _counts(item: dict[str, Any]) -> list[Any]:
    return [item["required"], item["done"], item["overdue"], item["waived"], item["rate"]]


def _town(item: dict[str, Any]) -> list[Any]:
    return [item["township"]["name"], item["township"]["slug"]]


def compliance_sheets(result: dict[str, Any]) -> list[Sheet]:
    """Matrix (rates, township × rule), detail (long form) and per-rule totals."""
    rules = result["rules"]
    about = {"view": COMPLIANCE, "period": result["period"], "as_of": result.get("as_of")}
    matrix = Sheet(Label("合規矩陣", "Matrix"), [TOWNSHIP, SLUG] + [
        Column(r["title"], "rate") for r in rules] + COUNTS, chart="bar", **about)
    detail = Sheet(Label("明細", "Detail"), [TOWNSHIP, SLUG, *RULE, *COUNTS], **about)
    titles = {r["rule"]: r for r in rules}
    for row in result["townships"]:
        by_rule = {c["rule"]: c for c in row["cells"]}
        matrix.rows.append(_town(row) + [by_rule[r["rule"]]["rate"] if r["rule"] in by_rule
                                         else None for r in rules] + _counts(row))
        if not row["cells"]:  # nothing to count yet: still listed, with zeros
            detail.rows.append([*_town(row), None, None, None, *_counts(row)])
        for cell in row["cells"]:
            rule = titles[cell["rule"]]
            detail.rows.append([*_town(row), cell["rule"], rule["title"], rule["source"],
                                *_counts(cell)])
    per_rule = Sheet(Label("按規則", "By rule"), RULE + COUNTS,
                     [[r["rule"], r["title"], r["source"], *_counts(r)] for r in rules],
                     **about)
    return [matrix, detail, per_rule]


def overdue_sheets(items: list[dict[str, Any]], as_of: dt.datetime | None = None
                   ) -> list[Sheet]:
    """The overdue list: due on the township's local day (a period's last day, as the
    calendar lists it) and who answers for it, by post (M1, M2 for committee-level work)."""
    sheet = Sheet(OVERDUE, [
        TOWNSHIP, SLUG, Column(Label("單位", "Unit")), *RULE, Column(Label("期間", "Period")),
        Column(Label("截止日期", "Due on"), "date"),
        Column(Label("逾期天數", "Days overdue"), "int"),
        Column(Label("應完成", "Required"), "int"), Column(Label("已完成", "Done"), "int"),
        Column(Label("責任崗位", "Responsible role")),
        Column(Label("第一責任人", "First responsible")),
        Column(Label("直接責任人", "Directly responsible"))], view=OVERDUE, as_of=as_of)
    for item in items:
        sheet.rows.append([
            *_town(item), item["unit_name"], item["rule"], item["title"], item["source"],
            item["period"], item["due_on"], item["days_overdue"], item["required"],
            item["done"], item["responsible_role_label"],
            *((item[key] or {}).get("label") for key in
              ("first_responsible", "directly_responsible"))])
    return [sheet]


def trend_sheets(result: dict[str, Any]) -> list[Sheet]:
    """Rates by period (townships as rows, the county last) and the long form."""
    labels = result["periods"]
    span = f"{labels[0]}–{labels[-1]}" if labels else None
    about = {"view": TREND, "period": span, "as_of": result.get("as_of")}
    rates = Sheet(Label("完成率趨勢", "Rates"), [TOWNSHIP, SLUG] + [
        Column(p, "rate") for p in labels], chart="line", **about)
    detail = Sheet(Label("明細", "Detail"),
                   [TOWNSHIP, SLUG, Column(Label("期間", "Period")), *COUNTS], **about)
    for row in result["townships"]:
        rates.rows.append(_town(row) + [p["rate"] for p in row["points"]])
        detail.rows.extend([*_town(row), p["period"], *_counts(p)] for p in row["points"])
    county = [render(Label("全縣", "County")), ""]
    rates.rows.append(county + [p["rate"] for p in result["overall"]])
    detail.rows.extend([*county, p["period"], *_counts(p)] for p in result["overall"])
    return [rates, detail]


def metrics_sheets(result: dict[str, Any]) -> list[Sheet]:
    kinds = {"count": "int", "rate": "rate", "score": "number", "number": "number"}
    metrics = result["metrics"]
    sheet = Sheet(Label("模塊指標", "Module metrics"), [TOWNSHIP, SLUG] + [
        Column(m["label"], kinds[m["type"]]) for m in metrics] + [
        Column(Label("未啓用模塊", "Modules not enabled")),
        Column(Label("計算失敗", "Failed metrics"))],
        view=Label("模塊指標", "Module metrics"), period=result.get("period"),
        as_of=result.get("as_of"))
    for row in result["townships"]:
        sheet.rows.append(_town(row) + [row["values"].get(m["key"]) for m in metrics] + [
            "、".join(row["disabled"]), "、".join(row["failed"])])
    return [sheet]
