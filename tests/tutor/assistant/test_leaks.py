"""The leak filter: what is sent is checked, in every number format, strictly for the
exercise in focus and for distinctive answers of every other exercise."""

from __future__ import annotations

from content.selectors import ExerciseMaterial
from tutor.assistant.leaks import answer_key, find_leaks, normalise


def _exercise(id_=1, *, value=None, unit="", references=(), options=(), title="An item"):
    return ExerciseMaterial(
        id=id_,
        slug=f"item-{id_}",
        title=title,
        prompt="?",
        kind="numeric",
        concept_ids=(1,),
        hints=(),
        worked_example="",
        correct_options=tuple(options),
        reference_answers=tuple(references),
        numeric_value=value,
        unit=unit,
    )


def test_numbers_are_normalised_whatever_their_format():
    assert normalise("It reads 1,5 V.") == normalise("it reads 1.50 v") == "it reads 1.5 v"
    assert normalise("Three bulbs") == "3 bulbs"
    assert normalise("3.0 volts!") == "3 volts"


def test_the_value_of_the_exercise_in_focus_is_caught_in_any_form():
    key = answer_key(_exercise(value=1.5, unit="V"))
    for reply in ("The answer is 1.5.", "about 1,5 volts", "1.50 V", "It's 1.5V"):
        assert find_leaks(reply, [key], focus={1}), reply


def test_outside_focus_a_number_leaks_only_with_its_unit():
    key = answer_key(_exercise(value=3, unit="bulbs"))
    assert find_leaks("so 3 bulbs stay lit", [key])
    assert not find_leaks("number the 3 terminals", [key])


def test_short_answers_are_vocabulary_except_for_the_exercise_in_focus():
    key = answer_key(_exercise(references=["a gap"]))
    assert not find_leaks("An open switch makes a gap in the path.", [key])
    assert find_leaks("An open switch makes a gap in the path.", [key], focus={1})


def test_a_distinctive_reference_answer_is_caught_for_every_exercise():
    key = answer_key(
        _exercise(references=["there is a closed path containing both the bulb and the battery"])
    )
    assert find_leaks("Well: There is a closed path, containing both the bulb and the battery!", [key])


def test_a_correct_option_is_caught_but_the_wrong_ones_are_not_protected():
    key = answer_key(_exercise(options=["A wire joins the two battery terminals directly"]))
    assert find_leaks("a wire joins the two battery terminals directly", [key])
    assert not find_leaks("a bulb is wired across the battery", [key], focus={1})


def test_names_the_student_already_sees_are_masked():
    key = answer_key(_exercise(references=["an open switch"]))
    reply = "Here is a hint for “Why an open switch matters”: think about the metal."
    assert not find_leaks(reply, [key], focus={1}, visible=["Why an open switch matters"])
    assert find_leaks(reply, [key], focus={1})
