"""The door of the domain model: what other apps may use of ``content``.

Other apps import this module (or ``content.services`` / ``content.selectors``), never
``content.models`` or another internal module: the import contracts in ``pyproject.toml``
check it. Models cross the border as instances returned by the selectors; the names
re-exported here are the enumerations, settings and checks that other apps need.
"""

from content.checking import AnswerError, Check, check_choices, check_numeric
from content.course_settings import PolicySettings, course_settings_check, course_settings_for
from content.models import ExerciseKind, Status
from content.package import CoursePackageError, parse_package
from content.selectors import (
    StudentExercise,
    course_by_slug,
    exercise_for_student,
    published_courses,
    visible_courses,
)
from content.services import course_content_changed

__all__ = [
    "AnswerError",
    "Check",
    "CoursePackageError",
    "ExerciseKind",
    "PolicySettings",
    "Status",
    "StudentExercise",
    "check_choices",
    "check_numeric",
    "course_by_slug",
    "course_content_changed",
    "course_settings_check",
    "course_settings_for",
    "exercise_for_student",
    "parse_package",
    "published_courses",
    "visible_courses",
]
