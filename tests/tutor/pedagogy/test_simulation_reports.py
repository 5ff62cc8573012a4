"""The simulator reports what a person saw: per policy, items served again while their
shown answer was within the window, and the fewest answers a concept had when it was
declared mastered; both policies declare mastery by the same criterion."""

from __future__ import annotations

from content.api import PolicySettings
from tutor.pedagogy.graph import ANSWER_SHOWN_ALWAYS, ANSWER_SHOWN_NEVER, answer_revealed_by
from tutor.pedagogy.simulation import random_course_graph, simulate


def test_the_adaptive_policy_repeats_no_shown_answer_where_the_course_has_items_to_spare():
    graph = random_course_graph(4, 80, seed=3)

    results = simulate(graph, ("adaptive", "mastery"), 6, seed=2)

    adaptive, _ = results["adaptive"]
    assert adaptive.repeats_after_reveal == 0
    assert adaptive.declared_share == 1.0


def test_no_policy_declares_a_concept_mastered_on_fewer_answers_than_the_minimum():
    graph = random_course_graph(4, 80, seed=3)
    minimum = PolicySettings().mastery_min_independent

    results = simulate(graph, ("adaptive", "mastery"), 6, seed=2)

    for summary, students in results.values():
        assert summary.min_answers_at_mastery is not None
        assert summary.min_answers_at_mastery >= minimum
        assert all(s.min_answers_at_mastery >= minimum for s in students if s.declared)


def test_a_smaller_minimum_lets_mastery_come_on_fewer_answers():
    graph = random_course_graph(4, 80, seed=3)

    results = simulate(graph, ("mastery",), 6, seed=2, settings=PolicySettings(mastery_min_independent=0))

    summary, _ = results["mastery"]
    assert summary.min_answers_at_mastery < PolicySettings().mastery_min_independent


def test_which_answers_show_the_items_answer():
    graph = random_course_graph(2, 4, seed=1)
    item = next(iter(graph.exercises_by_id.values()))
    always = item.__class__(**{**item.__dict__, "answer_shown": ANSWER_SHOWN_ALWAYS})
    never = item.__class__(**{**item.__dict__, "answer_shown": ANSWER_SHOWN_NEVER})

    assert answer_revealed_by(always, True, False)
    assert not answer_revealed_by(never, False, False)
    assert answer_revealed_by(never, True, True)  # a worked example shown before it solves it
