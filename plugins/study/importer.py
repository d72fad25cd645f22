"""Importing the study register a township office already keeps (xlsx, or CSV in UTF-8 or
GB18030): every row is checked like an API request; one bad row rejects the whole file,
naming each bad row and column; a good file is one transaction with one audit entry.

Evidence that proves what it claims (issue 16, item 8): the template's example lives on its
own sheet, which is never read, and an example row pasted back among the data is refused; a
row repeating a session already recorded (same unit, date and title), or an earlier row of
the file, is a warning in the dry run and, on import, refuses the file (``duplicates=refuse``,
the default) or is left out (``duplicates=skip``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import DomainError, OrgUnit, audit_event, can_write_unit, emit, unit_members
from zerenzhi.plugins.study import bounds, services
from zerenzhi.plugins.study.models import StudyMeeting
from zerenzhi.plugins.study.schemas import DUPLICATES, StudyMeetingIn

MAX_ROWS = bounds.MAX_ROWS
# Column header -> field of StudyMeetingIn (the template's order).
COLUMNS = {
    "單位": "unit_id", "日期": "held_on", "開始時間": "start_time", "類型": "kind",
    "主題": "title", "學習內容": "topics", "意識形態": "ideology", "主講人": "presenter",
    "學習材料": "materials", "會議記錄": "minutes", "出席人員": "present",
    "缺席人員及原因": "absent",
}
REQUIRED = ("單位", "日期", "類型", "主題")
FIELD_COLUMN = {value: key for key, value in COLUMNS.items()}
FIELD_COLUMN["attendance"] = "出席人員"
KIND_WORDS = {"集中學習": "centralised", "集中学习": "centralised", "專題研究": "special_study",
              "专题研究": "special_study", "培訓": "training", "培训": "training",
              "centralised": "centralised", "special_study": "special_study",
              "training": "training"}
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", ""}
LIST_SPLIT = re.compile(r"[;；\n、]+")
NAME_SPLIT = re.compile(r"[;；\n、,，]+")
ABSENT = re.compile(r"^(?P<name>[^（(:：]+)[（(:：]\s*(?P<reason>[^）)]*)[）)]?$")
DATA_SHEET, EXAMPLE_SHEET = "學習記錄", "填寫示例"
EXAMPLE = ["branch-1", "2026-03-12", "09:00", "集中學習", "學習黨的二十屆三中全會精神",
           "全會公報；意識形態工作責任制", "是", "王建國",
           "全會公報|http://www.example.org/gongbao", "會議記錄摘要……", "", ""]


@dataclass
class RowResult:
    row: int
    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    title: str | None = None
    id: uuid.UUID | None = None
    warnings: dict[str, list[str]] = field(default_factory=dict)
    duplicate_of: uuid.UUID | None = None  # the session already recorded
    duplicate_of_row: int | None = None  # or the earlier row of the same file
    skipped: bool = False

    def add(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None or self.duplicate_of_row is not None

    def as_dict(self) -> dict[str, Any]:
        status = ("error" if self.errors else "skipped" if self.skipped
                  else "duplicate" if self.duplicate else "ok")
        return {"row": self.row, "status": status, "errors": self.errors,
                "warnings": self.warnings, "title": self.title, "id": self.id,
                "duplicate_of": self.duplicate_of, "duplicate_of_row": self.duplicate_of_row}


def template() -> bytes:
    """The xlsx template: the data sheet with the Chinese headers and no row, the example on
    a sheet of its own (never imported), and a sheet of instructions."""
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    example = book.create_sheet(EXAMPLE_SHEET)
    for page, rows in ((sheet, [list(COLUMNS)]), (example, [list(COLUMNS), EXAMPLE])):
        for row in rows:
            page.append(row)
        for cell in page[1]:
            cell.font = Font(bold=True)
        for column, width in zip("ABCDEFGHIJKL",
                                 (12, 12, 10, 10, 30, 30, 8, 10, 36, 30, 20, 20), strict=True):
            page.column_dimensions[column].width = width
    notes = book.create_sheet("填寫說明")
    for line in (
        ("工作表", f"在「{DATA_SHEET}」逐行填寫；「{EXAMPLE_SHEET}」只是示例，不會導入"),
        ("單位", "單位代碼（如 branch-1）或單位全稱；必填"),
        ("日期", "YYYY-MM-DD，或 2026/3/12、2026年3月12日；必填"),
        ("開始時間", "HH:MM，可空"),
        ("類型", "集中學習、專題研究、培訓；必填"),
        ("主題", "必填，200字以內"),
        ("學習內容", "多個內容以「；」分隔"),
        ("意識形態", "是／否：是否為意識形態工作相關內容（W3 每年至少2次）"),
        ("學習材料", "每項「標題|鏈接」，多項以「；」分隔"),
        ("出席人員", "本單位系統內成員姓名，以「、」分隔"),
        ("缺席人員及原因", "「姓名（原因）」，多人以「；」分隔"),
    ):
        notes.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes, filename: str = "") -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {header: raw value}) for every non-empty row; the file is
    measured against ``bounds`` before it is parsed (an xlsx may be a decompression bomb)."""
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        bounds.check_archive(content)
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = _data_sheet(book)
            bounds.check_width(sheet.max_column)
            rows = bounds.bounded(sheet.iter_rows(max_col=bounds.MAX_COLUMNS + 1,
                                                  values_only=True))
            book.close()
        except DomainError:
            raise
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise bounds.refused(f"not a readable xlsx file: {type(error).__name__}") from error
    else:
        bounds.check_size(content)
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise bounds.refused("CSV must be UTF-8 or GB18030")
        if "\x00" in text:
            raise bounds.refused("not a text file")
        try:
            rows = bounds.bounded(csv.reader(io.StringIO(text)))
        except csv.Error as error:  # a field over csv's own limit (128 KiB), a stray quote
            raise bounds.refused(f"not a readable CSV file: {error}") from error
    if not rows:
        raise bounds.refused("the file is empty")
    headers = [_cell_text(h) for h in rows[0]]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise bounds.refused(f"missing columns: {', '.join(missing)}")
    body = [(number, row) for number, row in enumerate(rows[1:], start=2)
            if any(_cell_text(v) for v in row)]
    if not body:
        raise bounds.refused(f"no record below the headers (fill in 「{DATA_SHEET}」: "
                             f"「{EXAMPLE_SHEET}」 is an example and is not imported)")
    return [(number, {h: row[i] if i < len(row) else None
                      for i, h in enumerate(headers) if h in COLUMNS}) for number, row in body]


