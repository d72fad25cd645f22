"""accountability (問責): cases, decisions and referrals under the K clauses (K1–K13).

The entry point ``accountability = "zerenzhi.plugins.accountability:plugin"`` names this instance.
"""

from zerenzhi.plugins.accountability.plugin import AccountabilityPlugin

plugin = AccountabilityPlugin()

__all__ = ["AccountabilityPlugin", "plugin"]
