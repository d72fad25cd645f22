"""Core's own permissions and the roles docs/domain.md gives them."""

from __future__ import annotations

from zerenzhi.auth.grants import GRANT, GRANT_LEADERSHIP
from zerenzhi.auth.permissions import Permission
from zerenzhi.labels import Label

TOWNSHIP_ALL = (
    "secretary", "deputy", "member", "office", "branch_secretary", "branch_committee_member",
    "unit_head", "viewer", "tenant_admin",
)
LEADERS = ("secretary", "deputy")

CORE_PERMISSIONS = (
    Permission("counties.read", Label("查看縣及其鄉鎮", "Read counties and their townships"),
               ("county_viewer", "county_admin", "platform_admin")),
    Permission("counties.manage", Label("管理縣", "Create counties"), ("platform_admin",)),
    Permission("townships.manage", Label("開設鄉鎮", "Provision townships"),
               ("county_admin", "platform_admin")),
    Permission("units.read", Label("查看組織架構", "Read the org tree"), TOWNSHIP_ALL),
    Permission("units.write", Label("維護組織架構", "Maintain the org tree"),
               ("secretary", "office", "tenant_admin")),
    Permission("users.read", Label("查看用戶及崗位", "Read users and positions"),
               ("secretary", "deputy", "office", "tenant_admin")),
    Permission("users.write", Label("管理用戶及崗位", "Manage users and positions"),
               ("tenant_admin",)),
    # who posts whom (decision 0012): the table is ``grants.ROLE_GRANTS``
    Permission(GRANT, Label("任命一般崗位", "Post users to the ordinary roles"),
               ("secretary", "tenant_admin")),
    Permission(GRANT_LEADERSHIP,
               Label("任命領導及查閱崗位", "Post leaders and case readers (M1, M2)"),
               ("secretary", "county_admin")),
    Permission("audit.read", Label("查看審計日誌", "Read the audit log"),
               ("secretary", "deputy", "viewer")),
    Permission("plugins.read", Label("查看模塊", "Read module settings"), TOWNSHIP_ALL),
    Permission("plugins.manage", Label("啓用及配置模塊", "Enable and configure modules"),
               ("tenant_admin",)),
    Permission("obligations.read", Label("查看責任清單", "Read rules, obligations and calendar"),
               TOWNSHIP_ALL),
    Permission("rules.write", Label("調整規則", "Change rule numbers or switch rules off"),
               LEADERS),
    Permission("obligations.waive", Label("豁免義務", "Waive an obligation, with a reason"),
               LEADERS),
    Permission("rollups.read", Label("查看全縣匯總", "Read the county's roll-ups of its townships"),
               ("county_viewer", "county_admin")),  # not platform_admin: no township work
    Permission("county_plugins.manage", Label("配置全縣模塊默認值", "Set county module defaults"),
               ("county_admin",)),
    Permission("directives.write", Label("下達督辦事項", "Assign directives to townships (W1)"),
               ("county_admin",)),
    Permission("inbox.acknowledge", Label("簽收上報材料", "Acknowledge reports sent upward"),
               ("county_admin",)),
    Permission("directives.read", Label("查看督辦事項", "Read the county's directives (W1)"),
               TOWNSHIP_ALL),
    Permission("directives.complete", Label("報告辦結情況", "Report a directive completed"),
               ("secretary", "deputy", "office")),
    Permission("outbox.read", Label("查看上報記錄", "Read reports sent upward and their receipt"),
               TOWNSHIP_ALL),
    # units record their own progress on a rule directive: the township-wide writers and the
    # unit-bound roles (in their own units, ``require_unit_write``); not viewers or admins
    Permission("directives.report",
               Label("記錄督辦事項落實情況", "Record a unit's progress on a directive"),
               ("secretary", "deputy", "office", "member", "branch_secretary",
                "branch_committee_member", "unit_head")),
)
