"""Reading everything: every GET route of the app, its path filled with real ids of a
township, called by every kind of caller; and a checksum of every table, to show that
reading wrote nothing (issue 13: reads never write; county figures are a pure function
of the facts)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, Table, select

from zerenzhi.db.session import make_engine
from zerenzhi.testing import World, platform_admin_token

VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")
SWAGGER_ASSET = "swagger-ui.css"

# URL variables whose table is not ``<owner>_<name without _id>`` (core: ``<name>``),
# keyed by the path segment before them where one name means different records.
TABLES = {
    "unit_id": "org_unit",
    "user_id": "member",
    "assembly-reports/report_id": "reporting_assembly_report",
    "half-year-reports/report_id": "reporting_half_year_report",
    "reports/report_id": "directive_report",
    "inbox/item_id": "inbox_item",  # a township's report, read by its county
}

# Deliberate exceptions: audit entries that record who *read* something sensitive (decision
# 0003: "a sensitive read" is audited) — opening accountability cases, exporting a report
# to .docx. They change no fact and no figure; every other row, audit entries included,
# must stay as it was. A new access-log action is added here by decision, not by habit.
ACCESS_LOG = frozenset({"accountability.case.read", "reporting_half_year_report.export"})


# --- the database, seen whole ---------------------------------------------------------------


def reading_url(app, backend: str, databases) -> str:
    """A URL that sees every row: on PostgreSQL the cluster's superuser, since the tables
    force row-level security even on their owner (the migration role would see none)."""
    if backend != "sqlite":
        from zerenzhi.testing_pg import SUPERUSER

        return databases.server(backend).url(SUPERUSER)
    return app.config["MIGRATION_DATABASE_URL"]


class Tables:
    """Every table of the migrated database (core's, every plugin's, the migration
    bookkeeping), reflected once; ``checksums()`` hashes each one's rows in key order."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.metadata = MetaData()
        self.metadata.reflect(self.engine)

    def checksums(self) -> dict[str, tuple[int, str]]:
        result = {}
        with self.engine.connect() as conn:
            for table in self.metadata.sorted_tables:
                digest, count = hashlib.sha256(), 0
                for row in conn.execute(_ordered(table)):
                    digest.update(repr(tuple(row)).encode())
                    count += 1
                result[table.name] = (count, digest.hexdigest())
        return result

    def first_id(self, name: str, tenant_id: uuid.UUID, where: dict | None = None
                 ) -> dict | None:
        """The first live row of ``name`` in the tenant (by id), as a dict, or None."""
        table = self.metadata.tables.get(name)
        if table is None:
            return None
        statement = select(table).where(table.c.tenant_id == tenant_id)
        for column, value in (where or {}).items():
            statement = statement.where(table.c[column] == value)
        if "archived_at" in table.c:
            statement = statement.order_by(table.c.archived_at.is_not(None))
        with self.engine.connect() as conn:
            row = conn.execute(statement.order_by(table.c.id).limit(1)).first()
        return dict(row._mapping) if row is not None else None

    def close(self) -> None:
        self.engine.dispose()


def _ordered(table: Table):
    key = list(table.primary_key.columns) or list(table.columns)
    statement = select(table).order_by(*key)
    if table.name == "audit_entry":
        statement = statement.where(table.c.action.not_in(ACCESS_LOG))
    return statement


def changed(before: dict, after: dict) -> list[str]:
    """Tables whose row count or content differ, with the counts."""
    return [f"{name} ({before.get(name, (0,))[0]} -> {after.get(name, (0,))[0]} rows)"
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


# --- the routes, filled ---------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """One GET route with its path filled and the query variations it accepts."""

    rule: str
    endpoint: str
    path: str
    queries: tuple[str, ...]


def get_rules(app) -> list:
    """Every rule of the URL map answering GET (HEAD comes with it in Flask)."""
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods),
                  key=lambda rule: rule.rule)


