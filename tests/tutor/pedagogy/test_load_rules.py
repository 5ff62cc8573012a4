"""The cognitive-load rules (``tutor.pedagogy.load``) as the policy applies them: the
new-concept cap, repeated errors, fading worked examples, response times, breaks and
interleaving."""

from __future__ import annotations

import pytest

from content.api import PolicySettings
from tests.tutor.pedagogy.builders import (
    NOW,
    A,
    B,
    C,
    D,
    answered,
    choose,
    concept,
    exercise,
    prerequisite_course,
    state,
    student,
)


# --- new-concept cap ------------------------------------------------------------------
def _cap_course():
    concepts = [concept(A), concept(B), concept(C)]
    a0, a1, ac = exercise(10, A), exercise(11, A), exercise(13, A, C)
    return concepts, [a0, a1, ac, exercise(21, B), exercise(31, C)], a0


def test_the_new_concept_cap_holds_back_a_third_new_concept_within_the_window():
    # Given A and B both started in the last 20 minutes, and A's most telling item would start C
    concepts, exercises, a0 = _cap_course()
    states = {A: state(0.5, started_minutes_ago=5), B: state(0.5, started_minutes_ago=10)}

    decision = choose(concepts, exercises, student(states, [answered(a0, 1)]), {11: 0.5, 13: 0.7})

    # Then A is practised on its own
    assert (decision.rule, decision.exercise_id) == ("new_concept_cap", 11)
    assert decision.reason["held_back_concepts"] == ["c"]
    assert decision.reason["new_concepts_in_window"] == 2


def test_the_new_concept_cap_does_not_bind_outside_the_window():
    concepts, exercises, a0 = _cap_course()
    states = {A: state(0.5, started_minutes_ago=30), B: state(0.5, started_minutes_ago=40)}

    decision = choose(concepts, exercises, student(states, [answered(a0, 1)]), {11: 0.5, 13: 0.7})

    assert (decision.rule, decision.exercise_id) == ("most_items_saved", 13)
    assert decision.reason["starts_concepts"] == ["c"]


def test_the_new_concept_cap_holds_when_everything_started_is_mastered():
    # Given the two concepts started in the window are already mastered: only new C is left
    concepts, exercises, a0 = _cap_course()
    states = {A: state(0.97, started_minutes_ago=5), B: state(0.97, started_minutes_ago=10)}

    decision = choose(concepts, exercises, student(states, [answered(a0, 1)]))

    # Then C waits: a mastered concept is practised, and the reason says why
    assert decision.rule == "new_concept_cap_practice_mastered"
    assert decision.concept_id in (A, B)
    assert decision.reason["new_concepts_in_window"] == 2
    assert decision.reason["held_back_concepts"] == ["c"]
    assert "the most we start at once" in decision.message


def test_the_new_concept_cap_is_relaxed_only_when_nothing_else_can_be_served():
    # Given A and B mastered in the window, and every item of theirs answered just now
    concepts = [concept(A), concept(B), concept(C)]
    a0, b0 = exercise(10, A), exercise(21, B)
    states = {A: state(0.97, started_minutes_ago=5), B: state(0.97, started_minutes_ago=10)}
    view = student(states, [answered(a0, 2), answered(b0, 1)])

    decision = choose(concepts, [a0, b0, exercise(31, C)], view)

    # Then C starts beyond the cap, and the message says so honestly
    assert (decision.rule, decision.concept_id) == ("new_concept_cap_relaxed", C)
    assert "the most we usually start at once" in decision.message


# --- repeated errors ------------------------------------------------------------------
def _errors_course():
    a2 = exercise(12, A)
    exercises = [
        exercise(11, A, worked=True),  # easier, with a worked example
        a2,  # the item just failed
        exercise(13, A, worked=True),  # harder
        exercise(14, A),  # easiest, no worked example
    ]
    return [concept(A)], exercises, a2, {11: 0.7, 12: 0.5, 13: 0.3, 14: 0.8}


