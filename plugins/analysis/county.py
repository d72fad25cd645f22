"""County sensitive dates (A3), inherited by every township of the county.

A county keeps its calendar as rows of its own tenant (no unit). A township never writes
them; it reads them inside ``tenant_scope(<its county>)`` and keeps its own copy of each
(``county_date_id``), which starts the township's ``analysis.sensitive_date`` obligation
like any local date. Copies follow the county's changes and archiving; townships cannot
edit them. Counties add dates with ``zerenzhi analysis county-date``, which passes them
on at once; townships also inherit on enabling the module, every 15 minutes through the
worker's ``analysis.inherit_county_dates`` job (so a date a county changed by any means
reaches them) and with ``zerenzhi analysis inherit``. Reading the calendar never inherits:
a read writes nothing (issue 13).
"""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    TenantRef,
    find_tenants,
    require_tenant,
    tenant_scope,
    townships_enabling,
    writing,
)
from zerenzhi.plugins.analysis import calendar
from zerenzhi.plugins.analysis.models import SensitiveDate

FIELDS = ("falls_on", "kind", "title", "description")


def _ref(session: Session, **where) -> list[TenantRef]:
    return find_tenants(session, **where)


def county_of(session: Session, township: TenantRef) -> TenantRef | None:
    if township.kind != "township" or township.county_id is None:
        return None
    found = _ref(session, id=township.county_id, kind="county")
    return found[0] if found else None


def county_dates(session: Session, county: TenantRef) -> list[dict]:
    """The county's calendar, read in the county's own scope (as plain values)."""
    with tenant_scope(county):
        rows = session.execute(select(SensitiveDate.id, SensitiveDate.archived_at,
                                      *(getattr(SensitiveDate, f) for f in FIELDS))).all()
    return [dict(row._mapping) for row in rows]


def inherit(session: Session) -> int:
    """Make the township's copies match its county's dates. Returns how many changed."""
    county = county_of(session, require_tenant())
    rows = county_dates(session, county) if county is not None else []
    if not rows:  # a county archives its dates, never deletes them: no rows, no copies
        return 0
    copies = {d.county_date_id: d for d in session.scalars(
        select(SensitiveDate).where(SensitiveDate.county_date_id.is_not(None)))}
    changed = 0
    for row in rows:
        copy = copies.get(row["id"])
        values = {f: row[f] for f in FIELDS}
        if copy is None and row["archived_at"] is None:
            date = calendar.create_sensitive_date(session, **values)
            date.county_date_id = row["id"]
            changed += 1
        elif copy is not None and copy.archived_at is None:
            if row["archived_at"] is not None:
                calendar.archive_sensitive_date(session, copy)
                changed += 1
            elif copy.kind != row["kind"]:
                # a date became a hot topic or back: its deadline counts differently (A3),
                # so the old copy is archived (unlinked) and a new one starts afresh
                calendar.archive_sensitive_date(session, copy)
                copy.county_date_id = None
                session.flush()
                calendar.create_sensitive_date(session, **values).county_date_id = row["id"]
                changed += 1
            elif any(getattr(copy, f) != v for f, v in values.items()):
                calendar.update_sensitive_date(session, copy, values)
                changed += 1
    session.flush()
    return changed


def add_county_date(session: Session, county: TenantRef, *, falls_on: dt.date, title: str,
                    kind: str = "sensitive_date", description: str = "") -> SensitiveDate:
    with tenant_scope(county):
        date = SensitiveDate(unit_id=None, falls_on=falls_on, title=title, kind=kind,
                             description=description)
        session.add(date)
        session.flush()
    return date


def inherit_all(session: Session, county: TenantRef) -> dict[str, int]:
    result = {}
    for township in townships_enabling(session, "analysis"):
        if township.county_id == county.id:
            with tenant_scope(township):
                result[township.slug] = inherit(session)
    return result


@click.group("analysis", help="Situation analysis (研判): county sensitive dates (A3).")
def analysis_group() -> None:
    pass


def _county(sess: Session, slug: str) -> TenantRef:
    found = _ref(sess, slug=slug, kind="county")
    if not found:
        raise click.UsageError(f"no county {slug!r}")
    return found[0]


@analysis_group.command("county-date")
@click.option("--county", "slug", required=True, help="The county's slug.")
@click.option("--on", "falls_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--title", required=True)
@click.option("--kind", type=click.Choice(["sensitive_date", "hot_topic"]),
              default="sensitive_date")
@click.option("--description", default="")
@with_appcontext
def county_date_command(slug: str, falls_on: dt.datetime, title: str, kind: str,
                        description: str) -> None:
    """Add a sensitive date to a county's calendar; its townships inherit it."""
    with writing() as sess:
        county = _county(sess, slug)
        date = add_county_date(sess, county, falls_on=falls_on.date(), title=title, kind=kind,
                               description=description)
        changed = inherit_all(sess, county)
    click.echo(f"added {date.id} on {date.falls_on}; inherited by {sum(changed.values())} "
               f"township(s)")


@analysis_group.command("inherit")
@click.option("--county", "slug", required=True, help="The county's slug.")
@with_appcontext
def inherit_command(slug: str) -> None:
    """Bring every township of the county up to date with the county's calendar."""
    with writing() as sess:
        changed = inherit_all(sess, _county(sess, slug))
    for township, count in sorted(changed.items()):
        click.echo(f"{township}: {count} change(s)")