def query_parameters(app) -> dict[str, tuple[set[str], set[str]]]:
    """The query parameters of each GET path, from the OpenAPI document: (all, required)."""
    spec = app.test_client().get("/api/openapi.json").get_json()
    found = {}
    for path, item in spec["paths"].items():
        query = [p for p in item.get("get", {}).get("parameters", ()) if p.get("in") == "query"]
        found[path] = ({p["name"] for p in query}, {p["name"] for p in query if p.get("required")})
    return found


def variations(parameters: set[str], today: dt.date) -> tuple[str, ...]:
    """No query, then the period of the current half-year, a past one and one long before
    any township used the system, and the overdue filter (issue 13's findings)."""
    half = f"{today.year}H{1 if today.month <= 6 else 2}"
    found = [""]
    if "period" in parameters:
        found += [f"period={half}", f"period={today.year - 1}H1", "period=1999H1"]
    if "status" in parameters:
        found.append("status=overdue")
        if "from" in parameters:
            found.append("status=overdue&from=2025-01-01")
    if "year" in parameters:
        found += [f"year={today.year}", f"year={today.year - 1}"]
    if "include_archived" in parameters:
        found.append("include_archived=true")
    return tuple(found)


class Resolver:
    """Real values for a route's URL variables, in ``world``'s township or county; a
    variable it cannot fill fails the test, so a new route cannot slip by (``strict``;
    otherwise a route whose records the township has none of is left out)."""

    def __init__(self, world: World, tables: Tables, *, strict: bool = True) -> None:
        kernel = world.app.extensions["zerenzhi"]
        self.world, self.tables, self.strict = world, tables, strict
        self.owners = kernel.blueprint_owners
        self.fixed = {
            "township": [world.slug], "county": [world.county_slug],
            "township_slug": [world.slug],
            # the county pages' downloads: every view, in both formats
            "view": ["compliance", "overdue", "trend", "metrics"], "fmt": ["xlsx", "csv"],
            "plugin": sorted(kernel.plugins.installed),
            "rule_key": sorted(rule.key for rule in kernel.rules),
            "year": sorted({str(dt.date.today().year), *self._years()}),
            "user_id": [str(world.users["subject"]), str(world.users["secretary"])],
        }

    def _years(self) -> list[str]:
        table = self.tables.metadata.tables.get("assessment_year")
        if table is None:
            return []
        with self.tables.engine.connect() as conn:
            return [str(y) for y in conn.scalars(
                select(table.c.year).where(table.c.tenant_id == self.world.tenant_id))]

    def query_value(self, rule: str, name: str) -> str:
        """A required query parameter's value: a unit of the township for ``unit_id``."""
        values = {"unit_id": str(self.world.units["village-1"])}
        if name in ("ref_type", "ref_id"):  # attachments: the populated township's incident
            incident = self.tables.first_id("platforms_incident", self.world.tenant_id, {})
            # none recorded (a township without the module): a made-up record, still a read
            values |= {"ref_type": "platforms.incident", "ref_id": _uuid(incident["id"])
                       if incident is not None else "01a2a2a2-0000-7000-8000-000000000000"}
        assert name in values, f"{rule}: no value for its required query parameter {name!r}"
        return values[name]

    def paths(self, rule) -> list[str]:
        if rule.endpoint == "swagger_asset":
            return [rule.rule.replace("<path:filename>", SWAGGER_ASSET)]
        if rule.endpoint == "static":
            return [rule.rule.replace("<path:filename>", "robots.txt")]
        if rule.endpoint.endswith(".static"):  # a blueprint's files (the console's CSS)
            folder = Path(self.world.app.blueprints[rule.endpoint[:-7]].static_folder)
            return [rule.rule.replace("<path:filename>", min(
                p.name for p in folder.iterdir() if p.is_file()))]
        owner = self.owners.get(rule.endpoint.split(".")[0], ("core",))[0]
        values: dict[str, list[str]] = {}
        names = [m.group(2) for m in VARIABLE.finditer(rule.rule)]
        for name in reversed(names):  # the innermost record first: it names its parents
            if name in values:
                continue
            if name in self.fixed:
                values[name] = self.fixed[name]
                continue
            row = self._row(rule.rule, name, owner, names, values)
            if row is None:
                return []
            values[name] = [_uuid(row["id"])]
            for parent in names:
                if parent != name and parent not in values and parent in row:
                    values[parent] = [_uuid(row[parent])]
        paths = [rule.rule]
        for name in names:
            paths = [VARIABLE.sub(lambda m, v=v, n=name: v if m.group(2) == n else m.group(0),
                                  path) for path in paths for v in values[name]]
        return paths

    def _row(self, rule: str, name: str, owner: str, names: list[str], values: dict
             ) -> dict | None:
        segment = rule.split(f"<uuid:{name}>")[0].rstrip("/").rsplit("/", 1)[-1]
        stem = name.removesuffix("_id")
        table = TABLES.get(f"{segment}/{name}") or TABLES.get(name) or (
            stem if owner == "core" else f"{owner}_{stem}")
        known = {n: uuid.UUID(values[n][0]) for n in names if n in values
                 and n not in self.fixed and n != name}
        tenant = self.world.county_id if "<county>" in rule else self.world.tenant_id
        if table == "directive":
            tenant = self.world.county_id  # the county's directive, targeting the township
        if table == "inbox_item":
            tenant = self.world.tenant_id  # the township's row, under the county's URL
        row = self.tables.first_id(table, tenant, known)
        assert row is not None or not self.strict, (
            f"{rule}: no {table!r} row of the township for <{name}> — give the populated "
            f"township one, or teach tests/reads.py where this variable's records live")
        return row


