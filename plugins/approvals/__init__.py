"""approvals (審批備案): prior approval and filing of major activities (W6)."""

from zerenzhi.plugins.approvals.plugin import ApprovalsPlugin

plugin = ApprovalsPlugin()

__all__ = ["ApprovalsPlugin", "plugin"]
