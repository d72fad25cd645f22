"""Attachments (issue 16, item 8: "a record can carry files"): stored in the local backend,
size and type limits naming their setting, the virus-scan hook, served only to users of the
township holding the record's read permission, as downloads, never by a public URL.

The records here are platforms incidents (P2's first report can attach its documents)."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
import time_machine

from zerenzhi import Plugin, hookimpl
from zerenzhi.plugins.platforms import plugin as PLATFORMS

PDF = b"%PDF-1.4\n% sign-in sheet\n"
RECORDED = "2026-09-10T09:00:00+08:00"


class Scanner(Plugin):
    """A stand-in virus scanner: refuses any file containing the EICAR marker."""

    from zerenzhi import Label, Manifest

    manifest = Manifest(name="scanner", version="1.0", title=Label("掃描", "Scanner"))

    @hookimpl
    def scan_attachment(self, name, content_type, data):
        return "EICAR test signature" if b"EICAR" in data else None


@pytest.fixture
def zz_plugins():
    return [PLATFORMS, Scanner()]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def world(app, township, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "files"))
    township.enable("platforms")
    return township


def _incident(world) -> str:
    return world.client("office").post(f"{world.base}/platforms/incidents", json={
        "unit_id": str(world.units["village-1"]), "title": "廣播轉播未審核內容",
        "category": "opinion", "severity": "major", "description": "錄音被轉發。",
        "detected_at": "2026-09-10T08:40:00+08:00"}).assert_status(201).json["id"]


def _upload(world, ref_id: str, data: bytes = PDF, name: str = "簽到表.pdf",
            content_type: str = "application/pdf", role: str = "office",
            ref_type: str = "platforms.incident"):
    return world.client(role).post(f"{world.base}/attachments", data={
        "ref_type": ref_type, "ref_id": ref_id,
        "file": (io.BytesIO(data), name, content_type)}, content_type="multipart/form-data")


def _list(world, ref_id: str, role: str = "secretary", **extra):
    query = "&".join(f"{k}={v}" for k, v in {"ref_type": "platforms.incident",
                                               "ref_id": ref_id, **extra}.items())
    return world.client(role).get(f"{world.base}/attachments?{query}")


@time_machine.travel(RECORDED, tick=False)
def test_p2_report_documents_are_stored_listed_and_downloaded(world, tmp_path):
    """Issue 16 item 8 / P2: the incident carries its report; the bytes are in the local
    folder under a key core made, the metadata names size, sha256 and the uploader."""
    incident = _incident(world)
    made = _upload(world, incident).assert_status(201).json
    assert (made["filename"], made["content_type"], made["size"]) == (
        "簽到表.pdf", "application/pdf", len(PDF))
    assert made["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert made["uploaded_by"] == str(world.users["office"])
    stored = list((tmp_path / "files").rglob("*"))
    assert [p.read_bytes() for p in stored if p.is_file()] == [PDF]
    assert all("簽到表" not in str(p) for p in stored)  # the name never makes a path
    assert [a["id"] for a in _list(world, incident).assert_status(200).json] == [made["id"]]
    download = world.client("viewer").get(f"{world.base}/attachments/{made['id']}/content")
    assert download.status_code == 200 and download.raw.data == PDF
    assert download.raw.headers["Content-Type"] == "application/pdf"
    disposition = download.raw.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert download.raw.headers["X-Content-Type-Options"] == "nosniff"


@time_machine.travel(RECORDED, tick=False)
def test_only_readers_of_the_record_get_its_files(world):
    """platforms.incident.read decides: unit heads and branch secretaries may not read
    incidents, so they neither list nor download nor upload their files."""
    incident = _incident(world)
    made = _upload(world, incident).assert_status(201).json
    for role in ("unit_head", "branch_secretary"):
        assert _list(world, incident, role=role).status_code == 403, role
        assert world.client(role).get(
            f"{world.base}/attachments/{made['id']}/content").status_code == 403
        refused = _upload(world, incident, role=role)
        assert refused.status_code == 403 and "ref_type" in refused.json["errors"]["form"]
    assert _upload(world, incident, role="viewer").status_code == 403  # read-only
    assert world.client(None).get(f"{world.base}/attachments/{made['id']}/content"
                                  ).status_code == 401


@time_machine.travel(RECORDED, tick=False)
def test_another_townships_record_or_file_is_unknown(world, other_township):
    incident = _incident(world)
    made = _upload(world, incident).assert_status(201).json
    other_township.enable("platforms")
    foreign = other_township.client("secretary")
    assert foreign.get(f"{other_township.base}/attachments/{made['id']}/content"
                       ).status_code == 404
    refused = _upload(other_township, incident)
    made_up = _upload(other_township, str(uuid.uuid4()))
    assert refused.status_code == made_up.status_code == 422
    assert refused.json == made_up.json and "ref_id" in refused.json["errors"]["form"]


@time_machine.travel(RECORDED, tick=False)
def test_limits_name_their_setting(world, app, monkeypatch):
    incident = _incident(world)
    monkeypatch.setitem(app.config, "ATTACHMENTS_MAX_BYTES", 10)
    big = _upload(world, incident, data=b"%PDF" + b"x" * 20)
    assert big.status_code == 413
    assert "ZERENZHI_ATTACHMENTS_MAX_BYTES" in big.json["errors"]["files"]["file"][0]
    monkeypatch.setitem(app.config, "ATTACHMENTS_MAX_BYTES", 1024)
    html = _upload(world, incident, data=b"<script>", name="x.html", content_type="text/html")
    assert html.status_code == 422
    assert "ZERENZHI_ATTACHMENTS_TYPES" in html.json["errors"]["files"]["file"][0]
    disguised = _upload(world, incident, data=b"<script>", name="minutes.html")
    assert disguised.status_code == 422  # says pdf, named .html
    assert "extension" in disguised.json["errors"]["files"]["file"][0]
    assert _upload(world, incident, data=b"").status_code == 422
    kinds = _upload(world, incident, ref_type="platforms.channel")
    assert kinds.status_code == 422 and "ref_type" in kinds.json["errors"]["form"]


@time_machine.travel(RECORDED, tick=False)
def test_the_virus_scan_hook_refuses_a_file(world, tmp_path):
    incident = _incident(world)
    refused = _upload(world, incident, data=b"%PDF EICAR")
    assert refused.status_code == 422
    assert refused.json["errors"]["files"]["file"] == [
        "refused by the virus scan: EICAR test signature"]
    assert not (tmp_path / "files").exists()  # nothing stored, no row
    assert _list(world, incident).json == []


@time_machine.travel(RECORDED, tick=False)
def test_names_cannot_traverse_and_archiving_keeps_the_file(world, tmp_path):
    incident = _incident(world)
    made = _upload(world, incident, name="../../etc/現場照片.png", data=b"\x89PNG..",
                   content_type="image/png").assert_status(201).json
    assert made["filename"] == "現場照片.png"
    assert _upload(world, incident, name="../..", data=PDF).status_code == 422
    office = world.client("office")
    url = f"{world.base}/attachments/{made['id']}"
    office.delete(url, headers={"If-Match": office.get(url).headers["ETag"]}).assert_status(204)
    assert _list(world, incident).json == []
    archived = _list(world, incident, include_archived="true").json
    assert archived[0]["archived_at"] is not None
    assert office.get(f"{url}/content").raw.data == b"\x89PNG.."  # never deleted
    with world.scope() as sess:
        from sqlalchemy import select

        from zerenzhi.audit.models import AuditEntry

        actions = sess.scalars(select(AuditEntry.action).where(
            AuditEntry.target_type == "attachment")).all()
        assert len(actions) == 2  # the upload and the archive


def test_the_s3_backend_puts_and_gets_under_its_prefix():
    """The S3-compatible backend against a stand-in client (no bucket in the test run)."""
    from zerenzhi.attachments.storage import S3Storage

    class Client:
        def __init__(self):
            self.objects = {}

        def put_object(self, Bucket, Key, Body, ContentType):
            self.objects[(Bucket, Key)] = Body

        def get_object(self, Bucket, Key):
            return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    client = Client()
    storage = S3Storage("s3://zrz-files/prod/", client=client)
    key = f"{uuid.uuid4()}/{uuid.uuid4()}"
    storage.put(key, PDF, "application/pdf")
    assert list(client.objects) == [("zrz-files", f"prod/{key}")]
    assert storage.get(key) == PDF
    with pytest.raises(ValueError):
        storage.put("../x", PDF, "application/pdf")
