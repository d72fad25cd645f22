"""Attachments under a record (issue 16, item 8): upload (multipart), list, read, download,
archive. ``ref_type``/``ref_id`` name the record; the record's read permission (declared by
its plugin) decides on top of ``attachments.read``/``attachments.write``. Files are sent
only through these routes, as downloads (``Content-Disposition: attachment``)."""

from __future__ import annotations

import io

import marshmallow as ma
from flask import current_app, request, send_file
from flask.views import MethodView
from flask_smorest.fields import Upload

from zerenzhi.attachments import service
from zerenzhi.attachments.models import Attachment
from zerenzhi.attachments.storage import storage_from
from zerenzhi.auth.permissions import requires
from zerenzhi.auth.scope import current_identity
from zerenzhi.db.listing import listed
from zerenzhi.db.session import session, writing
from zerenzhi.domain import DomainError
from zerenzhi.routes.common import Blueprint, InputSchema, ListQuery, SelectPage, get_or_404

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the form fields around the file

blp = Blueprint("attachments", __name__, url_prefix="/api/v1/townships/<township>",
                description="Files a record carries: sign-in sheets, photos, minutes "
                            "(issue 16, item 8), served only to readers of the record")


class AttachmentOut(ma.Schema):
    id = ma.fields.UUID()
    ref_type = ma.fields.String()
    ref_id = ma.fields.String()
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    uploaded_by = ma.fields.UUID()
    created_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)


class AttachmentQuery(ListQuery):
    ref_type = ma.fields.String(required=True, metadata={"description": "e.g. platforms.incident"})
    ref_id = ma.fields.String(required=True, validate=ma.validate.Length(max=60))


class AttachmentForm(InputSchema):
    ref_type = ma.fields.String(required=True, validate=ma.validate.Length(max=60))
    ref_id = ma.fields.String(required=True, validate=ma.validate.Length(max=60))


class AttachmentFile(ma.Schema):
    file = Upload(required=True, metadata={"description": "the file (size and type limits: "
                                                          "ZERENZHI_ATTACHMENTS_*)"})


def _access() -> service.Access:
    config, kernel, identity = current_app.config, current_app.extensions["zerenzhi"], \
        current_identity()
    return service.Access(
        kernel.attachable, identity.permissions, identity.user_id,
        config["ATTACHMENTS_MAX_BYTES"], config["ATTACHMENTS_TYPES"], storage_from(config),
        kernel.plugins.pm.hook.scan_attachment)  # every installed scanner, for every township


def _read(upload) -> tuple[str | None, str | None, bytes]:
    limit = current_app.config["ATTACHMENTS_MAX_BYTES"]
    return upload.filename, upload.mimetype, upload.stream.read(limit + 1)


def _download(attachment: Attachment, data: bytes):
    response = send_file(io.BytesIO(data), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, etag=attachment.sha256,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.before_app_request
def _upload_limit() -> None:
    """An upload may be larger than the API's other bodies (``MAX_CONTENT_LENGTH``), up to
    the attachments limit; a body announced larger is refused before it is read."""
    if request.endpoint != "attachments.Attachments" or request.method != "POST":
        return
    allowed = current_app.config["ATTACHMENTS_MAX_BYTES"] + FORM_OVERHEAD
    request.max_content_length = allowed
    if request.content_length and request.content_length > allowed:
        raise DomainError("file", "larger than the limit of "
                          f"{current_app.config['ATTACHMENTS_MAX_BYTES']} bytes "
                          "(ZERENZHI_ATTACHMENTS_MAX_BYTES)", 413, location="files")


@blp.route("/attachments")
class Attachments(MethodView):
    @requires("attachments.read")
    @blp.arguments(AttachmentQuery, location="query")
    @blp.response(200, AttachmentOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The files of one record, oldest first (archived ones with include_archived)."""
        record = service.authorise(session(), _access(), query["ref_type"], query["ref_id"])
        return listed(Attachment, query, statement=service.of_record(
            query["ref_type"], record["id"]), order_by=(Attachment.created_at, Attachment.id))

    @requires("attachments.write")
    @blp.arguments(AttachmentForm, location="form")
    @blp.arguments(AttachmentFile, location="files")
    @blp.response(201, AttachmentOut)
    def post(self, form, files):
        """Attach a file to a record (multipart: ref_type, ref_id, file); 413 over the size
        limit, 422 for a type not accepted or one the virus scan refuses."""
        with writing() as db:
            return service.upload(db, _access(), form["ref_type"], form["ref_id"],
                                  *_read(files["file"]))


@blp.route("/attachments/<uuid:attachment_id>")
class AttachmentItem(MethodView):
    @requires("attachments.read")
    @blp.etag
    @blp.response(200, AttachmentOut)
    def get(self, attachment_id):
        """One file's metadata (name, type, size, sha256, who uploaded it, when)."""
        return service.guard(session(), _access(), get_or_404(Attachment, attachment_id))

    @requires("attachments.write")
    @blp.etag
    @blp.response(204)
    def delete(self, attachment_id):
        """Archive a file attached in error (If-Match); it is never deleted."""
        attachment = service.guard(session(), _access(), get_or_404(Attachment, attachment_id))
        blp.check_etag(attachment, AttachmentOut)
        with writing() as db:
            service.archive(db, attachment)


@blp.route("/attachments/<uuid:attachment_id>/content")
class AttachmentContent(MethodView):
    @requires("attachments.read")
    @blp.doc(responses={"200": {"description": "the file, as a download", "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, attachment_id):
        """The file itself, as a download with its type (never a public URL)."""
        attachment = service.guard(session(), _access(), get_or_404(Attachment, attachment_id))
        return _download(attachment, service.content(_access(), attachment))
