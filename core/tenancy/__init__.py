from zerenzhi.tenancy.context import (
    TenantContextError,
    TenantRef,
    current_tenant,
    require_tenant,
    tenant_scope,
)

__all__ = ["TenantContextError", "TenantRef", "current_tenant", "require_tenant", "tenant_scope"]
