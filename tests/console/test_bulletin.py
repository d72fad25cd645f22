"""The county bulletin (通報, issue 15 item 4): one printable page and its A4 PDF, with the
figures of the API's roll-ups (compliance, trend, overdue), for the county's own staff only,
drawn by GETs that write nothing."""

from __future__ import annotations

import io
import re
import time

import pypdf
import time_machine

from tests.reads import Tables, changed, reading_url
from tests.rollups import conftest as rollups
from tests.rollups.conftest import rollup
from zerenzhi.db.session import session
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant

NOW = "2026-07-10T09:00:00+08:00"
# the roll-up tests' county of three townships (and another county) and their modules
towns, zz_plugins, zz_load_entrypoints = (rollups.county, rollups.zz_plugins,
                                          rollups.zz_load_entrypoints)


def _url(towns, pdf: bool = False, query: str = "?period=2026H1") -> str:
    return f"/counties/{towns.world.county_slug}/bulletin{'.pdf' if pdf else ''}{query}"


def _page(towns, role: str = "county_viewer", **headers) -> str:
    response = towns.world.client(role, **headers).get(_url(towns))
    response.assert_status(200)
    return response.raw.get_data(as_text=True)


def _table(html: str, table: str) -> str:
    return html.split(f'id="{table}"')[1].split("</table>")[0]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _without_tokens(response) -> str:
    """A page's HTML without its per-request CSRF tokens."""
    return re.sub(r'(csrf[-_]token"? (?:content|value)=")[^"]+|"X-CSRFToken": "[^"]+"',
                  r"\1", response.raw.get_data(as_text=True))


def _set_county(app, slug: str, **values) -> None:
    with app.app_context():
        sess = session()
        tenant = sess.query(Tenant).filter_by(slug=slug).one()
        with tenant_scope(tenant.ref()):
            for key, value in values.items():
                setattr(tenant, key, value)
            sess.commit()


@time_machine.travel(NOW, tick=False)
def test_the_compliance_table_has_the_apis_numbers_cell_by_cell(towns):
    api = rollup(towns.world, "compliance", period="2026H1").assert_status(200).json
    body = _table(_page(towns), "bulletin-compliance")
    cells, totals = {}, {}
    for slug, row in re.findall(r'<tr data-township="([^"]+)">(.*?)</tr>', body, re.S):
        for rule, rate, done, required, overdue in re.findall(
                r'data-rule="([^"]*)" data-rate="([^"]*)" data-done="(\d+)" '
                r'data-required="(\d+)" data-overdue="(\d+)"', row):
            (cells if rule else totals)[(slug, rule)] = (rate, done, required, overdue)

    def counts(item):
        rate = "" if item["rate"] is None else str(item["rate"])
        return rate, str(item["done"]), str(item["required"]), str(item["overdue"])

    expected = {(row["township"]["slug"], cell["rule"]): counts(cell)
                for row in api["townships"] for cell in row["cells"]}
    assert expected and cells == expected
    assert totals == {(row["township"]["slug"], ""): counts(row) for row in api["townships"]}


@time_machine.travel(NOW, tick=False)
def test_ranking_trend_and_overdue_follow_the_api(towns):
    html = _page(towns)
    api = rollup(towns.world, "compliance", period="2026H1", sort="rate", order="desc").json
    ranked = re.findall(r'<tr data-township="([^"]+)">', _table(html, "bulletin-ranked"))
    assert ranked == [r["township"]["slug"] for r in api["townships"]]
    assert ranked == [towns.a.slug, towns.b.slug, towns.c.slug]  # unrated last
    trend = rollup(towns.world, "trend", **{"from": "2024H2", "to": "2026H1"}).json
    cells = dict(re.findall(r'<tr data-township="([^"]+)"><th scope="row">[^<]*</th>'
                            r'(.*?)</tr>', _table(html, "bulletin-trend"), re.S))
    for row in trend["townships"]:
        shown = re.findall(r"<small>(\d+)/(\d+)</small>", cells[row["township"]["slug"]])
        assert shown == [(str(p["done"]), str(p["required"])) for p in row["points"]]
    assert "<svg" in html and 'role="img"' in html  # the chart, beside its table
    overdue = rollup(towns.world, "overdue").json
    rows = re.findall(r'<tr data-township="([^"]+)"><td [^>]*><strong>(\d+)</strong>',
                      _table(html, "bulletin-overdue"))
    assert rows == [(i["township"]["slug"], str(i["days_overdue"])) for i in overdue[:20]]


