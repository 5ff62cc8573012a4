from __future__ import annotations

import pytest

from content.checking import AnswerError, check_choices, check_numeric, parse_number
from content.models import ExerciseKind
from tests.factories import ChoiceFactory, ExerciseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "value"), [("1.5", 1.5), ("1,5", 1.5), (" 1.5 V", 1.5), ("-2e-3", -0.002), (".5v", 0.5)]
)
def test_numbers_are_read_as_students_type_them(raw, value):
    assert parse_number(raw, "V") == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Type a number"),
        ("abc", "is not a number"),
        ("1.5 mA", "'mA' is not the unit"),
        ("1" * 80, "too long"),
    ],
)
def test_bad_numbers_say_what_is_wrong(raw, message):
    with pytest.raises(AnswerError, match=message):
        parse_number(raw, "V")


def test_numeric_tolerance_is_inclusive():
    exercise = ExerciseFactory(kind=ExerciseKind.NUMERIC, numeric_value=3.0, numeric_tolerance=0.1, unit="V")

    assert check_numeric(exercise, "3.1").correct
    assert not check_numeric(exercise, "3.11").correct


def test_multi_answer_items_give_partial_credit():
    exercise = ExerciseFactory(kind=ExerciseKind.MULTIPLE_CHOICE)
    a, b = (
        ChoiceFactory(exercise=exercise, is_correct=True),
        ChoiceFactory(exercise=exercise, is_correct=True),
    )
    wrong = ChoiceFactory(exercise=exercise)

    assert check_choices(exercise, [a.pk, b.pk]).score == 1.0
    assert check_choices(exercise, [a.pk]).score == 0.5
    assert check_choices(exercise, [a.pk, wrong.pk]).score == 0.0


def test_an_option_of_another_exercise_is_refused():
    exercise = ExerciseFactory(kind=ExerciseKind.MULTIPLE_CHOICE)
    ChoiceFactory(exercise=exercise, is_correct=True)
    foreign = ChoiceFactory()

    with pytest.raises(AnswerError, match=f"Option {foreign.pk} is not an option of this exercise"):
        check_choices(exercise, [foreign.pk])
