"""Settings from defaults, then ``ZERENZHI_*`` environment variables, then the caller."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ENV_KEYS = {
    "DATABASE_URL": "ZERENZHI_DATABASE_URL",
    "MIGRATION_DATABASE_URL": "ZERENZHI_MIGRATION_DATABASE_URL",
    "DB_APP_ROLE": "ZERENZHI_DB_APP_ROLE",
    "TENANTS_DIR": "ZERENZHI_TENANTS_DIR",
    "SECRET_KEY": "ZERENZHI_SECRET_KEY",
    "SECRET_KEYS": "ZERENZHI_SECRET_KEYS",  # Fernet keys of secret settings (secrets.py)
    "PUBLIC_URL": "ZERENZHI_PUBLIC_URL",
    "FEED_TOKEN_DAYS": "ZERENZHI_FEED_TOKEN_DAYS",  # calendar feed tokens' lifetime
    # how long a claimed Idempotency-Key left `running` stays 409 before a retry takes it over
    "IDEMPOTENCY_LEASE_SECONDS": "ZERENZHI_IDEMPOTENCY_LEASE_SECONDS",
    "LOG_FORMAT": "ZERENZHI_LOG_FORMAT",  # json | text (observability/logs.py)
    # who may scrape /metrics: a bearer token, and/or addresses (observability/metrics.py)
    "METRICS_TOKEN": "ZERENZHI_METRICS_TOKEN",
    "METRICS_ALLOW": "ZERENZHI_METRICS_ALLOW",
    "METRICS_TENANT_LABELS": "ZERENZHI_METRICS_TENANT_LABELS",
    # /readyz is 503 unless a worker beat lately (off: a web-only host stays ready)
    "READYZ_REQUIRES_SCHEDULER": "ZERENZHI_READYZ_REQUIRES_SCHEDULER",
    # proxies in front that append to X-Forwarded-For (0: the peer is the client)
    "TRUSTED_PROXIES": "ZERENZHI_TRUSTED_PROXIES",
    # the API's rate limit (web/ratelimit.py): on/off, Flask-Limiter storage, limits
    "RATELIMIT_ENABLED": "ZERENZHI_RATELIMIT_ENABLED",
    "RATELIMIT_STORAGE_URI": "ZERENZHI_RATELIMIT_STORAGE_URI",
    "RATELIMIT_PER_TOKEN": "ZERENZHI_RATELIMIT_PER_TOKEN",
    "RATELIMIT_PER_ADDRESS": "ZERENZHI_RATELIMIT_PER_ADDRESS",
    # how many periods past the current one the calendar holds (obligations/materialize.py)
    "OBLIGATIONS_PERIODS_AHEAD": "ZERENZHI_OBLIGATIONS_PERIODS_AHEAD",
    # attachments (attachments/): a local folder, or s3://bucket/prefix; size and type limits
    "ATTACHMENTS_DIR": "ZERENZHI_ATTACHMENTS_DIR",
    "ATTACHMENTS_URL": "ZERENZHI_ATTACHMENTS_URL",
    "ATTACHMENTS_MAX_BYTES": "ZERENZHI_ATTACHMENTS_MAX_BYTES",
    "ATTACHMENTS_TYPES": "ZERENZHI_ATTACHMENTS_TYPES",
    # the web console's login session (console/): its lifetime, idle timeout, Secure cookie
    "CONSOLE_SESSION_HOURS": "ZERENZHI_CONSOLE_SESSION_HOURS",
    "CONSOLE_IDLE_MINUTES": "ZERENZHI_CONSOLE_IDLE_MINUTES",
    "CONSOLE_COOKIE_SECURE": "ZERENZHI_CONSOLE_COOKIE_SECURE",
}

# what an attachment may be by default: documents, scans and photos (a sign-in sheet, minutes)
ATTACHMENT_TYPES = (
    "application/pdf", "image/jpeg", "image/png", "image/webp", "text/plain",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def load(instance_path: Path, overrides: dict[str, Any] | None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "DATABASE_URL": f"sqlite:///{instance_path / 'zerenzhi.db'}",
        "MIGRATION_DATABASE_URL": None,
        "DB_APP_ROLE": None,
        "TENANTS_DIR": "tenants",
        "SECRET_KEYS": None,  # none: SQLite generates instance/secret.key on first use
        "PUBLIC_URL": "http://127.0.0.1:8000",
        "FEED_TOKEN_DAYS": 365,
        "IDEMPOTENCY_LEASE_SECONDS": 60,
        "LOG_FORMAT": "text",  # gunicorn.conf.py makes it json unless set
        "METRICS_TOKEN": None,
        "METRICS_ALLOW": "127.0.0.1/8,::1/128",  # "none": the token only
        "METRICS_TENANT_LABELS": False,
        "READYZ_REQUIRES_SCHEDULER": False,
        "TRUSTED_PROXIES": 0,
        # off in tests unless a test turns it on: a shared test client is one address
        "RATELIMIT_ENABLED": not (overrides or {}).get("TESTING"),
        "RATELIMIT_STORAGE_URI": "memory://",  # per process; redis://... to share
        "RATELIMIT_PER_TOKEN": "300/minute",
        "RATELIMIT_PER_ADDRESS": "1200/minute",
        "OBLIGATIONS_PERIODS_AHEAD": 1,
        "ATTACHMENTS_DIR": str(instance_path / "attachments"),
        "ATTACHMENTS_URL": None,
        "ATTACHMENTS_MAX_BYTES": 20 * 1024 * 1024,
        "ATTACHMENTS_TYPES": ",".join(ATTACHMENT_TYPES),
        "CONSOLE_SESSION_HOURS": 12,  # a login lasts a working day, like an API token
        "CONSOLE_IDLE_MINUTES": 30,
        "CONSOLE_COOKIE_SECURE": None,  # none: Secure when PUBLIC_URL is https
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "API_TITLE": "zerenzhi 責任制",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
        "JSON_SORT_KEYS": False,
    }
    for key, env in ENV_KEYS.items():
        if os.environ.get(env):
            config[key] = os.environ[env]
    config.update(overrides or {})
    config["FEED_TOKEN_DAYS"] = int(config["FEED_TOKEN_DAYS"])
    config["IDEMPOTENCY_LEASE_SECONDS"] = int(config["IDEMPOTENCY_LEASE_SECONDS"])
    config["OBLIGATIONS_PERIODS_AHEAD"] = int(config["OBLIGATIONS_PERIODS_AHEAD"])
    config["TRUSTED_PROXIES"] = int(config["TRUSTED_PROXIES"])
    config["ATTACHMENTS_MAX_BYTES"] = int(config["ATTACHMENTS_MAX_BYTES"])
    config["CONSOLE_SESSION_HOURS"] = int(config["CONSOLE_SESSION_HOURS"])
    config["CONSOLE_IDLE_MINUTES"] = int(config["CONSOLE_IDLE_MINUTES"])
    if config["CONSOLE_COOKIE_SECURE"] is None:
        config["CONSOLE_COOKIE_SECURE"] = str(config["PUBLIC_URL"]).startswith("https://")
    if isinstance(config["ATTACHMENTS_TYPES"], str):
        config["ATTACHMENTS_TYPES"] = tuple(
            kind.strip().lower() for kind in config["ATTACHMENTS_TYPES"].split(",") if kind.strip())
    for flag in ("METRICS_TENANT_LABELS", "READYZ_REQUIRES_SCHEDULER", "RATELIMIT_ENABLED",
                 "CONSOLE_COOKIE_SECURE"):
        if isinstance(config[flag], str):
            config[flag] = config[flag].lower() in ("1", "true", "yes", "on")
    if not config["MIGRATION_DATABASE_URL"]:
        config["MIGRATION_DATABASE_URL"] = config["DATABASE_URL"]
    return config
