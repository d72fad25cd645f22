"""``zerenzhi tenants dump|load`` (issue 17, "A township's data, portable"): the demo
township, filled by every module's ``demo_data``, survives a round trip table by table —
under a new slug with new ids on the same database, and with its ids into an empty one —
and a load that cannot be done writes nothing (docs/decisions/0017-tenant-dump.md)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from zerenzhi import Label, Manifest, hookimpl, migrate, secrets
from zerenzhi.app import create_app
from zerenzhi.auth.models import UserAccount
from zerenzhi.commands import operator_session
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.plugin_host.service import load_demo_data, sealed
from zerenzhi.provisioning.dump import (
    ACCOUNTS,
    AUDIT,
    MANIFEST,
    load_township,
    remapper,
    township_rows,
)
from zerenzhi.provisioning.service import create_county
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant
from zerenzhi.testing.world import World, build_world


class AttachmentsPlugin:
    """A module that keeps files outside the database, by township (here: in memory)."""

    manifest = Manifest(name="attachments", version="0.1", title=Label("附件", "Attachments"))
    stored: dict[uuid.UUID, dict[str, bytes]] = {}

    @hookimpl
    def dump_files(self, session, tenant):
        return dict(self.stored.get(tenant.id, {}))

    @hookimpl
    def load_files(self, session, tenant, files, ids):
        self.stored[tenant.id] = {ids.get(name, name): content for name, content in files.items()}


ATTACHMENTS = AttachmentsPlugin()


@pytest.fixture
def zz_plugins():
    return [ATTACHMENTS]


SECRET = "hmac-s3cret-value"


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def demo(app) -> World:
    """A township with every installed module enabled and filled by its ``demo_data``."""
    world = build_world(app, "dump")
    for name in sorted(app.extensions["zerenzhi"].plugins.installed):
        world.enable(name)
    with world.scope() as sess:
        load_demo_data(sess)
        webhook = sess.scalar(select(TenantPlugin).where(TenantPlugin.plugin == "webhook"))
        webhook.settings = {**webhook.settings, **sealed("webhook", {"secret": SECRET})}
        sess.commit()
    ATTACHMENTS.stored[world.tenant_id] = {str(world.units["branch-1"]): b"minutes"}
    return world


@pytest.fixture
def archive(demo, tmp_path) -> bytes:
    path = tmp_path / "demo.zip"
    result = run(demo.app, "tenants", "dump", demo.slug, "-o", str(path))
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def rows_of(app, tenant_id: uuid.UUID) -> dict[str, list[dict]]:
    with app.app_context(), operator_session() as sess:
        tenant = sess.get(Tenant, tenant_id)
        with tenant_scope(tenant.ref()):
            rows = township_rows(sess, tenant_id)
        sess.rollback()
    return rows


def accounts_of(app, ids) -> dict[str, dict]:
    with app.app_context(), operator_session() as sess:
        found = sess.scalars(select(UserAccount).where(UserAccount.id.in_(ids))).all()
        rows = {str(a.id): {"username": a.username, "password_hash": a.password_hash,
                            "display_name": a.display_name} for a in found}
        sess.rollback()
    return rows


def counts(app) -> tuple[int, int]:
    with app.app_context(), operator_session() as sess:
        found = (sess.scalar(select(func.count()).select_from(Tenant)),
                 sess.scalar(select(func.count()).select_from(UserAccount)))
        sess.rollback()
    return found


def assert_sound(app, slug: str) -> None:
    """What an operator checks after a load: the chain verifies, stored counts agree."""
    verified = run(app, "audit", "verify", "--township", slug)
    assert verified.exit_code == 0 and verified.output.startswith(f"ok {slug}"), verified.output
    recounted = run(app, "obligations", "recount", "--check", "--township", slug)
    assert recounted.exit_code == 0, recounted.output


def test_the_archive_holds_every_table_of_the_township(demo, archive):
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read(MANIFEST))
    assert manifest["township"]["slug"] == demo.slug
    assert manifest["county"]["slug"] == demo.county_slug
    assert "core" in manifest["schema"]
    plugin_rows = {name for name, n in manifest["rows"].items()
                   if n and name.split("_")[0] in demo.app.extensions["zerenzhi"].plugins.installed}
    assert {"study_session", "reporting_meeting", "platforms_channel"} <= plugin_rows
    assert manifest["rows"]["obligation"] and manifest["rows"]["fulfilment"]
    assert manifest["rows"][AUDIT] == manifest["audit"]["entries"]


def test_loaded_under_a_new_slug_with_new_ids_every_row_matches(app, demo, archive):
    before = rows_of(app, demo.tenant_id)
    new_slug = f"{demo.slug}-copy"
    with app.app_context(), operator_session() as sess:
        result = load_township(sess, archive, app.extensions["zerenzhi"].plugins,
                               slug=new_slug, remap_ids=True, user_suffix=".copy")
        sess.commit()
    assert result.tenant.id != demo.tenant_id and result.tenant.slug == new_slug
    after = rows_of(app, result.tenant.id)
    swap = remapper(result.ids)
    texts = {str(old): str(new) for old, new in result.ids.items()}
    for table, rows in before.items():
        if table == AUDIT:
            continue
        expected = sorted((swap(row) for row in rows), key=lambda row: row["id"])
        assert sorted(after[table], key=lambda row: row["id"]) == expected, table
        assert not {str(r["id"]) for r in after[table]} & {str(r["id"]) for r in rows}, table
    assert len(after["member"]) == len(before["member"]) > 0
    old_accounts = accounts_of(app, [uuid.UUID(r["id"]) for r in before["member"]])
    new_accounts = accounts_of(app, [uuid.UUID(r["id"]) for r in after["member"]])
    assert {texts[old]: {**account, "username": account["username"] + ".copy"}
            for old, account in old_accounts.items()} == new_accounts
    (entry,) = after[AUDIT]  # a new chain, starting from the load
    assert entry["action"] == "tenant.load" and entry["after"]["ids"] == "remapped"
    assert entry["after"]["earlier_chain"]["entries"] == len(before[AUDIT])
    assert_sound(app, new_slug)


def test_loaded_into_an_empty_database_with_its_ids_every_row_is_equal(
        app, demo, archive, empty_database, tmp_path):
    owner_url, app_url, role = empty_database
    fresh = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                        "DB_APP_ROLE": role, "TESTING": True,
                        "SECRET_KEYS": app.config.get("SECRET_KEYS")},
                       plugins=[ATTACHMENTS], load_entrypoints=True)
    try:
        migrate.upgrade(owner_url, fresh.extensions["zerenzhi"].plugins, role)
        with fresh.app_context(), operator_session() as sess:
            county_here = str(create_county(sess, demo.county_slug, "縣").id)
            sess.commit()
        path = tmp_path / "a.zip"
        path.write_bytes(archive)
        loaded = run(fresh, "tenants", "load", str(path))
        assert loaded.exit_code == 0, loaded.output
        before, after = rows_of(app, demo.tenant_id), rows_of(fresh, demo.tenant_id)
        *kept, load = after[AUDIT]
        assert kept == before[AUDIT] and load["action"] == "tenant.load"
        # a table with no row of the township (another test's plugin's, in the shared
        # metadata) has nothing to compare: only tables holding rows are; county_id is
        # the county the township joined here (same slug, another id), on every row
        stamped = {str(row.pop("county_id")) for table, rows in after.items()
                   for row in rows if "county_id" in row}
        for rows in before.values():
            for row in rows:
                row.pop("county_id", None)
        assert stamped == {county_here}
        assert {t: r for t, r in after.items() if t != AUDIT and r} == \
               {t: r for t, r in before.items() if t != AUDIT and r}
        ids = [uuid.UUID(r["id"]) for r in before["member"]]
        assert accounts_of(fresh, ids) == accounts_of(app, ids)
        assert_sound(fresh, demo.slug)
    finally:
        fresh.extensions["zerenzhi"].db.dispose()


def _rewritten(archive: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(archive))
    parts = {name: source.read(name) for name in source.namelist()}
    change(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return buffer.getvalue()


def _other_schema(parts):
    manifest = json.loads(parts[MANIFEST])
    manifest["schema"]["core"] = ["0001"]
    parts[MANIFEST] = json.dumps(manifest).encode()


def _edited_row(parts):
    parts["tables/org_unit.jsonl"] = parts["tables/org_unit.jsonl"].replace(b"branch-1", b"x")


@pytest.mark.parametrize(("damage", "args", "message"), [
    (None, (), "is taken here: load with --slug NEW"),
    (None, ("--slug", "fresh-{n}"), "exists here (as another slug): load with --remap-ids"),
    (None, ("--slug", "fresh-{n}", "--remap-ids"), "is taken here"),  # usernames
    (None, ("--slug", "fresh-{n}", "--county", "nowhere"), "no county 'nowhere' here"),
    (_other_schema, ("--slug", "fresh-{n}"), "schema differs: core is at"),
    (_edited_row, ("--slug", "fresh-{n}"), "damaged: tables/org_unit.jsonl"),
    (lambda parts: None, ("--slug", "fresh-{n}"), None),  # see below: truncated
])
def test_a_load_that_cannot_be_done_says_why_in_one_line_and_writes_nothing(
        app, demo, archive, tmp_path, damage, args, message):
    data = _rewritten(archive, damage) if damage else archive
    if message is None:
        data, message = data[: len(data) // 2], "not a readable township archive"
    path = tmp_path / "bad.zip"
    path.write_bytes(data)
    before = counts(app)
    result = run(app, "tenants", "load", str(path),
                 *(arg.format(n=uuid.uuid4().hex[:6]) for arg in args))
    assert result.exit_code == 2, result.output
    assert message in result.output and "nothing was loaded" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert counts(app) == before


def test_dump_of_an_unknown_township_fails_and_the_dump_is_audited(app, demo, tmp_path):
    result = run(app, "tenants", "dump", "no-such-place", "-o", str(tmp_path / "x.zip"))
    assert result.exit_code == 2 and "no township 'no-such-place'" in result.output
    assert run(app, "tenants", "dump", demo.slug, "-o", str(tmp_path / "y.zip")).exit_code == 0
    assert rows_of(app, demo.tenant_id)[AUDIT][-1]["action"] == "tenant.dump"
    assert ACCOUNTS in zipfile.ZipFile(tmp_path / "y.zip").namelist()


def test_secrets_travel_sealed_and_a_key_this_instance_lacks_is_reported(app, demo, archive):
    parts = zipfile.ZipFile(io.BytesIO(archive))
    assert not any(SECRET.encode() in parts.read(name) for name in parts.namelist())
    assert secrets.PREFIX.encode() in parts.read("tables/tenant_plugin.jsonl")
    with app.app_context(), operator_session() as sess:
        same = load_township(sess, archive, app.extensions["zerenzhi"].plugins,
                             slug=f"{demo.slug}-k", remap_ids=True, user_suffix=".k")
        sess.rollback()
        app.config["SECRET_KEYS"], kept = Fernet.generate_key().decode(), \
            app.config.get("SECRET_KEYS")
        try:
            other = load_township(sess, archive, app.extensions["zerenzhi"].plugins,
                                  slug=f"{demo.slug}-k", remap_ids=True, user_suffix=".k")
        finally:
            app.config["SECRET_KEYS"] = kept
            sess.rollback()
    assert same.notes == []
    assert other.notes == ["webhook.secret: sealed with a key this instance lacks; set it again"]


def test_a_module_s_files_travel_through_its_hooks_with_ids_renamed(app, demo, archive):
    unit = str(demo.units["branch-1"])
    assert zipfile.ZipFile(io.BytesIO(archive)).read(f"files/attachments/{unit}") == b"minutes"
    with app.app_context(), operator_session() as sess:
        result = load_township(sess, archive, app.extensions["zerenzhi"].plugins,
                               slug=f"{demo.slug}-f", remap_ids=True, user_suffix=".f")
        sess.commit()
    new_unit = str(result.ids[demo.units["branch-1"]])
    assert ATTACHMENTS.stored[result.tenant.id] == {new_unit: b"minutes"}


def test_loaded_into_another_county_its_rows_are_that_county_s_to_read(app, demo, archive):
    """The county read policy compares each row's ``county_id`` (decision 0029): a township
    moved to another county by dump and load carries the new county on every row, so the
    county it left can no longer read it and the one it joined can."""
    from zerenzhi.obligations.models import Obligation
    from zerenzhi.tenancy.context import county_read_scope

    with app.app_context(), operator_session() as sess:
        other = create_county(sess, f"{demo.county_slug}-new", "新縣")
        result = load_township(sess, archive, app.extensions["zerenzhi"].plugins,
                               slug=f"{demo.slug}-moved", county=other.slug, remap_ids=True,
                               user_suffix=".moved")
        sess.commit()
        moved, old = result.tenant.id, sess.get(Tenant, demo.county_id).ref()
        new = sess.get(Tenant, other.id).ref()
    rows = rows_of(app, moved)
    stamped = {table: {row.get("county_id") for row in found}
               for table, found in rows.items() if found and "county_id" in found[0]}
    assert {"obligation", "fulfilment", "org_unit", "tenant_plugin"} <= set(stamped)
    assert all(values == {str(other.id)} or values == {other.id}
               for values in stamped.values()), stamped
    seen = {}
    for county in (old, new):
        with app.app_context(), operator_session() as sess, county_read_scope(county):
            seen[county.slug] = sess.scalar(select(func.count()).select_from(Obligation)
                                            .where(Obligation.tenant_id == moved))
            sess.rollback()
    assert seen[old.slug] == 0 and seen[new.slug] == len(rows["obligation"]) > 0
