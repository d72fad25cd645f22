"""The `zerenzhi` operator commands: tenants apply/export, users, audit verify, serve.

Both backends share one database per session, so every test makes its own county and
township slugs; only the repo's own `tenants/` test uses fixed slugs (and tolerates a
second run finding them applied).
"""

from __future__ import annotations

import os
import runpy
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from tests.obligations.drill import DrillPlugin
from tests.plugin_system.throwaway import ThrowawayPlugin
from zerenzhi.audit.models import AuditEntry
from zerenzhi.auth.models import UserAccount
from zerenzhi.db.session import make_engine, session
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


@pytest.fixture
def zz_plugins():
    """Modules to provision from files (one with rules), besides whatever is installed."""
    return [ThrowawayPlugin(), DrillPlugin()]

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "a-long-enough-password"


def _names(prefix: str = "t") -> tuple[str, str]:
    n = uuid.uuid4().hex[:8]
    return f"c-{prefix}{n}", f"w-{prefix}{n}"


def _county(slug: str, users: str = "") -> str:
    return f'slug = "{slug}"\nkind = "county"\nname = "測試縣"\n{users}'


def _township(slug: str, units: str | None = None, users: str | None = None,
              extra: str = "") -> str:
    units = units if units is not None else """
[[units]]
code = "office"
name = "意識形態領導小組辦公室"
kind = "office"
parent = "committee"

[[units]]
code = "branch-1"
name = "第一黨支部"
kind = "branch"
parent = "committee"

[[units]]
code = "village-1"
name = "東村村委會"
kind = "village"
parent = "committee"
"""
    users = users if users is not None else f"""
[[users]]
username = "{slug}.secretary"
display_name = "王書記"
demo_password = "{PASSWORD}"
positions = [{{ role = "secretary", unit = "committee" }}]

[[users]]
username = "{slug}.branch1"
display_name = "李支書"
demo_password = "{PASSWORD}"
positions = [
    {{ role = "branch_secretary", unit = "branch-1" }},
    {{ role = "member", unit = "village-1" }},
]
"""
    return f'slug = "{slug}"\nkind = "township"\nname = "測試鎮"\n{extra}\n{units}\n{users}'


def _tree(root: Path, county: str, townships: dict[str, str], county_text: str | None = None
          ) -> Path:
    folder = root / county
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_county.toml").write_text(county_text or _county(county), encoding="utf-8")
    for slug, body in townships.items():
        (folder / f"{slug}.toml").write_text(body, encoding="utf-8")
    return root


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def _tenant(app, slug: str) -> Tenant | None:
    with app.app_context():
        return session().scalar(select(Tenant).where(Tenant.slug == slug))


def _units(app, slug: str) -> dict[str, OrgUnit]:
    tenant = _tenant(app, slug)
    with app.app_context(), tenant_scope(tenant.ref()):
        return {u.code: u for u in session().scalars(select(OrgUnit))}


def _login(app, username: str, password: str) -> int:
    return app.test_client().post("/api/v1/auth/tokens",
                                  json={"username": username, "password": password}).status_code


def test_apply_creates_then_reports_no_changes(app, tmp_path):
    county, town = _names()
    root = _tree(tmp_path, county, {town: _township(town)})
    first = run(app, "tenants", "apply", str(root))
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    for line in (f"+ county {county}", f"+ township {town}", f"+ unit {town}/office",
                 f"+ unit {town}/branch-1", f"+ user {town}.secretary",
                 f"+ position {town}.secretary secretary@committee",
                 f"+ position {town}.branch1 member@village-1"):
        assert line in lines
    assert set(_units(app, town)) == {"committee", "office", "branch-1", "village-1"}
    assert _login(app, f"{town}.secretary", PASSWORD) == 201

    again = run(app, "tenants", "apply", str(root))
    assert again.exit_code == 0, again.output
    assert again.output.strip() == "no changes"


def test_apply_changes_archives_and_ends(app, tmp_path):
    county, town = _names()
    root = _tree(tmp_path, county, {town: _township(town)})
    assert run(app, "tenants", "apply", str(root)).exit_code == 0
    units = """
[[units]]
code = "office"
name = "辦公室"
kind = "office"
parent = "committee"

[[units]]
code = "branch-1"
name = "機關黨支部"
kind = "branch"
parent = "committee"
"""
    users = f"""
[[users]]
username = "{town}.secretary"
display_name = "王書記"
positions = [{{ role = "secretary" }}, {{ role = "office", unit = "office" }}]

[[users]]
username = "{town}.branch1"
display_name = "李支書"
positions = [{{ role = "branch_secretary", unit = "branch-1" }}]

[[users]]
username = "{town}.new"
display_name = "新人"
positions = [{{ role = "viewer" }}]
"""
    _tree(tmp_path, county, {town: _township(town, units, users)})
    result = run(app, "tenants", "apply", str(root))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for line in (f"~ unit {town}/office name", f"~ unit {town}/branch-1 name",
                 f"- unit {town}/village-1 (archived)",
                 f"+ position {town}.secretary office@office",
                 f"- position {town}.branch1 member@village-1 (ended)",
                 f"+ user {town}.new"):
        assert line in lines
    assert any(f"{town}.new has no usable password" in line for line in lines)
    assert _units(app, town)["village-1"].archived_at is not None
    assert run(app, "tenants", "apply", str(root)).output.strip() == "no changes"


