"""Every inspection list runs the same number of SQL statements whatever its page size:
coverage and obligation status are computed for the page at once, never per row."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.plugins.inspection.helpers import at
from zerenzhi import OrgUnit, committee, plugin_settings
from zerenzhi.plugins.inspection import findings, ratings, services
from zerenzhi.testing import statements

RECORDS = 25
# What a list request costs, measured at 7 to 9 statements: six for the request itself
# (token, posts, enabled plugins, tenant), the parent campaign where there is one, the page
# with its count (one windowed statement), then for campaigns the scope and the page's
# checks, for ratings and findings one obligation status statement. One spare; a statement
# per row would add 19 at page_size=20.
BOUND = 10


counted = statements  # the kit's counter


def _fill(town) -> dict[str, str]:
    """25 of everything: campaigns (one reaching every unit), checks, ratings (each
    "prominent problems", so each shows its interview), findings with a plan (each showing
    its rectification; some citing another finding's obligation) and interviews."""
    day = dt.date(2026, 5, 1)
    with town.scope() as sess:
        root = committee(sess)
        for n in range(RECORDS):
            sess.add(OrgUnit(code=f"village-x{n:02d}", name=f"村{n}", kind="village",
                             parent_id=root.id))
        sess.flush()
        settings = plugin_settings("inspection")
        campaigns = [services.create_campaign(sess, title=f"督查{n}", started_on=day)
                     for n in range(RECORDS)]
        first = campaigns[0]
        units = [town.units["village-1"], town.units["station-1"]]
        for n in range(RECORDS):
            services.record_check(sess, first, unit_id=units[n % 2], method="key",
                                  checked_on=day, settings=settings)
        rated = [ratings.rate(sess, first, unit_id=unit.id, rating="prominent_problems",
                              rated_on=day)
                 for unit in sess.scalars(select(OrgUnit).where(OrgUnit.code.like("village-x%")))]
        raised = []
        for n in range(RECORDS):
            cited = raised[-1].obligation_id if n % 5 == 4 else None
            raised.append(findings.raise_finding(
                sess, unit_id=units[n % 2], severity="minor", description=f"問題{n}",
                campaign_id=first.id, found_on=day, plan="整改", owner="韓主任",
                deadline=day + dt.timedelta(days=n),
                source={"type": "obligation", "id": str(cited)} if cited else None))
        for n in range(RECORDS):
            ratings.record_interview(sess, rating_id=rated[0].id, held_on=day, content="約談",
                                     held_by="deputy", interviewee=f"主任{n}")
        sess.commit()
        return {"campaign": str(first.id)}


def test_every_list_costs_the_same_whatever_the_page_size(app, town, time_machine):
    time_machine.move_to(at("2026-05-10"))
    ids = _fill(town)
    office = town.client("office")
    base = f"{town.base}/inspection"
    lists = [f"{base}/campaigns", f"{base}/campaigns/{ids['campaign']}/checks",
             f"{base}/campaigns/{ids['campaign']}/ratings", f"{base}/findings",
             f"{base}/interviews"]
    for url in lists:
        counts = []
        for size in (1, 20):
            with counted(app) as statements:
                page = office.get(f"{url}?page_size={size}").assert_status(200).json
            assert len(page) == size, url
            counts.append(len(statements))
        assert counts[0] == counts[1] <= BOUND, (url, counts)
