"""Exporting courses as packages: round trips, what is left out, the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from content import services
from content.models import Course, ExerciseKind, Status
from content.package import parse_package
from tests.factories import (
    ChoiceFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    HintFactory,
    PassageFactory,
    ReferenceAnswerFactory,
)

BASIC = Path(__file__).parent / "packages" / "basic.yaml"

pytestmark = pytest.mark.django_db


def import_basic() -> Course:
    return services.course_import(BASIC.read_bytes(), filename="basic.yaml").course


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_then_import_into_a_clean_database_gives_the_same_course(fmt):
    course = import_basic()
    exported = services.course_export(course)
    text = services.course_export_text(course, fmt)
    Course.objects.all().delete()

    result = services.course_import(text, filename=f"basic-circuits.{fmt}")

    assert result.created is True
    assert services.course_export(result.course) == exported


def test_the_export_holds_everything_the_package_said():
    course = import_basic()

    exported = services.course_export(course)

    assert exported["format"] == "tutor-course/1"
    assert exported["course"] == {
        "slug": "basic-circuits",
        "title": "Basic circuits",
        "description": "Closed circuits, current and Ohm's law.",
        "source": "Written for the tests of the course importer.",
        "status": "published",
        "version": 1,
        "settings": {"new_concepts_per_window": 2},
    }
    assert [c["slug"] for c in exported["concepts"]] == ["closed-circuit", "current", "ohms-law"]
    assert exported["concepts"][2]["prerequisites"] == ["closed-circuit", "current"]
    numeric = exported["exercises"][2]
    assert {k: numeric[k] for k in ("kind", "value", "tolerance", "unit", "hints", "status")} == {
        "kind": "numeric",
        "value": 2.0,
        "tolerance": 0.05,
        "unit": "A",
        "hints": ["I = V / R."],
        "status": "draft",
    }
    assert exported["exercises"][1]["options"] == [
        {
            "text": "A wire from one terminal to the bulb only",
            "correct": False,
            "feedback": "The path is not closed.",
        },
        {"text": "Wires from both terminals to the bulb", "correct": True},
    ]


def test_archived_exercises_and_concepts_are_not_exported():
    course = import_basic()
    data = yaml.safe_load(BASIC.read_text(encoding="utf-8"))
    data["course"]["version"] = 2
    data["concepts"] = data["concepts"][:2]
    data["exercises"] = data["exercises"][:2]
    services.course_import(yaml.safe_dump(data, sort_keys=False), filename="basic-v2.yaml")
    course.refresh_from_db()

    exported = services.course_export(course)

    assert [c["slug"] for c in exported["concepts"]] == ["closed-circuit", "current"]
    assert [e["slug"] for e in exported["exercises"]] == ["bulb-gap", "which-lights"]
    assert exported["course"]["version"] == 2


def test_a_course_curated_in_the_admin_exports_to_a_valid_package():
    course = CourseFactory(slug="circuits", title="Circuits", status=Status.DRAFT)
    paths = ConceptFactory(course=course, slug="paths", name="Paths")
    current = ConceptFactory(course=course, slug="current", name="Current")
    current.prerequisites.add(paths)
    PassageFactory(concept=paths)
    free_text = ExerciseFactory(course=course, slug="gap", concepts=[paths], status=Status.DRAFT)
    ReferenceAnswerFactory(exercise=free_text)
    HintFactory(exercise=free_text)
    choice = ExerciseFactory(
        course=course, slug="pick", kind=ExerciseKind.MULTIPLE_CHOICE, concepts=[current]
    )
    ChoiceFactory(exercise=choice, is_correct=True)
    ChoiceFactory(exercise=choice)

    text = services.course_export_text(course, "yaml")

    data = parse_package(text, filename="circuits.yaml")
    assert data["course"]["status"] == "draft"
    assert [(e["slug"], e["status"]) for e in data["exercises"]] == [("gap", "draft"), ("pick", "published")]
    assert data["concepts"][1]["prerequisites"] == ["paths"]


def test_multi_line_text_is_exported_as_a_literal_block():
    course = import_basic()

    text = services.course_export_text(course, "yaml")

    assert "worked_example: |\n      Step 1: a series circuit has one path.\n" in text


def test_an_unknown_export_format_is_refused():
    course = CourseFactory()

    with pytest.raises(ValueError, match="Unknown export format 'xml'"):
        services.course_export_text(course, "xml")


# --- the management command ------------------------------------------------------------------
def test_the_export_command_writes_yaml_to_stdout(capsys):
    course = import_basic()

    call_command("course_export", "basic-circuits")

    assert yaml.safe_load(capsys.readouterr().out) == services.course_export(course)


def test_the_export_command_writes_json_on_request(capsys):
    course = import_basic()

    call_command("course_export", "basic-circuits", "--format", "json")

    assert json.loads(capsys.readouterr().out) == services.course_export(course)


def test_the_export_command_writes_a_file_whose_ending_picks_the_format(tmp_path, capsys):
    course = import_basic()
    target = tmp_path / "out.json"

    call_command("course_export", "basic-circuits", "--output", str(target))

    assert json.loads(target.read_text(encoding="utf-8")) == services.course_export(course)
    assert capsys.readouterr().out.strip() == f"Exported course 'basic-circuits' version 1 to {target}"


def test_the_exported_file_imports_back_with_the_import_command(tmp_path, capsys):
    import_basic()
    target = tmp_path / "basic-circuits.yaml"
    call_command("course_export", "basic-circuits", "--output", str(target))
    Course.objects.all().delete()
    capsys.readouterr()

    call_command("course_import", str(target))

    assert "Imported course 'basic-circuits' version 1: 3 concepts, 3 exercises" in capsys.readouterr().out


def test_the_export_command_names_an_unknown_slug():
    with pytest.raises(CommandError, match="No course with slug 'no-such-course'"):
        call_command("course_export", "no-such-course")
