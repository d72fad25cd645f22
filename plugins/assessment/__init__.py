"""assessment (考覈): the annual assessment of every unit (M4, I4)."""

from zerenzhi.plugins.assessment.plugin import AssessmentPlugin

plugin = AssessmentPlugin()

__all__ = ["AssessmentPlugin", "plugin"]
