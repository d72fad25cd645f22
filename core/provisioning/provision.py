"""Make the database match the provisioning files, and write it back as files.

``apply_tree`` works in the caller's one transaction: it raises ``ProvisionError`` on
the first disagreement and the caller rolls back, so a bad file writes nothing. Each
tenant's writes happen inside its own ``tenant_scope`` (RLS and the audit chain need
it) and are flushed before the scope ends. Things are archived or ended, never deleted;
tenants, users and plugins that no file mentions are left alone (the API may own them).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.auth import users as user_service
from zerenzhi.auth.grants import OPERATOR
from zerenzhi.auth.models import Member, Position, UserAccount
from zerenzhi.obligations.facts import settle
from zerenzhi.obligations.periods import local_today
from zerenzhi.obligations.versions import RuleChangeError, effective_rules
from zerenzhi.obligations.versions import change as change_rule
from zerenzhi.orgunits import service as unit_service
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.plugin_host.service import load_demo_data
from zerenzhi.provisioning import plugin_state
from zerenzhi.provisioning.service import ProvisioningError, create_county, create_township
from zerenzhi.provisioning.tenant_files import (
    COMMITTEE,
    COUNTY_FILE,
    ProvisionError,
    TenantSpec,
    TenantTree,
    UserSpec,
    dumps,
    read_tree,
)
from zerenzhi.tenancy.clock import start_of_day
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant

DEFAULT_TIMEZONE = "Asia/Shanghai"

__all__ = ["ProvisionError", "Result", "apply_directory", "apply_tree", "export_tree"]


@dataclass
class Result:
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def apply_directory(session: Session, directory: Path) -> Result:
    """Read every file under ``directory`` first, then apply them (nothing is committed)."""
    return apply_tree(session, read_tree(directory))


def apply_tree(session: Session, tree: TenantTree) -> Result:
    result = Result()
    for county_spec in tree.counties:
        county = _sync_tenant(session, county_spec, None, result)
        with tenant_scope(county.ref()):
            _sync_users(session, county_spec, county, {}, result)
            _sync_plugins(session, county_spec, county, result)
            session.flush()
        for spec in tree.townships_of(county_spec.slug):
            new = session.scalar(select(Tenant.id).where(Tenant.slug == spec.slug)) is None
            township = _sync_tenant(session, spec, county, result)
            with tenant_scope(township.ref()):
                units = _sync_units(session, spec, result)
                _sync_users(session, spec, township, units, result)
                if new:
                    _posted_at_go_live(session, township)
                _archive_absent_units(session, spec, units, result)
                _sync_plugins(session, spec, township, result)
                _sync_rules(session, spec, township, result)
                if spec.demo:
                    settle(session)  # the calendar first: demo records fulfil its obligations
                    load_demo_data(session)  # plugins skip it where they have data already
                session.flush()
    return result


def _sync_tenant(session: Session, spec: TenantSpec, county: Tenant | None,
                 result: Result) -> Tenant:
    timezone = spec.timezone or (county.timezone if county else DEFAULT_TIMEZONE)
    tenant = session.scalar(select(Tenant).where(Tenant.slug == spec.slug))
    if tenant is None:
        try:
            if county is None:
                tenant = create_county(session, spec.slug, spec.name, spec.name_en, timezone,
                                       spec.language)
            else:
                committee = next((u.name for u in spec.units or () if u.code == COMMITTEE), None)
                tenant = create_township(session, county, spec.slug, spec.name, spec.name_en,
                                         timezone, committee, spec.live_from, spec.language)
        except ProvisioningError as exc:
            raise ProvisionError(spec.path, exc.field, exc.message) from exc
        result.changes.append(f"+ {spec.kind} {spec.slug}")
        return tenant
    if tenant.kind != spec.kind:
        raise ProvisionError(spec.path, "slug", f"{spec.slug!r} is already a {tenant.kind}")
    wanted = {"name": spec.name, "name_en": spec.name_en, "timezone": timezone,
              "county_id": county.id if county else None, "archived_at": None}
    if spec.live_from is not None:  # absent: the go-live date stays as it is
        wanted["live_from"] = spec.live_from
    if spec.language is not None:  # absent: as set through the API
        wanted["language"] = spec.language
    changed = [key for key, value in wanted.items() if getattr(tenant, key) != value]
    if changed:
        with tenant_scope(tenant.ref()):
            for key in changed:
                setattr(tenant, key, wanted[key])
            session.flush()
        labels = ["restored" if k == "archived_at" else k.removesuffix("_id") for k in changed]
        result.changes.append(f"~ {spec.kind} {spec.slug} {', '.join(labels)}")
    return tenant


def _posted_at_go_live(session: Session, township: Tenant) -> None:
    """The roster a township's first file lists is the one it went live with: its posts
    start on the go-live date, so who held a post when a period fell due is known from the
    first period on (``responsible_at_due``)."""
    if township.live_from is None or township.live_from >= local_today(township.timezone):
        return
    started = start_of_day(township.live_from)  # in the township's scope: its zone
    for post in session.scalars(select(Position).where(Position.ended_at.is_(None))):
        if post.started_at > started:
            post.started_at = started
    session.flush()


def _sync_units(session: Session, spec: TenantSpec, result: Result) -> dict[str, OrgUnit]:
    """Create, change and restore the file's units, parents first; return all by code."""
    units = {unit.code: unit for unit in session.scalars(select(OrgUnit))}
    for item in spec.units or ():
        label = f"{spec.slug}/{item.code}"
        try:
            if item.code == COMMITTEE:
                root = units[COMMITTEE]
                if root.name != item.name:
                    unit_service.update_unit(session, root, {"name": item.name})
                    result.changes.append(f"~ unit {label} name")
                continue
            parent_id = units[item.parent].id
            unit = units.get(item.code)
            if unit is None:
                units[item.code] = unit_service.create_unit(
                    session, code=item.code, name=item.name, kind=item.kind, parent_id=parent_id)
                result.changes.append(f"+ unit {label}")
                continue
            changed = []
            if unit.archived_at is not None:
                unit.archived_at = None
                changed.append("restored")
            wanted = {"name": item.name, "kind": item.kind, "parent_id": parent_id}
            diff = {k: v for k, v in wanted.items() if getattr(unit, k) != v}
            if diff:
                unit_service.update_unit(session, unit, diff)
            changed += [k.removesuffix("_id") for k in diff]
            if changed:
                session.flush()
                result.changes.append(f"~ unit {label} {', '.join(changed)}")
        except unit_service.UnitError as exc:
            raise ProvisionError(spec.path, f"{item.key}.{exc.field}", exc.message) from exc
    return units


