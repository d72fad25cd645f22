"""The console's navigation (issue 14, item 4): core's sections by permission, a module's
pages only where the township enabled it and the user holds their permission, and the
section a page belongs to marked as the current one."""

from __future__ import annotations

import re


def _nav(world, role: str, path: str) -> tuple[list[str], list[str]]:
    page = world.client(role).get(path).assert_status(200).raw.get_data(as_text=True)
    block = page.split('class="container modules"')[1].split("</nav>")[0]
    links = re.findall(r'<a href="([^"]+)"', block)
    current = re.findall(r'<a href="([^"]+)" aria-current="page"', block)
    return links, current


def test_a_module_appears_where_it_is_enabled_and_allowed(township):
    base = f"/townships/{township.slug}"
    links, _ = _nav(township, "secretary", f"{base}/")
    assert f"{base}/study/" not in links  # not enabled: no link, and its pages answer 404
    assert township.client("secretary").get(f"{base}/study/").status_code == 404
    township.enable("study")
    links, _ = _nav(township, "secretary", f"{base}/")
    assert f"{base}/study/" in links and f"{base}/audit" in links
    links, _ = _nav(township, "office", f"{base}/")  # the office reads no audit log
    assert f"{base}/audit" not in links and f"{base}/organisation" in links


def test_the_current_section_is_marked(township):
    base = f"/townships/{township.slug}"
    assert _nav(township, "secretary", f"{base}/")[1] == [f"{base}/"]
    member = f"{base}/organisation/members/{township.users['subject']}"
    assert _nav(township, "secretary", member)[1] == [f"{base}/organisation"]
    assert _nav(township, "secretary", f"{base}/rules")[1] == [f"{base}/modules"]