def _data_sheet(book: Any) -> Any:
    """The sheet of records: the one the template names, else the first that is not the
    example's."""
    if DATA_SHEET in book.sheetnames:
        return book[DATA_SHEET]
    sheets = [sheet for sheet in book.worksheets if sheet.title != EXAMPLE_SHEET]
    if not sheets:
        raise bounds.refused(f"no sheet of records (the template's is 「{DATA_SHEET}」)")
    return sheets[0]


def _is_example(raw: dict[str, Any]) -> bool:
    """Whether a row is the template's example, pasted back among the records."""
    def plain(header: str, value: Any) -> Any:
        return _date(value) if header == "日期" else _cell_text(value)

    return all(plain(header, raw.get(header)) == plain(header, value)
               for header, value in zip(COLUMNS, EXAMPLE, strict=True) if header in raw)


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _cell_text(value)
    match = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", text)
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else text


def _time(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.time().isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    text = _cell_text(value).replace("：", ":")
    return text or None


def _materials(text: str) -> list[dict]:
    result = []
    for part in filter(None, (p.strip() for p in LIST_SPLIT.split(text))):
        title, _, url = part.partition("|")
        result.append({"title": title.strip(), "url": url.strip() or None})
    return result


def _convert(result: RowResult, raw: dict[str, Any], units: dict[str, OrgUnit]) -> dict:
    """Raw cells -> the API's input shape; problems are noted on their column."""
    data: dict[str, Any] = {}
    if _is_example(raw):
        result.add("主題", f"the template's example ({EXAMPLE_SHEET}), not a record: "
                   "delete this row")
    unit_text = _cell_text(raw.get("單位"))
    unit = units.get(unit_text)
    if unit is None:
        result.add("單位", f"no unit with code or name {unit_text!r} here" if unit_text
                   else "required")
    elif not can_write_unit(unit.id):
        result.add("單位", "this unit is outside your posts' scope")
    else:
        data["unit_id"] = str(unit.id)
    data["held_on"] = _date(raw.get("日期"))
    if "開始時間" in raw:
        data["start_time"] = _time(raw["開始時間"])
    kind = _cell_text(raw.get("類型"))
    data["kind"] = KIND_WORDS.get(kind, kind)
    data["title"] = _cell_text(raw.get("主題"))
    topics = _cell_text(raw.get("學習內容"))
    data["topics"] = [t.strip() for t in LIST_SPLIT.split(topics) if t.strip()]
    flag = _cell_text(raw.get("意識形態")).lower()
    if flag in YES or flag in NO:
        data["ideology"] = flag in YES
    else:
        result.add("意識形態", "是 or 否")
    for header, name in (("主講人", "presenter"), ("會議記錄", "minutes")):
        text = _cell_text(raw.get(header))
        if text:
            data[name] = text
    data["materials"] = _materials(_cell_text(raw.get("學習材料")))
    return data


def _attendance(result: RowResult, raw: dict, members: dict[str, uuid.UUID]) -> list[dict]:
    entries = []
    present = NAME_SPLIT.split(_cell_text(raw.get("出席人員")))
    for name in filter(None, (n.strip() for n in present)):
        if name not in members:
            result.add("出席人員", f"{name!r} is not a member of this unit")
        else:
            entries.append({"member_id": members[name], "present": True})
    for part in filter(None, (p.strip() for p in LIST_SPLIT.split(
            _cell_text(raw.get("缺席人員及原因"))))):
        match = ABSENT.match(part)
        name = (match["name"] if match else part).strip()
        reason = (match["reason"] if match else "").strip()
        if name not in members:
            result.add("缺席人員及原因", f"{name!r} is not a member of this unit")
        elif not reason:
            result.add("缺席人員及原因", f"{name}: give the reason, e.g. 姓名（原因）")
        else:
            entries.append({"member_id": members[name], "present": False,
                            "absence_reason": reason})
    return entries


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        return [pair for key, value in messages.items()
                for pair in _flatten(value, f"{prefix}.{key}".strip("."))]
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix, m) for m in messages]
    return [(prefix, str(messages))]


