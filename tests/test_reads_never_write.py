"""Reads never write (issue 13, item 1): no GET or HEAD — API, OpenAPI and docs, health,
feeds, every module's routes — creates, changes or archives a row. Every GET route of
the URL map is called by every kind of caller on a township where every module is
enabled and has records, with the query variations that once wrote (a past period, the
overdue filter), and every table of the database is compared before and after."""

from __future__ import annotations

from collections import defaultdict

from tests.reads import (
    Resolver,
    Tables,
    callers,
    calls,
    changed,
    feed_token,
    populated_township,
    reading_url,
)
from tests.reads import reads as all_reads


def test_no_get_route_writes_a_row(app, zz_backend, zz_databases):
    world = populated_township(app)
    tables = Tables(reading_url(app, zz_backend, zz_databases))
    try:
        routes = all_reads(app, Resolver(world, tables))
        who, feed = callers(world), feed_token(world)
        client = app.test_client()
        writers, answered, requests = [], defaultdict(set), 0
        before = tables.checksums()
        for read in routes:
            for method, url, caller, headers in calls(read, who, feed):
                response = client.open(url, method=method, headers=headers)
                requests += 1
                answered[read.path].add(response.status_code)
                assert response.status_code != 500, (
                    f"{method} {url} as {caller}: {response.status_code} "
                    f"{response.get_data(as_text=True)[:300]}")
            after = tables.checksums()
            if after != before:
                writers.append(f"{read.path}: {', '.join(changed(before, after))}")
                before = after
    finally:
        tables.close()
    rules = {read.rule for read in routes}
    print(f"\nreads never write: {len(rules)} GET routes ({len(routes)} filled paths) x "
          f"{len(who)} callers (+ the feed token), {requests} requests")
    assert not writers, "GET routes that wrote:\n" + "\n".join(writers)
    unread = [path for path, statuses in answered.items()
              if "<uuid:" in next(r.rule for r in routes if r.path == path)
              and not any(200 <= status < 300 for status in statuses)]
    assert not unread, f"records no caller could read (the ids are not the township's): {unread}"
