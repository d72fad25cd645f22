"""A township's data as one archive, and back (``zerenzhi tenants dump|load``).

The archive is a zip: ``manifest.json`` (format, app version, the schema revision of every
migration lineage, the township, its county, per-file SHA-256 and row counts), one
JSON-lines file per table (``tables/<name>.jsonl``: every row whose ``tenant_id`` is the
township, core's and every plugin's), ``accounts.jsonl`` (the accounts whose home is the
township) and ``files/<plugin>/…`` (what a plugin's ``dump_files`` hook returned).
Decisions — what travels, secrets, accounts, the audit chain under new ids — are in
docs/decisions/0017-tenant-dump.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from zerenzhi import migrate, secrets
from zerenzhi.audit.models import AuditEntry
from zerenzhi.audit.recorder import record
from zerenzhi.audit.verify import verify_chain
from zerenzhi.auth.models import UserAccount
from zerenzhi.auth.service import normalise_username
from zerenzhi.db.base import Base, new_id
from zerenzhi.tenancy.context import TenantRef, tenant_scope
from zerenzhi.tenancy.models import Tenant

FORMAT = 1
MANIFEST = "manifest.json"
ACCOUNTS = "accounts.jsonl"
AUDIT = AuditEntry.__tablename__
SKIPPED = frozenset({"idempotency_record"})
"""Tenant tables that do not travel: stored replies to retried requests, valid for hours and
tied to the sessions of this instance."""
UNUSABLE_PASSWORD = "!"  # no hash verifies against it: the account cannot log in
SENSITIVE = ("This archive holds a township's records, its accounts' password hashes and "
             "its modules' settings (secrets still encrypted): keep it like a database backup.")


class ArchiveError(Exception):
    """An archive that cannot be written or loaded here; the message is one line."""


@dataclass
class LoadResult:
    tenant: TenantRef
    rows: dict[str, int]
    ids: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # old -> new (remapped)
    notes: list[str] = field(default_factory=list)


# --- values: JSON lines, typed by the column ------------------------------------------------


def _python_type(column) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def encode(value: Any) -> Any:
    """A column value as JSON (aware datetimes keep their offset; bytes as base64)."""
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def decode(column, value: Any) -> Any:
    if value is None:
        return None
    kind = _python_type(column)
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is dt.time:
        return dt.time.fromisoformat(value)
    if kind is decimal.Decimal:
        return decimal.Decimal(value)
    if kind is bytes:
        return base64.b64decode(value)
    return value


def remapper(ids: dict[uuid.UUID, uuid.UUID]) -> Callable[[Any], Any]:
    """Replace every old id by its new one wherever it stands: a uuid column, a text column
    holding exactly an id (``target_id``, ``trigger_id``), or inside JSON, keys included."""
    texts = {str(old): str(new) for old, new in ids.items()}

    def swap(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return ids.get(value, value)
        if isinstance(value, str):
            return texts.get(value, value)
        if isinstance(value, dict):
            return {swap(key): swap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    return swap


# --- what a township owns --------------------------------------------------------------------


def township_tables(session: Session) -> list[Table]:
    """Every tenant table (core's and each plugin's) this database holds, parents before
    children: a model imported in the process whose plugin this instance does not install
    (its migrations never ran here) has no rows to carry."""
    present = set(inspect(session.connection()).get_table_names())
    return [table for table in Base.metadata.sorted_tables
            if "tenant_id" in table.c and table.name not in SKIPPED and table.name in present]


def township_rows(session: Session, tenant_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every row of the township, per table, encoded for JSON and in a stable order.
    Run inside the township's scope (row-level security on PostgreSQL)."""
    rows = {}
    for table in township_tables(session):
        order = [table.c.seq] if table.name == AUDIT else [table.c.id]
        result = session.execute(select(table).where(table.c.tenant_id == tenant_id)
                                 .order_by(*order))
        rows[table.name] = [{key: encode(value) for key, value in row._mapping.items()}
                            for row in result]
    return rows


def schema_revisions(session: Session, plugin_set) -> dict[str, list[str]]:
    """The heads each migration lineage of this database is at (core and every plugin)."""
    connection = session.connection()
    found = {}
    for lineage in migrate.lineages(plugin_set):
        context = MigrationContext.configure(
            connection, opts={"version_table": lineage.version_table})
        found[lineage.name] = sorted(context.get_current_heads())
    return found


def _app_version() -> str:
    try:
        return metadata.version("zerenzhi")
    except metadata.PackageNotFoundError:
        return "unknown"


