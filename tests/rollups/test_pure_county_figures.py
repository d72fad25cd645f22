"""County figures are a pure function of the facts (issue 13, item 4): two townships
provisioned from tenant files with their go-live dates, a few records, and nothing read;
the county's compliance, overdue list and trend equal what the rules say, counted here by
hand (units × rules × periods); then every page of both townships is read by every role
and the county's figures have not moved."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import time_machine

from tests.reads import Resolver, Tables, callers, calls, reading_url
from tests.reads import reads as all_reads
from tests.rollups.plugins import REPORT, RULES
from zerenzhi.testing import World

NOW = "2026-07-10T09:00:00+08:00"  # 2026H1 has ended: what is missing from it is overdue
CST = dt.timezone(dt.timedelta(hours=8))
ROLES = {"secretary": "committee", "deputy": "committee", "office": "office",
         "tenant_admin": "committee", "viewer": "committee", "member": "branch-1",
         "branch_secretary": "branch-1", "unit_head": "village-1"}


@dataclass
class Plan:
    """One township as its tenant file and its records describe it."""

    code: str
    live_from: dt.date
    branches: int
    records: list[tuple[str, str, str]]  # (rule, unit code, local day)
    triggers: list[tuple[str, str]]  # (event rule, local day at 10:00) — nothing reported

    def units(self) -> dict[str, tuple[str, str]]:
        """Unit code -> (kind, name)."""
        found = {"committee": ("committee", f"{self.code}鎮黨委"),
                 "office": ("office", "意識形態領導小組辦公室"),
                 "village-1": ("village", f"{self.code}村村委會")}
        found.update({f"branch-{n}": ("branch", f"{self.code}第{n}支部")
                      for n in range(1, self.branches + 1)})
        return found


A = Plan("甲", dt.date(2026, 1, 1), 2,
         records=[(RULES[0].key, "committee", "2026-03-01"),
                  (RULES[1].key, "branch-1", "2026-02-01"), (RULES[1].key, "branch-1",
                                                             "2026-05-01"),
                  (RULES[1].key, "branch-2", "2026-04-01")],
         triggers=[(REPORT, "2026-06-01")])
B = Plan("乙", dt.date(2026, 4, 1), 3,  # went live within 2026H1: that half-year is owed
         records=[(RULES[0].key, "committee", "2026-06-10"),
                  (RULES[1].key, "branch-1", "2026-04-10"), (RULES[1].key, "branch-1",
                                                             "2026-05-10"),
                  *[(RULES[1].key, "branch-3", f"2026-0{m}-15") for m in (4, 5, 6)]],
         triggers=[])


# --- provisioning, as an operator does it ---------------------------------------------------


def _toml_user(username: str, role: str, unit: str | None) -> str:
    position = f'{{ role = "{role}", unit = "{unit}" }}' if unit else f'{{ role = "{role}" }}'
    return (f'[[users]]\nusername = "{username}"\ndisplay_name = "{role}"\n'
            f"positions = [{position}]\n\n")


def _write_files(root, county: str, towns: dict[str, Plan]) -> None:
    folder = root / county
    folder.mkdir()
    (folder / "_county.toml").write_text(
        f'slug = "{county}"\nkind = "county"\nname = "純縣"\n\n'
        + "".join(_toml_user(f"{county}.{r}", r, None) for r in ("county_viewer",
                                                                   "county_admin")),
        encoding="utf-8")
    for slug, plan in towns.items():
        text = (f'slug = "{slug}"\nkind = "township"\nname = "{plan.code}鎮"\n'
                f"live_from = {plan.live_from.isoformat()}\n\n")
        for code, (kind, name) in plan.units().items():
            if code != "committee":
                text += (f'[[units]]\ncode = "{code}"\nname = "{name}"\nkind = "{kind}"\n'
                         f'parent = "committee"\n\n')
        text += "".join(_toml_user(f"{slug}.{r}", r, u) for r, u in ROLES.items())
        text += "[plugins.tally]\nenabled = true\n"
        (folder / f"{slug}.toml").write_text(text, encoding="utf-8")


def _provision(app, tmp_path, towns: dict[str, Plan]) -> dict[str, World]:
    """Apply the tenant files (``zerenzhi tenants apply``) and give each township a World
    with its units, users and a token per role."""
    from sqlalchemy import select

    from zerenzhi.auth.models import UserAccount
    from zerenzhi.auth.service import issue_token_for
    from zerenzhi.db.session import session
    from zerenzhi.orgunits.models import OrgUnit
    from zerenzhi.provisioning.provision import apply_directory
    from zerenzhi.tenancy.context import tenant_scope
    from zerenzhi.tenancy.models import Tenant

    county = f"pure-{uuid.uuid4().hex[:6]}"
    _write_files(tmp_path, county, towns)
    worlds = {}
    with app.app_context():
        sess = session()
        apply_directory(sess, tmp_path)
        sess.commit()
        county_row = sess.scalar(select(Tenant).where(Tenant.slug == county))
        county_tokens = {r: _token(sess, f"{county}.{r}") for r in ("county_viewer",
                                                                      "county_admin")}
        for slug in towns:
            town = sess.scalar(select(Tenant).where(Tenant.slug == slug))
            world = World(app, county, slug, town.id, county_row.id)
            with tenant_scope(town.ref()):
                world.units = {u.code: u.id for u in sess.scalars(select(OrgUnit))}
            for role in ROLES:
                account = sess.scalar(select(UserAccount).where(
                    UserAccount.username == f"{slug}.{role}"))
                world.users[role] = account.id
                world.tokens[role] = issue_token_for(sess, account, dt.timedelta(days=3650))
            world.users["subject"] = world.users["member"]
            world.tokens["all"] = world.tokens["secretary"]
            world.tokens.update(county_tokens)
            worlds[slug] = world
        sess.commit()
    return worlds


def _token(sess, username: str) -> str:
    from sqlalchemy import select

    from zerenzhi.auth.models import UserAccount
    from zerenzhi.auth.service import issue_token_for

    account = sess.scalar(select(UserAccount).where(UserAccount.username == username))
    return issue_token_for(sess, account, dt.timedelta(days=3650))


def _record(world: World, plan: Plan) -> None:
    """The township's records, as a module syncs them into the ledger; and what happened
    that starts an event rule's deadline."""
    from zerenzhi import Evidence, open_event_obligation, sync_evidence

    with world.scope() as sess:
        for rule, unit, day in plan.records:
            at = dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=CST)
            sync_evidence(sess, "tally", uuid.uuid4(), [Evidence(rule, world.units[unit], at)])
        for rule, day in plan.triggers:
            at = dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=CST)
            open_event_obligation(sess, rule, world.units["committee"], "situation",
                                  uuid.uuid4(), at)
        sess.commit()


