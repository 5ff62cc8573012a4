"""Mastery a teacher believes (``students.learning.knowledge_update``): a concept is declared
mastered only with P(L) at the threshold *and* the course's minimum of independent right
answers, one per exercise; an answer to an item whose answer was shown counts for less."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from students.kt.bkt import BKTParams
from students.kt.model import AbilityState, ItemState
from students.learning import ConceptKnowledge, answer_evidence_weight, knowledge_update

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
PARAMS = {1: BKTParams(p_init=0.9, p_learn=0.3, p_guess=0.1, p_slip=0.05)}
THRESHOLD = 0.95


def _answer(knowledge: ConceptKnowledge, exercise_id: int, *, score=1.0, minimum=3, fresh=None, **kwargs):
    flags = {"hints_used": 0, "worked_example_shown": False, "answer_revealed": False, **kwargs}
    return knowledge_update(
        {1: knowledge},
        PARAMS,
        ItemState(),
        AbilityState(),
        score=score,
        threshold=THRESHOLD,
        now=NOW + timedelta(minutes=exercise_id),
        exercise_id=exercise_id,
        min_independent=minimum,
        fresh_items=fresh,
        **flags,
    ).concepts[1]


def test_a_concept_at_the_threshold_is_not_mastered_before_the_minimum_of_independent_answers():
    # Given a prior that puts P(L) past the threshold after one right answer
    after_one = _answer(ConceptKnowledge(), 11)
    after_two = _answer(after_one, 12)

    # Then the belief is there but the concept is not declared mastered on two answers
    assert after_one.mastery >= THRESHOLD and after_two.mastery >= THRESHOLD
    assert not after_one.mastered and not after_two.mastered
    assert after_two.independent_correct == 2 and after_two.credited == (11, 12)


def test_the_third_independent_right_answer_declares_mastery():
    knowledge = ConceptKnowledge()
    for exercise_id in (11, 12, 13):
        knowledge = _answer(knowledge, exercise_id)

    assert knowledge.mastered
    assert knowledge.independent_correct == 3
    assert knowledge.review.mastered_at == NOW + timedelta(minutes=13)


def test_a_repeated_item_counts_once():
    knowledge = ConceptKnowledge()
    for exercise_id in (11, 11, 11, 12):
        knowledge = _answer(knowledge, exercise_id)

    assert knowledge.independent_correct == 2 and knowledge.credited == (11, 12)
    assert not knowledge.mastered


def test_answers_after_hints_a_worked_example_or_a_shown_answer_are_not_independent():
    knowledge = ConceptKnowledge()
    knowledge = _answer(knowledge, 11, hints_used=1)
    knowledge = _answer(knowledge, 12, worked_example_shown=True)
    knowledge = _answer(knowledge, 13, answer_revealed=True)
    knowledge = _answer(knowledge, 14, score=0.0)

    assert knowledge.independent_correct == 0 and knowledge.credited == ()
    assert knowledge.n_attempts == 4


def test_a_minimum_of_zero_declares_mastery_on_the_belief_alone():
    knowledge = _answer(ConceptKnowledge(), 11, minimum=0)

    assert knowledge.mastered


def test_a_concept_with_few_items_left_needs_only_what_they_can_give():
    # Given only one other item of the concept that could still count
    knowledge = _answer(ConceptKnowledge(), 11, fresh={1: 1})
    assert not knowledge.mastered

    # When it is answered right on the student's own, nothing else being left
    knowledge = _answer(knowledge, 12, fresh={1: 0})

    # Then two independent answers are enough
    assert knowledge.mastered and knowledge.independent_correct == 2


def test_a_mastered_concept_stays_mastered_without_new_independent_answers():
    knowledge = ConceptKnowledge()
    for exercise_id in (11, 12, 13):
        knowledge = _answer(knowledge, exercise_id)

    knowledge = _answer(knowledge, 11, answer_revealed=True)

    assert knowledge.mastered


def test_a_shown_answer_weakens_the_evidence_like_a_worked_example():
    plain = answer_evidence_weight(0, False)
    revealed = answer_evidence_weight(0, False, answer_revealed=True)
    worked = answer_evidence_weight(0, True)

    assert plain == 1.0
    assert revealed < worked < plain


def test_a_right_answer_to_a_shown_item_moves_the_belief_less():
    start = ConceptKnowledge(mastery=0.5, n_attempts=2)
    fresh = _answer(start, 11)
    revealed = _answer(start, 11, answer_revealed=True)

    assert 0.5 < revealed.mastery < fresh.mastery
