"""Writes of the domain model: importing, exporting and publishing courses, and marking a
course's content changed (``course_content_changed``) for the tutor's cached course graph.

A course package describes one whole course (see ``content.package``). Importing a new
course creates it; importing a higher ``version`` of a stored course updates it in
place, matching concepts and exercises by slug so that their primary keys, and with them
every student's attempts and knowledge state, survive. What the new version leaves out is
archived, never deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone

from content import selectors
from content.models import (
    Choice,
    Concept,
    Course,
    Exercise,
    ExerciseKind,
    Hint,
    Passage,
    Prerequisite,
    ReferenceAnswer,
    Status,
)
from content.package import FORMAT_TAG, CoursePackageError, parse_package

EXPORT_FORMATS = ("yaml", "json")


@dataclass(frozen=True)
class ImportResult:
    course: Course
    created: bool  # False: an existing course was updated to a higher version
    concepts: int  # concepts in the package
    exercises: int  # exercises in the package
    archived_exercises: int  # exercises this import archived (left out of the new version)
    archived_concepts: int  # concepts this import archived


def course_import(text: str | bytes, *, filename: str) -> ImportResult:
    """Import a course package: create the course, or update it in place to a higher version.

    All or nothing: the package is checked completely before anything is written, and the
    writes happen in one transaction, so a rejected package leaves the database as it was.
    Raises ``CoursePackageError`` naming the file, item and field of the problem.

    A ``status`` the package leaves out means draft for a new course or exercise and
    "unchanged" for a stored one, so that a corrected version does not unpublish a course
    that students are using (an archived exercise that comes back becomes a draft).
    """
    data = parse_package(text, filename=filename)
    try:
        return _write_package(data, filename)
    except IntegrityError as error:
        # Only a concurrent import of the same new course gets here: validation ran first.
        raise CoursePackageError(
            filename,
            "another import of this course finished first; reload and try again",
            item=f"course '{data['course']['slug']}'",
            field="slug",
        ) from error


def _write_package(data: dict[str, Any], filename: str) -> ImportResult:
    course_data = data["course"]
    version = course_data.get("version", 1)
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(slug=course_data["slug"]).first()
        created = course is None
        if course is None:
            course = Course(slug=course_data["slug"], status=course_data.get("status", Status.DRAFT))
        elif version <= course.version:
            raise CoursePackageError(
                filename,
                f"version {version} is not higher than the stored version {course.version} of this "
                f"course; raise `version` (to {course.version + 1} or more) to update the course",
                item=f"course '{course.slug}'",
                field="version",
            )
        elif "status" in course_data:
            course.status = course_data["status"]
        course.title = course_data["title"]
        course.description = course_data.get("description", "")
        course.source = course_data.get("source", "")
        course.version = version
        course.settings = course_data.get("settings", {})
        course.save()

        concepts, archived_concepts = _write_concepts(course, data["concepts"])
        archived_exercises = _write_exercises(course, data["exercises"], concepts)
    return ImportResult(
        course=course,
        created=created,
        concepts=len(data["concepts"]),
        exercises=len(data["exercises"]),
        archived_exercises=archived_exercises,
        archived_concepts=archived_concepts,
    )


def _write_concepts(course: Course, entries: list[dict[str, Any]]) -> tuple[dict[str, Concept], int]:
    """Create or update the package's concepts, archive the others; replace passages and the
    prerequisite graph. Returns the concepts by slug and how many were newly archived."""
    stored = {c.slug: c for c in Concept.objects.filter(course=course)}
    concepts: dict[str, Concept] = {}
    for position, entry in enumerate(entries):
        concept = stored.get(entry["slug"]) or Concept(course=course, slug=entry["slug"])
        concept.name = entry["name"]
        concept.description = entry.get("description", "")
        concept.order = position
        concept.archived = False
        concept.save()
        concepts[concept.slug] = concept
    left_out = [c.pk for slug, c in stored.items() if slug not in concepts and not c.archived]
    archived = Concept.objects.filter(pk__in=left_out).update(archived=True)

    # Prerequisite links carry no history, so the graph is rebuilt from the package; an
    # archived concept keeps no links and so can never block a live one.
    Prerequisite.objects.filter(concept__course=course).delete()
    Prerequisite.objects.bulk_create(
        Prerequisite(concept=concepts[entry["slug"]], requires=concepts[slug])
        for entry in entries
        for slug in entry.get("prerequisites", [])
    )
    Passage.objects.filter(concept__in=concepts.values()).delete()
    Passage.objects.bulk_create(
        Passage(concept=concepts[entry["slug"]], title=passage["title"], body=passage["body"], order=position)
        for entry in entries
        for position, passage in enumerate(entry.get("passages", []))
    )
    return concepts, archived


def _write_exercises(course: Course, entries: list[dict[str, Any]], concepts: dict[str, Concept]) -> int:
    """Create or update the package's exercises and replace their children; archive the
    exercises the package leaves out. Returns how many were newly archived."""
    stored = {e.slug: e for e in Exercise.objects.filter(course=course)}
    exercises: dict[str, Exercise] = {}
    for position, entry in enumerate(entries):
        exercise = stored.get(entry["slug"])
        if exercise is None:
            exercise = Exercise(course=course, slug=entry["slug"], status=Status.DRAFT)
        elif exercise.status == Status.ARCHIVED:
            exercise.status = Status.DRAFT
        exercise.status = entry.get("status", exercise.status)
        exercise.kind = entry["kind"]
        exercise.title = entry.get("title", "")
        exercise.prompt = entry["prompt"]
        exercise.difficulty = entry.get("difficulty", 0.5)
        exercise.expected_seconds = entry.get("expected_seconds", 60)
        exercise.order = position
        exercise.worked_example = entry.get("worked_example", "")
        exercise.source = entry.get("source", "")
        numeric = entry["kind"] == ExerciseKind.NUMERIC
        exercise.numeric_value = float(entry["value"]) if numeric else None
        exercise.numeric_tolerance = float(entry.get("tolerance", 0.0)) if numeric else None
        exercise.unit = entry.get("unit", "") if numeric else ""
        exercise.save()
        exercises[exercise.slug] = exercise
    left_out = [e.pk for slug, e in stored.items() if slug not in exercises and e.status != Status.ARCHIVED]
    archived = Exercise.objects.filter(pk__in=left_out).update(status=Status.ARCHIVED)

    # Children carry no history of their own: replace them wholesale.
    live = list(exercises.values())
    links = Exercise.concepts.through
    links.objects.filter(exercise__in=live).delete()
    links.objects.bulk_create(
        links(exercise=exercises[entry["slug"]], concept=concepts[slug])
        for entry in entries
        for slug in entry["concepts"]
    )
    Choice.objects.filter(exercise__in=live).delete()
    Choice.objects.bulk_create(
        Choice(
            exercise=exercises[entry["slug"]],
            text=option["text"],
            is_correct=option.get("correct", False),
            feedback=option.get("feedback", ""),
            order=position,
        )
        for entry in entries
        for position, option in enumerate(entry.get("options", []))
    )
    ReferenceAnswer.objects.filter(exercise__in=live).delete()
    ReferenceAnswer.objects.bulk_create(
        ReferenceAnswer(
            exercise=exercises[entry["slug"]],
            text=answer["text"],
            category=answer.get("category", ReferenceAnswer.Category.BEST),
            order=position,
        )
        for entry in entries
        for position, answer in enumerate(entry.get("reference_answers", []))
    )
    Hint.objects.filter(exercise__in=live).delete()
    Hint.objects.bulk_create(
        Hint(exercise=exercises[entry["slug"]], text=text, order=position)
        for entry in entries
        for position, text in enumerate(entry.get("hints", []))
    )
    return archived


# --- export ------------------------------------------------------------------------------
def course_export(course: Course) -> dict[str, Any]:
    """The course as a package dict that ``parse_package`` accepts.

    Archived concepts and exercises are left out: they are no longer part of the course.
    Importing the result into a database without the course recreates it as it is.
    """
    course_data: dict[str, Any] = {"slug": course.slug, "title": course.title}
    if course.description:
        course_data["description"] = course.description
    if course.source:
        course_data["source"] = course.source
    if course.status in (Status.DRAFT, Status.PUBLISHED):
        course_data["status"] = str(course.status)
    course_data["version"] = course.version
    if course.settings:
        course_data["settings"] = course.settings
    return {
        "format": FORMAT_TAG,
        "course": course_data,
        "concepts": [_export_concept(c) for c in selectors.course_package_concepts(course)],
        "exercises": [_export_exercise(e) for e in selectors.course_package_exercises(course)],
    }


def _export_concept(concept: Concept) -> dict[str, Any]:
    entry: dict[str, Any] = {"slug": concept.slug, "name": concept.name}
    if concept.description:
        entry["description"] = concept.description
    if concept.live_prerequisites:
        entry["prerequisites"] = [p.slug for p in concept.live_prerequisites]
    passages = list(concept.passages.all())
    if passages:
        entry["passages"] = [{"title": p.title, "body": p.body} for p in passages]
    return entry


def _export_exercise(exercise: Exercise) -> dict[str, Any]:
    entry: dict[str, Any] = {"slug": exercise.slug, "kind": str(exercise.kind)}
    if exercise.title:
        entry["title"] = exercise.title
    entry["prompt"] = exercise.prompt
    entry["concepts"] = [c.slug for c in exercise.live_concepts]
    entry["difficulty"] = exercise.difficulty
    entry["expected_seconds"] = exercise.expected_seconds
    entry["status"] = str(exercise.status)
    if exercise.source:
        entry["source"] = exercise.source
    if exercise.kind == ExerciseKind.MULTIPLE_CHOICE:
        entry["options"] = [_export_choice(c) for c in exercise.choices.all()]
    elif exercise.kind == ExerciseKind.NUMERIC:
        entry["value"] = exercise.numeric_value
        entry["tolerance"] = exercise.numeric_tolerance or 0.0
        if exercise.unit:
            entry["unit"] = exercise.unit
    elif exercise.kind == ExerciseKind.FREE_TEXT:
        entry["reference_answers"] = [
            {"text": a.text, "category": str(a.category)} for a in exercise.reference_answers.all()
        ]
    hints = [h.text for h in exercise.hints.all()]
    if hints:
        entry["hints"] = hints
    if exercise.worked_example:
        entry["worked_example"] = exercise.worked_example
    return entry


def _export_choice(choice: Choice) -> dict[str, Any]:
    option: dict[str, Any] = {"text": choice.text, "correct": choice.is_correct}
    if choice.feedback:
        option["feedback"] = choice.feedback
    return option


class _PackageDumper(yaml.SafeDumper):
    """Writes the way an author would: lists indented under their key, multi-line text as
    literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackageDumper.add_representer(str, _represent_str)