def _archive_absent_units(session: Session, spec: TenantSpec, units: dict[str, OrgUnit],
                          result: Result) -> None:
    """Archive the units a file with ``[[units]]`` no longer lists, leaves first."""
    if spec.units is None:
        return
    listed = {COMMITTEE} | {item.code for item in spec.units}
    by_id = {unit.id: unit for unit in units.values()}

    def depth(unit: OrgUnit) -> int:
        return 0 if unit.parent_id is None else 1 + depth(by_id[unit.parent_id])

    absent = [u for u in units.values() if u.code not in listed and u.archived_at is None]
    for unit in sorted(absent, key=depth, reverse=True):
        try:
            unit_service.archive_unit(session, unit)
        except unit_service.UnitError as exc:
            raise ProvisionError(spec.path, "units", f"cannot archive {unit.code!r}: "
                                 f"{exc.message}") from exc
        result.changes.append(f"- unit {spec.slug}/{unit.code} (archived)")


def _post_label(role: str, unit: str | None) -> str:
    return f"{role}@{unit}" if unit else role


def _sync_users(session: Session, spec: TenantSpec, tenant: Tenant,
                units: dict[str, OrgUnit], result: Result) -> None:
    codes = {unit.id: code for code, unit in units.items()}
    for user in spec.users:
        try:
            _sync_user(session, spec, tenant, user, units, codes, result)
        except user_service.UserError as exc:
            raise ProvisionError(spec.path, f"{user.key}.{exc.field}", exc.message) from exc


