"""zerenzhi core. This module is the public face plugins import from (like ``pytest``
over ``_pytest``): anything not exported here may move without notice.
"""

from core.audit.recorder import record as audit_event
from core.auth.permissions import AUTHENTICATED, PUBLIC, Permission, requires
from core.auth.scope import can_write_unit, current_identity, require_unit_write
from core.db.base import Archivable, Base, TenantScoped, Timestamped, new_id, tenant_fk, utcnow
from core.db.rls import disable_tenant_rls, enable_tenant_rls
from core.db.session import session
from core.directives.service import send_upward
from core.events import Event, emit
from core.labels import Label, render
from core.obligations.ledger import Evidence
from core.obligations.ledger import sync as sync_evidence
from core.obligations.ledger import withdraw as withdraw_evidence
from core.obligations.materialize import (
    close_event_obligation,
    open_event_obligation,
    reschedule_event_obligation,
)
from core.obligations.periods import Period, local_today, parse_period, period_of
from core.obligations.rules import RuleDef
from core.obligations.service import summary as obligation_summary
from core.orgunits.models import UNIT_KINDS, OrgUnit
from core.orgunits.service import get_unit, unit_members, units_of_kind
from core.plugins.hookspecs import hookimpl
from core.plugins.manifest import Manifest
from core.plugins.service import plugin_settings, townships_enabling
from core.references import describe as describe_reference
from core.rollups.metrics import RollupMetric
from core.routes.common import InputSchema, QuerySchema, SelectPage
from core.tenancy.context import TenantRef, current_tenant, require_tenant, tenant_scope
from core.tenancy.request import not_found
from core.tenancy.service import find_tenants

__all__ = [
    "AUTHENTICATED",
    "PUBLIC",
    "UNIT_KINDS",
    "Archivable",
    "Base",
    "Event",
    "Evidence",
    "InputSchema",
    "Label",
    "Manifest",
    "OrgUnit",
    "Period",
    "Permission",
    "QuerySchema",
    "RollupMetric",
    "RuleDef",
    "SelectPage",
    "TenantRef",
    "TenantScoped",
    "Timestamped",
    "audit_event",
    "can_write_unit",
    "close_event_obligation",
    "current_identity",
    "current_tenant",
    "describe_reference",
    "disable_tenant_rls",
    "emit",
    "enable_tenant_rls",
    "find_tenants",
    "get_unit",
    "hookimpl",
    "local_today",
    "new_id",
    "not_found",
    "obligation_summary",
    "open_event_obligation",
    "parse_period",
    "period_of",
    "plugin_settings",
    "render",
    "require_tenant",
    "require_unit_write",
    "requires",
    "reschedule_event_obligation",
    "send_upward",
    "session",
    "sync_evidence",
    "tenant_fk",
    "tenant_scope",
    "townships_enabling",
    "unit_members",
    "units_of_kind",
    "utcnow",
    "withdraw_evidence",
]
