"""platforms (陣地): the organisation's own channels and incidents (P1–P4, W7).

The entry point ``platforms = "plugins.platforms:plugin"`` names this instance.
"""

from plugins.platforms.plugin import PlatformsPlugin

plugin = PlatformsPlugin()

__all__ = ["PlatformsPlugin", "plugin"]
