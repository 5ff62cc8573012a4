"""The decision flow of next-item selection (``tutor.pedagogy.choose``): eligibility, focus,
reviews, test-out, the items-saved choice and the target band, recent items, the end. Pure
functions, no database; one case where each rule fires and one where it does not."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from content.api import PolicySettings
from tests.tutor.pedagogy.builders import NOW, A, B, C, answered, choose, concept, exercise, state, student
from tutor.pedagogy import ConceptState, CourseGraph, information_gain


# --- eligibility ----------------------------------------------------------------------
def test_a_concept_whose_prerequisite_is_not_mastered_is_not_served():
    # Given B needs A, and A is half learned
    concepts = [concept(A), concept(B, A)]
    exercises = [exercise(11, A), exercise(21, B)]

    decision = choose(concepts, exercises, student({A: state(0.5)}), {11: 0.3, 21: 0.7})

    # Then A is practised, even though B's item would sit in the band
    assert (decision.concept_id, decision.exercise_id) == (A, 11)


def test_a_concept_becomes_eligible_once_its_prerequisites_are_mastered():
    concepts = [concept(A), concept(B, A)]
    exercises = [exercise(11, A), exercise(21, B)]

    decision = choose(concepts, exercises, student({A: state(0.96)}))

    assert (decision.concept_id, decision.exercise_id) == (B, 21)
    assert decision.reason["starts_concepts"] == ["b"]


def test_the_curriculum_is_ordered_by_prerequisites_before_the_order_field():
    graph = CourseGraph([concept(A, B, order=1), concept(B, order=9)], [])

    assert [c.id for c in graph.concepts] == [B, A]


def test_a_prerequisite_cycle_or_an_unknown_prerequisite_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        CourseGraph([concept(A, B), concept(B, A)], [])
    with pytest.raises(ValueError, match="unknown prerequisite"):
        CourseGraph([concept(A, 99)], [])
    with pytest.raises(ValueError, match="unknown concept"):
        CourseGraph([concept(A)], [exercise(11, B)])


# --- focus ----------------------------------------------------------------------------
def test_the_concept_in_focus_is_continued_before_earlier_ones_in_the_curriculum():
    concepts = [concept(A), concept(B)]
    b1 = exercise(21, B)
    view = student({A: state(0.5), B: state(0.5)}, [answered(b1, 1)])

    decision = choose(concepts, [exercise(11, A), b1, exercise(22, B)], view)

    assert decision.concept_id == B


def test_without_a_focus_the_curriculum_order_decides():
    concepts = [concept(A), concept(B)]

    decision = choose(concepts, [exercise(11, A), exercise(21, B)], student({A: state(0.5), B: state(0.5)}))

    assert decision.concept_id == A


# --- reviews --------------------------------------------------------------------------
def test_a_mastered_concept_whose_review_is_due_is_reviewed():
    concepts = [concept(A), concept(B)]
    b1 = exercise(21, B)
    states = {A: state(0.97, review_due_at=NOW - timedelta(days=1)), B: state(0.5)}

    decision = choose(concepts, [exercise(11, A), b1, exercise(22, B)], student(states, [answered(b1, 1)]))

    assert (decision.rule, decision.concept_id) == ("review_due", A)
    assert decision.reason["days_overdue"] == pytest.approx(1.0)


def test_a_mastered_concept_not_yet_due_is_left_alone():
    concepts = [concept(A), concept(B)]
    b1 = exercise(21, B)
    states = {A: state(0.97, review_due_at=NOW + timedelta(days=1)), B: state(0.5)}

    decision = choose(concepts, [exercise(11, A), b1, exercise(22, B)], student(states, [answered(b1, 1)]))

    assert (decision.rule, decision.concept_id) == ("most_items_saved", B)


def _waiting_review(overdue_days: float, interval_days: float = 2.0) -> ConceptState:
    """A mastered concept whose review fell due ``overdue_days`` ago, ``interval_days`` after
    it was last practised."""
    return dataclasses.replace(
        state(0.97, review_due_at=NOW - timedelta(days=overdue_days)),
        last_practiced_at=NOW - timedelta(days=overdue_days + interval_days),
    )


def _choose_with_review_waiting(overdue_days: float, settings: PolicySettings | None = None):
    """The choice when A's review fell due ``overdue_days`` ago (after a two-day interval)
    while B is being learned (mastery 0.5, one item of B just answered)."""
    b1 = exercise(21, B)
    states = {A: _waiting_review(overdue_days), B: state(0.5)}
    return choose(
        [concept(A), concept(B)],
        [exercise(11, A), b1, exercise(22, B)],
        student(states, [answered(b1, 1)]),
        settings=settings,
    )


def test_a_review_waits_while_concepts_are_being_learned_until_it_is_well_overdue():
    # Given A due a day ago after a two-day interval (half an interval overdue), B being learned
    decision = _choose_with_review_waiting(1.0)

    # Then B continues, and the reason says that A's review waits
    assert (decision.rule, decision.concept_id) == ("most_items_saved", B)
    assert decision.reason["reviews_waiting"] == ["a"]


def test_a_review_overdue_by_one_to_three_intervals_still_waits_by_default():
    # Given A overdue by 1.25 intervals (2.5 days after a two-day interval): within the
    # default grace of 3 intervals
    decision = _choose_with_review_waiting(2.5)

    assert PolicySettings().review_grace == 3.0
    assert (decision.rule, decision.concept_id) == ("most_items_saved", B)
    assert decision.reason["reviews_waiting"] == ["a"]


def test_a_review_overdue_by_more_than_three_intervals_is_served():
    decision = _choose_with_review_waiting(6.5)

    assert (decision.rule, decision.concept_id) == ("review_due", A)


def test_a_course_may_set_the_grace_back_to_one_interval():
    decision = _choose_with_review_waiting(2.5, PolicySettings(review_grace=1.0))

    assert (decision.rule, decision.concept_id) == ("review_due", A)


def test_a_waiting_review_is_served_once_nothing_is_left_to_learn():
    concepts = [concept(A), concept(B)]
    b1 = exercise(21, B)
    states = {A: _waiting_review(0.5), B: state(0.97)}

    decision = choose(concepts, [exercise(11, A), b1], student(states, [answered(b1, 1)]))

    assert (decision.rule, decision.concept_id, decision.done) == ("review_due", A, False)


def test_without_review_grace_a_review_is_served_as_soon_as_it_is_due():
    decision = _choose_with_review_waiting(0.5, PolicySettings(review_grace=0.0))

    assert (decision.rule, decision.concept_id) == ("review_due", A)


def test_a_waiting_review_is_done_inside_an_item_of_the_concept_being_learned():
    # Given A's review waits and B is being learned: an item on B alone and one on A and B
    concepts = [concept(A), concept(B)]
    b1 = exercise(21, B)
    states = {A: _waiting_review(1.0), B: state(0.5)}

    decision = choose(
        concepts,
        [exercise(11, A), b1, exercise(22, B), exercise(23, A, B)],
        student(states, [answered(b1, 1)]),
    )

    # Then the item on both: one answer is practice on B and A's review
    assert decision.exercise_id == 23
    assert decision.reason["expected_items_saved"] > 1.5


# --- test-out -------------------------------------------------------------------------
def _test_out_course(mastery_of_a: float, *, b_needs_c: bool = False, worked: bool = False):
    concepts = [concept(A), concept(B, A, C) if b_needs_c else concept(B, A), concept(C)]
    a0 = exercise(10, A)
    exercises = [a0, exercise(11, A, worked=worked), exercise(12, A, B, worked=worked), exercise(31, C)]
    states = {A: state(mastery_of_a), C: state(0.5)}
    return concepts, exercises, student(states, [answered(a0, 1)])


def test_a_concept_past_the_novice_stage_is_tested_out_by_an_item_on_what_builds_on_it():
    # Given A at 0.7 (B builds on A and is not ready), an item on A and one on A and B
    decision = choose(*_test_out_course(0.7))

    # Then the item on A and B: a right answer is full evidence on A and a start on B
    assert (decision.rule, decision.exercise_id, decision.concept_id) == ("test_out", 12, A)
    assert decision.reason["test_out"] == {
        "concepts": ["b"],
        "ahead_of": ["a"],
        "test_out_from": 0.3,
        "answers_on_concept": 5,
    }
    assert decision.reason["starts_concepts"] == ["b"]
    assert decision.reason["expected_items_saved"] > 1.0
    assert "Concept B" in decision.message


def test_no_test_out_below_its_mastery_setting():
    # Given A at 0.2, still a novice (below test_out_from, 0.3)
    decision = choose(*_test_out_course(0.2))

    assert (decision.rule, decision.exercise_id) == ("most_items_saved", 11)


def _never_practised(prior_of_a: float):
    concepts, exercises, _ = _test_out_course(0.7)
    view = dataclasses.replace(student({C: state(0.97)}), prior_mastery={A: prior_of_a})
    return concepts, exercises, view


def test_a_concept_never_practised_is_tested_out_when_its_prior_is_past_the_novice_stage():
    # Given A never practised, at its prior of 0.4 (above test_out_from, 0.3)
    decision = choose(*_never_practised(0.4), {10: 0.7, 11: 0.7, 12: 0.7})

    # Then its first item may already be the one on A and B: the belief decides, prior or not
    assert (decision.rule, decision.exercise_id, decision.concept_id) == ("test_out", 12, A)
    assert decision.reason["test_out"]["answers_on_concept"] == 0
    assert sorted(decision.reason["starts_concepts"]) == ["a", "b"]
    assert decision.message.startswith("You may already know Concept A")


def test_no_test_out_on_a_prior_below_test_out_from():
    # Given A never practised, at a prior of 0.2: the course's students mostly arrive novices
    decision = choose(*_never_practised(0.2), {10: 0.7, 11: 0.7, 12: 0.7})

    # Then its first item is on A alone
    assert decision.concept_id == A
    assert decision.exercise_id in (10, 11)


def test_a_course_may_ask_for_answers_on_a_concept_before_test_out():
    settings = PolicySettings(test_out_min_answers=1)

    decision = choose(*_never_practised(0.4), {10: 0.7, 11: 0.7, 12: 0.7}, settings=settings)

    assert decision.concept_id == A
    assert decision.exercise_id in (10, 11)
    # ...and once A has been answered, the same belief tests it out
    concepts, exercises, view = _test_out_course(0.4)
    assert choose(concepts, exercises, view, settings=settings).rule == "test_out"


def test_no_test_out_when_the_concept_also_needs_another_prerequisite_not_yet_mastered():
    decision = choose(*_test_out_course(0.7, b_needs_c=True))

    assert decision.exercise_id == 11


def _errors_on_a(worked: bool):
    concepts, exercises, _ = _test_out_course(0.7, worked=worked)
    a0 = exercises[0]
    states = {A: state(0.7, errors=2), C: state(0.5)}
    view = student(states, [answered(a0, 2, correct=False), answered(exercises[1], 1, correct=False)])
    return concepts, exercises, view


def test_after_repeated_errors_a_test_out_item_with_a_worked_example_is_served_with_it():
    # Given A at 0.7 with two errors in a row, and worked examples on 11 (A) and 12 (A and B)
    concepts, exercises, view = _errors_on_a(worked=True)

    decision = choose(concepts, exercises, view, {10: 0.8, 11: 0.6, 12: 0.7})

    # Then the usual choice among them, the test-out item, with its worked example shown first
    assert (decision.rule, decision.exercise_id, decision.worked_example) == (
        "worked_example_after_errors",
        12,
        "show",
    )
    assert decision.reason["test_out"]["concepts"] == ["b"]


def test_after_repeated_errors_without_worked_examples_the_easier_item_is_on_the_concept_alone():
    concepts, exercises, view = _errors_on_a(worked=False)

    decision = choose(concepts, exercises, view, {10: 0.8, 11: 0.6, 12: 0.9})

    assert decision.rule == "easier_item_after_errors"
    assert decision.exercise_id == 10


# --- target band and information gain -------------------------------------------------
def test_the_item_inside_the_target_band_is_chosen():
    exercises = [exercise(11, A), exercise(12, A), exercise(13, A)]

    decision = choose([concept(A)], exercises, student({A: state(0.5)}), {11: 0.4, 12: 0.7, 13: 0.95})

    assert decision.exercise_id == 12
    assert decision.reason["in_band"] is True
    assert decision.reason["target_band"] == [0.6, 0.85]


def test_without_an_item_in_the_band_the_closest_one_is_chosen():
    exercises = [exercise(11, A), exercise(12, A), exercise(13, A)]

    decision = choose([concept(A)], exercises, student({A: state(0.5)}), {11: 0.3, 12: 0.55, 13: 0.95})

    assert decision.exercise_id == 12
    assert decision.reason["in_band"] is False


def test_an_item_giving_evidence_on_two_concepts_being_learned_wins():
    # Given A (in focus) and B both half learned, an item on A alone and one on A and B
    concepts = [concept(A), concept(B)]
    a0 = exercise(10, A)
    view = student({A: state(0.5), B: state(0.5)}, [answered(a0, 1)])

    decision = choose(concepts, [a0, exercise(11, A), exercise(12, A, B)], view)

    # Then the item on both saves more than the one item an item on A alone saves
    assert decision.exercise_id == 12
    assert decision.reason["expected_items_saved"] > 1.5
    assert decision.reason["information_gain"] == pytest.approx(2 * information_gain(0.5, 0.2, 0.1), abs=1e-3)
    assert decision.rule == "most_items_saved"


def test_an_item_on_two_concepts_being_learned_wins_even_outside_the_band():
    # Given A (in focus) and B both half learned: an item on A alone in the band, and one on
    # A and B predicted below it
    concepts = [concept(A), concept(B)]
    a0 = exercise(10, A)
    view = student({A: state(0.5), B: state(0.5)}, [answered(a0, 1)])

    decision = choose(concepts, [a0, exercise(11, A), exercise(12, A, B)], view, {11: 0.7, 12: 0.45})

    # Then one answer that is practice and evidence on both wins over the better fit
    assert decision.exercise_id == 12
    assert decision.reason["in_band"] is False


def test_among_items_on_the_same_concepts_the_band_still_decides():
    concepts = [concept(A), concept(B)]
    a0 = exercise(10, A)
    view = student({A: state(0.5), B: state(0.5)}, [answered(a0, 1)])
    exercises = [a0, exercise(11, A), exercise(12, A, B), exercise(13, A, B)]

    decision = choose(concepts, exercises, view, {11: 0.7, 12: 0.45, 13: 0.65})

    assert decision.exercise_id == 13
    assert decision.reason["in_band"] is True


def test_no_evidence_is_sought_on_a_concept_that_is_clearly_known():
    # Given C is mastered and not due: an item on A and C tells nothing wanted about C
    concepts = [concept(A), concept(C)]
    a0 = exercise(10, A)
    view = student({A: state(0.5), C: state(0.99)}, [answered(a0, 1)])

    decision = choose(concepts, [a0, exercise(11, A), exercise(13, A, C)], view)

    # Then the item on A alone, which saves exactly one item: C only makes the other harder
    assert decision.exercise_id == 11
    assert decision.reason["expected_items_saved"] == pytest.approx(1.0, abs=0.01)
    assert decision.reason["information_gain"] == pytest.approx(information_gain(0.5, 0.2, 0.1), abs=1e-3)


def test_an_item_that_also_practises_a_concept_coming_up_for_review_wins():
    # Given C mastered two days ago with its review due in a day, and A being learned
    concepts = [concept(A), concept(C)]
    a0 = exercise(10, A)
    c_state = dataclasses.replace(
        state(0.97, review_due_at=NOW + timedelta(days=1)), last_practiced_at=NOW - timedelta(days=2)
    )
    view = student({A: state(0.5), C: c_state}, [answered(a0, 1)])

    decision = choose(concepts, [a0, exercise(11, A), exercise(13, A, C)], view)

    # Then the item on A and C: two thirds of C's review interval have passed, so the answer
    # is also most of a review C is about to need
    assert decision.exercise_id == 13
    assert decision.reason["expected_items_saved"] > 1.3


# --- recent items ---------------------------------------------------------------------
def test_an_exercise_answered_in_the_last_few_items_is_not_served_again():
    a1, a2, a3, a4 = (exercise(10 + k, A) for k in range(1, 5))
    view = student({A: state(0.5)}, [answered(a2, 3), answered(a3, 2), answered(a1, 1)])

    decision = choose([concept(A)], [a1, a2, a3, a4], view, {11: 0.7, 12: 0.65, 13: 0.65, 14: 0.62})

    assert decision.exercise_id == 14


def test_an_exercise_answered_longer_ago_can_be_served_again():
    a1, a2, a3, a4, a5 = (exercise(10 + k, A) for k in range(1, 6))
    view = student({A: state(0.5)}, [answered(a1, 4), answered(a2, 3), answered(a3, 2), answered(a4, 1)])

    decision = choose([concept(A)], [a1, a2, a3, a4, a5], view, {11: 0.7, 15: 0.62})

    assert decision.exercise_id == 11


def test_when_only_recent_exercises_remain_the_least_recent_is_repeated_and_said():
    a1, a2 = exercise(11, A), exercise(12, A)
    view = student({A: state(0.5)}, [answered(a1, 2), answered(a2, 1)])

    decision = choose([concept(A)], [a1, a2], view)

    assert decision.exercise_id == 11
    assert decision.reason["recent_items_relaxed"] is True


# --- the end --------------------------------------------------------------------------
def test_everything_mastered_and_nothing_due_means_done():
    concepts = [concept(A), concept(B, A)]
    states = {A: state(0.97), B: state(0.99, review_due_at=NOW + timedelta(days=3))}

    decision = choose(concepts, [exercise(11, A), exercise(21, B)], student(states))

    assert decision.done is True
    assert (decision.rule, decision.exercise_id, decision.concept_id) == ("all_mastered", None, None)


def test_a_concept_still_to_learn_means_not_done():
    concepts = [concept(A), concept(B, A)]

    decision = choose(concepts, [exercise(11, A), exercise(21, B)], student({A: state(0.97), B: state(0.9)}))

    assert decision.done is False
    assert decision.exercise_id == 21


def test_a_concept_without_exercises_is_reported_not_served():
    decision = choose([concept(A)], [], student({}))

    assert (decision.rule, decision.exercise_id, decision.done) == ("no_exercise_available", None, False)
    assert decision.reason["concepts_without_exercises"] == ["a"]
