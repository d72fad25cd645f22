"""An import proves only what happened (issue 16, item 8; W3's and W2's evidence): the
template's example is never imported as a record, and a row repeating a session already
recorded (same unit, date and title) or an earlier row of the file is a warning in the dry
run, then refuses the file (``duplicates=refuse``, the default) or is left out
(``duplicates=skip``)."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from tests.plugins.study.helpers import archive, body
from tests.plugins.study.test_import import _xlsx
from zerenzhi.plugins.study.importer import EXAMPLE

TITLE = "學習黨章"


def _import(world, content: bytes, *, dry_run: bool = False, duplicates: str | None = None,
            name: str = "register.xlsx"):
    query = [f"dry_run={'true' if dry_run else 'false'}"]
    if duplicates:
        query.append(f"duplicates={duplicates}")
    return world.client("office").post(
        f"{world.base}/study/sessions/import?{'&'.join(query)}",
        data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def _row(unit: str = "branch-1", day: str = "2026-03-12", title: str = TITLE) -> list[str]:
    return [unit, day, "09:30", "集中學習", title, "黨章", "否", "", "", "", "", ""]


def _count(world) -> int:
    listed = world.client("office").get(
        f"{world.base}/study/sessions?include_archived=true&page_size=1").assert_status(200)
    return json.loads(listed.headers["X-Pagination"])["total"]


def test_the_templates_example_is_never_imported_as_a_record(studied):
    """The example lives on its own sheet, which is not read; pasted among the records (or
    left in an older template's first sheet) it is refused by row, naming 主題."""
    template = studied.client("office").get(
        f"{studied.base}/study/sessions/import/template").assert_status(200).raw.data
    untouched = _import(studied, template, dry_run=True).assert_status(422).json
    assert "no record below the headers" in untouched["errors"]["files"]["file"][0]

    book = load_workbook(io.BytesIO(template))
    book["學習記錄"].append(next(book["填寫示例"].iter_rows(min_row=2, values_only=True)))
    book["學習記錄"].append(_row())
    pasted = io.BytesIO()
    book.save(pasted)
    dry = _import(studied, pasted.getvalue(), dry_run=True).assert_status(200).json
    assert [r["status"] for r in dry["results"]] == ["error", "ok"]
    assert "example" in dry["results"][0]["errors"]["主題"][0]
    refused = _import(studied, pasted.getvalue()).assert_status(422).json
    assert list(refused["errors"]["rows"]) == ["2"]
    # an older template kept the example in its first sheet
    assert list(_import(studied, _xlsx([EXAMPLE, _row()])).assert_status(422)
                .json["errors"]["rows"]) == ["2"]
    assert _count(studied) == 0
    # the filled-in template imports its record, the example sheet still there
    book["學習記錄"].delete_rows(2)
    filled = io.BytesIO()
    book.save(filled)
    assert _import(studied, filled.getvalue()).assert_status(201).json["created"] == 1


def test_duplicates_warn_in_the_dry_run_then_refuse_the_file_or_are_skipped(studied):
    office = studied.client("office")
    url = f"{studied.base}/study/sessions"
    recorded = office.post(url, json=body(studied, title=TITLE)).assert_status(201).json
    register = _xlsx([_row(),                                   # row 2: already recorded
                      _row(title="學習條例"),                    # row 3: new
                      _row(title="學習條例"),                    # row 4: repeats row 3
                      _row(unit="branch-2"),                    # row 5: another unit
                      _row(day="2026-03-13")])                  # row 6: another day

    dry = _import(studied, register, dry_run=True).assert_status(200).json
    assert [r["status"] for r in dry["results"]] == ["duplicate", "ok", "duplicate", "ok", "ok"]
    assert (dry["valid"], dry["duplicates"], dry["skipped"], dry["created"]) == (5, 2, 0, 0)
    first, _new, again = dry["results"][:3]
    assert first["duplicate_of"] == recorded["id"] and first["duplicate_of_row"] is None
    assert recorded["id"] in first["warnings"]["主題"][0]
    assert again["duplicate_of_row"] == 3 and "row 3" in again["warnings"]["主題"][0]
    assert dry["results"][1]["warnings"] == {}

    refused = _import(studied, register).assert_status(422).json  # duplicates=refuse
    assert set(refused["errors"]["rows"]) == {"2", "4"}
    assert "duplicates=skip" in refused["message"]
    assert _count(studied) == 1
    assert _import(studied, register, duplicates="refuse").status_code == 422

    preview = _import(studied, register, dry_run=True, duplicates="skip").json
    assert [r["status"] for r in preview["results"]] == ["skipped", "ok", "skipped", "ok", "ok"]
    assert _count(studied) == 1
    skipped = _import(studied, register, duplicates="skip").assert_status(201).json
    assert (skipped["created"], skipped["skipped"], skipped["duplicates"]) == (3, 2, 2)
    assert [r["id"] is not None for r in skipped["results"]] == [False, True, False, True, True]
    assert _count(studied) == 4
    audit = studied.client("secretary").get(
        f"{studied.base}/audit?target_type=study_session&action=study_session.import"
    ).assert_status(200).json
    assert [len(entry["after"]["ids"]) for entry in audit] == [3]

    # the same file again: everything is a duplicate now, nothing is written twice
    again = _import(studied, register, duplicates="skip").assert_status(201).json
    assert (again["created"], again["skipped"]) == (0, 5)
    assert _count(studied) == 4


def test_an_archived_session_is_no_duplicate_and_the_choice_is_validated(studied):
    office = studied.client("office")
    url = f"{studied.base}/study/sessions"
    recorded = office.post(url, json=body(studied, title=TITLE)).assert_status(201).json
    archive(office, f"{url}/{recorded['id']}").assert_status(204)
    dry = _import(studied, _xlsx([_row()]), dry_run=True).assert_status(200).json
    assert dry["results"][0]["status"] == "ok" and dry["duplicates"] == 0
    wrong = _import(studied, _xlsx([_row()]), duplicates="ignore").assert_status(422).json
    assert list(wrong["errors"]["query"]) == ["duplicates"]
