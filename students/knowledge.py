"""The student model in the database: ``knowledge_apply`` loads a student's state, calls the
pure update (``students.learning.knowledge_update``: BKT, Elo, FSRS review) and stores what
it returns, with a history row per concept; plus the concepts' fitted parameters.

``knowledge_apply`` is the one place where a graded attempt changes what the tutor
believes; the evaluation (``kt_eval``) scores the same ``observe_answer`` the update calls,
and the learner simulator drives the same ``knowledge_update``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from content import api as content_api
from students.kt.bkt import BKTParams
from students.kt.model import DEFAULT_SETTINGS, AbilityState, ItemState
from students.learning import (
    ConceptKnowledge,
    ReviewState,
    answer_evidence_weight,
    knowledge_update,
)
from students.models import (
    Attempt,
    ConceptParameters,
    ItemParameters,
    KnowledgeHistory,
    KnowledgeState,
    StudentAbility,
)


@dataclass(frozen=True)
class ConceptChange:
    concept_id: int
    name: str
    before: float
    after: float
    mastered: bool
    review_due_at: datetime | None


def evidence_weight(attempt: Attempt) -> float:
    """``answer_evidence_weight`` of a stored attempt (hints and worked example; whether its
    answer was shown before is read by ``knowledge_apply``, which knows the log before it)."""
    return answer_evidence_weight(attempt.hints_used, attempt.worked_example_shown)


def revealing_attempts() -> Q:
    """The attempts after which the student has seen the item's answer: the feedback page
    of a multiple-choice item shows its correct options, that of a wrong numeric answer the
    value, and a worked example shown before the item solves it. (A free-text answer's
    feedback shows no reference answer, and a right numeric answer shows nothing new.)"""
    return (
        Q(worked_example_shown=True)
        | Q(exercise__kind=content_api.ExerciseKind.MULTIPLE_CHOICE)
        | (Q(exercise__kind=content_api.ExerciseKind.NUMERIC) & ~Q(is_correct=True))
    )


def _evidence_context(attempt: Attempt, concepts: list, states: dict) -> tuple[bool, dict[int, int]]:
    """Whether the attempt's item had its answer shown to the student by an earlier attempt,
    and, per concept, how many of its own other published exercises (none of whose concepts
    comes later in the curriculum: those can always be served once the concept's
    prerequisites are) could still be credited (never shown with their answer, not credited
    yet): a query, and one per concept."""
    earlier = Attempt.objects.filter(student_id=attempt.student_id, pk__lt=attempt.pk).filter(
        revealing_attempts()
    )
    revealed = set(
        earlier.filter(exercise__course_id=attempt.exercise.course_id)
        .values_list("exercise_id", flat=True)
        .distinct()
    )
    fresh: dict[int, int] = {}
    for concept in concepts:
        state = states.get(concept.pk)
        credited = set(state.credited_exercises or ()) if state is not None else set()
        ids = (
            concept.exercises.filter(status=content_api.Status.PUBLISHED)
            .exclude(concepts__order__gt=concept.order)
            .values_list("pk", flat=True)
        )
        fresh[concept.pk] = sum(
            1 for e in ids if e != attempt.exercise_id and e not in revealed and e not in credited
        )
    return attempt.exercise_id in revealed, fresh


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
    return content_api.course_settings_for(course).mastery_threshold


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
    course_settings = content_api.course_settings_for(exercise.course)
    threshold = course_settings.mastery_threshold
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
    answer_revealed, fresh_items = _evidence_context(attempt, concepts, states)
    update = knowledge_update(
        {c.pk: _knowledge_of(states.get(c.pk)) for c in concepts},
        params,
        ItemState(item_row.difficulty, item_row.n_attempts),
        AbilityState(ability_row.ability, ability_row.n_attempts),
        score=float(attempt.score),
        hints_used=attempt.hints_used,
        worked_example_shown=attempt.worked_example_shown,
        threshold=threshold,
        now=now,
        answer_revealed=answer_revealed,
        exercise_id=exercise.pk,
        min_independent=course_settings.mastery_min_independent,
        fresh_items=fresh_items,
    )
    item_row.difficulty, item_row.n_attempts = update.item.difficulty, update.item.n_attempts
    item_row.save(update_fields=["difficulty", "n_attempts"])
    ability_row.ability, ability_row.n_attempts = update.ability.ability, update.ability.n_attempts
    ability_row.save(update_fields=["ability", "n_attempts", "updated_at"])

    changes, history = [], []
    for concept in concepts:
        state = states.get(concept.pk)
        before = update.prediction.mastery[concept.pk]
        if state is None:
            state = KnowledgeState(student_id=attempt.student_id, concept=concept)
        after = update.concepts[concept.pk]
        state.mastery = after.mastery
        state.n_attempts, state.n_correct = after.n_attempts, after.n_correct
        state.streak, state.error_streak = after.streak, after.error_streak
        state.first_practiced_at, state.last_practiced_at = after.first_practiced_at, after.last_practiced_at
        state.memory = after.review.memory or {}
        state.mastered_at, state.review_due_at = after.review.mastered_at, after.review.review_due_at
        state.independent_correct, state.credited_exercises = after.independent_correct, list(after.credited)
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


def _knowledge_of(state: KnowledgeState | None) -> ConceptKnowledge:
    """A stored knowledge state as the pure update reads it."""
    if state is None:
        return ConceptKnowledge()
    return ConceptKnowledge(
        mastery=state.mastery,
        n_attempts=state.n_attempts,
        n_correct=state.n_correct,
        streak=state.streak,
        error_streak=state.error_streak,
        first_practiced_at=state.first_practiced_at,
        last_practiced_at=state.last_practiced_at,
        review=ReviewState(state.memory or None, state.mastered_at, state.review_due_at),
        independent_correct=state.independent_correct,
        credited=tuple(state.credited_exercises or ()),
    )