def check(session: Session, rows: list[tuple[int, dict]]) -> list[RowResult]:
    """Check every row as the API would, without writing anything."""
    units: dict[str, OrgUnit] = {}
    for unit in session.scalars(select(OrgUnit).where(OrgUnit.archived_at.is_(None))):
        units[unit.code], units[unit.name] = unit, unit
    members_of: dict[uuid.UUID, dict[str, uuid.UUID]] = {}
    schema = StudyMeetingIn()
    results = []
    for number, raw in rows:
        result = RowResult(number)
        data = _convert(result, raw, units)
        if "unit_id" in data:
            unit_id = uuid.UUID(data["unit_id"])
            if unit_id not in members_of:
                members_of[unit_id] = {name: member_id for member_id, name, _r
                                       in unit_members(session, unit_id)}
            attendance = _attendance(result, raw, members_of[unit_id])
            data["attendance"] = [{**e, "member_id": str(e["member_id"])} for e in attendance]
        try:
            loaded = schema.load({k: v for k, v in data.items() if k != "unit_id"} | {
                "unit_id": data.get("unit_id", str(uuid.UUID(int=0)))})
        except ma.ValidationError as error:
            for name, message in _flatten(error.messages):
                column = FIELD_COLUMN.get(name.split(".")[0], name)
                result.add(column, message)
            loaded = None
        if loaded is not None and not result.errors:
            result.data = loaded
            result.title = loaded["title"]
        results.append(result)
    _mark_duplicates(session, [result for result in results if result.data])
    return results