@time_machine.travel(NOW, tick=False)
def test_the_pdf_is_a4_and_names_the_county_and_the_period_in_its_language(towns):
    world = towns.world
    _set_county(world.app, world.county_slug, name="示範縣", language="zh-Hant")
    started = time.perf_counter()
    response = world.client("county_viewer").get(_url(towns, pdf=True))
    elapsed = time.perf_counter() - started
    response.assert_status(200)
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.raw.data
    reader = pypdf.PdfReader(io.BytesIO(data))
    sizes = [tuple(round(float(v)) for v in page.mediabox[2:]) for page in reader.pages]
    assert sizes[0] == (842, 595)  # A4 landscape: the townships × duties table
    assert sizes[-1] == (595, 842) and set(sizes) <= {(842, 595), (595, 842)}  # A4 portrait
    text = _pdf_text(data)
    assert "示範縣" in text and "2026H1" in text and "責任制落實情況通報" in text
    assert "截至 2026年7月10日" in text  # the county's clock: 09:00 in Asia/Shanghai
    assert "鄉鎮完成率排名" in text and "bulletin" not in text.lower()
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert any("Noto-Sans-CJK-TC" in str(font) for font in fonts), fonts
    assert elapsed < 10, f"{elapsed:.1f} s"  # measured ~1 s; see the report in 0028


@time_machine.travel(NOW, tick=False)
def test_the_page_follows_the_language_and_links_its_pdf(towns):
    english = _page(towns, **{"Accept-Language": "en"})
    assert "bulletin of 2026H1" in english and "Townships ranked by fulfilment" in english
    assert re.search(r'id="bulletin-pdf" href="/counties/[^"]+/bulletin\.pdf\?period=2026H1"',
                     english)
    hant = _page(towns, **{"Accept-Language": "zh-TW"})
    assert "責任制落實情況通報" in hant and "bulletin of" not in hant


def test_only_the_countys_own_staff_get_it(towns):
    world = towns.world
    for pdf in (False, True):
        for role in ("county_viewer", "county_admin"):
            world.client(role).get(_url(towns, pdf)).assert_status(200)
        unknown = world.client("county_viewer").get(
            _url(towns, pdf).replace(world.county_slug, "no-such-county"))
        unknown.assert_status(404)
        for role in ("secretary", "tenant_admin", "office"):  # township users
            refused = world.client(role).get(_url(towns, pdf)).assert_status(404)
            unknown = world.client(role).get(
                _url(towns, pdf).replace(world.county_slug, "no-such-county"))
            assert _without_tokens(refused).replace(  # the same page but the asked URL
                world.county_slug, "no-such-county") == _without_tokens(unknown)
        foreign = towns.other.client("county_viewer").get(_url(towns, pdf))
        foreign.assert_status(404)
        assert b"%PDF" not in foreign.raw.data


def test_a_bad_period_is_a_422_page_not_a_500(towns):
    response = towns.world.client("county_viewer").get(_url(towns, query="?period=soon"))
    response.assert_status(422)
    assert "period" in response.raw.get_data(as_text=True)
    towns.world.client("county_viewer").get(_url(towns, query="?nope=1")).assert_status(422)


@time_machine.travel(NOW, tick=False)
def test_neither_get_writes_anything(towns, zz_backend, zz_databases):
    world = towns.world
    tables = Tables(reading_url(world.app, zz_backend, zz_databases))
    try:
        client = world.client("county_admin")
        client.get(_url(towns)).assert_status(200)  # a first read may fill caches
        before = tables.checksums()
        for pdf in (False, True):
            for query in ("?period=2026H1", "", "?period=2025"):
                client.get(_url(towns, pdf, query)).assert_status(200)
                client.request("HEAD", _url(towns, pdf, query)).assert_status(200)
        assert changed(before, tables.checksums()) == []
    finally:
        tables.close()


def test_pdf_fetches_nothing_but_the_consoles_static_files():
    from zerenzhi.console.bulletin import static_file

    body, mime = static_file("http://bulletin.invalid/static/console/bulletin.css",
                             "/static/console/")
    assert b"@page" in body and mime == "text/css"
    assert static_file("http://bulletin.invalid/static/console/vendor/pico-2.1.1/pico.min.css",
                       "/static/console/") == (b"", "text/css")  # a browser's, not print's
    for url in ("http://bulletin.invalid/static/console/../bulletin.py",
                "http://bulletin.invalid/static/console/%2e%2e/bulletin.py",
                "http://example.invalid/secret", "file:///etc/passwd",
                "http://bulletin.invalid/static/console/nope.css"):
        try:
            static_file(url, "/static/console/")
        except ValueError:
            continue
        raise AssertionError(f"fetched {url}")
