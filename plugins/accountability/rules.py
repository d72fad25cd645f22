"""The accountability module's permissions: the strictest in the product.

Cases are read only by the secretary (M1), the deputy (M2) and designated viewers (e.g. a
discipline inspector, read-only), and written only by the secretary and deputy. Every
read of a case is audited as well as every write. The catalogue is the seed's public text
and is readable by every township role. There are no obligation rules: the K clauses say
what follows when duties are neglected, not what must happen on a cadence.
"""

from __future__ import annotations

from zerenzhi import LEADERS, TOWNSHIP_READERS, Label, Permission

CASE_READERS = (*LEADERS, "viewer")

PERMISSIONS = [
    Permission("accountability.catalogue.read",
               Label("查看問責情形和方式", "Read the accountability catalogue"),
               TOWNSHIP_READERS),
    Permission("accountability.case.read", Label("查閱問責案件", "Read accountability cases"),
               CASE_READERS),
    Permission("accountability.case.write",
               Label("立案、調查、決定和報請問責", "Open, investigate, decide and refer cases"),
               LEADERS),
    Permission("accountability.alert.read",
               Label("查看問責提示", "Read accountability alerts"), CASE_READERS),
]
