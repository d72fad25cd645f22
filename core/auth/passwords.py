"""Password hashing with argon2id at OWASP's minimum (19 MiB, t=2, p=1) or above."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> tuple[bool, str | None]:
    """Return (matches, a new hash when the stored parameters are below today's)."""
    try:
        _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(password_hash):
        return True, _hasher.hash(password)
    return True, None


# A fixed hash to verify against when the username is unknown, so timing does not
# tell which usernames exist.
DUMMY_HASH = _hasher.hash("not-a-real-password")