def test_export_then_apply_is_no_changes(app, tmp_path):
    county, town = _names()
    plugin = ('[plugins.throwaway]\nenabled = true\n'
              '[plugins.throwaway.settings]\nmin_count = 24\n')
    county_users = f"""
[[users]]
username = "{county}.admin"
display_name = "縣管理員"
demo_password = "{PASSWORD}"
positions = [{{ role = "county_admin" }}]
"""
    root = _tree(tmp_path / "in", county, {town: _township(town) + "\n" + plugin},
                 _county(county, county_users))
    assert run(app, "tenants", "apply", str(root)).exit_code == 0
    tenant = _tenant(app, town)
    with app.app_context(), tenant_scope(tenant.ref()):
        row = session().scalar(select(TenantPlugin).where(TenantPlugin.plugin == "throwaway"))
        assert (row.enabled, row.settings) == (True, {"min_count": 24})

    out = tmp_path / "out"
    exported = run(app, "tenants", "export", str(out), "--county", county)
    assert exported.exit_code == 0, exported.output
    text_out = (out / county / f"{town}.toml").read_text(encoding="utf-8")
    assert "password" not in text_out and "[plugins.throwaway.settings]" in text_out
    assert "demo_password" not in (out / county / "_county.toml").read_text(encoding="utf-8")
    result = run(app, "tenants", "apply", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "no changes"


BAD_FILES = {
    "unknown unit kind": ('[[units]]\ncode = "x"\nname = "x"\nkind = "temple"\n'
                          'parent = "committee"', "units[0].kind"),
    "missing parent": ('[[units]]\ncode = "x"\nname = "x"\nkind = "branch"\nparent = "nowhere"',
                       "units[0].parent"),
    "unknown key": ('colour = "red"', "colour"),
    "bad toml": ('name = "unterminated', "invalid TOML"),
    "unknown role": ('[[users]]\nusername = "someone.x"\ndisplay_name = "x"\n'
                     'positions = [{ role = "emperor" }]', "users[0].positions[0].role"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_invalid_file_exits_2_and_writes_nothing(app, tmp_path, case):
    county, town = _names()
    body, key = BAD_FILES[case]
    good = "a" + town  # sorts first: it would be written before the bad one
    raw = f'slug = "{town}"\nkind = "township"\nname = "壞"\n' + body if case == "bad toml" \
        else _township(town, units=body if "units" in body else None,
                       users=body if "users" in body else None,
                       extra=body if "units" not in body and "users" not in body else "")
    root = _tree(tmp_path, county, {good: _township(good), town: raw})
    result = run(app, "tenants", "apply", str(root))
    assert result.exit_code == 2, result.output
    assert f"{town}.toml" in result.output and key in result.output
    assert _tenant(app, county) is None and _tenant(app, good) is None


def test_township_without_county_file(app, tmp_path):
    county, town = _names()
    (tmp_path / county).mkdir()
    (tmp_path / county / f"{town}.toml").write_text(_township(town), encoding="utf-8")
    result = run(app, "tenants", "apply", str(tmp_path))
    assert result.exit_code == 2
    assert f"{town}.toml" in result.output and "_county.toml" in result.output


def test_database_conflict_rolls_back_everything(app, tmp_path):
    """A user name owned by another tenant is found only when applying: all is undone."""
    county, town = _names()
    assert run(app, "tenants", "apply", str(_tree(tmp_path / "one", county,
                                                  {town: _township(town)}))).exit_code == 0
    other_county, other = _names("o")
    thief = _township(other, users=f"""
[[users]]
username = "{town}.secretary"
display_name = "冒名"
positions = [{{ role = "viewer" }}]
""")
    root = _tree(tmp_path / "two", other_county, {"a" + other: _township("a" + other),
                                                  other: thief})
    result = run(app, "tenants", "apply", str(root))
    assert result.exit_code == 2, result.output
    assert "users[0].username" in result.output and "another tenant" in result.output
    assert _tenant(app, other_county) is None and _tenant(app, "a" + other) is None


def test_users_create_login_and_list(app, tmp_path):
    county, town = _names()
    assert run(app, "tenants", "apply", str(_tree(tmp_path, county,
                                                  {town: _township(town)}))).exit_code == 0
    name = f"{town}.head"
    created = run(app, "users", "create", name, "--township", town, "--role", "unit_head",
                  "--unit", "village-1", "--display-name", "村主任", "--password-stdin",
                  input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert _login(app, name, PASSWORD) == 201
    assert _login(app, name, PASSWORD + "x") == 401

    listed = run(app, "users", "list", "--township", town)
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if line.startswith(name))
    assert "村主任" in row and "unit_head@village-1" in row
    assert any("secretary@committee" in line for line in listed.output.splitlines())

    viewer = run(app, "users", "create", f"{county}.viewer", "--county", county,
                 "--role", "county_viewer", "--password-stdin", input=PASSWORD + "\n")
    assert viewer.exit_code == 0, viewer.output
    assert f"{county}.viewer" in run(app, "users", "list", "--county", county).output
    ops = run(app, "users", "create", f"ops-{town}", "--platform-admin", "--password-stdin",
              input=PASSWORD + "\n")
    assert ops.exit_code == 0, ops.output
    with app.app_context():
        account = session().scalar(select(UserAccount)
                                   .where(UserAccount.username == f"ops-{town}"))
        assert account.platform_admin and account.home_tenant_id is None


@pytest.mark.parametrize("args, stdin, message", [
    (["--township", "{town}", "--role", "secretary"], "short\n", "at least"),
    (["--township", "{town}", "--role", "unit_head", "--unit", "nowhere"], None, "no unit"),
    (["--township", "{town}", "--role", "emperor"], None, "role"),
    (["--township", "no-such-place", "--role", "secretary"], None, "no township"),
    (["--county", "{county}", "--role", "secretary"], None, "role"),
])
def test_users_create_rejects(app, tmp_path, args, stdin, message):
    county, town = _names()
    assert run(app, "tenants", "apply", str(_tree(tmp_path, county,
                                                  {town: _township(town)}))).exit_code == 0
    args = [a.format(town=town, county=county) for a in args]
    result = run(app, "users", "create", f"{town}.someone", *args, "--password-stdin",
                 input=stdin or PASSWORD + "\n")
    assert result.exit_code == 2, result.output
    assert message in result.output
    taken = run(app, "users", "create", f"{town}.secretary", "--township", town, "--role",
                "viewer", "--password-stdin", input=PASSWORD + "\n")
    assert taken.exit_code == 2 and "not available" in taken.output


def test_audit_verify_detects_an_edited_entry(app, tmp_path):
    county, town = _names()
    assert run(app, "tenants", "apply", str(_tree(tmp_path, county,
                                                  {town: _township(town)}))).exit_code == 0
    ok = run(app, "audit", "verify", "--township", town)
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith(f"ok {town}: ") and "entries" in ok.output
    assert run(app, "audit", "verify", "--county", county).exit_code == 0

    tenant_id = _tenant(app, town).id
    table = AuditEntry.__table__
    where = (table.c.tenant_id == tenant_id) & (table.c.seq == 2)
    engine = make_engine(app.config["MIGRATION_DATABASE_URL"])

    def owner_write(values):
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # the owner is under FORCE RLS too
                connection.execute(text(f"SET LOCAL app.tenant_id = '{uuid.UUID(str(tenant_id))}'"))
            original = connection.execute(select(table.c.after).where(where)).scalar_one()
            connection.execute(update(table).where(where).values(after=values))
            return original

    original = owner_write({"name": "篡改"})
    try:
        broken = run(app, "audit", "verify", "--township", town)
        assert broken.exit_code == 1, broken.output
        assert f"BROKEN {town} at entry 2: " in broken.output
    finally:
        owner_write(original)
        engine.dispose()
    assert run(app, "audit", "verify", "--township", town).exit_code == 0
    assert run(app, "audit", "verify", "--township", "no-such-place").exit_code == 2


def test_repo_tenants_apply_cleanly(app):
    """The shipped demo county: 3+ townships incl. 龍爪鎮, idempotent, demo logins work."""
    first = run(app, "tenants", "apply", str(REPO / "tenants"))
    assert first.exit_code == 0, first.output
    again = run(app, "tenants", "apply", str(REPO / "tenants"))
    assert again.output.strip() == "no changes"
    county = _tenant(app, "demo-county")
    with app.app_context():
        townships = session().scalars(select(Tenant).where(Tenant.county_id == county.id)).all()
    assert {"longzhua", "longquan", "shimen"} <= {t.slug for t in townships}
    assert _tenant(app, "longzhua").name == "龍爪鎮"
    kinds = [u.kind for u in _units(app, "longzhua").values()]
    assert kinds.count("branch") >= 3 and kinds.count("village") >= 3 and "station" in kinds
    assert _login(app, "longzhua.secretary", "zerenzhi-demo-2026") == 201
    assert _login(app, "demo-county.admin", "zerenzhi-demo-2026") == 201


def test_serve_migrates_applies_and_execs_gunicorn(app, tmp_path, monkeypatch):
    import zerenzhi.commands.serve as serve

    for name in ("ZERENZHI_BIND", "ZERENZHI_WORKERS", *serve.PASSED_ON.values()):
        monkeypatch.delenv(name, raising=False)  # restored after the test
    monkeypatch.setenv("ZERENZHI_WORKER", "0")  # no scheduler child (tests/test_worker.py)
    county, town = _names()
    monkeypatch.setitem(app.config, "TENANTS_DIR", str(_tree(tmp_path, county,
                                                             {town: _township(town)})))
    calls = []
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: calls.append(argv))
    result = run(app, "serve", "--bind", "127.0.0.1:9123", "--workers", "3")
    assert result.exit_code == 0, result.output
    assert f"+ township {town}" in result.output
    argv = calls[0]
    assert argv[1:3] == ["-m", "gunicorn"] and argv[-1] == "wsgi:app"
    assert argv[argv.index("--chdir") + 1] == str(REPO)
    assert os.environ["ZERENZHI_BIND"] == "127.0.0.1:9123"
    assert os.environ["ZERENZHI_DATABASE_URL"] == app.config["DATABASE_URL"]
    conf = runpy.run_path(argv[argv.index("-c") + 1])
    assert (conf["bind"], conf["workers"], conf["preload_app"]) == ("127.0.0.1:9123", 3, False)

    monkeypatch.setitem(app.config, "TENANTS_DIR", str(tmp_path / "missing"))
    skipped = run(app, "serve")
    assert skipped.exit_code == 0 and "skipped tenants apply" in skipped.output
    monkeypatch.delenv("ZERENZHI_BIND")
    monkeypatch.delenv("ZERENZHI_WORKERS")
    defaults = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert (defaults["bind"], defaults["workers"]) == ("127.0.0.1:8000", 2)


def test_invalid_plugin_settings_in_a_file_change_nothing(app, tmp_path):
    """Files get the same validation as the API: a bad number is exit 2, nothing written."""
    county, town = _names()
    plugin = '[plugins.throwaway]\n[plugins.throwaway.settings]\nmin_count = -3\n'
    root = _tree(tmp_path / "in", county, {town: _township(town) + "\n" + plugin},
                 _county(county, ""))
    result = run(app, "tenants", "apply", str(root))
    assert result.exit_code == 2
    assert "plugins.throwaway.settings" in result.output and "min_count" in result.output
    with app.app_context():
        assert session().scalar(select(Tenant).where(Tenant.slug == town)) is None


RULES = """
[plugins.drill]

[rules."drill.theory_study"]
min_count = 24
reason = "鎮黨委決定每月兩次"
"""


def test_rule_numbers_from_files_apply_export_and_refuse_nonsense(app, tmp_path):
    """W3's 12 becomes 24 for one township from its file; export writes it back."""
    county, town = _names()
    root = _tree(tmp_path / "in", county, {town: _township(town) + RULES})
    first = run(app, "tenants", "apply", str(root))
    assert first.exit_code == 0, first.output
    assert f"~ rule {town}/drill.theory_study min_count" in first.output
    assert run(app, "tenants", "apply", str(root)).output.strip() == "no changes"
    out = tmp_path / "out"
    assert run(app, "tenants", "export", str(out), "--county", county).exit_code == 0
    exported = (out / county / f"{town}.toml").read_text(encoding="utf-8")
    assert '[rules."drill.theory_study"]' in exported and "min_count = 24" in exported
    assert run(app, "tenants", "apply", str(out)).output.strip() == "no changes"
    for bad, key in (("min_count = -1", "rules.drill.theory_study.min_count"),
                     ("colour = 1", "rules.drill.theory_study.colour")):
        broken = _tree(tmp_path / f"bad{len(key)}{bad[0]}", county,
                       {town: _township(town) + RULES.replace("min_count = 24", bad)})
        result = run(app, "tenants", "apply", str(broken))
        assert result.exit_code == 2 and key in result.output, result.output
    unknown = _tree(tmp_path / "unknown", county, {
        town: _township(town) + RULES.replace("drill.theory_study", "drill.no_such_rule")})
    result = run(app, "tenants", "apply", str(unknown))
    assert result.exit_code == 2 and "rules.drill.no_such_rule" in result.output
