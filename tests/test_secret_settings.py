"""Secret module settings (issue 17): write-only in the API, masked in the audit log, and
encrypted at rest under ``ZERENZHI_SECRET_KEYS`` (the first key encrypts, all decrypt)."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from zerenzhi.audit.models import AuditEntry
from zerenzhi.audit.recorder import record
from zerenzhi.auth.roles import COUNTY_ROLES, TOWNSHIP_ROLES
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.plugin_host.service import plugin_settings
from zerenzhi.provisioning.plugin_state import apply_plugin_state
from zerenzhi.tenancy.models import Tenant

SECRET = "hmac-key-that-nobody-may-read-4711"
URL = "https://robot.example.org/hook"
PREFIX = "fernet:"


def put_webhook(world, **settings):
    return world.client("tenant_admin").put(
        f"{world.base}/plugins/webhook", json={"settings": {"url": URL, **settings}})


def stored(world) -> dict:
    """The township's webhook settings exactly as the database holds them."""
    with world.scope() as sess:
        table = TenantPlugin.__table__
        return sess.execute(select(table.c.settings).where(
            table.c.tenant_id == world.tenant_id, table.c.plugin == "webhook")).scalar_one()


def audit_text(world) -> str:
    """Every audit entry of the township, straight from the table."""
    with world.scope() as sess:
        table = AuditEntry.__table__
        rows = sess.execute(select(table.c.before, table.c.after)
                            .where(table.c.tenant_id == world.tenant_id)).all()
        return json.dumps([list(row) for row in rows], ensure_ascii=False)


def effective_secret(world):
    with world.scope():
        return plugin_settings("webhook")["secret"]


@pytest.fixture
def keys(app, monkeypatch):
    """Set ``ZERENZHI_SECRET_KEYS`` for the app under test (restored afterwards)."""
    def use(*names: bytes) -> None:
        monkeypatch.setitem(app.config, "SECRET_KEYS", ",".join(k.decode() for k in names))
    return use


@pytest.mark.parametrize("role", [*TOWNSHIP_ROLES, "all", *COUNTY_ROLES])
def test_no_role_reads_the_secret(township, role):
    put_webhook(township, secret=SECRET).assert_status(200)
    client = township.client(role)
    county = f"/api/v1/counties/{township.county_slug}/plugins"
    for url in (f"{township.base}/plugins/webhook", f"{township.base}/plugins", county):
        response = client.get(url)
        assert SECRET not in response.raw.get_data(as_text=True)
        if response.status_code == 200 and url.endswith("webhook"):
            assert response.json["settings"]["secret"] == {"set": True}
            assert response.json["township_settings"]["secret"] == {"set": True}


def test_the_put_answer_hides_the_secret_too(township):
    answer = put_webhook(township, secret=SECRET).assert_status(200).json
    assert SECRET not in json.dumps(answer)
    assert answer["settings"]["secret"] == {"set": True}
    unset = put_webhook(township).assert_status(200).json
    assert unset["settings"]["secret"] == {"set": False}
    assert "secret" not in unset["township_settings"]


def test_a_secret_is_kept_cleared_or_refused_by_its_shape(township):
    put_webhook(township, secret=SECRET).assert_status(200)
    put_webhook(township, secret={"set": True}, timeout_seconds=9).assert_status(200)
    assert effective_secret(township) == SECRET
    put_webhook(township, secret={"set": False}).assert_status(200)
    assert effective_secret(township) is None
    refused = put_webhook(township, secret={"set": True}).assert_status(422).json
    assert "secret" in refused["errors"]["json"]["settings"]


def test_the_audit_log_holds_no_secret(township):
    put_webhook(township, secret=SECRET).assert_status(200)
    put_webhook(township, secret=SECRET + "-rotated").assert_status(200)
    put_webhook(township).assert_status(200)
    text = audit_text(township)
    assert "tenant_plugin" in text or URL in text
    assert SECRET not in text
    assert PREFIX not in text  # not even the ciphertext


def test_the_audit_log_masks_secret_looking_keys_at_any_depth(township):
    nested = {"outer": {"api_key": "k-1", "clientSecret": "k-2", "list": [{"password": "k-3"}],
                        "secretary": "visible", "token_hash": "k-4"}}
    with township.scope() as sess:
        record(sess, "test.secret", "test", after=nested)
        sess.commit()
    text = audit_text(township)
    assert not any(value in text for value in ("k-1", "k-2", "k-3", "k-4"))
    assert "visible" in text


def test_the_database_holds_ciphertext_and_plugins_read_the_value(township):
    put_webhook(township, secret=SECRET).assert_status(200)
    row = stored(township)
    assert SECRET not in json.dumps(row)
    assert row["secret"].startswith(PREFIX)
    assert row["url"] == URL  # only secret fields are encrypted
    assert effective_secret(township) == SECRET


def test_re_saving_the_same_secret_keeps_its_ciphertext(township):
    put_webhook(township, secret=SECRET).assert_status(200)
    first = stored(township)["secret"]
    put_webhook(township, secret=SECRET).assert_status(200)
    assert stored(township)["secret"] == first


def test_key_rotation(township, keys):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    keys(old)
    put_webhook(township, secret=SECRET).assert_status(200)
    written_with_old = stored(township)["secret"][len(PREFIX):]
    Fernet(old).decrypt(written_with_old.encode())

    keys(new, old)
    assert effective_secret(township) == SECRET  # still decrypts
    put_webhook(township, secret={"set": True}).assert_status(200)  # re-saved
    rewritten = stored(township)["secret"][len(PREFIX):].encode()
    assert json.loads(Fernet(new).decrypt(rewritten)) == SECRET
    with pytest.raises(InvalidToken):
        Fernet(old).decrypt(rewritten)

    keys(new)
    assert effective_secret(township) == SECRET


def test_a_lost_key_disables_the_module_with_a_problem(township, keys):
    keys(Fernet.generate_key())
    put_webhook(township, secret=SECRET).assert_status(200)
    keys(Fernet.generate_key())
    state = township.client("tenant_admin").get(f"{township.base}/plugins/webhook").json
    assert "decrypt" in state["problem"]
    assert state["township_settings"]["secret"] == {"set": True}


@pytest.mark.parametrize("enabled", [True, False])
def test_a_tenant_file_stores_the_secret_encrypted_and_reapplies_unchanged(township, enabled):
    table = {"enabled": enabled, "settings": {"url": URL, "secret": SECRET}}
    with township.scope() as sess:
        tenant = sess.get(Tenant, township.tenant_id)
        assert apply_plugin_state(sess, tenant, "webhook", table)
        sess.commit()
        assert apply_plugin_state(sess, tenant, "webhook", table) == []
    row = stored(township)
    assert row["secret"].startswith(PREFIX)
    exported = {"enabled": enabled, "settings": row}  # as `tenants export` writes it
    with township.scope() as sess:
        tenant = sess.get(Tenant, township.tenant_id)
        assert apply_plugin_state(sess, tenant, "webhook", exported) == []
        sess.commit()
    assert stored(township) == row
