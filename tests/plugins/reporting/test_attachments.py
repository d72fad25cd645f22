"""R3's 24-hour situation report and the records sent upward carry their documents
(issue 16, item 8): the reporting module declares them attachable, and core's attachment
routes serve them to readers of the record only."""

from __future__ import annotations

import io

import time_machine

MINUTES = b"%PDF-1.4\n% minutes\n"


def test_r3_a_situation_report_carries_its_document_for_its_readers_only(reported, app,
                                                                         tmp_path,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "files"))
    with time_machine.travel("2026-05-01T08:00:00+08:00", tick=False):
        situation = reported.client("office").post(
            f"{reported.base}/reporting/situations", json={"title": "重大情況"}
        ).assert_status(201).json["id"]
        made = reported.client("office").post(f"{reported.base}/attachments", data={
            "ref_type": "reporting.situation", "ref_id": situation,
            "file": (io.BytesIO(MINUTES), "情況報告.pdf", "application/pdf")},
            content_type="multipart/form-data").assert_status(201).json
    listed = reported.client("secretary").get(
        f"{reported.base}/attachments?ref_type=reporting.situation&ref_id={situation}")
    assert [a["id"] for a in listed.assert_status(200).json] == [made["id"]]
    content = reported.client("secretary").get(f"{reported.base}/attachments/{made['id']}/content")
    assert content.status_code == 200 and content.raw.data == MINUTES
    # a made-up record of the type takes no files: 422 naming ref_id
    refused = reported.client("office").post(f"{reported.base}/attachments", data={
        "ref_type": "reporting.situation", "ref_id": "01a2a2a2-0000-7000-8000-000000000000",
        "file": (io.BytesIO(MINUTES), "x.pdf", "application/pdf")},
        content_type="multipart/form-data").assert_status(422)
    assert "ref_id" in refused.json["errors"]["form"]
