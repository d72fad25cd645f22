"""zerenzhi-hello: the smallest complete zerenzhi plugin, as a template for integrators.

The entry point ``hello = "zerenzhi_hello:plugin"`` names this instance; zerenzhi finds
it in the ``zerenzhi.plugins`` group, exactly as it finds its built-in modules.
"""

from zerenzhi_hello.plugin import HelloPlugin

plugin = HelloPlugin()

__all__ = ["HelloPlugin", "plugin"]