def _uuid(value) -> str:
    """A stored id as the URL's ``<uuid:>`` converter takes it (SQLite keeps 32 hex)."""
    return str(uuid.UUID(str(value)))


def reads(app, resolver: Resolver) -> list[Read]:
    """Every GET route, filled, with its query variations (each with the required query
    parameters, filled like path variables)."""
    parameters = query_parameters(app)
    today = dt.date.today()
    found = []
    for rule in get_rules(app):
        template = VARIABLE.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        accepted, required = parameters.get(template, (set(), set()))
        fixed = "&".join(f"{name}={resolver.query_value(rule.rule, name)}"
                         for name in sorted(required))
        queries = tuple("&".join(q for q in (fixed, query) if q)
                        for query in variations(accepted, today))
        found += [Read(rule.rule, rule.endpoint, path, queries)
                  for path in resolver.paths(rule)]
    return found


# --- the callers ----------------------------------------------------------------------------


def callers(world: World) -> dict[str, dict[str, str]]:
    """Headers of every kind of caller: each township role, the county's roles, the
    platform operator, anonymous, an unknown token, and one sending an Idempotency-Key."""
    found = {role: {"Authorization": f"Bearer {token}"}
             for role, token in sorted(world.tokens.items())}
    found["platform_admin"] = {"Authorization": f"Bearer {platform_admin_token(world.app)}"}
    found["anonymous"] = {}
    found["unknown_token"] = {"Authorization": "Bearer not-a-token"}
    # a client that sends its retry key on every request: a GET stores no idempotency record
    found["with_idempotency_key"] = {**found["all"], "Idempotency-Key": str(uuid.uuid4())}
    return found


def feed_token(world: World, role: str = "secretary") -> str:
    """A calendar feed token (``?token=``) for the role's user."""
    from zerenzhi.obligations.feeds import rotate

    with world.scope() as sess:
        token, _home = rotate(sess, world.users[role])
        sess.commit()
    return token


