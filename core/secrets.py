"""Secret values at rest: Fernet tokens under the keys of ``ZERENZHI_SECRET_KEYS``.

The setting holds comma-separated Fernet keys: the first encrypts, every one decrypts
(``MultiFernet``), so a key is rotated by putting a new one first and re-saving. With no
key configured, the embedded SQLite install (and a test app) generates one into
``instance/secret.key`` on first use, so the quick start needs no setup; any other
database refuses, since a key on one host's disk would not decrypt on the next host.

A sealed value is the string ``"fernet:<token>"`` of its JSON, so any JSON value can be a
secret and a sealed one is told apart from a plain one left from before encryption.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

import marshmallow as ma
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

PREFIX = "fernet:"
KEY_FILE = "secret.key"


class SecretKeyError(RuntimeError):
    """No usable key: none configured, a malformed one, or none that decrypts a token."""


def secret_fields(schema: type[ma.Schema]) -> frozenset[str]:
    """Names of the fields a settings schema marks ``metadata={"secret": True}``."""
    return frozenset(name for name, declared in schema().fields.items()
                     if declared.metadata.get("secret"))


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def _instance_key() -> str:
    """The generated key of this install, made on first use (readable by its owner only)."""
    path = Path(current_app.instance_path) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # written whole under another name, then linked into place: a second process never
        # reads a half-written key, and the first link wins (the others read its key)
        draft = path.with_name(f"{KEY_FILE}.{os.getpid()}.{uuid.uuid4().hex}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(Fernet.generate_key().decode() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _keys() -> str:
    configured = current_app.config.get("SECRET_KEYS")
    if configured:
        return configured
    if current_app.config["DATABASE_URL"].startswith("sqlite") or current_app.testing:
        return _instance_key()
    raise SecretKeyError("ZERENZHI_SECRET_KEYS is not set: secret settings cannot be stored "
                         "or read without it outside the embedded SQLite install")


def derived_key(purpose: str) -> str:
    """A key for ``purpose`` (signing the console's session cookies) derived from the first
    secret key, so every host of a cluster derives the same one; rotating that key also
    ends every console login."""
    first = _keys().split(",")[0].strip()
    return hmac.new(first.encode(), purpose.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _ciphers(keys: str) -> tuple[MultiFernet, Fernet]:
    try:
        fernets = [Fernet(key.strip()) for key in keys.split(",") if key.strip()]
    except ValueError as malformed:
        raise SecretKeyError(f"ZERENZHI_SECRET_KEYS: {malformed}") from malformed
    if not fernets:
        raise SecretKeyError("ZERENZHI_SECRET_KEYS holds no key")
    return MultiFernet(fernets), fernets[0]


def seal(value: Any) -> str:
    """``value`` encrypted under the first key."""
    every, _first = _ciphers(_keys())
    return PREFIX + every.encrypt(json.dumps(value).encode()).decode()


def unseal(sealed: str) -> Any:
    """The value of a sealed string, decrypted by whichever configured key made it."""
    every, _first = _ciphers(_keys())
    try:
        return json.loads(every.decrypt(sealed.removeprefix(PREFIX).encode()))
    except InvalidToken as wrong:
        raise SecretKeyError("no key of ZERENZHI_SECRET_KEYS can decrypt a stored secret "
                             "(was a key dropped?)") from wrong


def holds(sealed: Any, value: Any) -> bool:
    """Whether ``sealed`` is ``value`` under the first key: re-saving it may keep the token."""
    if not is_sealed(sealed):
        return False
    _every, first = _ciphers(_keys())
    try:
        return json.loads(first.decrypt(sealed.removeprefix(PREFIX).encode())) == value
    except InvalidToken:
        return False