def _mark_duplicates(session: Session, results: list[RowResult]) -> None:
    """Warn on each row that repeats a live session (same unit, date and title) or an
    earlier row of the file: one statement for the file's units and dates."""
    if not results:
        return
    days = [result.data["held_on"] for result in results]
    recorded = {(row.unit_id, row.held_on, row.title): row.id for row in session.execute(
        select(StudyMeeting.id, StudyMeeting.unit_id, StudyMeeting.held_on, StudyMeeting.title)
        .where(StudyMeeting.archived_at.is_(None),
               StudyMeeting.unit_id.in_({result.data["unit_id"] for result in results}),
               StudyMeeting.held_on.between(min(days), max(days))))}
    first_row: dict[tuple, int] = {}
    for result in results:
        found = (result.data["unit_id"], result.data["held_on"], result.data["title"])
        if found in recorded:
            result.duplicate_of = recorded[found]
            result.warnings.setdefault("主題", []).append(
                f"the same unit, date and title as session {recorded[found]}, already recorded")
        elif found in first_row:
            result.duplicate_of_row = first_row[found]
            result.warnings.setdefault("主題", []).append(
                f"the same unit, date and title as row {first_row[found]} of this file")
        else:
            first_row[found] = result.row


def import_rows(session: Session, results: list[RowResult], settings: dict,
                filename: str) -> int:
    """Write checked rows in the caller's transaction: one audit entry for the file."""
    for result in results:
        row = services.record_meeting(session, result.data, settings, audited=False)
        result.id = row.id
    audit_event(session, "study_session.import", "study_session", None,
                after={"file": filename[:200], "rows": len(results),
                       "ids": [str(r.id) for r in results]})
    emit(session, "study.sessions_imported", count=len(results))
    return len(results)


def run(session: Session, upload: Any, settings: dict, *, dry_run: bool,
        duplicates: str = DUPLICATES[0]) -> dict[str, Any]:
    """Read and check an uploaded file (anything with ``read()`` and ``filename``) and, unless
    ``dry_run``, a row is bad or a duplicate is refused, import it: the answer's body, with
    every row's result. ``duplicates="skip"`` leaves repeated sessions out instead."""
    filename = getattr(upload, "filename", "") or ""
    results = check(session, read_rows(upload.read(), filename))
    invalid = sum(1 for result in results if result.errors)
    repeated = [result for result in results if result.duplicate and not result.errors]
    if duplicates == "skip":
        for result in repeated:
            result.skipped = True
    writable = [result for result in results if not result.skipped]
    blocked = invalid or (repeated and duplicates != "skip")
    created = 0 if dry_run or blocked or not writable \
        else import_rows(session, writable, settings, filename)
    return {"dry_run": dry_run, "rows": len(results), "valid": len(results) - invalid,
            "invalid": invalid, "duplicates": len(repeated),
            "skipped": sum(1 for result in results if result.skipped), "created": created,
            "results": [result.as_dict() for result in results]}


def refusal(body: dict[str, Any]) -> dict[str, Any] | None:
    """Why a file was not imported (the 422's message and each bad or repeated row's errors
    by column), or None: all or nothing, so one bad row, or one duplicate unless skipped,
    refuses the file; a dry run refuses nothing."""
    bad = {str(result["row"]): result["errors"] for result in body["results"]
           if result["errors"]}
    repeated = {str(result["row"]): result["warnings"] for result in body["results"]
                if result["status"] == "duplicate"}
    if body["dry_run"] or not (bad or repeated):
        return None
    reasons = [f"{len(bad)} of {body['rows']} rows have errors"] if bad else []
    if repeated:
        reasons.append(f"{len(repeated)} of {body['rows']} rows repeat a session or an earlier row "
                       "(same unit, date and title; duplicates=skip leaves them out)")
    return {"message": "; ".join(reasons) + "; nothing imported",
            "errors": {"rows": repeated | bad}}