def _account_row(account: UserAccount) -> dict[str, Any]:
    row = {column.name: encode(getattr(account, column.key))
           for column in UserAccount.__table__.c}
    row["feed_token_hash"] = None  # a feed link of this instance; the user makes a new one
    return row


# --- dump ------------------------------------------------------------------------------------


def dump_township(session: Session, slug: str, plugins) -> bytes:
    """The archive of township ``slug``; audits the dump in the township's chain (the caller
    commits). ``plugins`` is the app's plugin set (lineages and the ``dump_files`` hook)."""
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug, Tenant.kind == "township"))
    if tenant is None:
        raise ArchiveError(f"no township {slug!r}")
    county = session.get(Tenant, tenant.county_id)
    with tenant_scope(tenant.ref()) as ref:
        record(session, "tenant.dump", "tenant", tenant.id)
        session.flush()
        entries, broken = verify_chain(session)
        if broken is not None:
            raise ArchiveError(f"the audit chain of {slug} is broken at entry {broken.seq} "
                               f"({broken.reason}): run `zerenzhi audit verify` first")
        tables = township_rows(session, tenant.id)
        members = {uuid.UUID(row["id"]) for row in tables.get("member", [])}
        accounts = session.scalars(select(UserAccount).where(
            UserAccount.id.in_(members) if members else UserAccount.id.is_(None))
            .order_by(UserAccount.id)).all()
        files = {}
        for name, found in _plugin_files(plugins, session, ref).items():
            for path, content in found.items():
                files[f"files/{name}/{path}"] = content
    parts: dict[str, bytes] = {}
    for name, rows in tables.items():
        parts[f"tables/{name}.jsonl"] = _jsonl(rows)
    parts[ACCOUNTS] = _jsonl(_account_row(account) for account in accounts
                             if account.home_tenant_id == tenant.id)
    parts.update(files)
    tenant_row = {column.name: encode(getattr(tenant, column.key))
                  for column in Tenant.__table__.c}
    manifest = {
        "format": FORMAT,
        "app_version": _app_version(),
        "schema": schema_revisions(session, plugins),
        "township": {"id": str(tenant.id), "slug": tenant.slug, "row": tenant_row},
        "county": {"id": str(county.id), "slug": county.slug},
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "sensitive": SENSITIVE,
        "foreign_accounts": [
            {"id": str(a.id), "username": a.username, "display_name": a.display_name}
            for a in accounts if a.home_tenant_id != tenant.id],
        "audit": {"entries": entries, "head": tables[AUDIT][-1]["hash"] if entries else None},
        "rows": {name: len(rows) for name, rows in tables.items()},
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in parts.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(row, ensure_ascii=False, sort_keys=True).encode() + b"\n"
                    for row in rows)


def _plugin_files(plugins, session: Session, tenant: TenantRef) -> dict[str, dict[str, bytes]]:
    found = {}
    for name in sorted(plugins.installed):
        for impl in _impls(plugins, name, "dump_files"):
            files = impl.function(session=session, tenant=tenant) or {}
            if files:
                found[name] = files
    return found


def _impls(plugins, name: str, hook: str) -> list:
    plugin = plugins.installed[name].plugin
    return [impl for impl in getattr(plugins.pm.hook, hook).get_hookimpls()
            if impl.plugin is plugin]


# --- load ------------------------------------------------------------------------------------


@dataclass
class Archive:
    manifest: dict[str, Any]
    parts: dict[str, bytes]
    digest: str

    def rows(self, name: str) -> list[dict[str, Any]]:
        content = self.parts.get(name, b"")
        return [json.loads(line) for line in content.splitlines() if line.strip()]


