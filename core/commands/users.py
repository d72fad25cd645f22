"""``zerenzhi users create|list|set-password``: accounts for operators and first admins.

Passwords come from stdin (``--password-stdin``) or a hidden prompt, never from argv,
where other users of the machine could read them.
"""

from __future__ import annotations

import sys
import unicodedata

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.auth import users as user_service
from zerenzhi.auth.grants import OPERATOR
from zerenzhi.auth.models import Member, UserAccount
from zerenzhi.auth.passwords import hash_password
from zerenzhi.commands import CommandError, operator_session
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.orgunits.service import unit_by_code
from zerenzhi.provisioning.tenant_files import USERNAME
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def find_tenant(sess: Session, township: str | None, county: str | None) -> Tenant:
    if bool(township) == bool(county):
        raise CommandError("give exactly one of --township SLUG or --county SLUG")
    kind, slug = ("township", township) if township else ("county", county)
    tenant = sess.scalar(select(Tenant).where(Tenant.slug == slug, Tenant.kind == kind,
                                              Tenant.archived_at.is_(None)))
    if tenant is None:
        raise CommandError(f"no {kind} {slug!r}")
    return tenant


def _fail(error: user_service.UserError) -> CommandError:
    return CommandError(f"{error.field}: {error.message}")


@click.group("users", help="User accounts and their positions.")
def users_group() -> None:
    pass


@users_group.command("create")
@click.argument("username")
@click.option("--township", default=None, help="Home township (slug).")
@click.option("--county", default=None, help="Home county (slug), for county users.")
@click.option("--platform-admin", is_flag=True, help="A platform operator (no tenant).")
@click.option("--role", default=None, help="The user's first position's role.")
@click.option("--unit", "unit_code", default=None, help="Unit code (default: the committee).")
@click.option("--display-name", default=None, help="Shown name (default: the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
@with_appcontext
def create_command(username: str, township: str | None, county: str | None,
                   platform_admin: bool, role: str | None, unit_code: str | None,
                   display_name: str | None, password_stdin: bool) -> None:
    """Create USERNAME with one position (or as a platform operator)."""
    if not USERNAME.fullmatch(username):
        raise CommandError("username: 3–150 letters, digits, '.', '_', '@' or '-'")
    if platform_admin and (township or county or role or unit_code):
        raise CommandError("--platform-admin takes no --township, --county, --role or --unit")
    if not platform_admin and not role:
        raise CommandError("--role is required (or --platform-admin)")
    password = read_password(password_stdin)
    display_name = display_name or username
    with operator_session() as sess:
        try:
            if platform_admin:
                _create_operator(sess, username, display_name, password)
                label = "platform_admin"
            else:
                tenant = find_tenant(sess, township, county)
                with tenant_scope(tenant.ref()):
                    unit = _unit(sess, tenant, unit_code)
                    # an operator tool: it posts anyone to any role, the leaders too (0012)
                    user_service.create_user(
                        sess, username=username, display_name=display_name, password=password,
                        positions=[{"role": role, "unit_id": unit.id if unit else None}],
                        by=OPERATOR)
                where = unit_code or ("committee" if tenant.kind == "township" else tenant.slug)
                label = f"{role}@{where}"
        except user_service.UserError as error:
            sess.rollback()
            raise _fail(error) from error
        sess.commit()
    click.echo(f"created {username} ({label})")


def _unit(sess: Session, tenant: Tenant, code: str | None) -> OrgUnit | None:
    if code is None:
        return None
    if tenant.kind == "county":
        raise CommandError("county positions have no unit")
    unit = unit_by_code(sess, code)
    if unit is None or unit.archived_at is not None:
        raise CommandError(f"no unit {code!r} in {tenant.slug}")
    return unit


def _create_operator(sess: Session, username: str, display_name: str, password: str) -> None:
    user_service.check_password(password)
    username = user_service.normalise_username(username)  # as logging in folds it
    if sess.scalar(select(UserAccount.id).where(UserAccount.username == username)):
        raise user_service.UserError("username", "this username is not available")
    sess.add(UserAccount(username=username, display_name=display_name, platform_admin=True,
                         password_hash=hash_password(password), home_tenant_id=None))
    sess.flush()


@users_group.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
@with_appcontext
def set_password_command(username: str, password_stdin: bool) -> None:
    """Set (or reset) USERNAME's password, revoking the account's tokens and feed token."""
    password = read_password(password_stdin)
    with operator_session() as sess:
        account = sess.scalar(select(UserAccount).where(
            UserAccount.username == user_service.normalise_username(username)))
        if account is None:
            raise CommandError(f"no user {username!r}")
        try:
            user_service.check_password(password)
        except user_service.UserError as error:
            raise _fail(error) from error
        home = sess.get(Tenant, account.home_tenant_id) if account.home_tenant_id else None
        with tenant_scope(home.ref() if home else None):  # audited in the home tenant
            user_service.set_password(sess, account, password)  # its tokens are revoked
        sess.commit()
    click.echo(f"password set for {username}")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row))
            .rstrip() for row in rows]


@users_group.command("list")
@click.option("--township", default=None, help="Township (slug).")
@click.option("--county", default=None, help="County (slug).")
@with_appcontext
def list_command(township: str | None, county: str | None) -> None:
    """A tenant's users: username, display name and current positions (role@unit)."""
    rows: list[tuple[str, ...]] = [("USERNAME", "DISPLAY NAME", "POSITIONS")]
    with operator_session() as sess:
        tenant = find_tenant(sess, township, county)
        with tenant_scope(tenant.ref()):
            codes = {u.id: u.code for u in sess.scalars(select(OrgUnit))}
            found = sess.execute(select(Member, UserAccount)
                                 .join(UserAccount, UserAccount.id == Member.id)
                                 .order_by(UserAccount.username)).all()
            for member, account in found:
                posts = user_service.member_positions(sess, member.id, active_only=True)
                labels = [f"{p.role}@{codes.get(p.unit_id, tenant.slug)}" for p in posts]
                if account.disabled_at is not None:
                    labels.append("(disabled)")
                rows.append((account.username, account.display_name, " ".join(labels)))
        sess.rollback()
    for line in _table(rows):
        click.echo(line)
