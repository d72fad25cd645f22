"""``zerenzhi serve``: migrate, apply ``tenants/``, start the worker, then become gunicorn.

One command for the embedded default and for production, so a deploy cannot forget a
step. The server gets the database settings this command used (as ``ZERENZHI_*``
variables), so both always talk to the same database, whatever the working directory.

The scheduler (``zerenzhi worker``) runs as a child of this process, which then becomes
gunicorn's master: it dies with it (Linux's parent-death signal, and the worker watches its
parent elsewhere), so stopping the server never leaves a worker behind. ``ZERENZHI_WORKER=0``
leaves it out, for hosts that run ``zerenzhi worker`` on their own (issue 13, item 3).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from zerenzhi.commands.tenants import apply_files, default_directory

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSED_ON = {"DATABASE_URL": "ZERENZHI_DATABASE_URL",
             "MIGRATION_DATABASE_URL": "ZERENZHI_MIGRATION_DATABASE_URL",
             "DB_APP_ROLE": "ZERENZHI_DB_APP_ROLE"}


PR_SET_PDEATHSIG = 1


def worker_argv() -> list[str]:
    return [sys.executable, "-c", "from zerenzhi.cli import main; main()", "worker"]


def worker_enabled() -> bool:
    return os.environ.get("ZERENZHI_WORKER", "1").strip().lower() not in ("0", "false", "no",
                                                                            "off")


def _die_with_parent() -> None:
    """In the worker child: get SIGTERM when the parent (gunicorn's master) dies."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the parent watch does
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_worker() -> subprocess.Popen:
    """``zerenzhi worker`` as a child that stops when this process (soon gunicorn) does."""
    env = {**os.environ, "ZERENZHI_WORKER_PARENT": str(os.getpid())}
    return subprocess.Popen(worker_argv(), env=env, preexec_fn=_die_with_parent)


def gunicorn_argv() -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "gunicorn.conf.py"),
            "--chdir", str(REPO_ROOT), "wsgi:app"]


@click.command("serve")
@click.option("--bind", default=None, help="HOST:PORT (default $ZERENZHI_BIND or 127.0.0.1:8000).")
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Worker processes (default $ZERENZHI_WORKERS or 2).")
@with_appcontext
def serve_command(bind: str | None, workers: int | None) -> None:
    """Run `db upgrade`, `tenants apply` of TENANTS_DIR, start `zerenzhi worker` (unless
    ZERENZHI_WORKER=0), then exec gunicorn."""
    from zerenzhi.migrate import upgrade  # alembic loads for this command only

    config = current_app.config
    kernel = current_app.extensions["zerenzhi"]
    upgrade(config["MIGRATION_DATABASE_URL"], kernel.plugins, config["DB_APP_ROLE"],
            echo=click.echo)
    directory = default_directory()
    if directory.is_dir():
        click.echo(f"applying {directory}")
        apply_files(directory)
    else:
        click.echo(f"note: no tenants folder at {directory.resolve()}; skipped tenants apply")
    kernel.db.dispose()
    for key, env in PASSED_ON.items():
        if config.get(key):
            os.environ[env] = str(config[key])
    if bind:
        os.environ["ZERENZHI_BIND"] = bind
    if workers:
        os.environ["ZERENZHI_WORKERS"] = str(workers)
    if worker_enabled():
        worker = start_worker()
        click.echo(f"started zerenzhi worker (pid {worker.pid}); ZERENZHI_WORKER=0 leaves it "
                   f"out")
    argv = gunicorn_argv()
    click.echo(f"starting gunicorn ({os.environ.get('ZERENZHI_BIND', '127.0.0.1:8000')}, "
               f"{os.environ.get('ZERENZHI_WORKERS', '2')} workers)")
    sys.stdout.flush()
    os.execv(argv[0], argv)
