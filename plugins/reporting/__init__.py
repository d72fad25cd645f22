"""reporting (報告): the committee's meetings on ideology and its reports upward (R1–R3).

The entry point ``reporting = "zerenzhi.plugins.reporting:plugin"`` names this instance.
"""

from zerenzhi.plugins.reporting.plugin import ReportingPlugin

plugin = ReportingPlugin()

__all__ = ["ReportingPlugin", "plugin"]
