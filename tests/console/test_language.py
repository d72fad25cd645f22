"""A page's language (issue 14, item 6): the user's remembered switch, else the township's
default (else its county's), else Accept-Language; stored labels follow the same choice."""

from __future__ import annotations

from zerenzhi.db.session import session
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


def _set_language(app, slug: str, language: str | None) -> None:
    with app.app_context():
        sess = session()
        tenant = sess.query(Tenant).filter_by(slug=slug).one()
        with tenant_scope(tenant.ref()):  # audited in its own log, as the API's change is
            tenant.language = language
            sess.commit()


def _overview(world, **headers) -> str:
    response = world.client("office", **headers).get(f"/townships/{world.slug}/")
    response.assert_status(200)
    return response.raw.get_data(as_text=True)


def test_the_county_default_then_the_township_default_then_the_switch(township):
    app = township.app
    _set_language(app, township.county_slug, "zh-Hant")
    page = _overview(township, **{"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="zh-Hant"' in page and "逾期" in page and "Overdue" not in page

    _set_language(app, township.slug, "en")  # the township's own default wins over its county's
    page = _overview(township, **{"Accept-Language": "zh-CN"})
    assert 'lang="en"' in page and "Overdue" in page

    client = township.client("office")
    client.client.set_cookie("zz_lang", "zh-Hans")  # the switch, remembered, wins over both
    page = client.get(f"/townships/{township.slug}/").raw.get_data(as_text=True)
    assert 'lang="zh-Hans"' in page and "逾期" in page


def test_without_any_default_the_browser_decides(township):
    _set_language(township.app, township.county_slug, None)
    _set_language(township.app, township.slug, None)
    assert 'lang="en"' in _overview(township, **{"Accept-Language": "en"})
    assert 'lang="zh-Hant"' in _overview(township, **{"Accept-Language": "zh-TW"})
    assert 'lang="zh-Hant"' in _overview(township)  # no header: the source text's script


def test_the_switch_is_a_post_that_remembers_and_returns(township):
    client = township.client("office")
    page = client.get("/login").raw.get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.client.post("/language", data={"language": "en", "csrf_token": token,
                                                "next": f"/townships/{township.slug}/"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/townships/{township.slug}/")
    cookie = answer.headers["Set-Cookie"]
    assert "zz_lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    off_site = client.client.post("/language", data={"language": "en", "csrf_token": token,
                                                  "next": "//elsewhere.example/"})
    assert off_site.headers["Location"] == "/"


def test_the_api_answers_a_township_language_and_takes_a_valid_one(township):
    county = township.client("county_admin")
    path = f"/api/v1/counties/{township.county_slug}/townships/{township.slug}"
    shown = county.get(path).assert_status(200)
    bad = county.patch(path, json={"language": "fr"},
                       headers={"If-Match": shown.raw.headers["ETag"]})
    assert bad.status_code == 422 and "language" in bad.json["errors"]["json"]
    good = county.patch(path, json={"language": "zh-Hans"},
                        headers={"If-Match": shown.raw.headers["ETag"]})
    assert good.assert_status(200).json["language"] == "zh-Hans"
