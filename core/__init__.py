"""zerenzhi core. This module is the public face plugins import from (like ``pytest``
over ``_pytest``): anything not exported here may move without notice.
"""

from core.auth.permissions import AUTHENTICATED, PUBLIC, Permission, requires
from core.db.base import Archivable, Base, TenantScoped, Timestamped, new_id, tenant_fk, utcnow
from core.db.rls import disable_tenant_rls, enable_tenant_rls
from core.db.session import session
from core.labels import Label, render
from core.plugins.hookspecs import hookimpl
from core.plugins.manifest import Manifest
from core.plugins.service import plugin_settings
from core.events import Event, emit
from core.routes.common import InputSchema, QuerySchema, SelectPage
from core.tenancy.context import TenantRef, current_tenant, require_tenant, tenant_scope

__all__ = [
    "AUTHENTICATED", "PUBLIC", "Archivable", "Base", "InputSchema", "Label", "Manifest",
    "Permission", "QuerySchema", "SelectPage", "TenantRef", "TenantScoped", "Timestamped",
    "Event", "current_tenant", "emit", "plugin_settings", "disable_tenant_rls", "enable_tenant_rls", "hookimpl", "new_id",
    "render", "require_tenant", "requires", "session", "tenant_fk", "tenant_scope", "utcnow",
]