def read_archive(data: bytes) -> Archive:
    """Open and check an archive: every part present and matching its SHA-256."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            parts = {name: archive.read(name) for name in archive.namelist() if name != MANIFEST}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise ArchiveError(f"not a readable township archive ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"archive format {manifest.get('format')!r} is not {FORMAT}"
                           if isinstance(manifest, dict) else "manifest.json is no object")
    listed = manifest.get("files", {})
    for name in sorted(set(listed) | set(parts)):
        if name not in parts or name not in listed \
                or hashlib.sha256(parts[name]).hexdigest() != listed[name]:
            raise ArchiveError(f"archive is damaged: {name} does not match its manifest")
    return Archive(manifest, parts, hashlib.sha256(data).hexdigest())


def check_schema(session: Session, plugins, manifest: dict[str, Any]) -> None:
    here = schema_revisions(session, plugins)
    for lineage, heads in sorted(manifest["schema"].items()):
        if lineage not in here:
            raise ArchiveError(f"schema differs: module {lineage!r} of the archive is not "
                               f"installed here")
        if sorted(heads) != here[lineage]:
            raise ArchiveError(f"schema differs: {lineage} is at "
                               f"{', '.join(here[lineage]) or 'base'} here, "
                               f"{', '.join(heads) or 'base'} in the archive")


def load_township(session: Session, data: bytes, plugins, *, slug: str | None = None,
                  county: str | None = None, remap_ids: bool = False,
                  user_suffix: str = "") -> LoadResult:
    """Restore an archive as a new township, in ``session``'s transaction (the caller
    commits; on any error it rolls back, so nothing is written). Raises ``ArchiveError``."""
    archive = read_archive(data)
    manifest = archive.manifest
    check_schema(session, plugins, manifest)
    source = manifest["township"]
    slug = slug or source["slug"]
    if session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise ArchiveError(f"slug {slug!r} is taken here: load with --slug NEW")
    county_slug = county or manifest["county"]["slug"]
    target_county = session.scalar(select(Tenant).where(
        Tenant.slug == county_slug, Tenant.kind == "county"))
    if target_county is None:
        raise ArchiveError(f"no county {county_slug!r} here: create it or give --county")
    tables = {table.name: table for table in township_tables(session)}
    # a table this instance lacks blocks the load only if the township has rows in it
    unknown = sorted(name.removeprefix("tables/").removesuffix(".jsonl")
                     for name, content in archive.parts.items() if name.startswith("tables/")
                     and content.strip()
                     and name.removeprefix("tables/").removesuffix(".jsonl") not in tables)
    if unknown:
        raise ArchiveError(f"tables unknown here: {', '.join(unknown)}")
    files = _files_by_plugin(archive, plugins)
    old_id = uuid.UUID(source["id"])
    accounts = archive.rows(ACCOUNTS)
    foreign = manifest.get("foreign_accounts", [])
    ids = _new_ids(archive, tables, old_id, {uuid.UUID(a["id"]) for a in foreign}) \
        if remap_ids else {}
    swap = remapper(ids)
    new_id_ = ids.get(old_id, old_id)
    if session.get(Tenant, new_id_) is not None:
        raise ArchiveError(f"township id {new_id_} exists here (as another slug): "
                           f"load with --remap-ids")
    _insert_tenant(session, source["row"], new_id_, slug, target_county.id)
    _insert_accounts(session, accounts, foreign, swap, new_id_, user_suffix)
    ref = session.get(Tenant, new_id_).ref()
    counts: dict[str, int] = {}
    with tenant_scope(ref):
        for name, table in tables.items():
            if name == AUDIT and remap_ids:
                continue  # the old chain cannot be re-hashed: it stays in the archive
            rows = [_decoded(table, row, swap, new_id_, target_county.id) for row in archive.rows(
                f"tables/{name}.jsonl")]
            if rows:
                session.execute(insert(table), _parents_first(table, rows))
            counts[name] = len(rows)
        for name, found in files.items():
            for impl in _impls(plugins, name, "load_files"):
                impl.function(session=session, tenant=ref, files=found,
                              ids={str(old): str(new) for old, new in ids.items()})
        record(session, "tenant.load", "tenant", new_id_, after={
            "from": {"township": source["slug"], "id": source["id"],
                     "county": manifest["county"]["slug"]},
            "archive_sha256": archive.digest, "archive_created_at": manifest["created_at"],
            "ids": "remapped" if remap_ids else "preserved",
            "earlier_chain": manifest["audit"],
            "accounts": len(accounts), "rows": counts,
        })
        session.flush()
        notes = _unreadable_secrets(session, tables["tenant_plugin"], new_id_)
    return LoadResult(ref, counts, ids, notes)


def _files_by_plugin(archive: Archive, plugins) -> dict[str, dict[str, bytes]]:
    found: dict[str, dict[str, bytes]] = {}
    for name, content in archive.parts.items():
        if name.startswith("files/"):
            plugin, _, path = name.removeprefix("files/").partition("/")
            found.setdefault(plugin, {})[path] = content
    for plugin in found:
        if plugin not in plugins.installed or not _impls(plugins, plugin, "load_files"):
            raise ArchiveError(f"the archive holds files of {plugin!r}, which cannot load "
                               f"them here (no load_files hook)")
    return found


def _new_ids(archive: Archive, tables: dict[str, Table], tenant_id: uuid.UUID,
             foreign: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """A new id for the township and for every row id it owns (accounts homed there
    included: a member's id is its account's), made in the old ids' order so time-ordered
    ids keep their order. Accounts homed elsewhere keep theirs."""
    owned = {tenant_id}
    for name in tables:
        if name != AUDIT:
            owned.update(uuid.UUID(row["id"]) for row in archive.rows(f"tables/{name}.jsonl"))
    owned.update(uuid.UUID(row["id"]) for row in archive.rows(ACCOUNTS))
    return {old: new_id() for old in sorted(owned - foreign)}


def _decoded(table: Table, row: dict[str, Any], swap, tenant_id: uuid.UUID,
             county_id: uuid.UUID) -> dict[str, Any]:
    values = {name: swap(decode(table.c[name], value)) for name, value in row.items()}
    values["tenant_id"] = tenant_id
    if "county_id" in table.c:  # the county it joins here, never the archive's (decision 0029)
        values["county_id"] = county_id
    return values


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a table that refers to itself (the org tree), each after its parent."""
    own = [column.name for fk in table.foreign_key_constraints if fk.referred_table is table
           for column in fk.columns if column.name != "tenant_id"]
    if not own:
        return rows
    by_id = {row["id"]: row for row in rows}
    ordered: list[dict[str, Any]] = []
    seen: set[Any] = set()

    def visit(row: dict[str, Any]) -> None:
        if row["id"] in seen:
            return
        seen.add(row["id"])  # before the parent: a cycle cannot recurse forever
        for column in own:
            parent = by_id.get(row.get(column))
            if parent is not None:
                visit(parent)
        ordered.append(row)

    for row in rows:
        visit(row)
    return ordered