# --- the figures, by hand from the rules ----------------------------------------------------


def _half(label: str) -> tuple[dt.date, dt.date]:
    year, half = int(label[:4]), int(label[-1])
    return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if half == 1 else (
        dt.date(year, 7, 1), dt.date(year, 12, 31))


def _items(plan: Plan, label: str, now: dt.datetime) -> list[dict]:
    """What the township owes in the half-year ``label``: one item per unit of each kind a
    half-yearly rule applies to (if the half-year ends on or after the go-live date), and
    one per event inside it, each done or overdue as its records and due date say."""
    start, end = _half(label)
    due = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), CST)  # end of last day
    items = []
    for rule in RULES:
        if rule.cadence == "half_year" and end >= plan.live_from:
            for code, (kind, name) in plan.units().items():
                if kind in rule.applies_to:
                    count = sum(1 for r, u, day in plan.records if r == rule.key and u == code
                                and start <= dt.date.fromisoformat(day) <= end)
                    done = count >= rule.min_count
                    items.append({"rule": rule.key, "unit": name, "done": done,
                                  "due": due, "overdue": not done and due <= now})
        elif rule.cadence == "event":
            for key, day in plan.triggers:
                at = dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=CST)
                event_due = at + dt.timedelta(hours=rule.deadline_hours)
                if key == rule.key and start <= event_due.date() <= end:
                    items.append({"rule": rule.key, "unit": plan.units()["committee"][1],
                                  "done": False, "due": event_due,
                                  "overdue": event_due <= now})
    return items


