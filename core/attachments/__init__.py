"""Attachments: files a record carries (sign-in sheets, photos, minutes; issue 16, item 8).

A plugin declares which of its reference types accept files and the permission that reads
them (``Plugin.attachable``); core keeps the metadata (``attachment``, tenant-scoped,
audited, archived and never deleted) and the bytes in a storage backend (a local folder,
or an S3-compatible bucket). Files are served only through the API, to users of the
township whose roles grant the record's read permission: never by a public URL.
"""
