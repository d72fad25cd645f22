"""Domain logic, free of Flask: callable from the route, a CLI command or a test alike."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session
from zerenzhi import (
    Evidence,
    Label,
    emit,
    live_unit,
    render,
    sync_evidence,
    units_of_kind,
    utcnow,
)

from zerenzhi_hello.models import Greeting
from zerenzhi_hello.rules import QUARTERLY_GREETINGS

SOURCE_TYPE = "hello_greeting"  # how the ledger names this plugin's records
TITLE = Label("問候", "Greeting")


def record_greeting(session: Session, *, unit_id: uuid.UUID, message: str,
                    greeted_at: dt.datetime | None = None) -> Greeting:
    """Record a greeting and, in the same transaction, the ledger entry that makes it count.

    Only greetings of branch units count toward ``hello.quarterly_greetings`` (the rule's
    ``applies_to``); the others are recorded but count for nothing. The caller commits.
    """
    unit = live_unit(session, unit_id)  # a foreign unit is as unknown as a made-up one: 422
    greeting = Greeting(unit_id=unit.id, message=message, greeted_at=greeted_at or utcnow())
    session.add(greeting)
    session.flush()
    counts = unit.kind in QUARTERLY_GREETINGS.applies_to
    evidence = [Evidence(QUARTERLY_GREETINGS.key, unit.id, greeting.greeted_at)] if counts else []
    sync_evidence(session, SOURCE_TYPE, greeting.id, evidence)
    emit(session, "hello.greeted", greeting_id=str(greeting.id), unit_id=str(unit.id))
    return greeting


def fill_demo(session: Session) -> None:
    """A demo township's greetings this quarter: its first branch has greeted three times
    (its obligation fulfilled), the others once. Nothing when it has greetings already:
    ``demo_data`` runs on every ``zerenzhi tenants apply``."""
    if session.scalar(select(Greeting.id).limit(1)) is not None:
        return
    now = utcnow()
    for index, branch in enumerate(units_of_kind(session, "branch")):
        for minutes_ago in (3, 2, 1)[:3 if index == 0 else 1]:
            record_greeting(session, unit_id=branch.id, message="早上好",
                            greeted_at=now - dt.timedelta(minutes=minutes_ago))


def describe(session: Session, greeting_id: str) -> dict | None:
    """A greeting as other modules see it through ``core.describe_reference``: a title and
    a status, never the record's body."""
    try:
        wanted = uuid.UUID(greeting_id)
    except ValueError:
        return None
    greeting = session.scalar(select(Greeting).where(Greeting.id == wanted))
    if greeting is None:
        return None
    return {"type": "hello.greeting", "id": str(greeting.id), "title": render(TITLE),
            "status": "archived" if greeting.archived else "recorded",
            "unit_id": str(greeting.unit_id)}
