"""zerenzhi core. This module is the public face plugins import from (like ``pytest``
over ``_pytest``): anything not exported here may move without notice.
"""

from zerenzhi.audit.recorder import record as audit_event
from zerenzhi.auth.members import (
    MemberInfo,
    get_member,
    member_fk,
    township_members,
    unit_members,
)
from zerenzhi.auth.permissions import AUTHENTICATED, PUBLIC, Permission, requires
from zerenzhi.auth.roles import (
    COUNTY_ROLES,
    LEADERS,
    LEADERS_AND_OFFICE,
    TOWNSHIP_READERS,
    TOWNSHIP_ROLES,
    TOWNSHIP_STAFF,
    TOWNSHIP_WRITERS,
    UNIT_HEADS,
)
from zerenzhi.auth.scope import can_write_unit, current_identity, require_unit_write
from zerenzhi.console.charts import bar_chart, line_chart
from zerenzhi.console.forms import (
    N_,
    Form,
    Pager,
    load_query,
    local_moments,
    local_value,
    page_answer,
    township_url,
)
from zerenzhi.console.pages import render_page
from zerenzhi.db.base import (
    Archivable,
    Base,
    CountyReadable,
    TenantScoped,
    Timestamped,
    new_id,
    tenant_fk,
    utcnow,
)
from zerenzhi.db.listing import listed
from zerenzhi.db.rls import (
    add_county_read,
    disable_county_read,
    disable_tenant_rls,
    drop_county_read,
    enable_county_read,
    enable_tenant_rls,
)
from zerenzhi.db.session import session, writing
from zerenzhi.directives.service import send_upward, upward_receipt
from zerenzhi.domain import DomainError
from zerenzhi.events import Event, emit
from zerenzhi.jobs.spec import Job
from zerenzhi.labels import Label, render
from zerenzhi.obligations.ledger import Evidence
from zerenzhi.obligations.ledger import sync as sync_evidence
from zerenzhi.obligations.ledger import withdraw as withdraw_evidence
from zerenzhi.obligations.materialize import (
    EventObligation,
    close_event_obligation,
    open_event_obligation,
    reschedule_event_obligation,
)
from zerenzhi.obligations.periods import Period, local_today, parse_period, period_of
from zerenzhi.obligations.rules import RuleDef
from zerenzhi.obligations.service import summary as obligation_summary
from zerenzhi.observability.metrics import count_delivery
from zerenzhi.orgunits.models import UNIT_KINDS, OrgUnit
from zerenzhi.orgunits.service import committee, get_unit, live_unit, units_of_kind
from zerenzhi.plugin_host.base import Plugin
from zerenzhi.plugin_host.hookspecs import hookimpl
from zerenzhi.plugin_host.manifest import Manifest
from zerenzhi.plugin_host.pages import NavEntry, Pages
from zerenzhi.plugin_host.service import plugin_settings, township_settings, townships_enabling
from zerenzhi.references import describe as describe_reference
from zerenzhi.references import describe_obligations
from zerenzhi.rollups.metrics import RollupMetric, townships_by_zone
from zerenzhi.routes.common import (
    Blueprint,
    InputSchema,
    ListQuery,
    QuerySchema,
    RowPage,
    SelectPage,
    get_or_404,
    not_in_future,
)
from zerenzhi.tenancy.catalogue import find_tenants
from zerenzhi.tenancy.clock import local_noon, start_of_day, tenant_zone, today
from zerenzhi.tenancy.context import TenantRef, current_tenant, require_tenant, tenant_scope
from zerenzhi.web.pipeline import not_found

__all__ = [
    "AUTHENTICATED",
    "COUNTY_ROLES",
    "LEADERS",
    "LEADERS_AND_OFFICE",
    "N_",
    "PUBLIC",
    "TOWNSHIP_READERS",
    "TOWNSHIP_ROLES",
    "TOWNSHIP_STAFF",
    "TOWNSHIP_WRITERS",
    "UNIT_HEADS",
    "UNIT_KINDS",
    "Archivable",
    "Base",
    "Blueprint",
    "CountyReadable",
    "DomainError",
    "Event",
    "EventObligation",
    "Evidence",
    "Form",
    "InputSchema",
    "Job",
    "Label",
    "ListQuery",
    "Manifest",
    "MemberInfo",
    "NavEntry",
    "OrgUnit",
    "Pager",
    "Pages",
    "Period",
    "Permission",
    "Plugin",
    "QuerySchema",
    "RollupMetric",
    "RowPage",
    "RuleDef",
    "SelectPage",
    "TenantRef",
    "TenantScoped",
    "Timestamped",
    "add_county_read",
    "audit_event",
    "bar_chart",
    "can_write_unit",
    "close_event_obligation",
    "committee",
    "count_delivery",
    "current_identity",
    "current_tenant",
    "describe_obligations",
    "describe_reference",
    "disable_county_read",
    "disable_tenant_rls",
    "drop_county_read",
    "emit",
    "enable_county_read",
    "enable_tenant_rls",
    "find_tenants",
    "get_member",
    "get_or_404",
    "get_unit",
    "hookimpl",
    "line_chart",
    "listed",
    "live_unit",
    "load_query",
    "local_moments",
    "local_noon",
    "local_today",
    "local_value",
    "member_fk",
    "new_id",
    "not_found",
    "not_in_future",
    "obligation_summary",
    "open_event_obligation",
    "page_answer",
    "parse_period",
    "period_of",
    "plugin_settings",
    "render",
    "render_page",
    "require_tenant",
    "require_unit_write",
    "requires",
    "reschedule_event_obligation",
    "send_upward",
    "session",
    "start_of_day",
    "sync_evidence",
    "tenant_fk",
    "tenant_scope",
    "tenant_zone",
    "today",
    "township_members",
    "township_settings",
    "township_url",
    "townships_by_zone",
    "townships_enabling",
    "unit_members",
    "units_of_kind",
    "upward_receipt",
    "utcnow",
    "withdraw_evidence",
    "writing",
]
