"""W1's rule and the module's rights.

"認真貫徹落實黨中央和省委、市委、縣委關於意識形態工作的決策部署": every level's deployment,
not only the county's directives (core's ``directives``), lands on the township; it records
each one and the tasks it sets, and each task is owed by its deadline.
"""

from __future__ import annotations

from zerenzhi import (
    LEADERS_AND_OFFICE,
    TOWNSHIP_READERS,
    TOWNSHIP_WRITERS,
    Label,
    Permission,
    RuleDef,
)

TASK = RuleDef(
    key="deployments.task",
    source="W1",
    title=Label("落實上級部署任務", "Carry out a task deployed by a higher level"),
    cadence="event",
    applies_to=("committee", "branch", "village", "station", "office"),
    responsible={"committee": "secretary", "branch": "branch_secretary",
                 "village": "unit_head", "station": "unit_head", "office": "office"},
    evidence=Label("任務完成記錄", "The task's completion record"),
    # a task's own deadline decides; a deployment that sets none: 30 days from its issue
    deadline_hours=30 * 24,
    not_in_text=("deadline_hours",),
)

READ = "deployments.document.read"
WRITE = "deployments.document.write"
COMPLETE = "deployments.task.complete"

PERMISSIONS = [
    Permission(READ, Label("查看上級部署", "Read deployments from higher levels"),
               TOWNSHIP_READERS),
    # the committee receives deployments; its office keeps them (W4)
    Permission(WRITE, Label("登記上級部署", "Record a deployment and its tasks"),
               LEADERS_AND_OFFICE),
    # the unit carrying a task reports it done, in its own unit only
    Permission(COMPLETE, Label("報告任務完成", "Record a task's completion"), TOWNSHIP_WRITERS),
]
