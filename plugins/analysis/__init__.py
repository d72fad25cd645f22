"""研判 analysis: regular half-year, forward-looking and ad-hoc situation analyses (A1–A4).

The entry point ``analysis = "zerenzhi.plugins.analysis:plugin"`` names this instance.
"""

from zerenzhi.plugins.analysis.plugin import AnalysisPlugin

plugin = AnalysisPlugin()

__all__ = ["AnalysisPlugin", "plugin"]