def test_two_errors_in_a_row_bring_the_worked_example_on_an_easier_item():
    concepts, exercises, a2, predictions = _errors_course()
    view = student({A: state(0.4, errors=2)}, [answered(a2, 1, correct=False)])

    decision = choose(concepts, exercises, view, predictions)

    assert (decision.rule, decision.exercise_id, decision.worked_example) == (
        "worked_example_after_errors",
        11,
        "show",
    )
    assert decision.reason["errors_in_a_row"] == 2
    assert decision.reason["easier_than_last"] is True


def test_the_worked_example_comes_with_an_item_in_the_band_rather_than_the_easiest():
    # Given the failed item (0.5), and two items with worked examples: 15 the easiest (0.95,
    # above the band) and 11 in the band (0.7)
    concepts, exercises, a2, predictions = _errors_course()
    exercises = [*exercises, exercise(15, A, worked=True)]
    view = student({A: state(0.4, errors=2)}, [answered(a2, 1, correct=False)])

    decision = choose(concepts, exercises, view, {**predictions, 15: 0.95})

    # Then 11: the worked example is the support; the easiest item is the likeliest lucky guess
    assert (decision.rule, decision.exercise_id, decision.worked_example) == (
        "worked_example_after_errors",
        11,
        "show",
    )


def test_the_worked_example_comes_with_an_item_that_also_practises_another_concept_being_learned():
    # Given A and B both being learned, errors on A, and worked examples on 11 (A) and 16 (A, B)
    concepts, exercises, a2, predictions = _errors_course()
    concepts = [concept(A), concept(B)]
    exercises = [*exercises, exercise(16, A, B, worked=True), exercise(21, B)]
    view = student({A: state(0.4, errors=2), B: state(0.5)}, [answered(a2, 1, correct=False)])

    decision = choose(concepts, exercises, view, {**predictions, 16: 0.5})

    # Then 16: one answer is practice and evidence on both (more items saved), though harder
    assert (decision.rule, decision.exercise_id) == ("worked_example_after_errors", 16)
    assert decision.reason["easier_than_last"] is False
    assert decision.reason["expected_items_saved"] > 1.5


def test_two_errors_without_any_worked_example_bring_an_easier_item():
    concepts, exercises, a2, predictions = _errors_course()
    exercises = [exercise(e.id, A) for e in exercises]
    view = student({A: state(0.4, errors=2)}, [answered(a2, 1, correct=False)])

    decision = choose(concepts, exercises, view, predictions)

    assert (decision.rule, decision.exercise_id, decision.worked_example) == (
        "easier_item_after_errors",
        14,
        "none",
    )


def test_one_error_changes_nothing():
    concepts, exercises, a2, predictions = _errors_course()
    view = student({A: state(0.4, errors=1)}, [answered(a2, 1, correct=False)])

    decision = choose(concepts, exercises, view, predictions)

    assert decision.rule == "most_items_saved"
    assert decision.worked_example == "offer"  # faded by mastery 0.4, not forced


def test_three_errors_in_a_row_bring_a_review_of_the_weakest_prerequisite():
    # Given C builds on A (0.99) and B (0.96), and the last three answers on C were wrong
    concepts, exercises, c1 = prerequisite_course()
    states = {A: state(0.99), B: state(0.96), C: state(0.3, errors=3)}

    decision = choose(concepts, exercises, student(states, [answered(c1, 1, correct=False)]))

    assert (decision.rule, decision.concept_id, decision.exercise_id) == ("prerequisite_after_errors", B, 21)
    assert decision.reason["for_concept"] == "c"
    assert "Concept C" in decision.message and "Concept B" in decision.message


def test_no_step_back_to_prerequisites_confirmed_beyond_doubt():
    # Given C's prerequisites A (0.99) and B (0.98) are both above step_back_below (0.975)
    concepts, exercises, c1 = prerequisite_course()
    states = {A: state(0.99), B: state(0.98), C: state(0.3, errors=3)}

    decision = choose(concepts, exercises, student(states, [answered(c1, 1, correct=False)]))

    # Then the errors are worked on where they are: C with its worked example
    assert (decision.rule, decision.concept_id) == ("worked_example_after_errors", C)


