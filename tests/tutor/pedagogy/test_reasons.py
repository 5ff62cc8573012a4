"""The decision as data and in words (``tutor.pedagogy.reasons``, ``tutor.pedagogy.decision``):
the reason is JSON, a stored decision round-trips, rule codes renamed since still read."""

from __future__ import annotations

import json

from tests.tutor.pedagogy.builders import (
    A,
    B,
    C,
    answered,
    choose,
    concept,
    exercise,
    prerequisite_course,
    state,
    student,
)
from tutor.pedagogy import RENAMED_RULES, RULE_MOST_ITEMS_SAVED, Decision, reasons


# --- the decision as data -------------------------------------------------------------
def test_the_reason_is_json_and_the_decision_round_trips():
    concepts, exercises, c1 = prerequisite_course()
    states = {A: state(0.99), B: state(0.96), C: state(0.3, errors=3)}
    earlier = [answered(exercise(11, A), minutes) for minutes in range(29, 1, -2)]  # steady work, 30 minutes
    view = student(states, [*earlier, answered(c1, 1, correct=False, seconds=5)], session_minutes=30)

    decision = choose(concepts, exercises, view)

    assert decision.reason["rule"] == decision.rule
    assert json.loads(json.dumps(decision.reason)) == decision.reason
    assert Decision.from_dict(json.loads(json.dumps(decision.as_dict()))) == decision
    assert decision.message and decision.slow_down and decision.break_suggestion


def test_a_decision_stored_under_the_old_information_gain_code_reads_as_most_items_saved():
    # Given a decision stored before the default rule was renamed
    stored = {
        "exercise_id": 11,
        "concept_id": A,
        "rule": "information_gain",
        "reason": {"rule": "information_gain", "expected_items_saved": 1.0, "information_gain": 0.4},
        "message": "You are working on Concept A. We chose this exercise because ...",
        "worked_example": "none",
    }

    # When it is read back
    decision = Decision.from_dict(stored)

    # Then it carries the current code, its figures and its stored message unchanged
    assert decision.rule == RULE_MOST_ITEMS_SAVED == "most_items_saved"
    assert decision.reason == {
        "rule": "most_items_saved",
        "expected_items_saved": 1.0,
        "information_gain": 0.4,
    }
    assert decision.message == stored["message"]
    assert stored["rule"] == "information_gain"  # the stored data is not changed


def test_the_usual_choice_is_coded_and_worded_by_items_saved_not_information():
    decision = choose([concept(A)], [exercise(11, A)], student({A: state(0.5)}))

    assert decision.rule == "most_items_saved"
    assert "fewest exercises" in decision.message
    assert "tell us" not in decision.message
    assert decision.reason["expected_items_saved"] == 1.0


def test_every_rule_code_is_distinct_and_no_current_code_is_a_renamed_one():
    codes = [value for name, value in vars(reasons).items() if name.startswith("RULE_")]

    assert len(codes) == len(set(codes)) == 15
    assert not set(RENAMED_RULES) & set(codes)
    assert set(RENAMED_RULES.values()) <= set(codes)
