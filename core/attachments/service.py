"""Uploading, listing, reading and archiving attachments. No Flask here: the routes pass
what the request knows (the caller's permissions, the settings, the storage, the scanner).

Who may touch a record's files is decided by the record, not by the file: its reference
type must be one a plugin declared attachable, the caller's roles must grant the read
permission that plugin named for it, and the record must exist in this township (asked
through the plugin's ``describe_reference``, so a disabled module's records are gone too).
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zerenzhi.attachments.models import Attachment
from zerenzhi.attachments.storage import Storage
from zerenzhi.auth.permissions import Permission
from zerenzhi.auth.roles import TOWNSHIP_READERS, TOWNSHIP_WRITERS
from zerenzhi.db.base import new_id, utcnow
from zerenzhi.domain import DomainError
from zerenzhi.labels import Label
from zerenzhi.plugin_host.service import enabled_names, hooks
from zerenzhi.tenancy.context import require_tenant

# the gates of the routes; the record's own read permission decides on top of them
PERMISSIONS = (
    Permission("attachments.read", Label("查看附件", "Read the files of records one may read"),
               TOWNSHIP_READERS),
    Permission("attachments.write",
               Label("上傳及歸檔附件", "Attach files to records one may read, archive them"),
               TOWNSHIP_WRITERS),
)
# extensions a file of each accepted type may carry (served types must match their names)
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "text/plain": (".txt",),
    "application/msword": (".doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
DEFAULT_TYPES = tuple(EXTENSIONS)
GENERIC = ("", "application/octet-stream")  # a client that did not say: the name decides


@dataclass(frozen=True)
class Access:
    """What a request brings: the attachable types (ref_type -> read permission), the
    caller's permissions here and account id, the limits, the storage and the scan hook."""

    kinds: Mapping[str, str]
    permissions: frozenset[str]
    user_id: uuid.UUID | None = None
    max_bytes: int = 0
    types: tuple[str, ...] = DEFAULT_TYPES
    storage: Storage | None = None
    scan: Callable[..., str | None] | None = None


def collect_attachable(installed: Mapping[str, Any], registered: Callable[[str], bool]
                       ) -> dict[str, str]:
    """Each installed plugin's ``attachable`` mapping, checked at boot: a type carries the
    plugin's own prefix and names a registered permission, or the app does not start."""
    kinds: dict[str, str] = {}
    for name, entry in installed.items():
        for ref_type, permission in dict(getattr(entry.plugin, "attachable", {}) or {}).items():
            if not ref_type.startswith(f"{name}."):
                raise RuntimeError(f"plugin {name!r} declares attachable type {ref_type!r}: "
                                   f"name it '{name}.…'")
            if not registered(permission):
                raise RuntimeError(f"attachable {ref_type!r} names unregistered permission "
                                   f"{permission!r}")
            kinds[ref_type] = permission
    return kinds


def _record(session: Session, ref_type: str, ref_id: str) -> dict[str, Any] | None:
    """The record as its plugin describes it, if that plugin is enabled here."""
    if ref_type.split(".", 1)[0] not in enabled_names(session):
        return None
    return hooks(session).describe_reference(session=session, tenant=require_tenant(),
                                             ref_type=ref_type, ref_id=ref_id)


def authorise(session: Session, access: Access, ref_type: str, ref_id: str,
              location: str = "query") -> dict[str, Any]:
    """The record's description, once the caller may read it: 422 for a type that takes
    no files, 403 without the type's read permission, 422 for a record not here (a foreign
    id and a made-up one answer alike)."""
    permission = access.kinds.get(ref_type)
    if permission is None:
        raise DomainError("ref_type", "takes no attachments; one of: "
                          + ", ".join(sorted(access.kinds)), location=location)
    if permission not in access.permissions:
        raise DomainError("ref_type", f"your roles here do not grant {permission}", 403,
                          location=location)
    record = _record(session, ref_type, str(ref_id))
    if record is None:
        raise DomainError("ref_id", f"no such {ref_type} here", location=location)
    return record


def guard(session: Session, access: Access, attachment: Attachment) -> Attachment:
    """An existing attachment, if the caller may read its record (404 once the record or
    its module is gone: nothing of it is served)."""
    try:
        authorise(session, access, attachment.ref_type, attachment.ref_id)
    except DomainError as error:
        if error.status == 403:
            raise
        raise DomainError("attachment_id", "not found", 404, location="path") from None
    return attachment


def clean_name(filename: str | None) -> str:
    """The name as shown and sent back: its last path part, printable characters only, no
    leading dots; at most 255 characters, keeping the extension."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    if not name:
        raise DomainError("file", "needs a file name", location="files")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = stem[: 254 - len(extension)] + dot + extension if dot else name[:255]
    return name


def _type_of(name: str, declared: str | None, access: Access) -> str:
    kind = (declared or "").split(";", 1)[0].strip().lower()
    extension = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if kind in GENERIC:
        kind = mimetypes.guess_type(f"x{extension}")[0] or ""
    if kind not in access.types:
        raise DomainError("file", f"type {kind or 'unknown'} is not accepted; accepted "
                          f"(ZERENZHI_ATTACHMENTS_TYPES): {', '.join(access.types)}",
                          location="files")
    if extension not in EXTENSIONS.get(kind, tuple(mimetypes.guess_all_extensions(kind))):
        raise DomainError("file", f"the name's extension does not match its type {kind}",
                          location="files")
    return kind


def upload(session: Session, access: Access, ref_type: str, ref_id: str, filename: str | None,
           content_type: str | None, data: bytes) -> Attachment:
    """Check, scan and store a file under a record; its metadata row is audited like any
    other. The bytes are stored before the row commits: a failed commit leaves an
    unreferenced object behind, never a row without its file."""
    record = authorise(session, access, ref_type, ref_id, location="form")
    if record.get("status") == "archived":
        raise DomainError("ref_id", f"the {ref_type} is archived", 409, location="form")
    name = clean_name(filename)
    if len(data) > access.max_bytes:
        raise DomainError("file", f"larger than the limit of {access.max_bytes} bytes "
                          "(ZERENZHI_ATTACHMENTS_MAX_BYTES)", 413, location="files")
    if not data:
        raise DomainError("file", "is empty", location="files")
    kind = _type_of(name, content_type, access)
    reason = access.scan(name=name, content_type=kind, data=data) if access.scan else None
    if reason:
        raise DomainError("file", f"refused by the virus scan: {reason}", location="files")
    attachment = Attachment(id=new_id(), ref_type=ref_type, ref_id=str(record["id"]),
                            filename=name, content_type=kind, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(),
                            uploaded_by=access.user_id)
    attachment.storage_key = f"{require_tenant().id}/{attachment.id}"
    access.storage.put(attachment.storage_key, data, kind)
    session.add(attachment)
    session.flush()
    return attachment


def of_record(ref_type: str, ref_id: str) -> Select:
    """A record's attachments (the list route filters archived ones), oldest first."""
    return select(Attachment).where(Attachment.ref_type == ref_type,
                                    Attachment.ref_id == str(ref_id))


def content(access: Access, attachment: Attachment) -> bytes:
    return access.storage.get(attachment.storage_key)


def archive(session: Session, attachment: Attachment) -> Attachment:
    """Archive a file attached in error: it leaves the record's list; its bytes and its
    row stay (never deleted), and the audit log says who archived it."""
    if attachment.archived_at is None:
        attachment.archived_at = utcnow()
        session.flush()
    return attachment
