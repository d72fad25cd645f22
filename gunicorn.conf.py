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
