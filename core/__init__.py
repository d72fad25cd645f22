"""zerenzhi core. This module is the public face plugins import from (like ``pytest``
over ``_pytest``): anything not exported here may move without notice.
"""

from core.auth.permissions import AUTHENTICATED, PUBLIC, Permission, requires
from core.db.base import Archivable, Base, TenantScoped, Timestamped, new_id, tenant_fk, utcnow
from core.db.rls import disable_tenant_rls, enable_tenant_rls
from core.db.session import session
from core.events import Event, emit
from core.labels import Label, render
from core.obligations.ledger import Evidence
from core.obligations.ledger import sync as sync_evidence
from core.obligations.ledger import withdraw as withdraw_evidence
from core.obligations.materialize import open_event_obligation
from core.obligations.rules import RuleDef
from core.orgunits.models import OrgUnit
from core.plugins.hookspecs import hookimpl
from core.plugins.manifest import Manifest
from core.plugins.service import plugin_settings
from core.routes.common import InputSchema, QuerySchema, SelectPage
from core.tenancy.context import TenantRef, current_tenant, require_tenant, tenant_scope

__all__ = [
    "AUTHENTICATED", "PUBLIC", "Archivable", "Base", "Event", "Evidence", "InputSchema",
    "Label", "Manifest", "OrgUnit", "Permission", "QuerySchema", "RuleDef", "SelectPage",
    "TenantRef", "TenantScoped", "Timestamped", "current_tenant", "disable_tenant_rls", "emit",
    "enable_tenant_rls", "hookimpl", "new_id", "open_event_obligation", "plugin_settings",
    "render", "require_tenant", "requires", "session", "sync_evidence", "tenant_fk",
    "tenant_scope", "utcnow", "withdraw_evidence",
]