def _sync_user(session: Session, spec: TenantSpec, tenant: Tenant, user: UserSpec,
               units: dict[str, OrgUnit], codes: dict, result: Result) -> None:
    wanted: dict[tuple, str] = {}
    for i, post in enumerate(user.positions):
        unit = units.get(post.unit) if post.unit else None
        if post.unit and (unit is None or unit.archived_at is not None):
            raise ProvisionError(spec.path, f"{user.key}.positions[{i}].unit",
                                 f"no unit {post.unit!r} in {spec.slug}")
        wanted[(post.role, unit.id if unit else None)] = _post_label(post.role, post.unit)
    account = session.scalar(select(UserAccount).where(
        UserAccount.username == user_service.normalise_username(user.username)))
    if account is None:
        password = user.demo_password or secrets.token_urlsafe(32)
        user_service.create_user(
            session, username=user.username, display_name=user.display_name, password=password,
            positions=[{"role": role, "unit_id": unit_id} for role, unit_id in wanted],
            by=OPERATOR)  # tenant files are the operator's: they post anyone (0012)
        result.changes.append(f"+ user {user.username}")
        result.changes += [f"+ position {user.username} {label}" for label in wanted.values()]
        if user.demo_password is None:
            result.notes.append(
                f"{user.username} has no usable password: set one with "
                f"`zerenzhi users set-password {user.username} --password-stdin`")
        return
    if account.home_tenant_id != tenant.id:
        raise ProvisionError(spec.path, f"{user.key}.username",
                             f"{user.username!r} belongs to another tenant or an operator")
    member = session.scalar(select(Member).where(Member.id == account.id))
    if member is None:
        member = Member(id=account.id, display_name=user.display_name)
        session.add(member)
        session.flush()
    if user.display_name not in (account.display_name, member.display_name) or (
            account.display_name != member.display_name):
        user_service.update_user(session, member, {"display_name": user.display_name},
                                 by=OPERATOR)
        result.changes.append(f"~ user {user.username} display_name")
    kept: set[tuple] = set()
    for position in user_service.member_positions(session, member.id, active_only=True):
        key = (position.role, position.unit_id)
        if key in wanted and key not in kept:
            kept.add(key)
            continue
        user_service.end_position(session, position)
        label = _post_label(position.role, codes.get(position.unit_id, position.unit_id))
        result.changes.append(f"- position {user.username} {label} (ended)")
    for (role, unit_id), label in wanted.items():
        if (role, unit_id) not in kept:
            user_service.add_position(session, member, role, unit_id, by=OPERATOR)
            result.changes.append(f"+ position {user.username} {label}")


def _sync_plugins(session: Session, spec: TenantSpec, tenant: Tenant, result: Result) -> None:
    for name, table in sorted(spec.plugins.items()):
        try:
            result.changes += plugin_state.apply_plugin_state(session, tenant, name, table)
        except plugin_state.PluginStateError as exc:
            raise ProvisionError(spec.path, f"plugins.{name}.{exc.key}", exc.message) from exc


def _sync_rules(session: Session, spec: TenantSpec, tenant: Tenant, result: Result) -> None:
    """A township's rule numbers, from the current period on (like ``PATCH .../rules``)."""
    if not spec.rules:
        return
    today = local_today(tenant.timezone)
    current = {eff.key: eff for eff in effective_rules(session, today)}
    for key, table in sorted(spec.rules.items()):
        eff = current.get(key)
        if eff is None:
            raise ProvisionError(spec.path, f"rules.{key}",
                                 "no such rule among the township's enabled modules")
        changes = {name: value for name, value in table.items()
                   if name != "reason" and getattr(eff, name) != value}
        if not changes:
            continue
        try:
            change_rule(session, eff.rule, {**changes, "reason": table.get("reason")}, today)
        except RuleChangeError as exc:
            field, messages = next(iter(exc.fields.items()))
            raise ProvisionError(spec.path, f"rules.{key}.{field}", messages[0]) from exc
        result.changes.append(f"~ rule {tenant.slug}/{key} {', '.join(sorted(changes))}")


