"""Course packages that are rejected: the text, the schema, the rules beyond it; each error
names the file, the item and the field."""

from __future__ import annotations

import copy

import pytest

from content import services
from content.models import (
    Course,
)
from content.package import parse_package
from tests.content.package_helpers import (
    BASIC,
    basic,
    concept,
    dump,
    exercise,
    rejection,
    row_counts,
)

pytestmark = pytest.mark.django_db


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


def test_a_nul_character_in_a_text_is_rejected_and_nothing_is_written():
    data = basic()
    exercise(data, "ohm-1")["prompt"] = "What is\x00 the current?"

    error = rejection(data)

    assert (
        "exercise 'ohm-1'" in str(error) and "field 'prompt'" in str(error) and "NUL character" in str(error)
    )
    assert row_counts()["Course"] == 0


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
