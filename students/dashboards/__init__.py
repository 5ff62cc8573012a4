"""Reads behind the teacher's dashboards: the classroom x concept heatmap, one student's
page, the students who are stuck and why, and item analysis per exercise.

Pure reads: frozen dataclasses out, nothing written. Every function takes the signed-in
user and answers None for a classroom (or a student) that is not theirs to see, so a
forged id answers 404. Each one runs a fixed number of queries whatever the number of
students, concepts and answers (tests/students/test_dashboard_queries.py); filters go
through subqueries, never through long lists of ids (a query has a parameter limit).
Re-exported by ``students.selectors``, the student model's door.
"""

from students.dashboards.common import (
    ClassroomRoster,
    DashboardSettings,
    Member,
    classroom_for_teacher,
    classroom_roster,
    classrooms_visible_to,
)
from students.dashboards.heatmap import ClassroomHeatmap, ConceptColumn, HeatmapRow, classroom_heatmap
from students.dashboards.items import ItemAnalysis, ItemStats, WrongAnswer, item_analysis
from students.dashboards.stuck import (
    Action,
    StuckReason,
    StuckRule,
    StuckStudent,
    classroom_stuck_students,
    stuck_students,
)
from students.dashboards.student import AttemptLine, ConceptState, StudentPage, student_page

__all__ = [
    "Action",
    "AttemptLine",
    "ClassroomHeatmap",
    "ClassroomRoster",
    "ConceptColumn",
    "ConceptState",
    "DashboardSettings",
    "HeatmapRow",
    "ItemAnalysis",
    "ItemStats",
    "Member",
    "StuckReason",
    "StuckRule",
    "StuckStudent",
    "StudentPage",
    "WrongAnswer",
    "classroom_for_teacher",
    "classroom_heatmap",
    "classroom_roster",
    "classroom_stuck_students",
    "classrooms_visible_to",
    "item_analysis",
    "stuck_students",
    "student_page",
]
