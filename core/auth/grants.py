"""Who may post whom to which role (decision 0012).

A post is a right: whoever posts a member as ``viewer`` lets them read accountability cases.
So posting is itself a permission, and the table below says which permission posts to which
role. The township admin keeps the accounts and the ordinary posts; the leaders (M1, M2) and
the case readers are posted only by the secretary (or the county admin); nobody posts
themselves. The ``zerenzhi users`` commands and tenant files are operator tools and post
anyone (``OPERATOR``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from zerenzhi.auth.identity import Identity
from zerenzhi.domain import DomainError

GRANT = "users.grant"  # the ordinary posts; also opens ``POST .../positions``
GRANT_LEADERSHIP = "users.grant_leadership"  # the leaders and the case readers

# Which permission posts to which roles. Secretary and deputy are first and directly
# responsible (M1, M2); they and the viewer read accountability cases (the accountability
# module's CASE_READERS), the strictest right in the product.
ROLE_GRANTS: dict[str, tuple[str, ...]] = {
    GRANT: ("office", "member", "branch_secretary", "branch_committee_member", "unit_head",
            "tenant_admin"),
    GRANT_LEADERSHIP: ("secretary", "deputy", "viewer"),
}

OPERATOR: Identity | None = None  # the CLI and tenant files: no caller, posts anyone
security_log = logging.getLogger("zerenzhi.security")


def grantable_roles(permissions: Iterable[str]) -> frozenset[str]:
    """The roles that ``permissions`` may post a member to."""
    return frozenset(role for permission in permissions
                     for role in ROLE_GRANTS.get(permission, ()))


def check_grant(by: Identity | None, member_id: uuid.UUID, role: str) -> None:
    """403 unless ``by`` may post ``member_id`` to ``role``: the table allows it and the
    member is someone else. ``OPERATOR`` (None) may post anyone."""
    if by is None:
        return
    if member_id == by.user_id:
        message = "nobody posts themselves; another holder of the right must"
    elif role not in grantable_roles(by.permissions):
        needed = next((p for p, roles in ROLE_GRANTS.items() if role in roles), None)
        message = (f"posting a {role} needs {needed}" if needed
                   else f"a {role} is posted by an operator only")
    else:
        return
    security_log.warning("refused to let %s post %s as %s", by.username, member_id, role)
    raise DomainError("role", message, 403)


def check_password_reset(by: Identity | None, member_id: uuid.UUID, roles: Iterable[str]) -> None:
    """403 unless ``by`` may grant every post the member holds: setting someone's password is
    taking their posts, so an admin who may not post a secretary may not reset theirs either.
    One's own password, and ``OPERATOR``, always pass."""
    if by is None or member_id == by.user_id:
        return
    beyond = sorted(set(roles) - grantable_roles(by.permissions))
    if beyond:
        security_log.warning("refused to let %s reset the password of %s (%s)",
                             by.username, member_id, ", ".join(beyond))
        raise DomainError("password", f"only an operator resets the password of a "
                                      f"{beyond[0]} (zerenzhi users set-password)", 403)