def _export_rules(session: Session, tenant: Tenant) -> dict:
    today = local_today(tenant.timezone)
    out = {}
    for eff in effective_rules(session, today):
        own = {name: getattr(eff, name) for name, source in eff.sources.items()
               if source == "township"}
        if not eff.enabled:
            own["enabled"] = False
        if own:
            out[eff.key] = own
    return out


def export_tree(session: Session, directory: Path, county_slug: str | None = None) -> list[Path]:
    """Write every live county (or one) and its townships as files ``apply`` reads back
    unchanged."""
    written = []
    tenants = session.scalars(select(Tenant).where(Tenant.archived_at.is_(None))
                              .order_by(Tenant.slug)).all()
    counties = [t for t in tenants if t.kind == "county" and county_slug in (None, t.slug)]
    if county_slug and not counties:
        raise ProvisionError(directory, "", f"no county {county_slug!r}")
    for county in counties:
        folder = directory / county.slug
        folder.mkdir(parents=True, exist_ok=True)
        with tenant_scope(county.ref()):
            written.append(_write(folder / COUNTY_FILE, _document(session, county, None)))
        for township in (t for t in tenants if t.county_id == county.id):
            with tenant_scope(township.ref()):
                doc = _document(session, township, county)
            written.append(_write(folder / f"{township.slug}.toml", doc))
    return written


def _write(path: Path, doc: dict) -> Path:
    path.write_text(dumps(doc), encoding="utf-8")
    return path


def _document(session: Session, tenant: Tenant, county: Tenant | None) -> dict:
    doc: dict = {"slug": tenant.slug, "kind": tenant.kind, "name": tenant.name,
                 "name_en": tenant.name_en}
    if county is None or tenant.timezone != county.timezone:
        doc["timezone"] = tenant.timezone
    if tenant.live_from is not None:
        doc["live_from"] = tenant.live_from
    if tenant.language is not None:
        doc["language"] = tenant.language
    codes: dict = {}
    if tenant.kind == "township":
        doc["units"] = _export_units(session, codes)
    doc["users"] = _export_users(session, tenant, codes)
    rows = session.scalars(select(TenantPlugin).order_by(TenantPlugin.plugin))
    doc["plugins"] = {row.plugin: {"enabled": row.enabled, "settings": row.settings or {}}
                      for row in rows}
    if tenant.kind == "township":
        doc["rules"] = _export_rules(session, tenant)
    return doc


def _export_units(session: Session, codes: dict) -> list[dict]:
    """Live units, each after its parent, siblings in creation order (ids are time-ordered)."""
    live = session.scalars(select(OrgUnit).where(OrgUnit.archived_at.is_(None))
                           .order_by(OrgUnit.id)).all()
    codes.update({unit.id: unit.code for unit in live})
    children: dict = {}
    for unit in live:
        children.setdefault(unit.parent_id, []).append(unit)
    out: list[dict] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        entry = {"code": unit.code, "name": unit.name, "kind": unit.kind}
        if unit.parent_id is not None:
            entry["parent"] = codes[unit.parent_id]
        out.append(entry)
        stack += reversed(children.get(unit.id, []))
    return out


def _export_users(session: Session, tenant: Tenant, codes: dict) -> list[dict]:
    rows = session.execute(
        select(Member, UserAccount).join(UserAccount, UserAccount.id == Member.id)
        .where(UserAccount.home_tenant_id == tenant.id).order_by(UserAccount.username)
    ).all()
    users = []
    for member, account in rows:
        positions: list[dict] = []
        for post in session.scalars(select(Position).where(
                Position.member_id == member.id, Position.ended_at.is_(None))
                .order_by(Position.started_at)):
            if post.unit_id is None:
                positions.append({"role": post.role})
            elif post.unit_id in codes:  # a post at an archived unit is not written back
                positions.append({"role": post.role, "unit": codes[post.unit_id]})
        users.append({"username": account.username, "display_name": account.display_name,
                      "positions": positions})
    return users
