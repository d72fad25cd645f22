"""Recording deployments and their tasks, and the obligations each task owes (W1). Free of
Flask; callers commit (``zerenzhi.writing``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    close_event_obligation,
    committee,
    live_unit,
    local_noon,
    open_event_obligation,
    start_of_day,
    sync_evidence,
    today,
    utcnow,
    withdraw_evidence,
)
from zerenzhi.plugins.deployments.models import Deployment, Task
from zerenzhi.plugins.deployments.rules import TASK

SOURCE_TYPE = "deployments_task"  # the trigger and the ledger's name for a task


def _obligation(session: Session, deployment: Deployment, task: Task):
    """The task's obligation: due at the end of its deadline's local day, or the rule's
    default after the deployment's issue when it sets none. None when W1 is switched off."""
    due_at = None if task.due_on is None else start_of_day(task.due_on + dt.timedelta(days=1))
    return open_event_obligation(session, TASK.key, task.unit_id, SOURCE_TYPE, task.id,
                                 local_noon(deployment.issued_on), due_at)


def record(session: Session, data: dict[str, Any]) -> Deployment:
    """A deployment as received, with its tasks; each task opens its obligation."""
    if data["issued_on"] > today():
        raise DomainError("issued_on", "a deployment cannot be issued in the future")
    tasks = data.pop("tasks")
    deployment = Deployment(**data)
    session.add(deployment)
    session.flush()
    root = committee(session).id
    for index, item in enumerate(tasks):
        unit = live_unit(session, item.get("unit_id") or root, field=f"tasks.{index}.unit_id")
        if item.get("due_on") is not None and item["due_on"] < deployment.issued_on:
            raise DomainError(f"tasks.{index}.due_on", "a task is due after its deployment")
        task = Task(deployment_id=deployment.id, unit_id=unit.id, title=item["title"],
                    due_on=item.get("due_on"))
        session.add(task)
        session.flush()
        _obligation(session, deployment, task)
    session.refresh(deployment)
    return deployment


def complete(session: Session, deployment: Deployment, task: Task,
             data: dict[str, Any]) -> Task:
    """The completion record: it fulfils the task's obligation, as of the day it was done
    (late if after the deadline)."""
    if deployment.archived or task.archived:
        raise DomainError("task_id", "the task was withdrawn", 409)
    if data["completed_on"] < deployment.issued_on:
        raise DomainError("completed_on", "a task is completed after it is deployed")
    task.completed_on, task.completion = data["completed_on"], data["completion"]
    session.flush()
    handle = _obligation(session, deployment, task)
    sync_evidence(session, SOURCE_TYPE, task.id, [] if handle is None else [Evidence(
        TASK.key, task.unit_id, local_noon(task.completed_on), obligation_id=handle.id)])
    return task


def archive(session: Session, deployment: Deployment) -> None:
    """Withdraw a deployment recorded in error: kept, and its tasks owe nothing."""
    if deployment.archived:
        return
    deployment.archived_at = utcnow()
    for task in deployment.tasks:
        close_event_obligation(session, TASK.key, task.unit_id, SOURCE_TYPE, task.id)
        withdraw_evidence(session, SOURCE_TYPE, task.id)
    session.flush()


def task_of(session: Session, task_id: uuid.UUID) -> tuple[Deployment, Task] | None:
    """The task and its deployment, or None (unknown, or another township's)."""
    row = session.execute(select(Deployment, Task).join(
        Task, Task.deployment_id == Deployment.id).where(Task.id == task_id)).first()
    return None if row is None else (row[0], row[1])
