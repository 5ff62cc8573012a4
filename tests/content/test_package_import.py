"""Importing course packages: what is written, all or nothing, updates in place, publishing and the command."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from content import services
from content.models import (
    Concept,
    Course,
    Exercise,
    ExerciseKind,
    Hint,
    Prerequisite,
    Status,
)
from content.package import CoursePackageError, parse_package
from tests.content.package_helpers import (
    BASIC,
    basic,
    concept,
    dump,
    exercise,
    rejection,
    row_counts,
)
from tests.factories import CourseFactory, ExerciseFactory

pytestmark = pytest.mark.django_db


# --- a package is written completely ---------------------------------------------------------
def test_importing_a_new_package_creates_the_whole_course():
    result = services.course_import(BASIC.read_bytes(), filename="basic.yaml")

    course = result.course
    assert result.created is True
    assert (result.concepts, result.exercises) == (3, 3)
    assert (result.archived_concepts, result.archived_exercises) == (0, 0)
    assert (course.slug, course.title, course.version, course.status) == (
        "basic-circuits",
        "Basic circuits",
        1,
        Status.PUBLISHED,
    )
    assert course.settings == {"new_concepts_per_window": 2}
    assert list(course.concepts.values_list("slug", "order")) == [
        ("closed-circuit", 0),
        ("current", 1),
        ("ohms-law", 2),
    ]
    ohms_law = course.concepts.get(slug="ohms-law")
    assert {c.slug for c in ohms_law.prerequisites.all()} == {"closed-circuit", "current"}
    assert list(ohms_law.passages.values_list("title", "order")) == [
        ("Voltage, current, resistance", 0),
        ("Units", 1),
    ]


def test_each_exercise_kind_is_mapped_to_its_fields():
    course = services.course_import(BASIC.read_bytes(), filename="basic.yaml").course

    free_text = course.exercises.get(slug="bulb-gap")
    assert (free_text.kind, free_text.status, free_text.difficulty, free_text.expected_seconds) == (
        ExerciseKind.FREE_TEXT,
        Status.PUBLISHED,
        0.4,
        90,
    )
    assert list(free_text.reference_answers.values_list("category", "order")) == [("best", 0), ("keyword", 1)]
    assert list(free_text.hints.values_list("text", "order")) == [
        ("How many paths are there?", 0),
        ("What does a gap do to a path?", 1),
    ]
    assert free_text.worked_example.startswith("Step 1: a series circuit has one path.")
    choice = course.exercises.get(slug="which-lights")
    assert choice.status == Status.DRAFT  # no status in the package: a draft
    assert list(choice.choices.values_list("is_correct", "feedback", "order")) == [
        (False, "The path is not closed.", 0),
        (True, "", 1),
    ]
    assert {c.slug for c in choice.concepts.all()} == {"closed-circuit", "current"}
    numeric = course.exercises.get(slug="ohm-1")
    assert (numeric.numeric_value, numeric.numeric_tolerance, numeric.unit) == (2.0, 0.05, "A")
    assert (numeric.difficulty, numeric.expected_seconds, numeric.source) == (0.6, 60, "Textbook, chapter 2")
    assert list(course.exercises.values_list("slug", flat=True)) == ["bulb-gap", "which-lights", "ohm-1"]


def test_a_json_package_is_imported_like_a_yaml_one():
    text = json.dumps(basic())

    result = services.course_import(text, filename="basic.json")

    assert (result.created, result.concepts, result.exercises) == (True, 3, 3)


def test_unknown_course_settings_are_rejected_and_nothing_is_written():
    data = basic()
    data["course"]["settings"] = {"not_defined_yet": {"nested": True}}

    with pytest.raises(CoursePackageError, match="not_defined_yet"):
        services.course_import(dump(data), filename="basic.yaml")
    assert not Course.objects.exists()


# --- all or nothing --------------------------------------------------------------------------
def test_a_rejected_package_writes_nothing_even_when_the_problem_is_in_its_last_item():
    services.course_import(BASIC.read_bytes(), filename="basic.yaml")
    before = row_counts()
    data = basic()
    data["course"]["version"] = 2
    data["course"]["title"] = "Renamed"
    data["concepts"].append({"slug": "power", "name": "Power"})
    exercise(data, "ohm-1")["value"] = "two"

    rejection(data)

    assert row_counts() == before
    assert Course.objects.get().title == "Basic circuits"


def test_a_failure_while_writing_rolls_the_whole_import_back(monkeypatch):
    services.course_import(BASIC.read_bytes(), filename="basic.yaml")
    before = row_counts()
    data = basic()
    data["course"]["version"] = 2
    data["concepts"].append({"slug": "power", "name": "Power"})

    def fail_late(*args, **kwargs):
        raise RuntimeError("the database went away")

    # Concepts and the course are already written when the hints' turn comes.
    monkeypatch.setattr(Hint.objects, "bulk_create", fail_late)
    with pytest.raises(RuntimeError):
        services.course_import(dump(data), filename="basic.yaml")

    assert row_counts() == before
    course = Course.objects.get()
    assert course.version == 1
    assert not course.concepts.filter(slug="power").exists()


# --- updates -----------------------------------------------------------------------------------
def test_a_higher_version_updates_in_place_and_keeps_primary_keys():
    first = services.course_import(BASIC.read_bytes(), filename="basic.yaml").course
    exercise_pks = dict(first.exercises.values_list("slug", "pk"))
    concept_pks = dict(first.concepts.values_list("slug", "pk"))
    data = basic()
    data["course"]["version"] = 2
    exercise(data, "ohm-1")["value"] = 3
    exercise(data, "ohm-1")["hints"] = ["Divide.", "V / R."]
    exercise(data, "which-lights")["options"].append({"text": "No wires", "correct": False})
    data["exercises"] = [e for e in data["exercises"] if e["slug"] != "bulb-gap"]
    concept(data, "current")["name"] = "Electric current"

    result = services.course_import(dump(data), filename="basic-v2.yaml")

    assert result.created is False
    assert result.course.pk == first.pk
    assert (result.course.version, result.archived_exercises, result.archived_concepts) == (2, 1, 0)
    assert dict(Exercise.objects.values_list("slug", "pk")) == exercise_pks
    assert dict(Concept.objects.values_list("slug", "pk")) == concept_pks
    removed = Exercise.objects.get(slug="bulb-gap")
    assert removed.status == Status.ARCHIVED
    assert removed.reference_answers.count() == 2  # kept with the archived exercise
    numeric = Exercise.objects.get(slug="ohm-1")
    assert numeric.numeric_value == 3.0
    assert list(numeric.hints.values_list("text", flat=True)) == ["Divide.", "V / R."]
    assert Exercise.objects.get(slug="which-lights").choices.count() == 3
    assert Concept.objects.get(slug="current").name == "Electric current"


def test_a_concept_left_out_of_a_new_version_is_archived_not_deleted():
    services.course_import(BASIC.read_bytes(), filename="basic.yaml")
    data = basic()
    data["course"]["version"] = 2
    data["concepts"] = [c for c in data["concepts"] if c["slug"] != "ohms-law"]
    data["exercises"] = [e for e in data["exercises"] if e["slug"] != "ohm-1"]

    result = services.course_import(dump(data), filename="basic.yaml")

    assert (result.archived_concepts, result.archived_exercises) == (1, 1)
    ohms_law = Concept.objects.get(slug="ohms-law")
    assert ohms_law.archived is True
    assert ohms_law.passages.count() == 2
    assert not Prerequisite.objects.filter(concept=ohms_law).exists()


def test_an_archived_exercise_that_comes_back_is_live_again():
    services.course_import(BASIC.read_bytes(), filename="basic.yaml")
    data = basic()
    data["course"]["version"] = 2
    data["exercises"] = data["exercises"][:2]
    services.course_import(dump(data), filename="basic.yaml")
    data = basic()
    data["course"]["version"] = 3

    result = services.course_import(dump(data), filename="basic.yaml")

    assert result.archived_exercises == 0
    assert Exercise.objects.get(slug="ohm-1").status == Status.DRAFT


def test_a_stored_status_is_kept_when_the_new_version_does_not_give_one():
    course = services.course_import(BASIC.read_bytes(), filename="basic.yaml").course
    services.course_publish(course)
    data = basic()
    data["course"]["version"] = 2
    del data["course"]["status"]
    data["exercises"].append(
        {"slug": "ohm-2", "kind": "numeric", "prompt": "And with 12 V?", "concepts": ["ohms-law"], "value": 4}
    )

    services.course_import(dump(data), filename="basic.yaml")

    course.refresh_from_db()
    assert course.status == Status.PUBLISHED
    assert Exercise.objects.get(slug="which-lights").status == Status.PUBLISHED
    assert Exercise.objects.get(slug="ohm-2").status == Status.DRAFT


@pytest.mark.parametrize("version", [1, 0])
def test_a_version_that_is_not_higher_than_the_stored_one_is_rejected(version):
    CourseFactory(slug="basic-circuits", title="Stored", version=1)
    data = basic()
    if version:
        data["course"]["version"] = version
    else:
        del data["course"]["version"]  # no version means version 1

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: course 'basic-circuits', field 'version': version 1 is not higher than the stored "
        "version 1 of this course; raise `version` (to 2 or more) to update the course"
    )
    assert Course.objects.get().title == "Stored"


def test_a_lower_version_is_rejected_naming_the_stored_one():
    CourseFactory(slug="basic-circuits", version=5)

    error = rejection(basic())

    assert "version 1 is not higher than the stored version 5" in str(error)


# --- publishing --------------------------------------------------------------------------------
def test_publishing_a_course_publishes_its_drafts_but_not_its_archived_exercises():
    course = CourseFactory(status=Status.DRAFT)
    draft = ExerciseFactory(course=course, status=Status.DRAFT)
    archived = ExerciseFactory(course=course, status=Status.ARCHIVED)

    services.course_publish(course)

    course.refresh_from_db()
    draft.refresh_from_db()
    archived.refresh_from_db()
    assert (course.status, draft.status, archived.status) == (
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.ARCHIVED,
    )


# --- the management command ------------------------------------------------------------------
def test_the_import_command_reports_what_it_imported(capsys):
    call_command("course_import", str(BASIC))

    assert capsys.readouterr().out.strip() == (
        "Imported course 'basic-circuits' version 1: 3 concepts, 3 exercises"
    )


def test_the_import_command_reports_an_update(tmp_path, capsys):
    call_command("course_import", str(BASIC))
    data = basic()
    data["course"]["version"] = 2
    data["exercises"] = data["exercises"][:2]
    newer = tmp_path / "basic-v2.yaml"
    newer.write_text(dump(data), encoding="utf-8")
    capsys.readouterr()

    call_command("course_import", str(newer))

    assert capsys.readouterr().out.strip() == (
        "Updated course 'basic-circuits' version 2: 3 concepts, 2 exercises "
        "(archived 0 concepts, 1 exercises left out of this version)"
    )


def test_the_import_command_fails_with_the_package_error(tmp_path):
    broken = tmp_path / "broken.yaml"
    data = basic()
    exercise(data, "ohm-1")["kind"] = "essay"
    broken.write_text(dump(data), encoding="utf-8")

    with pytest.raises(
        CommandError, match=r"broken\.yaml: exercise 'ohm-1' \(exercises\[2\]\), field 'kind'"
    ):
        call_command("course_import", str(broken))
    assert Course.objects.count() == 0


def test_the_import_command_fails_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("course_import", str(tmp_path / "nowhere.yaml"))


def test_an_unknown_pedagogy_setting_is_rejected_by_name(tmp_path):
    from content.package import CoursePackageError

    text = """
format: tutor-course/1
course: {slug: c, title: C, settings: {mastery_treshold: 0.9}}
concepts: [{slug: a, name: A}]
exercises: []
"""
    with pytest.raises(CoursePackageError) as error:
        parse_package(text, filename="c.yaml")

    message = str(error.value)
    assert "c.yaml" in message and "settings" in message and "mastery_treshold" in message


def test_known_pedagogy_settings_are_accepted():

    text = """
format: tutor-course/1
course: {slug: c, title: C, settings: {mastery_threshold: 0.9, target_success_low: 0.5}}
concepts: [{slug: a, name: A}]
exercises: []
"""
    assert parse_package(text, filename="c.yaml")["course"]["settings"]["mastery_threshold"] == 0.9
