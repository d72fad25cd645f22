"""Usernames are stored normalised (NFKC, then case-folded) so that names differing only by
case are one account; refuses to run when two stored names would become the same.
The login-attempt log is left as it was: it only throttles, over a quarter of an hour.

Revision ID: 0009
Revises: 0008
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def normalise(username: str) -> str:
    """The same rule as ``zerenzhi.auth.service.normalise_username``, frozen here."""
    return unicodedata.normalize("NFKC", username).casefold()


def upgrade() -> None:
    bind = op.get_bind()
    account = sa.table("user_account", sa.column("id", sa.Uuid()),
                       sa.column("username", sa.String(150)))
    rows = bind.execute(sa.select(account.c.id, account.c.username)).all()
    seen: dict[str, str] = {}
    for _id, username in rows:
        key = normalise(username)
        if key in seen:
            raise RuntimeError(
                f"usernames {seen[key]!r} and {username!r} differ only by case: rename one "
                f"(zerenzhi users …) before upgrading; nothing was changed")
        seen[key] = username
    for id_, username in rows:
        if normalise(username) != username:
            bind.execute(sa.update(account).where(account.c.id == id_)
                         .values(username=normalise(username)))


def downgrade() -> None:
    """Nothing to undo: the original spelling is not kept."""
