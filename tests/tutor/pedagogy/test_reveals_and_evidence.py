"""What a real student meets: an item whose answer was shown is not served again within the
course's window (answers and days) unless nothing else can be; a concept at the threshold
without enough independent evidence is still practised, on items that can still count;
after the course is mastered, optional practice; reasons in plain words."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from content.api import PolicySettings
from tests.tutor.pedagogy.builders import (
    NOW,
    A,
    B,
    C,
    answered,
    choose,
    concept,
    exercise,
    state,
    student,
)
from tutor.pedagogy import Reveal


def _shown(answers_since: int, hours_ago: float = 0.5) -> Reveal:
    return Reveal(revealed_at=NOW - timedelta(hours=hours_ago), answers_since=answers_since)


def _view(states, recent=(), revealed=None, **kwargs):
    return replace(student(states, list(recent)), revealed=revealed or {}, **kwargs)


# --- no answer shown twice too soon -----------------------------------------------------
def test_an_item_whose_answer_was_shown_is_not_served_within_the_window():
    # Given A's best item (11) had its answer shown 5 answers and half an hour ago
    exercises = [exercise(11, A), exercise(12, A)]
    view = _view({A: state(0.5)}, revealed={11: _shown(5)})

    decision = choose([concept(A)], exercises, view, {11: 0.7, 12: 0.4})

    # Then the other item is served
    assert decision.exercise_id == 12
    assert "answer_shown_before" not in decision.reason


def test_an_item_comes_back_once_both_the_answers_and_the_days_have_passed():
    exercises = [exercise(11, A), exercise(12, A)]
    settings = PolicySettings()
    enough = _shown(settings.reveal_hold_items, hours_ago=24 * settings.reveal_hold_days + 1)

    decision = choose(
        [concept(A)], exercises, _view({A: state(0.5)}, revealed={11: enough}), {11: 0.7, 12: 0.4}
    )

    assert decision.exercise_id == 11


def test_many_answers_alone_do_not_end_the_window_before_its_days():
    exercises = [exercise(11, A), exercise(12, A)]
    view = _view({A: state(0.5)}, revealed={11: _shown(100, hours_ago=2)})

    decision = choose([concept(A)], exercises, view, {11: 0.7, 12: 0.4})

    assert decision.exercise_id == 12


def test_a_shown_item_comes_back_early_only_when_nothing_else_can_be_served():
    # Given a one-item course whose item's answer was just shown
    exercises = [exercise(11, A)]
    view = _view({A: state(0.5)}, revealed={11: _shown(0)})

    decision = choose([concept(A)], exercises, view, {11: 0.7})

    # Then it comes back, and the reason and the message say so
    assert decision.exercise_id == 11
    assert decision.reason["answer_shown_before"]["answers_since"] == 0
    assert "counts for less" in decision.message


def test_practice_on_a_mastered_concept_comes_before_a_shown_answer_again():
    # Given B is being learned and its only item was just shown; A is mastered
    concepts = [concept(A), concept(B, A)]
    exercises = [exercise(11, A), exercise(21, B)]
    view = _view({A: state(0.99), B: state(0.5)}, revealed={21: _shown(1)})

    decision = choose(concepts, exercises, view)

    assert (decision.rule, decision.exercise_id) == ("mastered_practice_while_answers_shown", 11)
    assert decision.reason["waiting_concepts"] == ["b"]


def test_after_errors_no_worked_example_is_served_on_an_item_whose_answer_was_shown():
    # Given two errors on A; its item with a worked example was just shown
    exercises = [exercise(11, A, worked=True), exercise(12, A), exercise(13, A)]
    view = _view(
        {A: state(0.4, errors=2)}, [answered(exercises[1], 1, correct=False)], revealed={11: _shown(1)}
    )

    decision = choose([concept(A)], exercises, view, {11: 0.7, 12: 0.5, 13: 0.6})

    assert decision.exercise_id == 13


# --- mastery a teacher believes ----------------------------------------------------------
def _short(mastery: float = 0.97, credited=frozenset({11})):
    return replace(state(mastery), mastered=False, independent_correct=len(credited), credited=credited)


def test_a_belief_at_the_threshold_without_the_evidence_is_still_learned():
    # Given A at 0.97 but declared mastered by the student model only with more evidence
    decision = choose([concept(A)], [exercise(11, A), exercise(12, A)], _view({A: _short()}))

    assert not decision.done
    assert decision.exercise_id == 12  # 11 is credited already: only 12 can still count
    assert decision.reason["evidence"] == {
        "answers": 5,
        "independent_correct": 1,
        "independent_needed": 3,
        "mastered": False,
    }
    assert "1 right on your own" in decision.message and "mastery needs 3" in decision.message


def test_a_concept_short_of_evidence_waits_when_no_item_that_can_count_may_be_served():
    # Given A short of evidence; its only uncredited item also involves C, which is not ready
    concepts = [concept(A), concept(B), concept(C, B)]
    exercises = [exercise(11, A), exercise(13, A, C), exercise(21, B)]
    view = _view({A: _short(), B: state(0.5)})

    decision = choose(concepts, exercises, view)

    assert decision.concept_id == B


def test_a_concept_declared_mastered_is_not_practised_again():
    decision = choose([concept(A)], [exercise(11, A)], _view({A: state(0.97)}))

    assert decision.done and decision.rule == "all_mastered"


# --- after mastery, practice goes on -----------------------------------------------------
def test_optional_practice_after_mastery_is_on_the_weakest_memory_and_labelled():
    # Given A and B mastered; B's review comes sooner: its memory is the weaker
    concepts = [concept(A), concept(B)]
    exercises = [exercise(11, A), exercise(21, B), exercise(22, B)]
    states = {
        A: state(0.99, review_due_at=NOW + timedelta(days=9)),
        B: state(0.99, review_due_at=NOW + timedelta(days=2)),
    }

    done = choose(concepts, exercises, _view(states))
    more = choose(concepts, exercises, _view(states, optional_practice=True), {21: 0.9, 22: 0.7})

    assert done.done and not done.optional
    assert (more.rule, more.concept_id, more.exercise_id) == ("optional_practice_after_mastery", B, 22)
    assert more.optional and not more.done
    assert more.reason["review_due_in_days"] == 2.0
    assert more.message.startswith("Optional practice")


def test_optional_practice_is_not_offered_while_something_is_left_to_learn():
    decision = choose(
        [concept(A), concept(B)],
        [exercise(11, A), exercise(21, B)],
        _view({A: state(0.99)}, optional_practice=True),
    )

    assert decision.rule != "optional_practice_after_mastery" and not decision.optional


# --- reasons in plain words --------------------------------------------------------------
def test_without_an_item_in_the_band_the_reason_says_it_is_the_easiest_left():
    exercises = [exercise(11, A), exercise(12, A)]

    decision = choose([concept(A)], exercises, _view({A: state(0.3)}), {11: 0.19, 12: 0.1})

    assert decision.exercise_id == 11
    assert decision.reason["band_position"] == "easiest_left"
    assert "this is the easiest one left (about a 19% chance" in decision.message
    assert "closest we have" not in decision.message


def test_an_item_in_the_band_says_so():
    decision = choose([concept(A)], [exercise(11, A)], _view({A: state(0.5)}), {11: 0.7})

    assert decision.reason["band_position"] == "in_band"
    assert "good level of challenge" in decision.message


def test_a_concept_never_practised_is_not_started_not_a_prior():
    decision = choose([concept(A)], [exercise(11, A)], _view({}), {11: 0.7})

    assert "not started yet" in decision.message
    assert "%" not in decision.message.split(".")[0]