def _counts(items: list[dict]) -> dict:
    required, done = len(items), sum(i["done"] for i in items)
    return {"required": required, "done": done, "overdue": sum(i["overdue"] for i in items),
            "waived": 0, "rate": round(done / required, 4) if required else None}


# --- the county's figures, through its API --------------------------------------------------


def _figures(world: World) -> dict:
    """Everything the county sees, as JSON, without the moment it was asked (``as_of``)."""
    client = world.client("county_viewer")
    base = f"/api/v1/counties/{world.county_slug}/rollup"
    found = {}
    for name, url in (("compliance", f"{base}/compliance?period=2026H1"),
                      ("compliance_now", f"{base}/compliance"),
                      ("overdue", f"{base}/overdue?page_size=100"),
                      ("trend", f"{base}/trend?from=2025H1&to=2026H2")):
        body = client.get(url).assert_status(200).json
        if isinstance(body, dict):
            body.pop("as_of", None)
        found[name] = body
    return found


@time_machine.travel(NOW, tick=False)
def test_county_figures_follow_the_facts_and_no_read(app, zz_backend, zz_databases,
                                                     tmp_path):
    now = dt.datetime.fromisoformat(NOW)
    slugs = {f"pa-{uuid.uuid4().hex[:6]}": A, f"pb-{uuid.uuid4().hex[:6]}": B}
    worlds = _provision(app, tmp_path, slugs)
    for slug, plan in slugs.items():
        _record(worlds[slug], plan)
    county = next(iter(worlds.values()))
    before = _figures(county)  # the first read of anything

    compliance = before["compliance"]
    for row in compliance["townships"]:
        items = _items(slugs[row["township"]["slug"]], "2026H1", now)
        assert {k: row[k] for k in ("required", "done", "overdue", "waived", "rate")} == \
            _counts(items), row["township"]["slug"]
        assert {c["rule"]: {k: v for k, v in c.items() if k != "rule"} for c in row["cells"]} \
            == {rule: _counts([i for i in items if i["rule"] == rule])
                for rule in sorted({i["rule"] for i in items})}
    assert sorted(r["township"]["slug"] for r in compliance["townships"]) == sorted(slugs)
    every = [i for plan in slugs.values() for i in _items(plan, "2026H1", now)]
    assert compliance["totals"] == _counts(every)
    assert before["compliance_now"]["period"] == "2026H2"

    expected_overdue = sorted(
        (slug, i["rule"], i["unit"], (now - i["due"]).days)
        for slug, plan in slugs.items() for label in ("2025H2", "2026H1", "2026H2")
        for i in _items(plan, label, now) if i["overdue"])
    assert sorted((i["township"]["slug"], i["rule"], i["unit_name"], i["days_overdue"])
                  for i in before["overdue"]) == expected_overdue
    assert len(expected_overdue) == 3  # A: branch-2's study, the report; B: branch-2's study

    trend = before["trend"]
    assert trend["periods"] == ["2025H1", "2025H2", "2026H1", "2026H2"]
    for row in trend["townships"]:
        plan = slugs[row["township"]["slug"]]
        for point in row["points"]:
            expected = _counts(_items(plan, point["period"], now))
            assert {k: point[k] for k in ("required", "done", "rate")} == {
                k: expected[k] for k in ("required", "done", "rate")}, point
    overall = {p["period"]: p for p in trend["overall"]}
    assert (overall["2025H2"]["required"], overall["2025H2"]["rate"]) == (0, None)  # not live
    assert overall["2026H2"]["required"] == sum(  # the current half-year is on the calendar
        len(_items(plan, "2026H2", now)) for plan in slugs.values())

    tables = Tables(reading_url(app, zz_backend, zz_databases))
    try:
        client, requests = app.test_client(), 0
        for world in worlds.values():
            who = callers(world)
            for read in all_reads(app, Resolver(world, tables, strict=False)):
                for method, url, _caller, headers in calls(read, who):
                    client.open(url, method=method, headers=headers)
                    requests += 1
    finally:
        tables.close()
    print(f"\npure county figures: {requests} reads of both townships")
    assert _figures(county) == before