def calls(read: Read, who: dict[str, dict[str, str]], feed: str | None = None
          ) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    """(method, url, caller, headers) for one route: the plain GET for every caller; each
    query variation and HEAD (the same view) for two callers, rotated by the path's checksum
    so every caller meets every kind of route (decision 0031: sample the repetitions, never
    the routes), and always for ``all`` (the township-wide roles at once), so a route whose
    query is required (an inspection's prefill needs its unit) is still read by someone
    allowed to — two rotated callers alone were sometimes both refused; the ICS feed also
    by its ``?token=``."""
    names = list(who)
    start = int(hashlib.sha256(read.path.encode()).hexdigest(), 16) % len(names)
    sampled = {names[start], names[(start + 1) % len(names)], "all"}
    for name, headers in who.items():
        for query in read.queries:
            if not query or name in sampled:
                yield "GET", read.path + (f"?{query}" if query else ""), name, headers
        if name in sampled:
            yield "HEAD", read.path, name, headers
    if feed is not None and read.path.endswith(".ics"):
        for query in ("", "component=event"):
            yield "GET", f"{read.path}?token={feed}" + (f"&{query}" if query else ""), \
                "feed", {}


# --- a township with something in every list ------------------------------------------------


def populated_township(app) -> World:
    """A township with every installed module enabled (their ``on_enable`` run) and its
    demo records loaded, a task and a rule directive from its county with a progress
    report, and a county sensitive date its calendar has not inherited yet."""
    from zerenzhi.db.session import session
    from zerenzhi.plugin_host.service import enable, load_demo_data
    from zerenzhi.testing import build_world

    world = build_world(app, "r")
    with world.scope() as sess:
        for name in sorted(app.extensions["zerenzhi"].plugins.installed):
            enable(sess, name, None)
        load_demo_data(sess)
        sess.commit()
    world.directive_id()
    rule = world.client("county_admin").post(
        f"/api/v1/counties/{world.county_slug}/directives",
        json={"kind": "rule", "title": "安全專題學習", "content": "各支部增加安全專題學習。",
              "period": _half(dt.date.today()), "applies_to": ["branch"], "min_count": 2},
    ).assert_status(201).json
    world.client("secretary").post(
        f"{world.base}/directives/{rule['id']}/reports",
        json={"unit_id": str(world.units["branch-1"]), "note": "學習一次",
              "occurred_at": dt.datetime.now(dt.UTC).isoformat()}).assert_status(201)
    _interview(world)
    _attachment(world)
    if "analysis" in app.extensions["zerenzhi"].plugins.installed:
        from zerenzhi.plugins.analysis.county import add_county_date
        from zerenzhi.tenancy.models import Tenant

        with app.app_context():
            sess = session()
            add_county_date(sess, sess.get(Tenant, world.county_id).ref(),
                            falls_on=dt.date.today() + dt.timedelta(days=20), title="紀念日")
            sess.commit()
    return world


def _attachment(world: World) -> None:
    """A file under the demo's major incident (attachments, issue 16 item 8)."""
    if "platforms" not in world.app.extensions["zerenzhi"].plugins.installed:
        return
    incident = world.client("secretary").get(
        f"{world.base}/platforms/incidents?severity=major").assert_status(200).json[0]
    world.client("office").post(f"{world.base}/attachments", data={
        "ref_type": "platforms.incident", "ref_id": incident["id"],
        "file": (io.BytesIO(b"%PDF-1.4 report"), "report.pdf", "application/pdf")},
        content_type="multipart/form-data").assert_status(201)


def _interview(world: World) -> None:
    """An interview (I3) of a unit rated with prominent problems in the demo campaign."""
    if "inspection" not in world.app.extensions["zerenzhi"].plugins.installed:
        return
    from zerenzhi.plugins.inspection.models import Campaign

    with world.scope() as sess:
        campaign = sess.scalar(select(Campaign.id).order_by(Campaign.id))
        sess.rollback()
    office = world.client("secretary")
    rated = office.post(f"{world.base}/inspection/campaigns/{campaign}/ratings", json={
        "unit_id": str(world.units["village-1"]), "rating": "prominent_problems",
        "note": "學習制度落實不到位"}).assert_status(200).json
    office.post(f"{world.base}/inspection/interviews", json={
        # the township's today (Asia/Shanghai), as the rating is dated: after 16:00 UTC the
        # machine's date is the day before, and an interview before its rating is refused
        "rating_id": rated["id"],
        "held_on": dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(),
        "content": "指出問題，提出整改要求"}).assert_status(201)


def _half(day: dt.date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"
