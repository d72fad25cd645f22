"""Every paginated list of the API, core's and each built-in module's, runs the same number
of SQL statements for a page of one row as for a page of twenty, and few of them: what a row
shows besides its columns is loaded for the whole page at once, never once per row.

The lists are found in the app's URL map (a GET view that flask-smorest paginates), never
named here, so a new list is covered the day it is mounted. They are read in a township
with every installed module enabled and its demo data loaded, plus a county directive of
each kind with progress reports, so that most lists have more than one row to show.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
import time_machine

from zerenzhi.plugin_host.service import load_demo_data
from zerenzhi.testing import World, statements

# Statements a list may run, whatever its page size. Any request pays 2 before its view (the
# token with its tenant, the caller's posts); a module's list 4 more (the modules enabled
# here, and its settings with the county's layer: its row, the county, the county's row).
# The page with its total is 1 (``count(*) OVER ()``), 2 where a service counts apart; then
# one for each kind of thing the rows show besides their columns (names, units, progress).
# Measured on 2026-09-15 with the demo data: core's lists 3 to 6, the calendar 11 (it
# materialises the window's periods first: rules, versions, units, coverage, existing
# obligations), modules' lists 7 to 9 once they load what their rows show per page. 12
# leaves room for one more lookup in the dearest list, never for one per row.
BOUND = 12
SMALL, LARGE = 1, 20
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture
def zz_plugins():
    return []


@pytest.fixture
def zz_load_entrypoints():
    return True


@dataclass(frozen=True)
class Measured:
    url: str
    small: int
    large: int
    rows: int  # on the page of twenty

    def __str__(self) -> str:
        return f"{self.url}: {self.small} statements for {SMALL} row, {self.large} for " \
               f"{self.rows} of {LARGE}"


def paginated_rules(app) -> list[str]:
    """GET rules whose view flask-smorest paginates (it notes ``pagination`` in the view's
    ``_apidoc``, which the OpenAPI document is built from)."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        view = app.view_functions[rule.endpoint]
        method = getattr(getattr(view, "view_class", None), "get", view)
        if "pagination" in getattr(method, "_apidoc", {}):
            found.append(rule.rule)
    return sorted(found)


def _client(world: World, url: str):
    return world.client("county_admin" if url.startswith("/api/v1/counties") else "all")


def _keys(world: World, url: str, name: str, converter: str | None) -> list[str]:
    """What the first rows of the list at ``url`` give for the URL argument ``name``: their
    field of that name (``<year>`` from a year's row), else a uuid argument their ``id``."""
    response = _client(world, url).get(f"{url}?page_size={LARGE}")
    rows = response.json if response.status_code == 200 else None
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return []
    key = name if name in rows[0] else "id" if converter == "uuid" else None
    return [str(row[key]) for row in rows if key in row] if key else []


def _total(world: World, url: str) -> int:
    response = _client(world, url).get(f"{url}?page_size={SMALL}")
    header = response.headers.get("X-Pagination")
    return json.loads(header)["total"] if response.status_code == 200 and header else 0


def fill(world: World, rule: str) -> tuple[str | None, str]:
    """The rule as a URL of this township (or its county), or None and why not.

    An argument after ``<township>`` or ``<county>`` comes from the list the rule extends
    (``/directives/<id>/reports`` from ``/directives``, ``/years/<year>/adjustments`` from
    ``/years``): of its first rows, the one whose own list has the most rows."""
    url, tail = "", rule
    while (match := PARAM.search(tail)) is not None:
        url += tail[:match.start()]
        tail = tail[match.end():]
        converter, name = match.groups()
        if name == "township":
            url += world.slug
            continue
        if name == "county":
            url += world.county_slug
            continue
        parent = url.rstrip("/")
        keys = _keys(world, parent, name, converter)
        if not keys:
            return None, f"its parent list {parent} has no rows here giving <{name}>"
        nested = PARAM.search(tail) is not None  # deeper lists: any row will do
        url += max(keys, key=lambda k: 0 if nested else _total(world, f"{url}{k}{tail}"))
    return url + tail, ""


def count(world: World, url: str, page_size: int) -> tuple[int, int]:
    """(statements, rows) of ``GET url`` with this page size, counted at the cursor (every
    lazy load and per-row lookup of the dump shows), after the view has run once: a first
    read may materialise periods, which is not the page's cost."""
    client = _client(world, url)
    target = f"{url}{'&' if '?' in url else '?'}page_size={page_size}"
    client.get(target)
    with statements(world.app) as seen:
        response = client.get(target)
    if response.status_code != 200 or "X-Pagination" not in response.headers:
        raise Unanswered(f"{url}: {response.status_code}, {response.raw.get_data(True)[:300]}")
    return len(seen), len(response.json)


class Unanswered(Exception):
    """A list that did not answer a page (an error, or no ``X-Pagination`` header)."""


def _directives(world: World) -> None:
    """A task directive and a rule directive with two progress reports from one village.
    The rule is due first (2026Q3 ends before the task's deadline), so a page of one row
    shows a rule's progress as a page of twenty does."""
    world.directive_id()
    county = world.client("county_admin")
    county.post(f"/api/v1/counties/{world.county_slug}/directives", json={
        "kind": "rule", "title": "加學兩次", "content": "每村加學兩次", "period": "2026Q3",
        "applies_to": ["village"], "min_count": 2}).assert_status(201)
    rule = next(d for d in world.client("all").get(f"{world.base}/directives").json
                if d["kind"] == "rule")
    for day in ("2026-07-10", "2026-08-10"):
        world.client("all").post(f"{world.base}/directives/{rule['id']}/reports", json={
            "unit_id": str(world.units["village-1"]),
            "occurred_at": f"{day}T10:00:00+08:00"}).assert_status(201)


def _attached(world: World) -> str:
    """The query naming a demo incident, with two files under it."""
    import io

    incident = world.client("all").get(f"{world.base}/platforms/incidents").json[0]["id"]
    for name in ("簽到表.pdf", "記錄.pdf"):
        world.client("office").post(f"{world.base}/attachments", data={
            "ref_type": "platforms.incident", "ref_id": incident,
            "file": (io.BytesIO(b"%PDF-1.4\n"), name, "application/pdf")},
            content_type="multipart/form-data").assert_status(201)
    return f"?ref_type=platforms.incident&ref_id={incident}"


@time_machine.travel("2026-09-15T09:00:00+08:00", tick=False)
def test_every_list_costs_the_same_for_one_row_and_for_twenty(app, township):
    for name in app.extensions["zerenzhi"].plugins.installed:
        township.enable(name)
    with township.scope() as sess:
        load_demo_data(sess)
        sess.commit()
    _directives(township)
    rules = paginated_rules(app)
    assert rules, "no paginated list found: has flask-smorest stopped noting pagination?"
    measured, skipped, failed = [], [], []
    for rule in rules:
        url, why = fill(township, rule)
        if url is not None and rule.endswith("/attachments"):  # files under one record
            url += _attached(township)
            skipped.append(f"{rule}: {why}")
            continue
        try:
            (small, _), (large, rows) = count(township, url, SMALL), count(township, url, LARGE)
        except Unanswered as error:
            failed.append(str(error))
            continue
        result = Measured(url, small, large, rows)
        measured.append(result)
        if small != large or large > BOUND:
            failed.append(str(result))
    print("\n".join(["measured:", *map(str, measured), "skipped:", *skipped]))
    assert not failed, f"lists whose statements grow with the page or pass {BOUND}:\n" + \
        "\n".join(failed)