def test_a_stricter_step_back_setting_rechecks_a_prerequisite_at_0_98():
    concepts, exercises, c1 = prerequisite_course()
    states = {A: state(0.99), B: state(0.98), C: state(0.3, errors=3)}

    decision = choose(
        concepts,
        exercises,
        student(states, [answered(c1, 1, correct=False)]),
        settings=PolicySettings(step_back_below=0.985),
    )

    assert (decision.rule, decision.concept_id) == ("prerequisite_after_errors", B)


def test_two_errors_do_not_step_back_to_a_prerequisite():
    concepts, exercises, c1 = prerequisite_course()
    states = {A: state(0.99), B: state(0.96), C: state(0.3, errors=2)}

    decision = choose(concepts, exercises, student(states, [answered(c1, 1, correct=False)]))

    assert (decision.rule, decision.concept_id) == ("worked_example_after_errors", C)


def test_after_the_step_back_the_concept_is_retried_with_its_worked_example_until_the_next_three():
    concepts, exercises, c1 = prerequisite_course()
    for errors, rule in [
        (4, "worked_example_after_errors"),
        (5, "worked_example_after_errors"),
        (6, "prerequisite_after_errors"),
    ]:
        states = {A: state(0.99), B: state(0.96), C: state(0.3, errors=errors)}

        decision = choose(concepts, exercises, student(states, [answered(c1, 1, correct=False)]))

        assert decision.rule == rule, errors


# --- fading worked examples -----------------------------------------------------------
@pytest.mark.parametrize(
    ("mastery", "worked", "expected"),
    [(0.2, True, "show"), (0.45, True, "offer"), (0.7, True, "none"), (0.2, False, "none")],
)
def test_worked_examples_fade_as_mastery_rises(mastery, worked, expected):
    decision = choose([concept(A)], [exercise(11, A, worked=worked)], student({A: state(mastery)}))

    assert decision.worked_example == expected
    assert decision.reason["worked_example"] == expected


# --- response times -------------------------------------------------------------------
def _slow_course():
    a0 = exercise(10, A)
    return [concept(A)], [a0, exercise(11, A), exercise(12, A)], a0, {11: 0.65, 12: 0.9}


def test_a_slow_answer_brings_an_easier_item():
    concepts, exercises, a0, predictions = _slow_course()
    view = student({A: state(0.6)}, [answered(a0, 1, seconds=150)])  # 2.5x the expected 60 s

    decision = choose(concepts, exercises, view, predictions)

    assert (decision.rule, decision.exercise_id) == ("slow_response_easier", 12)
    assert decision.reason["target_band"] == [0.7, 0.95]


def test_an_answer_in_normal_time_keeps_the_band():
    concepts, exercises, a0, predictions = _slow_course()
    view = student({A: state(0.6)}, [answered(a0, 1, seconds=100)])

    decision = choose(concepts, exercises, view, predictions)

    assert (decision.rule, decision.exercise_id) == ("most_items_saved", 11)


@pytest.mark.parametrize(
    ("correct", "seconds", "expect_slow_down"),
    [(False, 10, True), (True, 10, False), (False, 30, False), (None, 10, False)],
)
def test_a_fast_wrong_answer_asks_the_student_to_slow_down(correct, seconds, expect_slow_down):
    a0 = exercise(10, A)
    view = student({A: state(0.5)}, [answered(a0, 1, correct=correct, seconds=seconds)])

    decision = choose([concept(A)], [a0, exercise(11, A)], view)

    assert (decision.slow_down is not None) == expect_slow_down


