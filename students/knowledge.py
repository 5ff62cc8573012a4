"""The student model in the database: loads state for the pure model in ``students.kt``,
stores what it returns, and keeps the spaced-review memory of mastered concepts (FSRS).

``knowledge_apply`` is the one place where a graded attempt changes what the tutor
believes; the evaluation (``kt_eval``) scores the same ``observe_answer`` it calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from fsrs import Card, Rating, Scheduler

from content.models import Exercise
from students.kt.bkt import BKTParams
from students.kt.model import DEFAULT_SETTINGS, AbilityState, ItemState, observe_answer, predict_answer
from students.models import (
    Attempt,
    ConceptParameters,
    ItemParameters,
    KnowledgeHistory,
    KnowledgeState,
    StudentAbility,
    User,
)

# Spaced review of whole concepts: no minute-long learning steps (mastery already took
# practice), straight to review intervals of days; no fuzz, so schedules are reproducible.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, "STUDENT_MODEL", {}).get(name, default))


@dataclass(frozen=True)
class ConceptChange:
    concept_id: int
    name: str
    before: float
    after: float
    mastered: bool
    review_due_at: datetime | None


def answer_evidence_weight(hints_used: int, worked_example_shown: bool) -> float:
    """How much an answer tells about mastery: less after hints and after a worked example
    (the student may be copying a pattern rather than recalling it). Pure: the learner
    simulator (``tutor.simulation``) applies the same rule."""
    weight = _setting("hint_evidence_factor", 0.7) ** hints_used
    if worked_example_shown:
        weight *= _setting("worked_example_evidence_factor", 0.6)
    return max(_setting("min_evidence_weight", 0.25), weight)


def evidence_weight(attempt: Attempt) -> float:
    """``answer_evidence_weight`` of a stored attempt."""
    return answer_evidence_weight(attempt.hints_used, attempt.worked_example_shown)


def concept_params(concept_ids) -> dict[int, BKTParams]:
    rows = ConceptParameters.objects.filter(concept_id__in=list(concept_ids))
    return {
        r.concept_id: BKTParams(
            p_init=r.p_init, p_learn=r.p_learn, p_guess=r.p_guess, p_slip=r.p_slip, p_forget=r.p_forget
        )
        for r in rows
    }


def concept_params_for_course(course) -> dict[int, BKTParams]:
    """``concept_params`` of every concept of the course that has fitted parameters, in one
    query filtered by course (a course may have more concepts than one query may have ids)."""
    return {
        concept_id: BKTParams(
            p_init=p_init, p_learn=p_learn, p_guess=p_guess, p_slip=p_slip, p_forget=p_forget
        )
        for concept_id, p_init, p_learn, p_guess, p_slip, p_forget in ConceptParameters.objects.filter(
            concept__course=course
        ).values_list("concept_id", "p_init", "p_learn", "p_guess", "p_slip", "p_forget")
    }


def default_params() -> BKTParams:
    return DEFAULT_SETTINGS.default_params


def mastery_threshold_for(course) -> float:
    from tutor.policy import PolicySettings

    return PolicySettings.from_mapping(course.settings or {}).mastery_threshold


def predict_for(student: User, exercises: list[Exercise]) -> dict[int, float]:
    """P(correct) of this student on each exercise, from the state before answering."""
    concept_ids = {c.pk for e in exercises for c in e.concepts.all()}
    params = concept_params(concept_ids)
    states = dict(
        KnowledgeState.objects.filter(student=student, concept_id__in=concept_ids).values_list(
            "concept_id", "mastery"
        )
    )
    items = {
        i.exercise_id: ItemState(i.difficulty, i.n_attempts)
        for i in ItemParameters.objects.filter(exercise__in=exercises)
    }
    row = StudentAbility.objects.filter(student=student).first()
    ability = AbilityState(row.ability, row.n_attempts) if row else AbilityState()
    out = {}
    for exercise in exercises:
        mastery = {c.pk: states.get(c.pk) for c in exercise.concepts.all()}
        out[exercise.pk] = predict_answer(
            mastery, params, items.get(exercise.pk, ItemState()), ability
        ).p_correct
    return out


def _review_rating(score: float, hints_used: int) -> Rating:
    if score < 0.5:
        return Rating.Again
    if score < 1.0 or hints_used:
        return Rating.Hard
    return Rating.Good


@dataclass(frozen=True)
class ReviewState:
    """The spaced-review part of a concept's knowledge state: the FSRS card (as stored),
    when the concept was mastered (None: not in review) and when its next review is due."""

    memory: dict | None = None
    mastered_at: datetime | None = None
    review_due_at: datetime | None = None


def review_after_answer(
    state: ReviewState,
    *,
    mastery: float,
    threshold: float,
    score: float,
    hints_used: int,
    now: datetime,
    card_id: int | None = None,
) -> ReviewState:
    """The review state after an answer that left the concept at ``mastery``. Pure (the
    learner simulator uses it too): a mastered concept is in spaced review, so every answer
    on it is an FSRS review; reaching ``threshold`` enters review; falling below it after
    mastery leaves review (the concept is practised again, and re-enters review when it is
    mastered again). ``card_id`` names a new FSRS card (default: the package's own, the
    time of creation)."""
    if state.mastered_at is None and mastery < threshold:
        return state
    card = Card.from_dict(state.memory) if state.memory else Card(card_id=card_id)
    card, _ = SCHEDULER.review_card(card, _review_rating(score, hints_used), now)
    mastered_at, review_due_at = state.mastered_at, card.due
    if mastered_at is None:
        mastered_at = now
    elif mastery < threshold:
        mastered_at, review_due_at = None, None
    return ReviewState(memory=card.to_dict(), mastered_at=mastered_at, review_due_at=review_due_at)


@transaction.atomic
def knowledge_apply(attempt: Attempt) -> list[ConceptChange]:
    """Update the student model with a graded attempt: BKT for every concept the exercise
    involves, item difficulty and student ability, FSRS memory for mastered concepts, and a
    history row per concept. Idempotent: an attempt is applied once."""
    attempt = Attempt.objects.select_for_update().select_related("exercise__course").get(pk=attempt.pk)
    if attempt.knowledge_updated or attempt.score is None:
        return []
    now = timezone.now()
    exercise = attempt.exercise
    concepts = list(exercise.concepts.all())
    threshold = mastery_threshold_for(exercise.course)
    params = concept_params(c.pk for c in concepts)
    states = {
        s.concept_id: s
        for s in KnowledgeState.objects.select_for_update().filter(
            student_id=attempt.student_id, concept__in=concepts
        )
    }
    item_row, _ = ItemParameters.objects.select_for_update().get_or_create(
        exercise=exercise, defaults={"difficulty": 0.0}
    )
    ability_row, _ = StudentAbility.objects.select_for_update().get_or_create(student_id=attempt.student_id)
    update = observe_answer(
        {c.pk: (states[c.pk].mastery if c.pk in states else None) for c in concepts},
        params,
        ItemState(item_row.difficulty, item_row.n_attempts),
        AbilityState(ability_row.ability, ability_row.n_attempts),
        score=float(attempt.score),
        weight=evidence_weight(attempt),
    )
    item_row.difficulty, item_row.n_attempts = update.item.difficulty, update.item.n_attempts
    item_row.save(update_fields=["difficulty", "n_attempts"])
    ability_row.ability, ability_row.n_attempts = update.ability.ability, update.ability.n_attempts
    ability_row.save(update_fields=["ability", "n_attempts", "updated_at"])

    changes, history = [], []
    correct = attempt.score >= 0.5
    for concept in concepts:
        state = states.get(concept.pk)
        before = update.prediction.mastery[concept.pk]
        if state is None:
            state = KnowledgeState(student_id=attempt.student_id, concept=concept, first_practiced_at=now)
        state.mastery = update.mastery[concept.pk]
        state.n_attempts += 1
        state.n_correct += attempt.score
        state.streak = state.streak + 1 if correct else 0
        state.error_streak = 0 if correct else state.error_streak + 1
        state.last_practiced_at = now
        review = review_after_answer(
            ReviewState(state.memory, state.mastered_at, state.review_due_at),
            mastery=state.mastery,
            threshold=threshold,
            score=float(attempt.score),
            hints_used=attempt.hints_used,
            now=now,
        )
        state.memory, state.mastered_at, state.review_due_at = (
            review.memory,
            review.mastered_at,
            review.review_due_at,
        )
        state.save()
        history.append(
            KnowledgeHistory(
                student_id=attempt.student_id,
                concept=concept,
                attempt=attempt,
                mastery_before=before,
                mastery=state.mastery,
                event=KnowledgeHistory.Event.REVIEW if state.memory else KnowledgeHistory.Event.PRACTICE,
            )
        )
        changes.append(
            ConceptChange(
                concept_id=concept.pk,
                name=concept.name,
                before=before,
                after=state.mastery,
                mastered=state.mastered_at is not None,
                review_due_at=state.review_due_at,
            )
        )
    KnowledgeHistory.objects.bulk_create(history)
    attempt.knowledge_updated = True
    attempt.save(update_fields=["knowledge_updated"])
    return changes
