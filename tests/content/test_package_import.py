"""Importing course packages: what is written, what is rejected and why, updates in place."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from content import services
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
from content.package import CoursePackageError, parse_package
from tests.factories import CourseFactory, ExerciseFactory

PACKAGES = Path(__file__).parent / "packages"
BASIC = PACKAGES / "basic.yaml"

pytestmark = pytest.mark.django_db


def basic() -> dict[str, Any]:
    """A fresh copy of the complete test package, to change per test."""
    return yaml.safe_load(BASIC.read_text(encoding="utf-8"))


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def exercise(data: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(e for e in data["exercises"] if e["slug"] == slug)


def concept(data: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(c for c in data["concepts"] if c["slug"] == slug)


def rejection(data: Any, filename: str = "basic.yaml") -> CoursePackageError:
    text = data if isinstance(data, str | bytes) else dump(data)
    with pytest.raises(CoursePackageError) as caught:
        services.course_import(text, filename=filename)
    return caught.value


def row_counts() -> dict[str, int]:
    models = [Course, Concept, Prerequisite, Passage, Exercise, Choice, ReferenceAnswer, Hint]
    return {model.__name__: model.objects.count() for model in models}


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


# --- rejections: the text itself --------------------------------------------------------------
def test_invalid_yaml_is_rejected_with_its_line_and_column():
    error = rejection("format: tutor-course/1\ncourse: [unclosed\nconcepts: []\n")

    assert str(error).startswith("basic.yaml: not valid YAML: line ")
    assert "column" in str(error)
    assert error.file == "basic.yaml"


def test_invalid_json_is_rejected_with_its_line_and_column():
    error = rejection('{\n  "format": "tutor-course/1",\n  "course": }\n', filename="basic.json")

    assert str(error).startswith("basic.json: not valid JSON: line 3, column 13:")


def test_a_duplicate_yaml_key_is_rejected_rather_than_silently_dropped():
    error = rejection("format: tutor-course/1\nformat: tutor-course/1\n")

    assert "line 2, column 1" in str(error)
    assert "duplicate key 'format'" in str(error)


def test_a_top_level_that_is_not_a_mapping_is_rejected():
    error = rejection("- just\n- a list\n")

    assert str(error) == (
        "basic.yaml: the top level must be a mapping (format, course, concepts, exercises), not a list"
    )


def test_a_file_over_the_size_limit_is_rejected(settings):
    settings.COURSE_PACKAGE_MAX_BYTES = 100

    error = rejection(BASIC.read_bytes())

    assert (
        str(error) == "basic.yaml: the file is too big for a course package: more than the limit of 100 bytes"
    )


def test_an_empty_file_is_rejected():
    error = rejection("# only a comment\n")

    assert str(error) == "basic.yaml: the file is empty (it holds no data, at most comments)"


def test_bytes_that_are_not_utf8_are_rejected():
    error = rejection("format: tutor-course/1\ncourse:\n  title: Caf\xe9\n".encode("latin-1"))

    assert str(error).startswith("basic.yaml: not UTF-8 text: byte 0xe9 at line 3")


def test_yaml_aliases_may_repeat_a_part_of_the_package():
    data = basic()
    shared = ["closed-circuit"]
    exercise(data, "bulb-gap")["concepts"] = shared
    exercise(data, "which-lights")["concepts"] = shared
    text = dump(data)
    assert "*id001" in text

    result = services.course_import(text, filename="basic.yaml")

    assert result.exercises == 3


def test_yaml_aliases_that_explode_are_rejected():
    lines = ["format: tutor-course/1", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(6)]

    error = rejection("\n".join(lines) + "\n")

    assert "the package expands to more than 1000000 values" in str(error)


def test_a_number_that_is_not_finite_is_rejected():
    data = basic()
    exercise(data, "ohm-1")["tolerance"] = float("inf")

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'ohm-1' (exercises[2]), field 'tolerance': must be a finite number, not inf"
    )


# --- rejections: the schema ---------------------------------------------------------------------
def test_a_missing_required_field_names_the_item_and_the_field():
    data = basic()
    del exercise(data, "ohm-1")["prompt"]

    error = rejection(data)

    assert (
        str(error) == "basic.yaml: exercise 'ohm-1' (exercises[2]), field 'prompt': is required but missing"
    )
    assert (error.item, error.field) == ("exercise 'ohm-1' (exercises[2])", "prompt")


def test_a_wrong_type_names_the_nested_field():
    data = basic()
    exercise(data, "which-lights")["options"][1]["correct"] = "yes"

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'which-lights' (exercises[1]), field 'options[1].correct': "
        "must be true or false, not a string ('yes')"
    )


def test_an_unknown_field_is_rejected_with_the_allowed_ones():
    data = basic()
    concept(data, "current")["prerequisite"] = ["closed-circuit"]

    error = rejection(data)

    assert "concept 'current' (concepts[1]), field 'prerequisite': is not a field of the format" in str(error)
    assert "allowed here: slug, name, description, prerequisites, passages" in str(error)


def test_an_invalid_slug_is_explained():
    data = basic()
    concept(data, "current")["slug"] = "Electric Current"

    error = rejection(data)

    assert "concept 'Electric Current' (concepts[1]), field 'slug'" in str(error)
    assert "not a valid slug" in str(error)


def test_a_wrong_format_tag_is_rejected():
    data = basic()
    data["format"] = "tutor-course/2"

    error = rejection(data)

    assert str(error) == "basic.yaml: field 'format': must be 'tutor-course/1', not 'tutor-course/2'"


def test_the_first_problem_in_the_file_is_reported():
    data = basic()
    del exercise(data, "ohm-1")["prompt"]
    exercise(data, "bulb-gap")["difficulty"] = 3

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'bulb-gap' (exercises[0]), field 'difficulty': must be at most 1, not 3"
    )


def test_course_settings_must_be_a_mapping():
    data = basic()
    data["course"]["settings"] = ["new_concepts_per_window", 2]

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: course 'basic-circuits', field 'settings': must be a mapping, not a list"
    )


# --- rejections: rules beyond the schema -----------------------------------------------------
def test_an_unknown_exercise_kind_is_rejected_with_the_allowed_kinds():
    data = basic()
    exercise(data, "ohm-1")["kind"] = "essay"

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'ohm-1' (exercises[2]), field 'kind': unknown exercise kind 'essay'; "
        "allowed: multiple_choice, numeric, free_text"
    )


def test_a_duplicate_concept_slug_is_rejected():
    data = basic()
    data["concepts"].append({"slug": "current", "name": "Current again"})

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: concept 'current' (concepts[3]), field 'slug': "
        "duplicate concept slug 'current', already used by concepts[1]"
    )


def test_a_duplicate_exercise_slug_is_rejected():
    data = basic()
    data["exercises"].append(copy.deepcopy(exercise(data, "bulb-gap")))

    error = rejection(data)

    assert "exercise 'bulb-gap' (exercises[3]), field 'slug'" in str(error)
    assert "duplicate exercise slug 'bulb-gap', already used by exercises[0]" in str(error)


def test_an_unknown_prerequisite_is_rejected():
    data = basic()
    concept(data, "ohms-law")["prerequisites"].append("voltage")

    error = rejection(data)

    assert str(error).startswith(
        "basic.yaml: concept 'ohms-law' (concepts[2]), field 'prerequisites': unknown concept 'voltage'"
    )


def test_an_unknown_concept_of_an_exercise_is_rejected():
    data = basic()
    exercise(data, "ohm-1")["concepts"] = ["resistance"]

    error = rejection(data)

    assert str(error).startswith(
        "basic.yaml: exercise 'ohm-1' (exercises[2]), field 'concepts': unknown concept 'resistance'"
    )


def test_a_prerequisite_cycle_names_its_concepts_in_order():
    data = basic()
    concept(data, "closed-circuit")["prerequisites"] = ["ohms-law"]
    concept(data, "ohms-law")["prerequisites"] = ["current"]

    error = rejection(data)

    assert (error.item, error.field) == ("concept 'closed-circuit' (concepts[0])", "prerequisites")
    assert "prerequisite cycle closed-circuit -> ohms-law -> current -> closed-circuit" in str(error)


def test_a_concept_that_needs_itself_is_a_cycle():
    data = basic()
    concept(data, "current")["prerequisites"] = ["current"]

    error = rejection(data)

    assert "concept 'current' (concepts[1]), field 'prerequisites'" in str(error)
    assert "prerequisite cycle current -> current" in str(error)


def test_a_multiple_choice_item_without_a_correct_option_is_rejected():
    data = basic()
    exercise(data, "which-lights")["options"][1]["correct"] = False

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'which-lights' (exercises[1]), field 'options': "
        "a multiple-choice exercise needs at least one correct option"
    )


def test_a_multiple_choice_item_with_fewer_than_two_options_is_rejected():
    data = basic()
    exercise(data, "which-lights")["options"] = [{"text": "The only one", "correct": True}]

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'which-lights' (exercises[1]), field 'options': "
        "a multiple-choice exercise needs at least two options, this one has 1"
    )


def test_options_on_an_item_that_is_not_multiple_choice_are_rejected():
    data = basic()
    exercise(data, "ohm-1")["options"] = [{"text": "2 A", "correct": True}, {"text": "18 A"}]

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'ohm-1' (exercises[2]), field 'options': "
        "only multiple-choice exercises have 'options'; this one is numeric"
    )


def test_a_numeric_item_without_a_value_is_rejected():
    data = basic()
    del exercise(data, "ohm-1")["value"]

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'ohm-1' (exercises[2]), field 'value': "
        "a numeric exercise needs a value (the correct answer)"
    )


def test_a_free_text_item_without_a_reference_answer_is_rejected():
    data = basic()
    exercise(data, "bulb-gap")["reference_answers"] = []

    error = rejection(data)

    assert str(error) == (
        "basic.yaml: exercise 'bulb-gap' (exercises[0]), field 'reference_answers': "
        "a free-text exercise needs at least one reference answer"
    )


def test_parse_package_returns_the_package_without_touching_the_database():
    data = parse_package(BASIC.read_text(encoding="utf-8"), filename="basic.yaml")

    assert data == basic()
    assert Course.objects.count() == 0


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
    from content.package import CoursePackageError, parse_package

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
    from content.package import parse_package

    text = """
format: tutor-course/1
course: {slug: c, title: C, settings: {mastery_threshold: 0.9, target_success_low: 0.5}}
concepts: [{slug: a, name: A}]
exercises: []
"""
    assert parse_package(text, filename="c.yaml")["course"]["settings"]["mastery_threshold"] == 0.9