def course_export_text(course: Course, fmt: str = "yaml") -> str:
    """The course's package as YAML or JSON text."""
    data = course_export(course)
    if fmt == "yaml":
        return yaml.dump(data, Dumper=_PackageDumper, sort_keys=False, allow_unicode=True, width=100)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}.")


# --- publishing --------------------------------------------------------------------------
def course_publish(course: Course) -> Course:
    """Publish the course and its draft exercises (archived ones stay archived). Saving the
    course bumps its ``updated_at``, which marks its content changed."""
    with transaction.atomic():
        course.status = Status.PUBLISHED
        course.save(update_fields=["status", "updated_at"])
        course.exercises.filter(status=Status.DRAFT).update(status=Status.PUBLISHED)
    return course


# --- the content stamp -------------------------------------------------------------------
# A chunk of ids per query: SQLite limits the parameters of one statement.
_IDS_PER_QUERY = 500


def course_content_changed(*, course_ids: Iterable[int] = (), concept_ids: Iterable[int] = ()) -> None:
    """Record that what the tutor reads of these courses (given directly, or through their
    concepts) changed: concepts, prerequisites, exercises, their concept links, the concepts'
    fitted parameters. It bumps ``Course.updated_at``, the stamp that keys the course graph
    cached by ``tutor.practice.selectors.course_graph_cached``, so the next selection rebuilds it. Call
    it in the transaction of the write. ``course_import`` and ``course_publish`` need not:
    they save the course row, which bumps the stamp itself."""
    courses = {int(c) for c in course_ids if c is not None}
    concepts = sorted({int(c) for c in concept_ids})
    for start in range(0, len(concepts), _IDS_PER_QUERY):
        courses.update(
            Concept.objects.filter(pk__in=concepts[start : start + _IDS_PER_QUERY]).values_list(
                "course_id", flat=True
            )
        )
    if courses:
        Course.objects.filter(pk__in=sorted(courses)).update(updated_at=timezone.now())
