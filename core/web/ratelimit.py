"""The API's general rate limit (issue 17, defect 10): Flask-Limiter, per bearer token and
per client address, over the whole API (application limits, not per route).

Settings: ``RATELIMIT_ENABLED`` (off: no limit; the test app keeps it off),
``RATELIMIT_STORAGE_URI`` (``memory://`` counts per process; ``redis://…`` shares the
counts between workers and hosts), ``RATELIMIT_PER_TOKEN`` and ``RATELIMIT_PER_ADDRESS``
(Flask-Limiter's notation, e.g. ``300/minute``). The client address is ``remote_addr``,
which ``TRUSTED_PROXIES`` makes the forwarded one (``create_app``'s ProxyFix). Failed
logins have their own, stricter throttle in the database (auth/service.py).
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, current_app, jsonify, request
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and the scraper
MEMORY = "memory://"
_LOCAL_SCHEME = "zerenzhi-memory"
PURGE_SECONDS = 1.0


class LocalMemoryStorage(MemoryStorage):
    """``memory://`` without a thread per hit. limits' ``MemoryStorage`` schedules its
    purge of expired keys on a fresh 10 ms ``threading.Timer`` whenever the last one has
    run, so under load nearly every request started a thread (290 of 300 profiled requests;
    ~0.4–0.7 ms of a 3–8 ms request in-process, bench/throughput.py --profile). Counting is
    unchanged — every read checks a key's expiry itself (``get``) — only the purge, which
    just frees memory, runs inline, at most once a second."""

    STORAGE_SCHEME = [_LOCAL_SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one the base class starts
        self._next_purge = time.monotonic() + PURGE_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # the base class's private hook
        now = time.monotonic()
        if now >= self._next_purge:
            self._next_purge = now + PURGE_SECONDS
            self._MemoryStorage__expire_events()


def storage_uri(uri: str) -> str:
    """The storage the limiter is given: ``memory://`` is served by ``LocalMemoryStorage``,
    anything else (``redis://…``) as configured."""
    return f"{_LOCAL_SCHEME}://" if uri == MEMORY else uri


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _token_key() -> str:
    """The token's digest, never the token, as the storage key."""
    return "token:" + hashlib.sha256((_bearer() or "").encode()).hexdigest()


def _address_key() -> str:
    return "address:" + (get_remote_address() or "unknown")


def _too_many(error: RateLimitExceeded):
    """The JSON error body every error has, with Retry-After (seconds until the window
    that was exceeded lets the next request through)."""
    limiter: Limiter = current_app.extensions["zerenzhi_limiter"]
    reset_at = limiter.current_limit.reset_at if limiter.current_limit else time.time() + 1
    retry_after = max(1, math.ceil(reset_at - time.time()))
    response = jsonify({"code": 429, "status": "Too Many Requests",
                        "message": f"rate limit exceeded ({error.description}); retry later"})
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


def install(app: Flask) -> Limiter:
    """Put the limiter on ``app``; its checks run before the request pipeline's."""
    config = app.config
    limiter = Limiter(
        key_func=_address_key,
        application_limits=[
            ApplicationLimit(lambda: current_app.config["RATELIMIT_PER_TOKEN"],
                             key_function=_token_key, scope="token",
                             exempt_when=lambda: _bearer() is None),
            ApplicationLimit(lambda: current_app.config["RATELIMIT_PER_ADDRESS"],
                             key_function=_address_key, scope="address"),
        ],
        storage_uri=storage_uri(config["RATELIMIT_STORAGE_URI"]),
        enabled=config["RATELIMIT_ENABLED"],
        headers_enabled=False,  # the API's headers stay as they were; 429s carry Retry-After
    )
    limiter.init_app(app)
    limiter.request_filter(lambda: request.path in EXEMPT_PATHS)
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["zerenzhi_limiter"] = limiter
    return limiter
