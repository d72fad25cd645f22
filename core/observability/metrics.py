"""Prometheus metrics at ``/metrics`` (the official ``prometheus_client``).

Under gunicorn every worker is a process of its own: gunicorn.conf.py points
``PROMETHEUS_MULTIPROC_DIR`` at a folder before the workers start, each process writes its
values there, and a scrape of any worker sums them all (``MultiProcessCollector``); a
worker that exits is marked dead so its live gauges drop out. Without that variable
(``flask run``, the tests) the process's own registry answers.

No label holds a tenant's name unless ``ZERENZHI_METRICS_TENANT_LABELS`` is on: the
``township`` label is empty otherwise. Routes are URL rules, never raw paths.

The endpoint is outside authentication but not public: a caller presenting
``ZERENZHI_METRICS_TOKEN`` as a bearer token is admitted from anywhere; without the token
only the addresses of ``ZERENZHI_METRICS_ALLOW`` (default: loopback) are, and never a
request forwarded by a proxy (its own address would be loopback).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable

from flask import Flask, Response, current_app, g, request
from flask_smorest import abort
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine

from zerenzhi.auth.permissions import PUBLIC

ENDPOINT = "metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
DEFAULT_ALLOW = "127.0.0.1/8,::1/128"

REQUESTS = Counter("zerenzhi_http_requests_total", "HTTP requests answered",
                   ["method", "route", "status", "township"])
LATENCY = Histogram("zerenzhi_http_request_duration_seconds",
                    "Time to answer an HTTP request (until the response is built)",
                    ["method", "route", "township"],
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
POOL_CHECKED_OUT = Gauge("zerenzhi_db_pool_checked_out",
                         "Database connections checked out of the pool now",
                         multiprocess_mode="livesum")
POOL_SIZE = Gauge("zerenzhi_db_pool_size",
                  "Connections the pools keep (not counting overflow; 0 for SQLite)",
                  multiprocess_mode="livesum")
POOL_OVERFLOW = Gauge("zerenzhi_db_pool_max_overflow",
                      "Connections the pools may open beyond their size",
                      multiprocess_mode="livesum")
JOB_RUNS = Counter("zerenzhi_job_runs_total",
                   "Scheduled job runs by outcome (ok, failed, skipped)", ["job", "outcome"])
DELIVERIES = Counter("zerenzhi_deliveries_total",
                     "Notifier delivery attempts by channel (webhook, email) and outcome "
                     "(delivered, retrying, failed)", ["channel", "outcome"])


def record_job_run(job: str, outcome: str) -> None:
    """Count one run of a scheduled job; ``outcome`` is ``ok``, ``failed`` or ``skipped``
    (another worker has it, or its tick is done). ``job`` is the job's name, never a
    township's."""
    JOB_RUNS.labels(job=job, outcome=outcome).inc()


def count_delivery(channel: str, outcome: str, count: int = 1) -> None:
    """Count a notifier's delivery attempts for ``/metrics``
    (``zerenzhi_deliveries_total{channel, outcome}``), so an operator can alert on
    deliveries that keep failing. ``channel`` names the notifier (``webhook``, ``email``, a
    plugin's own); ``outcome`` is ``delivered``, ``retrying`` (failed, tried again later) or
    ``failed`` (given up). Call it once per attempt, when its outcome is known; never put a
    township or an address in either label."""
    if count:
        DELIVERIES.labels(channel=channel, outcome=outcome).inc(count)


def _township_label() -> str:
    if not current_app.config.get("METRICS_TENANT_LABELS"):
        return ""
    tenant = g.get("zz_tenant")
    return tenant.slug if tenant is not None else ""


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    township = _township_label()
    REQUESTS.labels(method=method, route=route, status=str(status), township=township).inc()
    LATENCY.labels(method=method, route=route, township=township).observe(seconds)


# --- the database pool -----------------------------------------------------------------------

def _checked_out(*_args) -> None:
    POOL_CHECKED_OUT.inc()


def _checked_in(*_args) -> None:
    POOL_CHECKED_OUT.dec()


def watch_pool(engine: Engine) -> None:
    """Follow ``engine``'s pool: checkouts and check-ins move the gauge, its size is set."""
    event.listen(engine, "checkout", _checked_out)
    event.listen(engine, "checkin", _checked_in)
    pool = engine.pool
    POOL_SIZE.inc(pool.size() if hasattr(pool, "size") else 0)
    POOL_OVERFLOW.inc(max(getattr(pool, "_max_overflow", 0), 0))


# --- the endpoint ----------------------------------------------------------------------------

def allowed_setting(config) -> str:
    """``METRICS_ALLOW``: comma-separated addresses or networks; ``none`` for no address."""
    allow = config.get("METRICS_ALLOW") or DEFAULT_ALLOW
    return "" if allow.strip().lower() == "none" else allow


def _networks(allow: str | Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    entries = allow.split(",") if isinstance(allow, str) else allow
    return [ipaddress.ip_network(entry.strip(), strict=False)
            for entry in entries if entry.strip()]


def admitted() -> bool:
    """The bearer token when one is configured; else an allowed, unforwarded address."""
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer":
        return hmac.compare_digest(presented.strip().encode(), str(token).encode())
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _networks(allowed_setting(config)))


def registry() -> CollectorRegistry:
    """Every process's values under gunicorn; this process's otherwise."""
    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)
    return collected


def metrics_view():
    """The Prometheus text format; 403 for a caller neither allowed nor holding the token."""
    if not admitted():
        abort(403, message="metrics are open to the configured addresses or token only")
    return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)


metrics_view._zz_permission = PUBLIC  # outside authentication: ``admitted`` guards it


def install(app: Flask) -> None:
    app.add_url_rule("/metrics", ENDPOINT, metrics_view)
    _networks(allowed_setting(app.config))  # a malformed entry fails at start, not at scrape
    watch_pool(app.extensions["zerenzhi"].db.engine)


def mark_process_dead(pid: int) -> None:
    """For gunicorn's ``child_exit``: drop a dead worker's live gauges."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
