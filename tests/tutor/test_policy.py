"""The pedagogical model's next-item selection (``tutor.policy``): pure functions, no
database. One case where each rule fires and one where it does not."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import UTC, datetime, timedelta

import pytest

from tutor.policy import (
    ConceptInfo,
    ConceptState,
    CourseGraph,
    Decision,
    ExerciseInfo,
    PolicySettings,
    RecentItem,
    StudentView,
    choose_next,
    information_gain,
    items_to_mastery,
    predicted_success_bkt,
)

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
A, B, C, D = 1, 2, 3, 4


# --- builders ------------------------------------------------------------------------
def concept(cid: int, *prerequisites: int, slug: str | None = None, order: int | None = None) -> ConceptInfo:
    slug = slug or "abcdefgh"[cid - 1]
    return ConceptInfo(
        id=cid,
        slug=slug,
        name=f"Concept {slug.upper()}",
        order=cid if order is None else order,
        prerequisites=prerequisites,
        p_guess=0.2,
        p_slip=0.1,
        p_learn=0.15,
    )


def exercise(eid: int, *concepts: int, worked: bool = False, seconds: float = 60) -> ExerciseInfo:
    return ExerciseInfo(
        id=eid, concepts=concepts, difficulty=0.5, expected_seconds=seconds, has_worked_example=worked
    )


def state(
    mastery: float,
    *,
    errors: int = 0,
    started_minutes_ago: float = 120,
    review_due_at: datetime | None = None,
) -> ConceptState:
    return ConceptState(
        mastery=mastery,
        n_attempts=5,
        error_streak=errors,
        first_practiced_at=NOW - timedelta(minutes=started_minutes_ago),
        last_practiced_at=NOW - timedelta(minutes=1),
        review_due_at=review_due_at,
        mastered=mastery >= 0.95,
    )


def answered(
    item: ExerciseInfo, minutes_ago: float, *, correct: bool | None = True, seconds: float | None = 30
) -> RecentItem:
    return RecentItem(
        exercise_id=item.id,
        concepts=item.concepts,
        correct=correct,
        response_seconds=seconds,
        expected_seconds=item.expected_seconds,
        answered_at=NOW - timedelta(minutes=minutes_ago),
    )


def student(states: dict, recent: list[RecentItem] = (), session_minutes: float = 10) -> StudentView:
    return StudentView(
        states=states,
        prior_mastery={},
        recent=tuple(recent),
        session_started_at=NOW - timedelta(minutes=session_minutes),
        now=NOW,
    )


def choose(concepts, exercises, view, predictions=None, settings=None) -> Decision:
    predictions = predictions or {}
    return choose_next(
        CourseGraph(concepts, exercises),
        view,
        settings or PolicySettings(),
        lambda eid: predictions.get(eid, 0.7),
    )


# --- BKT helpers ----------------------------------------------------------------------
def test_predicted_success_is_known_without_slip_or_a_lucky_guess():
    assert predicted_success_bkt(0.5, 0.2, 0.1) == pytest.approx(0.5 * 0.9 + 0.5 * 0.2)


def test_information_gain_matches_a_hand_computed_case():
    # Given P(L) = 0.5, P(G) = 0.2, P(S) = 0.1, by hand:
    #   P(correct) = 0.55; P(L | correct) = 0.45 / 0.55 = 0.81818; P(L | wrong) = 0.05 / 0.45 = 0.11111
    #   H(0.5) = 1 bit; H(0.81818) = 0.68404; H(0.11111) = 0.50326
    #   IG = 1 - (0.55 * 0.68404 + 0.45 * 0.50326) = 1 - 0.60269 = 0.39731 bits
    assert information_gain(0.5, 0.2, 0.1) == pytest.approx(0.39731, abs=1e-4)


def test_information_gain_is_nothing_when_the_state_is_certain_or_the_item_does_not_discriminate():
    assert information_gain(0.0, 0.2, 0.1) == 0.0
    assert information_gain(1.0, 0.2, 0.1) == 0.0
    assert information_gain(0.5, 0.5, 0.5) == pytest.approx(0.0, abs=1e-12)
    assert (
        information_gain(0.5, 0.2, 0.1) > information_gain(0.9, 0.2, 0.1) > information_gain(0.99, 0.2, 0.1)
    )


def test_information_gain_rejects_a_value_that_is_not_a_probability():
    with pytest.raises(ValueError, match="p_guess"):
        information_gain(0.5, 1.2, 0.1)


def test_items_to_mastery_matches_a_hand_computed_case():
    # Given no guesses and no slips, a right answer proves the concept known (mastered at once)
    # and a wrong one proves it unknown, P(L) = 0, then P(T) = 0.25 after the learning step:
    #   V(0.25) = 1 + 0.75 V(0.25)  =>  V(0.25) = 4;  V(0.5) = 1 + 0.5 V(0.25) = 3
    assert items_to_mastery(0.25, 0.0, 0.0, 0.25, 0.95) == pytest.approx(4.0, abs=0.02)
    assert items_to_mastery(0.5, 0.0, 0.0, 0.25, 0.95) == pytest.approx(3.0, abs=0.02)


def test_items_to_mastery_is_nothing_at_the_threshold_and_falls_as_mastery_rises():
    values = [items_to_mastery(p, 0.2, 0.1, 0.15, 0.95) for p in (0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.949)]

    assert items_to_mastery(0.95, 0.2, 0.1, 0.15, 0.95) == 0.0
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    # one step short of the threshold, at least one more answer is needed
    assert values[-1] >= 1.0


def test_items_to_mastery_is_one_answer_more_than_what_the_answer_leaves():
    # V(p) = 1 + P(right) V(after right) + P(wrong) V(after wrong), the definition
    p, guess, slip, learn = 0.5, 0.2, 0.1, 0.15
    right = p * (1 - slip) + (1 - p) * guess
    after_right = p * (1 - slip) / right
    after_wrong = p * slip / (1 - right)

    def v(x: float) -> float:
        return items_to_mastery(x + (1 - x) * learn, guess, slip, learn, 0.95)

    expected = 1 + right * v(after_right) + (1 - right) * v(after_wrong)
    assert items_to_mastery(p, guess, slip, learn, 0.95) == pytest.approx(expected, abs=0.05)


def test_items_to_mastery_rejects_a_value_that_is_not_a_probability():
    with pytest.raises(ValueError, match="p_learn"):
        items_to_mastery(0.5, 0.2, 0.1, 1.5, 0.95)


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

    assert (decision.rule, decision.concept_id) == ("information_gain", B)


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
    assert (decision.rule, decision.concept_id) == ("information_gain", B)
    assert decision.reason["reviews_waiting"] == ["a"]


def test_a_review_overdue_by_one_to_three_intervals_still_waits_by_default():
    # Given A overdue by 1.25 intervals (2.5 days after a two-day interval): within the
    # default grace of 3 intervals
    decision = _choose_with_review_waiting(2.5)

    assert PolicySettings().review_grace == 3.0
    assert (decision.rule, decision.concept_id) == ("information_gain", B)
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

    assert (decision.rule, decision.exercise_id) == ("information_gain", 11)


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
    assert decision.rule == "information_gain"


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

    assert (decision.rule, decision.exercise_id) == ("information_gain", 13)
    assert decision.reason["starts_concepts"] == ["c"]


def test_the_new_concept_cap_is_relaxed_when_everything_started_is_mastered():
    # Given the two concepts started in the window are already mastered: only new C is left
    concepts, exercises, a0 = _cap_course()
    states = {A: state(0.97, started_minutes_ago=5), B: state(0.97, started_minutes_ago=10)}

    decision = choose(concepts, exercises, student(states, [answered(a0, 1)]))

    assert (decision.rule, decision.concept_id) == ("new_concept_cap_relaxed", C)


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

    assert decision.rule == "information_gain"
    assert decision.worked_example == "offer"  # faded by mastery 0.4, not forced


def _prerequisite_course():
    concepts = [concept(A), concept(B), concept(C, A, B)]
    c1 = exercise(31, C)
    exercises = [exercise(11, A), exercise(21, B), c1, exercise(32, C, worked=True)]
    return concepts, exercises, c1


def test_three_errors_in_a_row_bring_a_review_of_the_weakest_prerequisite():
    # Given C builds on A (0.99) and B (0.96), and the last three answers on C were wrong
    concepts, exercises, c1 = _prerequisite_course()
    states = {A: state(0.99), B: state(0.96), C: state(0.3, errors=3)}

    decision = choose(concepts, exercises, student(states, [answered(c1, 1, correct=False)]))

    assert (decision.rule, decision.concept_id, decision.exercise_id) == ("prerequisite_after_errors", B, 21)
    assert decision.reason["for_concept"] == "c"
    assert "Concept C" in decision.message and "Concept B" in decision.message


def test_no_step_back_to_prerequisites_confirmed_beyond_doubt():
    # Given C's prerequisites A (0.99) and B (0.98) are both above step_back_below (0.975)
    concepts, exercises, c1 = _prerequisite_course()
    states = {A: state(0.99), B: state(0.98), C: state(0.3, errors=3)}

    decision = choose(concepts, exercises, student(states, [answered(c1, 1, correct=False)]))

    # Then the errors are worked on where they are: C with its worked example
    assert (decision.rule, decision.concept_id) == ("worked_example_after_errors", C)


def test_a_stricter_step_back_setting_rechecks_a_prerequisite_at_0_98():
    concepts, exercises, c1 = _prerequisite_course()
    states = {A: state(0.99), B: state(0.98), C: state(0.3, errors=3)}

    decision = choose(
        concepts,
        exercises,
        student(states, [answered(c1, 1, correct=False)]),
        settings=PolicySettings(step_back_below=0.985),
    )

    assert (decision.rule, decision.concept_id) == ("prerequisite_after_errors", B)


def test_two_errors_do_not_step_back_to_a_prerequisite():
    concepts, exercises, c1 = _prerequisite_course()
    states = {A: state(0.99), B: state(0.96), C: state(0.3, errors=2)}

    decision = choose(concepts, exercises, student(states, [answered(c1, 1, correct=False)]))

    assert (decision.rule, decision.concept_id) == ("worked_example_after_errors", C)


def test_after_the_step_back_the_concept_is_retried_with_its_worked_example_until_the_next_three():
    concepts, exercises, c1 = _prerequisite_course()
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

    assert (decision.rule, decision.exercise_id) == ("information_gain", 11)


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

    assert (decision.rule, decision.concept_id) == ("information_gain", A)


def test_three_in_a_row_on_a_nearly_mastered_concept_continue():
    decision = choose(*_interleave_course(0.85, 3))

    assert decision.concept_id == A


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


# --- the decision as data -------------------------------------------------------------
def test_the_reason_is_json_and_the_decision_round_trips():
    concepts, exercises, c1 = _prerequisite_course()
    states = {A: state(0.99), B: state(0.96), C: state(0.3, errors=3)}
    earlier = [answered(exercise(11, A), minutes) for minutes in range(29, 1, -2)]  # steady work, 30 minutes
    view = student(states, [*earlier, answered(c1, 1, correct=False, seconds=5)], session_minutes=30)

    decision = choose(concepts, exercises, view)

    assert decision.reason["rule"] == decision.rule
    assert json.loads(json.dumps(decision.reason)) == decision.reason
    assert Decision.from_dict(json.loads(json.dumps(decision.as_dict()))) == decision
    assert decision.message and decision.slow_down and decision.break_suggestion


# --- settings -------------------------------------------------------------------------
def test_settings_from_a_course_override_the_defaults():
    settings = PolicySettings.from_mapping(
        {"mastery_threshold": 0.9, "recent_items_excluded": 5.0, "interleave_after": 3}
    )

    assert settings.mastery_threshold == 0.9
    assert settings.recent_items_excluded == 5 and isinstance(settings.recent_items_excluded, int)
    assert settings.interleave_after == 3
    assert settings.target_success_low == 0.6
    assert PolicySettings.from_mapping({}) == PolicySettings()


def test_settings_reject_an_unknown_key():
    with pytest.raises(ValueError, match="'mastery_treshold'"):
        PolicySettings.from_mapping({"mastery_treshold": 0.9})


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"mastery_threshold": 1.5}, "mastery_threshold"),
        ({"mastery_threshold": "high"}, "mastery_threshold"),
        ({"mastery_threshold": math.nan}, "mastery_threshold"),
        ({"recent_items_excluded": -1}, "recent_items_excluded"),
        ({"recent_items_excluded": 2.5}, "recent_items_excluded"),
        ({"interleave_after": True}, "interleave_after"),
        ({"break_after_minutes": 0}, "break_after_minutes"),
        ({"target_success_low": 0.9}, "target_success_low"),
        ({"worked_example_full_below": 0.7}, "worked_example_full_below"),
        ({"step_back_below": 0}, "step_back_below"),
        ({"test_out_from": 1.2}, "test_out_from"),
        ({"test_out_min_answers": -1}, "test_out_min_answers"),
        ({"test_out_min_answers": 0.5}, "test_out_min_answers"),
        ({"review_grace": -1}, "review_grace"),
    ],
)
def test_settings_reject_a_bad_value_naming_the_key(data, key):
    with pytest.raises(ValueError, match=key):
        PolicySettings.from_mapping(data)


def test_a_stricter_course_threshold_changes_what_counts_as_mastered():
    concepts = [concept(A), concept(B, A)]
    exercises = [exercise(11, A), exercise(21, B)]
    settings = PolicySettings.from_mapping({"mastery_threshold": 0.98})

    decision = choose(concepts, exercises, student({A: state(0.96)}), settings=settings)

    assert decision.concept_id == A


def test_a_slow_answer_says_easier_only_when_the_item_changes():
    # Given the only item left is the same whichever band applies
    a0 = exercise(10, A)
    view = student({A: state(0.6)}, [answered(a0, 1, seconds=150)])

    decision = choose([concept(A)], [a0, exercise(11, A)], view, {11: 0.75})

    assert (decision.rule, decision.exercise_id) == ("information_gain", 11)
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
