"""CSRF on the console (issue 14, item 2): every state-changing page form — core's and every
module's, found in the URL map — posted by a signed-in person without its token, or with a
forged one, answers the 400 page and changes no row of any table; with the token the same
session's forms work (logging in first of all)."""

from __future__ import annotations

import re

from tests.reads import Resolver, Tables, changed, populated_township, reading_url
from zerenzhi.testing import ApiClient
from zerenzhi.testing.matrices import PageClient, is_page

FORGED = "IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAi.aaaaaa.forged-signature"


def _post_pages(app, resolver: Resolver) -> list[str]:
    pages = app.extensions["zerenzhi"].page_blueprints
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "POST" in rule.methods and rule.endpoint.split(".")[0] in pages:
            found += resolver.paths(rule) or [re.sub(r"<uuid:\w+>",
                                                     "01a2a2a2-0000-7000-8000-000000000000",
                                                     rule.rule.replace("<township>",
                                                                       resolver.world.slug))]
    return found


def test_no_form_is_taken_without_its_token(app, zz_backend, zz_databases):
    world = populated_township(app)
    tables = Tables(reading_url(app, zz_backend, zz_databases))
    try:
        urls = _post_pages(app, Resolver(world, tables, strict=False))
        person = PageClient.signed_in(world, "all")
        assert person.client.get(f"/townships/{world.slug}/").status_code == 200
        before, problems = tables.checksums(), []
        for url in urls:
            for data in ({}, {"csrf_token": FORGED}):
                response = person.client.post(url, data=data)
                if response.status_code != 400 or not is_page(response):
                    problems.append(f"POST {url} {data}: {response.status_code}")
            after = tables.checksums()
            if after != before:
                problems.append(f"POST {url} wrote: {', '.join(changed(before, after))}")
                before = after
    finally:
        tables.close()
    assert len(urls) >= 20
    assert not problems, "\n".join(problems)
    # still signed in, and the same session's forms work with their token
    assert person.client.get(f"/townships/{world.slug}/").status_code == 200
    feed = person.call("POST", f"/townships/{world.slug}/calendar/feed")
    assert feed.status_code in (200, 302), feed.raw.get_data(as_text=True)[:300]


def test_logging_in_needs_the_login_page_token(township):
    data = {"username": f"secretary@{township.slug.removeprefix('w-')}",
            "password": "correct horse battery"}
    browser = ApiClient(township.app)
    refused = browser.post("/login", data=data)
    assert refused.status_code == 400 and is_page(refused)
    page = browser.get("/login").raw.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_in = browser.post("/login", data={**data, "csrf_token": token})
    assert signed_in.status_code == 302
    assert browser.get(f"/townships/{township.slug}/").status_code == 200
