"""gunicorn settings for ``zerenzhi serve`` (``gunicorn -c gunicorn.conf.py wsgi:app``).

Bind and workers come from the environment so one file serves every deploy; ``serve``
sets them from ``--bind`` and ``--workers``.
"""

import os

bind = os.environ.get("ZERENZHI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ZERENZHI_WORKERS", "2"))
accesslog = "-"  # stdout
errorlog = "-"
# Each worker builds its own app, engine and plugin manager after the fork: no database
# connection or pluggy state is shared between processes.
preload_app = False

# --- access log: never a calendar feed token -------------------------------------------------
import re  # noqa: E402

from gunicorn.glogging import Logger  # noqa: E402

TOKEN_PARAM = re.compile(r"((?:^|[?&;])token=)[^&;\s\"]*", re.IGNORECASE)


class RedactingLogger(Logger):
    """The access log without secrets in URLs: the ICS feed authenticates by ``?token=``
    (calendar clients send no headers), so its value is replaced by ``[redacted]`` in the
    request line, the query string and the referrer."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = TOKEN_PARAM.sub(r"\1[redacted]", atoms[key])
        return atoms


logger_class = RedactingLogger


# --- logs: one JSON object per line unless ZERENZHI_LOG_FORMAT=text ---------------------------
# Set before the workers build the app, which reads it (zerenzhi.observability.logs). The
# formatting of gunicorn's own lines lives here so the master never imports the app.
import datetime as _dt  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402

os.environ.setdefault("ZERENZHI_LOG_FORMAT", "json")
JSON_LOGS = os.environ["ZERENZHI_LOG_FORMAT"].lower() == "json"


class JsonLineFormatter(logging.Formatter):
    """gunicorn's error and access lines in the app's JSON shape: ts, level, logger, msg,
    and the access line's fields."""

    def format(self, record):
        entry = {"ts": _dt.datetime.fromtimestamp(record.created, _dt.UTC).isoformat(
                     timespec="milliseconds").replace("+00:00", "Z"),
                 "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        entry.update(getattr(record, "access", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class ZerenzhiLogger(RedactingLogger):
    """With JSON logs, the access line carries the request id the app answered with, the
    method, the path (no query string), the status, the duration, the client and size."""

    def setup(self, cfg):
        super().setup(cfg)
        if JSON_LOGS:
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    if getattr(handler, "_gunicorn", False):
                        handler.setFormatter(JsonLineFormatter())

    def access(self, resp, req, environ, request_time):
        if not JSON_LOGS:
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(atoms["r"], extra={"access": {
            "request_id": atoms.get("{x-request-id}o"), "method": atoms["m"],
            "path": atoms["U"], "status": int(atoms["s"]), "duration_ms": atoms["D"] / 1000,
            "remote_addr": atoms["h"], "bytes": atoms["B"], "user_agent": atoms["a"]}})
        return None


logger_class = ZerenzhiLogger


# --- metrics: every process writes to one folder, any worker's /metrics sums them -------------
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_made_metrics_dir: list[str] = []


def on_starting(server):
    """Before any worker imports prometheus_client: a folder of our own (removed on exit),
    or the operator's (shared with ``zerenzhi worker``), rid of a previous run's live
    gauges, whose processes are gone; counters may carry on, they only ever grow."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("gauge_live*.db"):
            stale.unlink()
    else:
        folder = tempfile.mkdtemp(prefix="zerenzhi-metrics-")
        os.environ[MULTIPROC_ENV] = folder
        _made_metrics_dir.append(folder)


def child_exit(server, worker):
    """A worker that exits no longer counts in the live gauges (pool in use)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    for folder in _made_metrics_dir:
        shutil.rmtree(folder, ignore_errors=True)
