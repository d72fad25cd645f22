"""Importing the office's study register: all or nothing, errors by row and column."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook, load_workbook

from tests.plugins.study.helpers import done

HEADERS = ["單位", "日期", "開始時間", "類型", "主題", "學習內容", "意識形態", "主講人",
           "學習材料", "會議記錄", "出席人員", "缺席人員及原因"]
BRANCHES = ("branch-1", "branch-2")


def _rows(count: int = 200) -> list[list]:
    rows = []
    for n in range(count):
        month, day = n % 11 + 1, n // 11 + 1  # January to November: all held
        rows.append([BRANCHES[n % 2], f"2026-{month:02d}-{day:02d}", "09:30",
                     "集中學習" if n % 10 else "專題研究", f"第{n + 1}次學習",
                     "黨章；條例", "是" if n % 25 == 0 else "否", "楊支書",
                     "黨章|https://www.example.org/dz", "", "", ""])
    return rows


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _post(world, content: bytes, name: str, dry_run: bool = False, role: str = "office"):
    url = f"{world.base}/study/sessions/import" + ("?dry_run=true" if dry_run else "")
    return world.client(role).post(url, data={"file": (io.BytesIO(content), name)},
                                   content_type="multipart/form-data")


def test_a_200_row_register_with_three_bad_rows_is_rejected_naming_them(studied):
    """All or nothing: 3 bad rows of 200 are named by row and column; nothing is written;
    fixed, the file imports in one transaction with one audit entry."""
    rows = _rows()
    rows[16][1] = "2026-02-30"        # spreadsheet row 18: no such day
    rows[99][0] = "branch-9"          # row 101: no such unit
    rows[150][3] = "座談"             # row 152: not a kind of study
    dry = _post(studied, _xlsx(rows), "register.xlsx", dry_run=True).assert_status(200).json
    assert (dry["rows"], dry["valid"], dry["invalid"], dry["created"]) == (200, 197, 3, 0)
    assert [r["row"] for r in dry["results"] if r["status"] == "error"] == [18, 101, 152]
    rejected = _post(studied, _xlsx(rows), "register.xlsx").assert_status(422).json
    assert rejected["errors"]["rows"].keys() == {"18", "101", "152"}
    assert list(rejected["errors"]["rows"]["18"]) == ["日期"]
    assert list(rejected["errors"]["rows"]["101"]) == ["單位"]
    assert list(rejected["errors"]["rows"]["152"]) == ["類型"]
    office = studied.client("office")
    assert office.get(f"{studied.base}/study/sessions?include_archived=true").json == []

    rows[16][1], rows[99][0], rows[150][3] = "2026-02-28", "第二黨支部", "培訓"
    imported = _post(studied, _xlsx(rows), "register.xlsx").assert_status(201).json
    assert (imported["created"], imported["invalid"]) == (200, 0)
    listed = office.get(f"{studied.base}/study/sessions?page_size=1")
    assert '"total": 200' in listed.headers["X-Pagination"]
    assert done(studied, "2026", "study.branch_theory_study", "branch-1") == 80
    assert done(studied, "2026", "study.branch_theory_study", "branch-2") == 100
    assert done(studied, "2026", "study.secretary_special_study", "branch-1") == 19  # 1 now 培訓
    audit = studied.client("secretary").get(
        f"{studied.base}/audit?target_type=study_session&page_size=100").assert_status(200).json
    assert [entry["action"] for entry in audit] == ["study_session.import"]
    assert audit[0]["after"]["rows"] == 200


def test_csv_in_gb18030_or_utf8_with_attendance(studied):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    secretary = studied.client("secretary").get(
        f"{studied.base}/users/{studied.users['branch_secretary']}").json["display_name"]
    member = studied.client("secretary").get(
        f"{studied.base}/users/{studied.users['member']}").json["display_name"]
    for encoding in ("gb18030", "utf-8-sig"):
        row = ["branch-1", "2026年3月5日", "", "集中學習", f"學習意識形態工作責任制（{encoding}）",
               "責任制", "是", "", "", "", secretary, f"{member}（病假）"]
        text = buffer.getvalue() + ",".join(row) + "\n"
        result = _post(studied, text.encode(encoding), "register.csv")
        assert result.assert_status(201).json["created"] == 1
    sessions = studied.client("office").get(f"{studied.base}/study/sessions").json
    assert [s["held_on"] for s in sessions] == ["2026-03-05", "2026-03-05"]
    assert sessions[0]["attendance_rate"] == 0.5 and sessions[0]["ideology"] is True
    assert {a["absence_reason"] for a in sessions[0]["attendance"]} == {None, "病假"}


def test_rows_outside_the_callers_branch_and_unreadable_files_are_refused(studied):
    rows = _rows(4)
    result = _post(studied, _xlsx(rows), "r.xlsx", role="branch_secretary").assert_status(422)
    assert set(result.json["errors"]["rows"]) == {"3", "5"}  # the branch-2 rows
    assert _post(studied, b"\xff\xfe\x00garbage", "r.csv").status_code == 422
    assert _post(studied, b"PK\x03\x04broken", "r.xlsx").status_code == 422
    missing = "日期,主題\n2026-01-01,x\n".encode()
    assert "單位" in _post(studied, missing, "r.csv").assert_status(422).json["message"]
    assert _post(studied, _xlsx(rows), "r.xlsx", role="viewer").status_code == 403


def test_the_template_has_the_chinese_headers(studied):
    response = studied.client("branch_secretary").get(
        f"{studied.base}/study/sessions/import/template").assert_status(200)
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.raw.data))
    assert book.sheetnames == ["學習記錄", "填寫示例", "填寫說明"]
    assert [c.value for c in book["學習記錄"][1]] == HEADERS
    assert [c.value for c in book["填寫示例"][1]] == HEADERS
    # the example is on a sheet of its own: the template as downloaded holds no record
    # (tests/plugins/study/test_import_duplicates.py: the example is never imported)
    assert book["學習記錄"].max_row == 1 and book["填寫示例"].max_row == 2
