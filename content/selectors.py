"""Reads of the domain model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.urls import reverse

from content.graph import layout, to_svg
from content.models import Concept, Course, Exercise, Passage, Prerequisite, ReferenceAnswer, Status


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
    if _is_student(user):
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
    if _is_student(user):
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


# --- plain rows for the other apps (the student model, the tutor's course graph) ------------
def exercise_concept_ids(exercise_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """The concepts each exercise involves (ids, ascending), for the given exercises."""
    links: dict[int, list[int]] = {}
    for exercise_id, concept_id in (
        Exercise.concepts.through.objects.filter(exercise_id__in=set(exercise_ids))
        .order_by("exercise_id", "concept_id")
        .values_list("exercise_id", "concept_id")
    ):
        links.setdefault(exercise_id, []).append(concept_id)
    return {e: tuple(c) for e, c in links.items()}


@dataclass(frozen=True)
class ConceptRow:
    id: int
    slug: str
    name: str
    order: int
    course_id: int


@dataclass(frozen=True)
class ExerciseRow:
    id: int
    concepts: tuple[int, ...]  # live concepts of the same course, ascending
    difficulty: float
    expected_seconds: float
    has_worked_example: bool


@dataclass(frozen=True)
class CourseStructure:
    """A course's live concepts in curriculum order, its prerequisite links within the
    course, and its published exercises with their concepts: what the tutor's course graph
    is built from."""

    concepts: tuple[ConceptRow, ...]
    prerequisites: dict[int, tuple[int, ...]]  # concept id -> ids of the concepts it requires
    exercises: tuple[ExerciseRow, ...]


def course_structure(course: Course) -> CourseStructure:
    """Four queries of plain rows, each filtered by course (never by a list of ids: a large
    course has more ids than one query may have parameters)."""
    concepts = tuple(
        ConceptRow(id=pk, slug=slug, name=name, order=order, course_id=course.pk)
        for pk, slug, name, order in Concept.objects.filter(course=course, archived=False)
        .order_by("order", "id")
        .values_list("pk", "slug", "name", "order")
    )
    prerequisites: dict[int, list[int]] = {c.id: [] for c in concepts}
    for concept_id, requires_id in (
        Prerequisite.objects.filter(concept__course=course, concept__archived=False, requires__archived=False)
        .order_by("concept_id", "requires_id")
        .values_list("concept_id", "requires_id")
    ):
        if requires_id in prerequisites:  # a prerequisite in another course is not part of this graph
            prerequisites[concept_id].append(requires_id)
    links: dict[int, list[int]] = {}
    for exercise_id, concept_id in (
        Exercise.concepts.through.objects.filter(
            exercise__course=course,
            exercise__status=Status.PUBLISHED,
            concept__course=course,
            concept__archived=False,
        )
        .order_by("exercise_id", "concept_id")
        .values_list("exercise_id", "concept_id")
    ):
        links.setdefault(exercise_id, []).append(concept_id)
    exercises = tuple(
        ExerciseRow(
            id=pk,
            concepts=tuple(links[pk]),
            difficulty=difficulty,
            expected_seconds=float(expected_seconds),
            has_worked_example=has_worked_example,
        )
        for pk, difficulty, expected_seconds, has_worked_example in Exercise.objects.filter(
            course=course, status=Status.PUBLISHED
        )
        .annotate(has_worked_example=ExpressionWrapper(~Q(worked_example=""), output_field=BooleanField()))
        .values_list("pk", "difficulty", "expected_seconds", "has_worked_example")
        if pk in links
    )
    return CourseStructure(
        concepts=concepts,
        prerequisites={c: tuple(r) for c, r in prerequisites.items()},
        exercises=exercises,
    )


def live_concepts(courses: Iterable[Course]) -> list[Concept]:
    """The live concepts of these courses, by course title, then curriculum order."""
    return list(
        Concept.objects.filter(course__in=list(courses), archived=False).order_by(
            "course__title", "order", "id"
        )
    )


def reference_answer_texts(exercise_ids: Iterable[int]) -> dict[int, list[str]]:
    """The reference answers of each exercise, in their order."""
    references: dict[int, list[str]] = {}
    for exercise_id, text in (
        ReferenceAnswer.objects.filter(exercise_id__in=set(exercise_ids))
        .order_by("order", "id")
        .values_list("exercise_id", "text")
    ):
        references.setdefault(exercise_id, []).append(text)
    return references


def exercise_with_course(exercise_id: int) -> Exercise | None:
    """One exercise with its course loaded, whatever its status, or None."""
    return Exercise.objects.select_related("course").filter(pk=exercise_id).first()


def _is_student(user) -> bool:
    # ``is_student`` is the user's own property: the domain model sits below the student
    # model and cannot import its roles.
    return getattr(user, "is_student", False) is True


def course_content_stamp(course_id: int) -> tuple:
    """(version, updated_at) of the course, read afresh: it changes with every write to the
    course's content (``services.course_content_changed``), so a cache keyed on it is never
    stale. Empty for a course that does not exist."""
    return tuple(Course.objects.filter(pk=course_id).values_list("version", "updated_at").first() or ())


def published_exercise_of_kind(kind: str) -> Exercise | None:
    """The first published exercise of this kind (in a published course), or None."""
    return (
        Exercise.objects.filter(kind=kind, status=Status.PUBLISHED, course__status=Status.PUBLISHED)
        .select_related("course")
        .order_by("course_id", "order", "id")
        .first()
    )


# --- a course's teaching material and answer key as plain rows (the teaching assistant) ----
@dataclass(frozen=True)
class PassageRow:
    id: int
    title: str
    body: str


@dataclass(frozen=True)
class ConceptMaterial:
    id: int
    slug: str
    name: str
    description: str
    passages: tuple[PassageRow, ...]


@dataclass(frozen=True)
class ExerciseMaterial:
    """A published exercise with what teaches it (hints, worked example) and its answer key
    (correct options, reference answers, numeric value): the key is for checking what is
    sent to a student, never for sending."""

    id: int
    slug: str
    title: str
    prompt: str
    kind: str
    concept_ids: tuple[int, ...]
    hints: tuple[str, ...]
    worked_example: str
    correct_options: tuple[str, ...]
    reference_answers: tuple[str, ...]
    numeric_value: float | None
    unit: str


@dataclass(frozen=True)
class CourseMaterial:
    course_id: int
    slug: str
    title: str
    concepts: tuple[ConceptMaterial, ...]
    exercises: tuple[ExerciseMaterial, ...]


def course_material(course_id: int) -> CourseMaterial | None:
    """The live concepts (with passages) and published exercises (with hints, worked
    example and answer key) of a course, in curriculum order; None if there is no course."""
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return None
    concepts = tuple(
        ConceptMaterial(
            id=c.pk,
            slug=c.slug,
            name=c.name,
            description=c.description,
            passages=tuple(PassageRow(id=p.pk, title=p.title, body=p.body) for p in c.passages.all()),
        )
        for c in Concept.objects.filter(course=course, archived=False)
        .order_by("order", "id")
        .prefetch_related("passages")
    )
    live = {c.id for c in concepts}
    # An exercise's concepts in the order the author listed them (the link rows' order):
    # the first is the one it mainly practises.
    linked: dict[int, list[int]] = {}
    for exercise_id, concept_id in (
        Exercise.concepts.through.objects.filter(exercise__course=course)
        .order_by("id")
        .values_list("exercise_id", "concept_id")
    ):
        if concept_id in live:
            linked.setdefault(exercise_id, []).append(concept_id)
    exercises = tuple(
        ExerciseMaterial(
            id=e.pk,
            slug=e.slug,
            title=e.title,
            prompt=e.prompt,
            kind=e.kind,
            concept_ids=tuple(linked.get(e.pk, ())),
            hints=tuple(h.text for h in e.hints.all()),
            worked_example=e.worked_example,
            correct_options=tuple(c.text for c in e.choices.all() if c.is_correct),
            reference_answers=tuple(r.text for r in e.reference_answers.all()),
            numeric_value=e.numeric_value,
            unit=e.unit,
        )
        for e in Exercise.objects.filter(course=course, status=Status.PUBLISHED)
        .order_by("order", "id")
        .prefetch_related("hints", "choices", "reference_answers")
    )
    return CourseMaterial(
        course_id=course.pk, slug=course.slug, title=course.title, concepts=concepts, exercises=exercises
    )


def published_course_ids() -> list[int]:
    """Ids of the courses students may open (one cheap query, no counts)."""
    return list(Course.objects.filter(status=Status.PUBLISHED).order_by("pk").values_list("pk", flat=True))
