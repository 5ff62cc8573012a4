"""Reads of the domain model."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from content.graph import layout, to_svg
from content.models import Concept, Course, Exercise, Passage, Prerequisite, Status


def course_by_slug(slug: str) -> Course | None:
    """The course with this slug, whatever its status, or None."""
    return Course.objects.filter(slug=slug).first()


def course_package_concepts(course: Course) -> QuerySet[Concept]:
    """The concepts that make up the course now (not archived), in curriculum order, with
    their live prerequisites and their passages loaded."""
    return (
        Concept.objects.filter(course=course, archived=False)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch(
                "prerequisites",
                queryset=Concept.objects.filter(archived=False).order_by("order", "id"),
                to_attr="live_prerequisites",
            ),
            "passages",
        )
    )


def course_package_exercises(course: Course) -> QuerySet[Exercise]:
    """The exercises that make up the course now (not archived), in order, with their
    live concepts, options, reference answers and hints loaded."""
    return (
        Exercise.objects.filter(course=course)
        .exclude(status=Status.ARCHIVED)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch(
                "concepts",
                queryset=Concept.objects.filter(archived=False).order_by("order", "id"),
                to_attr="live_concepts",
            ),
            "choices",
            "reference_answers",
            "hints",
        )
    )


# --- reads for pages and the API --------------------------------------------------------
@dataclass(frozen=True)
class OptionView:
    id: int
    text: str


@dataclass(frozen=True)
class StudentExercise:
    """An exercise as a student may see it: no correct options, values or references."""

    id: int
    slug: str
    course_slug: str
    kind: str
    kind_label: str
    title: str
    prompt: str
    options: tuple[OptionView, ...]
    select_all_that_apply: bool
    unit: str
    n_hints: int
    has_worked_example: bool
    concepts: tuple[str, ...]
    expected_seconds: int


def exercise_for_student(exercise: Exercise) -> StudentExercise:
    choices = list(exercise.choices.all())
    return StudentExercise(
        id=exercise.pk,
        slug=exercise.slug,
        course_slug=exercise.course.slug,
        kind=exercise.kind,
        kind_label=exercise.get_kind_display(),
        title=exercise.title,
        prompt=exercise.prompt,
        options=tuple(OptionView(id=c.pk, text=c.text) for c in choices),
        select_all_that_apply=sum(c.is_correct for c in choices) > 1,
        unit=exercise.unit,
        n_hints=exercise.hints.count(),
        has_worked_example=bool(exercise.worked_example),
        concepts=tuple(c.name for c in exercise.concepts.all()),
        expected_seconds=exercise.expected_seconds,
    )


def course_graph_svg(course: Course, *, link_concepts: bool = False, fills=None, captions=None) -> str:
    """The course's prerequisite graph as inline SVG (archived concepts left out)."""
    concepts = list(course.concepts.filter(archived=False).order_by("order", "id"))
    labels = {c.slug: c.name for c in concepts}
    edges = Prerequisite.objects.filter(concept__course=course, concept__archived=False).values_list(
        "requires__slug", "concept__slug"
    )
    links = None
    if link_concepts:
        links = {c.slug: reverse("admin:content_concept_change", args=[c.pk]) for c in concepts}
    return to_svg(
        layout(labels, edges),
        fills=fills,
        captions=captions,
        links=links,
        title=f"Prerequisite graph of {course.title}",
    )


def published_courses() -> QuerySet[Course]:
    """Courses students may see, with counts of what they can practise."""
    return (
        Course.objects.filter(status=Status.PUBLISHED)
        .annotate(
            n_concepts=Count("concepts", filter=Q(concepts__archived=False), distinct=True),
            n_exercises=Count("exercises", filter=Q(exercises__status=Status.PUBLISHED), distinct=True),
        )
        .order_by("title")
    )


def visible_courses(user) -> QuerySet[Course]:
    """Students see published courses; teachers and admins also see drafts."""
    if getattr(user, "role", None) == "student":
        return published_courses()
    return Course.objects.exclude(status=Status.ARCHIVED).annotate(
        n_concepts=Count("concepts", filter=Q(concepts__archived=False), distinct=True),
        n_exercises=Count("exercises", filter=~Q(exercises__status=Status.ARCHIVED), distinct=True),
    )


def exercises_visible_to(user) -> QuerySet[Exercise]:
    """Students see published exercises of published courses; staff see drafts too,
    never archived ones."""
    qs = Exercise.objects.filter(course__in=visible_courses(user).values("pk")).exclude(
        status=Status.ARCHIVED
    )
    if getattr(user, "role", None) == "student":
        qs = qs.filter(status=Status.PUBLISHED)
    return qs.prefetch_related("concepts", "choices", "hints", "reference_answers").order_by("order", "id")


def visible_exercises(user, course: Course) -> QuerySet[Exercise]:
    return exercises_visible_to(user).filter(course=course)


def course_concepts(course: Course) -> QuerySet[Concept]:
    return (
        course.concepts.filter(archived=False)
        .prefetch_related("prerequisites", "passages")
        .order_by("order", "id")
    )


@dataclass(frozen=True)
class ConceptOverview:
    slug: str
    name: str
    description: str
    prerequisite_names: tuple[str, ...]
    passages: tuple[Passage, ...]


def course_overview(course: Course) -> list[ConceptOverview]:
    return [
        ConceptOverview(
            slug=c.slug,
            name=c.name,
            description=c.description,
            prerequisite_names=tuple(p.name for p in c.prerequisites.all() if not p.archived),
            passages=tuple(c.passages.all()),
        )
        for c in course_concepts(course)
    ]
