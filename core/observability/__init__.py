"""What an operator watches: Prometheus metrics (``metrics``) and one structured log line
per request (``logs``). ``install`` hooks both into the app in ``create_app``."""

from __future__ import annotations

import time

from flask import Flask, g, request

from zerenzhi.observability import logs, metrics


def _start() -> None:
    g.zz_started = time.perf_counter()


def _finish(response):
    """Count, time and log the request (not the scrapes of ``/metrics`` themselves)."""
    started = g.pop("zz_started", None)
    if started is None or request.endpoint == metrics.ENDPOINT:
        return response
    duration = time.perf_counter() - started
    route = logs.route_template()
    metrics.observe_request(request.method, route, response.status_code, duration)
    logs.log_request(route, response.status_code, duration)
    return response


def install(app: Flask) -> None:
    """Before the request pipeline, so the clock starts even for a request it refuses,
    and the line is written after the pipeline has set the request id header."""
    logs.configure(app.config.get("LOG_FORMAT"))
    metrics.install(app)
    app.before_request(_start)
    app.after_request(_finish)
