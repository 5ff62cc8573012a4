"""Stuck students: who, on which concept, why, and what the teacher could do."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Max, Prefetch, QuerySet
from django.utils import timezone

from content import api as content_api
from content import selectors as content_selectors
from students.dashboards.common import DashboardSettings, classrooms_visible_to, student_name
from students.models import Attempt, Classroom, KnowledgeState, User


# --- stuck students ---------------------------------------------------------------------------
class StuckRule:
    """The three rules, after ASSISTments' "wheel-spinning" detector (Beck & Gong, 2013)."""

    MANY_ITEMS = "many_items"  # stuck_min_items or more answers on a concept without mastery
    ERRORS = "errors"  # stuck_errors_in_a_row wrong answers in a row, mastery below the threshold
    INACTIVE = "inactive"  # no answer in the classroom's courses for inactive_days


_RULE_LABELS = {
    StuckRule.MANY_ITEMS: "many answers, no mastery",
    StuckRule.ERRORS: "errors without progress",
    StuckRule.INACTIVE: "inactive",
}


class Action:
    WORKED_EXAMPLE = "worked_example"
    PREREQUISITE = "prerequisite"
    TALK = "talk"


@dataclass(frozen=True)
class StuckReason:
    rule: str
    concept_id: int | None
    concept_name: str
    why: str
    action: str
    action_text: str
    action_concept_id: int | None = None

    @property
    def rule_label(self) -> str:
        return _RULE_LABELS.get(self.rule, self.rule)


@dataclass(frozen=True)
class StuckStudent:
    classroom_id: int
    classroom_name: str
    student_id: int
    name: str
    last_active: datetime | None
    reasons: tuple[StuckReason, ...]

    @property
    def concept_name(self) -> str:
        """The concept of the first reason: what the student is stuck on, at a glance."""
        return self.reasons[0].concept_name if self.reasons else ""


@dataclass(frozen=True)
class _Course:
    threshold: float
    names: dict[int, str]
    prerequisites: dict[int, tuple[int, ...]]
    with_worked_example: frozenset[int]


def _course_facts(courses) -> dict[int, _Course]:
    facts = {}
    for course in courses:
        structure = content_selectors.course_structure(course)
        facts[course.pk] = _Course(
            threshold=content_api.course_settings_for(course).mastery_threshold,
            names={c.id: c.name for c in structure.concepts},
            prerequisites=structure.prerequisites,
            with_worked_example=frozenset(
                c for e in structure.exercises if e.has_worked_example for c in e.concepts
            ),
        )
    return facts


def _action(
    rule: str, concept_id: int, course: _Course, mastery: dict[int, float]
) -> tuple[str, str, int | None]:
    """What the teacher could do: after errors, show the worked example first; after many
    items, a prerequisite that is not mastered is the likelier cause; else a talk."""
    weak = [p for p in course.prerequisites.get(concept_id, ()) if mastery.get(p, 0.0) < course.threshold]
    worked = concept_id in course.with_worked_example
    name = course.names.get(concept_id, "")
    order = ("worked", "prerequisite") if rule == StuckRule.ERRORS else ("prerequisite", "worked")
    for choice in order:
        if choice == "worked" and worked:
            return Action.WORKED_EXAMPLE, f"Assign the worked example of {name}.", concept_id
        if choice == "prerequisite" and weak:
            weakest = min(weak, key=lambda p: mastery.get(p, 0.0))
            return (
                Action.PREREQUISITE,
                f"Assign the prerequisite {course.names.get(weakest, '')} first.",
                weakest,
            )
    return Action.TALK, f"Talk with the student about {name}.", None