# --- breaks ---------------------------------------------------------------------------
def _steady(session_minutes: int, answers: list[bool] | None = None, *, gap_at: int | None = None):
    items = [exercise(10 + k, A) for k in range(5)]
    answers = answers or [True] * (session_minutes - 1)
    recent = [
        answered(items[k % 5], len(answers) - k, correct=ok, seconds=40) for k, ok in enumerate(answers)
    ]
    if gap_at is not None:
        recent = [r for r in recent if not gap_at <= (NOW - r.answered_at).total_seconds() / 60 < gap_at + 10]
    return [concept(A)], items, student({A: state(0.5)}, recent, session_minutes=session_minutes)


def test_a_break_is_suggested_after_25_minutes_on_task():
    decision = choose(*_steady(26))

    assert decision.break_suggestion is not None
    assert decision.reason["break"]["reason"] == "time_on_task"


def test_no_break_is_suggested_after_20_minutes_on_task():
    assert choose(*_steady(20)).break_suggestion is None


def test_a_pause_restarts_the_time_on_task():
    # Given 40 minutes since the session started, with a 10-minute pause 20 minutes ago
    decision = choose(*_steady(41, gap_at=20))

    assert decision.break_suggestion is None


def test_a_break_is_suggested_when_accuracy_drops_by_a_third():
    # Given 9 of 10 right, then 5 of the next 10 (within 20 minutes on task)
    answers = [True] * 9 + [False] + [True, False] * 5

    decision = choose(*_steady(21, answers))

    assert decision.break_suggestion is not None
    assert decision.reason["break"] == {
        "reason": "accuracy_drop",
        "accuracy_last": 0.5,
        "accuracy_before": 0.9,
    }


def test_a_small_dip_in_accuracy_suggests_no_break():
    answers = [True] * 9 + [False] + [True] * 7 + [False] * 2 + [True]  # 0.9, then 0.7

    assert choose(*_steady(21, answers)).break_suggestion is None


# --- interleaving ---------------------------------------------------------------------
def _interleave_course(mastery: float, in_a_row: int):
    items = [exercise(10 + k, A) for k in range(1, 6)]
    recent = [answered(items[k], in_a_row - k) for k in range(in_a_row)]
    states = {A: state(mastery), B: state(0.5)}
    return [concept(A), concept(B)], [*items, exercise(21, B)], student(states, recent)


def test_four_in_a_row_on_a_nearly_mastered_concept_switch_to_another():
    decision = choose(*_interleave_course(0.85, 4))

    assert (decision.rule, decision.concept_id) == ("interleave", B)
    assert decision.reason["items_in_a_row"] == 4
    assert decision.reason["previous_concept"] == "a"


def test_four_in_a_row_below_the_interleaving_mastery_continue():
    decision = choose(*_interleave_course(0.75, 4))

    assert (decision.rule, decision.concept_id) == ("most_items_saved", A)


def test_three_in_a_row_on_a_nearly_mastered_concept_continue():
    decision = choose(*_interleave_course(0.85, 3))

    assert decision.concept_id == A


def test_a_slow_answer_says_easier_only_when_the_item_changes():
    # Given the only item left is the same whichever band applies
    a0 = exercise(10, A)
    view = student({A: state(0.6)}, [answered(a0, 1, seconds=150)])

    decision = choose([concept(A)], [a0, exercise(11, A)], view, {11: 0.75})

    assert (decision.rule, decision.exercise_id) == ("most_items_saved", 11)
    assert decision.reason["slow_response_changed_item"] is False


def test_the_new_concept_cap_outranks_interleaving():
    # Given four in a row on nearly mastered A, two concepts started in the window, only new B besides
    items = [exercise(10 + k, A) for k in range(1, 6)]
    recent = [answered(items[k], 4 - k) for k in range(4)]
    states = {A: state(0.85, started_minutes_ago=15), D: state(0.97, started_minutes_ago=10)}
    concepts = [concept(A), concept(B), concept(D)]

    decision = choose(concepts, [*items, exercise(21, B), exercise(41, D)], student(states, recent))

    # Then A continues rather than a third new concept
    assert (decision.rule, decision.concept_id) == ("new_concept_cap", A)
    assert decision.reason["held_back_concepts"] == ["b"]
    assert decision.reason["interleave"] == "no other concept could be practised now"
