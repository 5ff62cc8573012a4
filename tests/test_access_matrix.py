"""Every URL pattern of the project x every role, with the expected status per cell.

The patterns come from walking the URL resolver, so a new page or endpoint is in the matrix
the day it is added. The expected status of a cell follows the access rules of
``students/access.py`` and the house rule that objects a user may not know exist answer 404:

- anonymous: a page asks for the log-in (302), the API answers 403, public pages answer;
- a role outside the area of the URL (``AREA_ROLES``), or outside the roles an API view
  allows (its ``allowed_roles``, checked by ``HasAreaRole``): 403;
- inside its area: the owner of the object in the URL (and an admin) is served; the same
  role's *other* user gets 404 (another student's answer or session, another teacher's
  classroom); a forged id (one that exists nowhere) gets 404;
- nobody ever gets a 5xx.

Requests are GETs: a view that takes only POST answers 405 to every role allowed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from content.models import ExerciseKind
from students.access import AREA_ROLES, PUBLIC_PATHS, area_for_path
from tests.factories import (
    AdminFactory,
    AttemptFactory,
    ChoiceFactory,
    ClassroomFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    StudentFactory,
    TeacherFactory,
)
from tutor.practice.models import PracticeSession

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "other_student", "teacher", "other_teacher", "admin"]
ROLE_OF = {
    "student": "student",
    "other_student": "student",
    "teacher": "teacher",
    "other_teacher": "teacher",
    "admin": "admin",
}
FORGED_ID = 987654
SERVED = {200, 302, 405}  # served, redirected on (to the next step), or GET not taken
# Pages that answer 404 to a GET by design: their forms POST and there is no page to show.
GET_IS_404 = {"learn:answer", "learn:hint", "learn:worked_example"}
# Query parameters a view needs to find its object (the demo course's slug, as in the paths).
QUERY = {"api-assistant-conversation": "?course=elec"}
# Probes that report the service's state: 503 is an answer, not a failure.
PROBES = {"healthz", "readyz"}
PUBLIC_PREFIXES = ("/accounts/", *PUBLIC_PATHS)


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            if ns == "admin":
                continue  # the admin is walked by its registered models (below)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), name


def _routes() -> list[tuple[str, str]]:
    routes = list(dict.fromkeys(_walk(get_resolver().url_patterns)))
    admin_routes = [("admin/", "admin:index")]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        admin_routes.append((f"admin/{meta.app_label}/", "admin:app_list"))
        admin_routes.append((f"admin/{meta.app_label}/{meta.model_name}/", "admin:changelist"))
        if type(model_admin).has_add_permission is admin.ModelAdmin.has_add_permission:
            # (a model the admin may not add by hand, such as a grader version, has no add page)
            admin_routes.append((f"admin/{meta.app_label}/{meta.model_name}/add/", "admin:add"))
    return routes + list(dict.fromkeys(admin_routes))


@dataclass
class World:
    users: dict
    values: dict  # (route prefix, parameter) -> (value, owners, others)


@pytest.fixture
def world() -> World:
    student, other_student = StudentFactory(), StudentFactory()
    teacher, other_teacher = TeacherFactory(), TeacherFactory()
    course = CourseFactory(slug="elec")
    concept = ConceptFactory(course=course)
    exercise = ExerciseFactory(course=course, kind=ExerciseKind.MULTIPLE_CHOICE, concepts=[concept])
    ChoiceFactory(exercise=exercise, is_correct=True)
    classroom = ClassroomFactory(teacher=teacher)
    classroom.students.add(student)
    classroom.courses.add(course)
    ClassroomFactory(teacher=other_teacher).students.add(other_student)
    attempt = AttemptFactory(student=student, exercise=exercise)
    session = PracticeSession.objects.create(student=student, course=course)
    users = {
        "student": student,
        "other_student": other_student,
        "teacher": teacher,
        "other_teacher": other_teacher,
        "admin": AdminFactory(),
    }
    classroom_of = ({"teacher", "admin"}, {"other_teacher"})
    values = {
        ("classrooms/<int:pk>", "pk"): (classroom.pk, *classroom_of),
        ("classrooms/<int:pk>", "student_id"): (student.pk, *classroom_of),
        ("classrooms/<int:pk>", "teacher_id"): (teacher.pk, *classroom_of),
        ("practice/sessions/<int:pk>", "pk"): (session.pk, {"student"}, {"other_student"}),
        ("practice/answers/<int:attempt_id>", "attempt_id"): (attempt.pk, {"student"}, {"other_student"}),
        ("exercises/<int:pk>", "pk"): (exercise.pk, set(ROLE_OF), set()),
    }
    return World(users=users, values=values)


PARAMETER = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")


def _fill(route: str, world: World, forged: bool) -> tuple[str, set[str], set[str]] | None:
    """The route with its parameters filled in, with who owns the object and who must not see
    it; None for a route that takes a parameter this matrix cannot fill."""
    if "(?P<" in route or route.startswith("^"):
        return None  # a regular expression route (the admin's, walked by model instead)
    owners: set[str] = set(ROLE_OF)
    others: set[str] = set()
    path = route
    for match in PARAMETER.finditer(route):
        converter, name = match["converter"] or "str", match["name"]
        if converter == "int":
            known = next(
                (v for (prefix, param), v in world.values.items() if param == name and prefix in route),
                None,
            )
            if forged or known is None:
                value = FORGED_ID
                if not forged:
                    return None  # an object of another app's: only its forged id is checked
                owners, others = set(), set(ROLE_OF)
            else:
                value, owners_of, others_of = known
                owners, others = owners & owners_of, others | others_of
        elif converter == "slug":
            value = "elec"
        else:
            value = "MQ" if name == "uidb64" else "x-y"
        path = path.replace(match.group(0), str(value), 1)
    return "/" + path, owners, others


def _expected(path: str, name: str, role: str, owners: set[str], others: set[str]) -> set[int]:
    if name in PROBES:
        return {200, 503}
    area = area_for_path(path)
    if area is None or path.startswith(PUBLIC_PREFIXES):
        return SERVED | ({404} if "reset" in path else set())
    if role == "anonymous":
        return {403} if area == "/api/" else {302}
    if ROLE_OF[role] not in AREA_ROLES[area] or ROLE_OF[role] not in _view_roles(path):
        return {403}
    if role in others and role not in owners:
        return {404, 405}  # 405: a POST-only view refuses the method before it looks up the object
    if name in GET_IS_404:
        return {404}
    if role not in owners and role != "admin":
        return {404, 405}
    return SERVED


def _view_roles(path: str) -> frozenset[str]:
    """The roles an API view lets in (``allowed_roles`` with ``HasAreaRole``), else all."""
    view = getattr(resolve(path).func, "view_class", None)
    return getattr(view, "allowed_roles", None) or frozenset(ROLE_OF.values())


def _client(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("route, name", _routes(), ids=lambda v: v if "/" in v or not v else "")
def test_each_role_gets_the_expected_status(world, route, name):
    mismatches = []
    for forged in (False, True):
        filled = _fill(route, world, forged)
        if filled is None or (forged and "<int:" not in route):
            continue
        path, owners, others = filled
        for role in ROLES:
            expected = _expected(path, name, role, owners, others)
            status = _client(world, role).get(path + QUERY.get(name, "")).status_code
            if status not in expected:
                mismatches.append(f"{role:>14} GET {path}: {status}, expected {sorted(expected)}")

    assert not mismatches, "\n".join(mismatches)
