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