def _stuck(rooms: list[Classroom], now: datetime) -> list[StuckStudent]:
    """The stuck students of these classrooms (courses and students prefetched): three
    queries plus the course structures, whatever the size of the classes."""
    cfg = DashboardSettings.current()
    courses = {c.pk: c for room in rooms for c in room.courses.all()}
    facts = _course_facts(courses.values())
    members = Classroom.students.through.objects.filter(classroom__in=[r.pk for r in rooms]).values("user_id")
    # Each student's states, the most recently practised last. The time itself is not read:
    # parsing 16,000 timestamps costs more than the rest of the page.
    states: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        KnowledgeState.objects.filter(
            student__in=members, concept__course__in=list(courses), concept__archived=False
        )
        .order_by("student_id", F("last_practiced_at").asc(nulls_first=True), "concept_id")
        .values_list(
            "student_id", "concept_id", "concept__course_id", "mastery", "n_attempts", "error_streak"
        )
    ):
        states[row[0]].append(row)
    last_seen: dict[int, dict[int, datetime]] = defaultdict(dict)  # student -> course -> last answer
    for s, c, t in (
        Attempt.objects.filter(student__in=members, exercise__course__in=list(courses))
        .values_list("student_id", "exercise__course_id")
        .annotate(last=Max("created_at"))
    ):
        last_seen[s][c] = t
    inactive_since = now - timedelta(days=cfg.inactive_days)
    out = []
    for room in rooms:
        room_courses = {c.pk for c in room.courses.all()}
        for student in room.students.all():
            mastery = {}
            mine = [row for row in states.get(student.pk, ()) if row[2] in room_courses]
            for _, concept_id, _, m, *_ in mine:
                mastery[concept_id] = m
            reasons = []
            # Most practised first: the concept a teacher would look at first.
            for _, concept_id, course_id, m, n, errors in sorted(mine, key=lambda r: (-r[4], r[1])):
                course = facts[course_id]
                if m >= course.threshold:
                    continue
                name = course.names.get(concept_id, "")
                if errors >= cfg.stuck_errors_in_a_row:
                    rule, why = (
                        StuckRule.ERRORS,
                        f"{errors} wrong answers in a row on {name}; mastery {round(m * 100)}%, not rising.",
                    )
                elif n >= cfg.stuck_min_items:
                    rule, why = (
                        StuckRule.MANY_ITEMS,
                        f"{n} answers on {name} without mastery ({round(m * 100)}% of {round(course.threshold * 100)}%).",
                    )
                else:
                    continue
                action, text, target = _action(rule, concept_id, course, mastery)
                reasons.append(StuckReason(rule, concept_id, name, why, action, text, target))
            seen = last_seen.get(student.pk, {})
            last = max((t for c, t in seen.items() if c in room_courses), default=None)
            if last is None or last < inactive_since:
                # The concept they left off: the last practised one not mastered.
                recent = next((r for r in reversed(mine) if r[4] and r[3] < facts[r[2]].threshold), None)
                concept_id = recent[1] if recent else None
                concept = facts[recent[2]].names.get(concept_id, "") if recent else ""
                why = (
                    "No answer yet in this classroom's courses."
                    if last is None
                    else f"No answer for {(now - last).days} days."
                )
                reasons.append(
                    StuckReason(
                        StuckRule.INACTIVE,
                        concept_id,
                        concept,
                        why,
                        Action.TALK,
                        "Talk with the student" + (f" and restart with {concept}." if concept else "."),
                    )
                )
            if reasons:
                out.append(
                    StuckStudent(
                        classroom_id=room.pk,
                        classroom_name=room.name,
                        student_id=student.pk,
                        name=student_name(student.first_name, student.last_name, student.username),
                        last_active=last,
                        reasons=tuple(reasons),
                    )
                )
    return out


def _rooms_for_stuck(rooms: QuerySet[Classroom]) -> list[Classroom]:
    # The Prefetch keeps each classroom's students in name order without a query per classroom.
    in_order = Prefetch("students", queryset=User.objects.order_by("last_name", "first_name", "username"))
    return list(rooms.prefetch_related("courses", in_order))


def classroom_stuck_students(
    user: User, classroom_id: int, *, now: datetime | None = None
) -> list[StuckStudent] | None:
    """The stuck students of one classroom, or None when it is not the user's."""
    rooms = _rooms_for_stuck(classrooms_visible_to(user).filter(pk=classroom_id))
    if not rooms:
        return None
    return _stuck(rooms, now or timezone.now())


def stuck_students(teacher: User, *, now: datetime | None = None) -> list[StuckStudent]:
    """The stuck students of every classroom the teacher owns or co-teaches (an admin: all),
    by classroom; what the teacher's home page counts."""
    return _stuck(_rooms_for_stuck(classrooms_visible_to(teacher)), now or timezone.now())
