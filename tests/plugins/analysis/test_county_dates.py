"""A3: a county keeps sensitive dates that all its townships inherit; each township's copy
starts its own forward-looking analysis obligation and follows the county's changes."""

from __future__ import annotations

import datetime as dt

from tests.plugins.analysis.helpers import at
from zerenzhi import TenantRef, tenant_scope, utcnow
from zerenzhi.plugins.analysis.models import SensitiveDate


def _cli(world, *args):
    result = world.app.test_cli_runner().invoke(args=["analysis", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_townships_inherit_their_county_dates(town, other_township, time_machine):
    time_machine.move_to(at("2026-11-20"))
    other_township.enable("analysis")
    output = _cli(town, "county-date", "--county", town.county_slug, "--on", "2026-12-13",
                  "--title", "國家公祭日", "--description", "紀念活動輿情")
    assert "inherited by 1 township" in output
    office = town.client("office")
    dates = office.get(f"{town.base}/analysis/sensitive-dates").assert_status(200).json
    assert [(d["title"], d["inherited"]) for d in dates] == [("國家公祭日", True)]
    due = dt.datetime.fromisoformat(dates[0]["obligation"]["due_at"])
    assert due.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 12, 6)
    assert other_township.client("office").get(
        f"{other_township.base}/analysis/sensitive-dates").json == []  # another county

    one = f"{town.base}/analysis/sensitive-dates/{dates[0]['id']}"
    etag = office.get(one).headers["ETag"]
    office.patch(one, json={"title": "x"}, headers={"If-Match": etag}).assert_status(409)
    office.delete(one, headers={"If-Match": etag}).assert_status(409)
    linked = office.post(f"{town.base}/analysis/analyses", json={
        "kind": "forward_looking", "title": "國家公祭日前瞻研判", "held_on": "2026-12-01",
        "sensitive_date_id": dates[0]["id"]}).assert_status(201).json
    assert linked["counts"] is True
    assert office.get(one).json["obligation"]["status"] == "fulfilled"

    # the county moves the date, then drops it: the township's copy follows
    with town.scope() as sess:
        county = TenantRef(town.county_id, "county", town.county_slug)
        with tenant_scope(county):
            row = sess.scalar(select_county_date())
            row.falls_on = dt.date(2026, 12, 14)
            sess.commit()
    assert office.get(f"{town.base}/analysis/sensitive-dates").json[0]["falls_on"] == \
        "2026-12-13"  # reading inherits nothing (issue 13: reads never write)
    assert "1 change" in _cli(town, "inherit", "--county", town.county_slug)
    moved = office.get(f"{town.base}/analysis/sensitive-dates").json[0]
    assert moved["falls_on"] == "2026-12-14"
    with town.scope() as sess, tenant_scope(TenantRef(town.county_id, "county", "")):
        sess.scalar(select_county_date()).archived_at = utcnow()
        sess.commit()
    assert "1 change" in _cli(town, "inherit", "--county", town.county_slug)
    assert office.get(f"{town.base}/analysis/sensitive-dates").json == []


def select_county_date():
    from sqlalchemy import select

    return select(SensitiveDate).where(SensitiveDate.unit_id.is_(None))