def _insert_tenant(session: Session, row: dict[str, Any], tenant_id: uuid.UUID, slug: str,
                   county_id: uuid.UUID) -> None:
    table = Tenant.__table__
    values = {name: decode(table.c[name], value) for name, value in row.items()
              if name in table.c}
    values.update(id=tenant_id, slug=slug, county_id=county_id)
    session.execute(insert(table).values(**values))


def _insert_accounts(session: Session, accounts: list[dict[str, Any]], foreign: list[dict],
                     swap, tenant_id: uuid.UUID, suffix: str) -> None:
    """The township's own accounts, with their password hashes; an account homed elsewhere
    that is a member here is reused when this instance has it, else made disabled, with
    no usable password (its home instance keeps the real one)."""
    table = UserAccount.__table__
    rows = []
    for account in accounts:
        values = {name: swap(decode(table.c[name], value)) for name, value in account.items()
                  if name in table.c}
        values.update(home_tenant_id=tenant_id,
                      username=normalise_username(values["username"] + suffix))
        rows.append(values)
    for account in foreign:
        if session.get(UserAccount, uuid.UUID(account["id"])) is None:
            rows.append({"id": uuid.UUID(account["id"]), "username": account["username"],
                         "display_name": account["display_name"], "home_tenant_id": None,
                         "password_hash": UNUSABLE_PASSWORD,
                         "disabled_at": dt.datetime.now(dt.UTC)})
    if not rows:
        return
    taken = session.scalars(select(UserAccount.username).where(
        UserAccount.username.in_([row["username"] for row in rows]))).all()
    if taken:
        raise ArchiveError(f"username {sorted(taken)[0]!r} is taken here "
                           f"({len(taken)} in all): load with --user-suffix")
    existing = session.scalars(select(UserAccount.id).where(
        UserAccount.id.in_([row["id"] for row in rows]))).all()
    if existing:
        raise ArchiveError(f"account id {existing[0]} exists here: load with --remap-ids")
    session.execute(insert(table), rows)


def _unreadable_secrets(session: Session, table: Table, tenant_id: uuid.UUID) -> list[str]:
    """Secret settings sealed with a key this instance lacks: the module shows them unset
    until someone enters them again (the archive never holds a secret in clear)."""
    notes = []
    for row in session.execute(select(table.c.plugin, table.c.settings)
                               .where(table.c.tenant_id == tenant_id)):
        for key, value in sorted((row.settings or {}).items()):
            if secrets.is_sealed(value):
                try:
                    secrets.unseal(value)
                except secrets.SecretKeyError:
                    notes.append(f"{row.plugin}.{key}: sealed with a key this instance lacks; "
                                 f"set it again")
    return notes
