"""The ``zerenzhi`` command (click, through Flask's CLI). Its forms are a contract.

The top of the stack: it builds the app, and ``create_app`` mounts the operator commands
(``zerenzhi.commands``, ``db`` among them) and the plugins' on ``app.cli``.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from zerenzhi.app import create_app

main = FlaskGroup(create_app=create_app, load_dotenv=False, help="zerenzhi 責任制 operations.")
