"""The channel register (P1): registering, changing and closing channels, each filed
(備案) in the channel's filing history, in one transaction with the ledger kept in step.
No Flask here; callers commit (``writing()``). Reviews are in ``reviews.py``, incidents in
``incidents.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zerenzhi import DomainError, emit, live_unit, today, utcnow
from zerenzhi.plugins.platforms.common import check_date, check_member
from zerenzhi.plugins.platforms.models import Channel, Filing, Review
from zerenzhi.plugins.platforms.reviews import resync_unit

CHANGEABLE = ("name", "account", "responsible_member_id", "status")


def _file(session: Session, channel: Channel, action: str, filing: dict,
          changes: dict | None = None) -> Filing:
    check_date(filing["filed_on"], "filing.filed_on")
    row = Filing(channel_id=channel.id, action=action, filed_on=filing["filed_on"],
                 reference=filing["reference"].strip(), filed_with=filing.get("filed_with"),
                 note=filing.get("note"), changes=changes or {})
    session.add(row)
    return row


def _no_duplicate(session: Session, kind: str, account: str, own: uuid.UUID | None) -> None:
    clash = session.scalar(select(Channel.id).where(
        Channel.kind == kind, Channel.account == account, Channel.archived_at.is_(None),
        Channel.status != "closed", Channel.id != (own or uuid.UUID(int=0))))
    if clash is not None:
        raise DomainError("account", "this account is already registered as an open channel",
                          409)


def register_channel(session: Session, data: dict) -> Channel:
    """Register (open) a channel with its opening filing; the owner unit's review
    obligation now covers it (reviews.resync_unit)."""
    unit = live_unit(session, data["unit_id"])
    check_member(session, data["responsible_member_id"], "responsible_member_id")
    opened_on = data.get("opened_on") or today()
    check_date(opened_on, "opened_on")
    account = data["account"].strip()
    _no_duplicate(session, data["kind"], account, None)
    channel = Channel(unit_id=unit.id, kind=data["kind"], name=data["name"].strip(),
                      account=account, responsible_member_id=data["responsible_member_id"],
                      status="active", status_since=opened_on, opened_on=opened_on)
    session.add(channel)
    session.flush()
    _file(session, channel, "open", data["filing"])
    session.flush()
    resync_unit(session, unit.id)
    emit(session, "platforms.channel_registered", channel_id=str(channel.id),
         unit_id=str(unit.id), kind=channel.kind)
    return channel


def _open(channel: Channel) -> None:
    if channel.archived_at is not None:
        raise DomainError("id", "an archived channel cannot change", 409)
    if channel.status == "closed":
        raise DomainError("status", "a closed channel stays closed; register a new one", 409)


def change_channel(session: Session, channel: Channel, data: dict) -> Channel:
    """Change a channel's name, account, responsible person or status (active ⇄
    suspended), filed as a change; the filing keeps each field's before and after."""
    _open(channel)
    wanted = {k: data[k] for k in CHANGEABLE if k in data}
    if "name" in wanted:
        wanted["name"] = wanted["name"].strip()
    if "account" in wanted:
        wanted["account"] = wanted["account"].strip()
        _no_duplicate(session, channel.kind, wanted["account"], channel.id)
    if "responsible_member_id" in wanted:
        check_member(session, wanted["responsible_member_id"], "responsible_member_id")
    changes = {k: [_plain(getattr(channel, k)), _plain(v)] for k, v in wanted.items()
               if getattr(channel, k) != v}
    if not changes:
        raise DomainError("filing", "nothing changes: a change filing needs a change")
    _file(session, channel, "change", data["filing"], changes)
    for key, value in wanted.items():
        setattr(channel, key, value)
    if "status" in changes:
        channel.status_since = today()
    session.flush()
    resync_unit(session, channel.unit_id)
    emit(session, "platforms.channel_changed", channel_id=str(channel.id),
         fields=sorted(changes))
    return channel


def close_channel(session: Session, channel: Channel, data: dict) -> Channel:
    """Close a channel, filed as a closing; it needs no review after its closing quarter."""
    _open(channel)
    closed_on = data.get("closed_on") or today()
    check_date(closed_on, "closed_on", not_before=channel.opened_on, what="its opening")
    _file(session, channel, "close", data["filing"],
          {"status": [channel.status, "closed"], "closed_on": [None, closed_on.isoformat()]})
    channel.status, channel.status_since, channel.closed_on = "closed", closed_on, closed_on
    session.flush()
    resync_unit(session, channel.unit_id)
    emit(session, "platforms.channel_closed", channel_id=str(channel.id))
    return channel


def archive_channel(session: Session, channel: Channel) -> Channel:
    """Archive a channel registered in error, with its reviews: they stop counting."""
    if channel.archived_at is None:
        now = utcnow()
        channel.archived_at = now
        for review in session.scalars(select(Review).where(Review.channel_id == channel.id,
                                                           Review.archived_at.is_(None))):
            review.archived_at = now
        session.flush()
        resync_unit(session, channel.unit_id)
        emit(session, "platforms.channel_archived", channel_id=str(channel.id))
    return channel


def filings(channel: Channel) -> Select:
    """The channel's filing history, oldest first: the select its list pages."""
    return select(Filing).where(Filing.channel_id == channel.id).order_by(
        Filing.filed_on, Filing.created_at, Filing.id)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID | dt.date) else value
