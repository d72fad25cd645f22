"""platforms (陣地): the organisation's own channels and incidents (P1–P4, W7).

The entry point ``platforms = "zerenzhi.plugins.platforms:plugin"`` names this instance.
"""

from zerenzhi.plugins.platforms.plugin import PlatformsPlugin

plugin = PlatformsPlugin()

__all__ = ["PlatformsPlugin", "plugin"]
