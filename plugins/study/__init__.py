"""study (學習管理): theory study, special studies and training (W2, W3, M5).

The entry point ``study = "zerenzhi.plugins.study:plugin"`` names this instance.
"""

from zerenzhi.plugins.study.plugin import StudyPlugin

plugin = StudyPlugin()

__all__ = ["StudyPlugin", "plugin"]
