"""The ``attachment`` table: what was uploaded, under which record, by whom; the bytes
live in the storage backend under ``storage_key`` (never derived from the file's name)."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Archivable, Base, TenantScoped, Timestamped


class Attachment(TenantScoped, Archivable, Timestamped, Base):
    """A file under the record ``ref_type``/``ref_id`` (a plugin's reference type). Archived,
    never deleted: the bytes stay in storage and the audit log keeps who did what."""

    __tablename__ = "attachment"

    ref_type: Mapped[str] = mapped_column(String(60))
    ref_id: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(255))  # as shown; no path, no control chars
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[uuid.UUID]  # the user's account id (a member id)

    __table_args__ = (Index("ix_attachment_ref", "tenant_id", "ref_type", "ref_id"),)
