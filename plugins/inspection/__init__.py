"""督查 inspection: the half-year special inspection, findings and their rectification,
ratings and interviews (約談), and per-unit scores (I1–I4).

The entry point ``inspection = "zerenzhi.plugins.inspection:plugin"`` names this instance.
"""

from zerenzhi.plugins.inspection.plugin import InspectionPlugin

plugin = InspectionPlugin()

__all__ = ["InspectionPlugin", "plugin"]
