"""The role catalogue of docs/domain.md (M1–M3, W4): who each role is and how far it reaches."""

from __future__ import annotations

from dataclasses import dataclass

from zerenzhi.labels import Label

# Scope kinds: "township" (whole tenant), "unit" (own unit only), "assigned" (units the
# member is posted to), "county" (the county tenant), "platform" (the service).


@dataclass(frozen=True)
class Role:
    name: str
    label: Label
    scope: str
    tenant_kind: str  # "township" | "county" | "platform"
    read_only: bool = False
    needs_unit: bool = False


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role("secretary", Label("黨委書記", "Party secretary (first responsible person, M1)"),
             "township", "township"),
        Role("deputy", Label("分管領導", "Leader in charge (directly responsible, M2)"),
             "township", "township"),
        Role("member", Label("班子成員", "Committee member (one post, two duties, M3)"),
             "assigned", "township", needs_unit=True),
        Role("office", Label("辦公室", "Office of the leading group (W4, I1)"),
             "township", "township"),
        Role("branch_secretary", Label("支部書記", "Branch secretary (W2, W3)"),
             "unit", "township", needs_unit=True),
        Role("branch_committee_member",
             Label("支委", "Branch committee member (leadership duty by division of work, M3)"),
             "unit", "township", needs_unit=True),
        Role("unit_head", Label("村(居)委會、站所負責人", "Head of village or station (W4, I3)"),
             "unit", "township", needs_unit=True),
        Role("viewer", Label("查閱", "Viewer (read-only)"), "township", "township", read_only=True),
        Role("tenant_admin", Label("系統管理員", "Township administrator"),
             "township", "township"),
        Role("county_viewer", Label("縣級查閱", "County viewer"), "county", "county",
             read_only=True),
        Role("county_admin", Label("縣級管理員", "County administrator"), "county", "county"),
        Role("platform_admin", Label("平台運維", "Platform operator"), "platform", "platform"),
    )
}

# every role a township member can hold, business roles and its administrator
TOWNSHIP_ROLES = tuple(name for name, role in ROLES.items() if role.tenant_kind == "township")
COUNTY_ROLES = ("county_viewer", "county_admin")  # county staff: roll-ups and directives

# Named groups of township roles, for permission grants (``Permission(..., roles=LEADERS)``).
LEADERS = ("secretary", "deputy")  # first and directly responsible (M1, M2)
LEADERS_AND_OFFICE = (*LEADERS, "office")  # who runs the township's programme (W4, I1)
TOWNSHIP_STAFF = (*LEADERS, "member", "office")  # the committee and its office
UNIT_HEADS = ("branch_secretary", "unit_head")  # act for their own unit only (W2, W4)
# 支委: keep their branch's records within their own unit, like its secretary (M3)
TOWNSHIP_WRITERS = (*TOWNSHIP_STAFF, *UNIT_HEADS, "branch_committee_member")
TOWNSHIP_READERS = (*TOWNSHIP_WRITERS, "viewer")  # every business role; not the admin (users only)
