"""Where attachment bytes live: a local folder by default (``ZERENZHI_ATTACHMENTS_DIR``),
or an S3-compatible bucket when ``ZERENZHI_ATTACHMENTS_URL=s3://bucket/prefix`` is set.

Keys are ``<tenant id>/<attachment id>``, made by core, never from a file's name, so no
upload can name a path. Nothing is ever deleted: archiving an attachment keeps its bytes.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

KEY = re.compile(r"^[0-9a-f-]{36}/[0-9a-f-]{36}$")


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not an attachment key: {key!r}")
    return key


class LocalStorage:
    """Files under ``root``; written to a temporary name and renamed, so a reader never sees
    half a file. The folder is made on the first upload."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.root / _checked(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)

    def get(self, key: str) -> bytes:
        return (self.root / _checked(key)).read_bytes()


class S3Storage:
    """An S3-compatible bucket through boto3 (the optional extra ``zerenzhi[s3]``).
    Credentials, region and endpoint (MinIO, a cloud's S3 API) come from boto3's own
    environment: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL``…
    Objects are private; the API streams them, it never hands out bucket URLs."""

    def __init__(self, url: str, client: Any = None) -> None:
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(f"ZERENZHI_ATTACHMENTS_URL needs a bucket: {url!r}")
        self.bucket, self.prefix = bucket, prefix.strip("/")
        if client is None:
            import boto3  # optional: pip install 'zerenzhi[s3]'

            client = boto3.client("s3")
        self.client = client

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{_checked(key)}" if self.prefix else _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data,
                               ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"].read()


def storage_from(config: dict[str, Any]) -> Storage:
    """The backend the settings name: ``ATTACHMENTS_URL`` (s3://) if set, else the folder."""
    return _storage(config.get("ATTACHMENTS_URL") or None, str(config["ATTACHMENTS_DIR"]))


@functools.lru_cache(maxsize=8)
def _storage(url: str | None, folder: str) -> Storage:
    """One backend per setting (an S3 client is built once per process, not per request)."""
    if url:
        if not url.startswith("s3://"):
            raise ValueError(f"ZERENZHI_ATTACHMENTS_URL must be s3://bucket/prefix: {url!r}")
        return S3Storage(url)
    return LocalStorage(folder)
