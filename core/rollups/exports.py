"""Roll-ups as spreadsheets: ``.xlsx`` (a sheet per view) and ``.csv`` (UTF-8 with BOM).

County staff open these in Excel or WPS, so headers are Chinese (labels rendered by the
request's language), the header row is frozen, columns are wide enough for CJK text and
rates are real numbers formatted as percentages. CSV carries the long-form table (one row
per township and rule, or per township and period) and a BOM, without which spreadsheet
programs misread UTF-8 as the local code page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

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


def _width(value: Any) -> int:
    """Display width: CJK characters take two columns."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_title(label: Label, language: str | None) -> str:
    title = render(label, language)
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31]


def to_xlsx(sheets: Sequence[Sheet], language: str | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title, language))
        headers = [c.header(language) for c in sheet.columns]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
        for row in sheet.rows:
            ws.append([_clean(v) for v in row])
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":  # a name starting with "=" stays text
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=1, column=index).column_letter
            sample = [headers[index - 1]] + [r[index - 1] for r in sheet.rows[:SAMPLE_ROWS]]
            ws.column_dimensions[letter].width = min(
                MAX_WIDTH, max(MIN_WIDTH, max(_width(v) for v in sample) + 2))
            if column.kind in NUMBER_FORMATS:
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = NUMBER_FORMATS[column.kind]
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


def _counts(item: dict[str, Any]) -> list[Any]:
    return [item["required"], item["done"], item["overdue"], item["waived"], item["rate"]]


def _town(item: dict[str, Any]) -> list[Any]:
    return [item["township"]["name"], item["township"]["slug"]]


def compliance_sheets(result: dict[str, Any]) -> list[Sheet]:
    """Matrix (rates, township × rule), detail (long form) and per-rule totals."""
    rules = result["rules"]
    matrix = Sheet(Label("合規矩陣", "Matrix"), [TOWNSHIP, SLUG] + [
        Column(r["title"], "rate") for r in rules] + COUNTS)
    detail = Sheet(Label("明細", "Detail"), [TOWNSHIP, SLUG, *RULE, *COUNTS])
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
                     [[r["rule"], r["title"], r["source"], *_counts(r)] for r in rules])
    return [matrix, detail, per_rule]


def overdue_sheets(items: list[dict[str, Any]]) -> list[Sheet]:
    """The overdue list: due on the township's local day (a period's last day, as the
    calendar lists it) and who answers for it, by post (M1, M2 for committee-level work)."""
    sheet = Sheet(Label("逾期事項", "Overdue"), [
        TOWNSHIP, SLUG, Column(Label("單位", "Unit")), *RULE, Column(Label("期間", "Period")),
        Column(Label("截止日期", "Due on"), "date"),
        Column(Label("逾期天數", "Days overdue"), "int"),
        Column(Label("應完成", "Required"), "int"), Column(Label("已完成", "Done"), "int"),
        Column(Label("責任崗位", "Responsible role")),
        Column(Label("第一責任人", "First responsible")),
        Column(Label("直接責任人", "Directly responsible"))])
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
    rates = Sheet(Label("完成率趨勢", "Rates"), [TOWNSHIP, SLUG] + [
        Column(p, "rate") for p in labels])
    detail = Sheet(Label("明細", "Detail"),
                   [TOWNSHIP, SLUG, Column(Label("期間", "Period")), *COUNTS])
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
        Column(Label("計算失敗", "Failed metrics"))])
    for row in result["townships"]:
        sheet.rows.append(_town(row) + [row["values"].get(m["key"]) for m in metrics] + [
            "、".join(row["disabled"]), "、".join(row["failed"])])
    return [sheet]
