"""The plugin's obligation rule and permissions (default grants follow docs/domain.md's roles)."""

from __future__ import annotations

from zerenzhi import Label, Permission, RuleDef

QUARTERLY_GREETINGS = RuleDef(
    key="hello.quarterly_greetings",
    source="M5",  # a toy: capability building, stretched to cover saying hello
    title=Label("每季問候", "Quarterly greetings"),
    cadence="quarter",
    applies_to=("branch",),
    responsible="branch_secretary",
    evidence=Label("問候記錄", "A recorded greeting"),
    min_count=3,
)

READERS = ("secretary", "deputy", "member", "office", "branch_secretary", "unit_head", "viewer")
# A branch secretary writes too, but only for their own branch (core.require_unit_write).
WRITERS = ("secretary", "deputy", "office", "branch_secretary")

PERMISSIONS = [
    Permission("hello.greeting.read", Label("查看問候", "Read greetings"), READERS),
    Permission("hello.greeting.write", Label("記錄問候", "Record greetings"), WRITERS),
]
