"""What one graded answer changes in the student model, as a pure function.

``knowledge_update`` is the single implementation of the update: the live tutor
(``students.knowledge.knowledge_apply``) loads the rows, calls it and stores what it
returns; the learner simulator (``tutor.pedagogy.simulation``) keeps the same records in
memory and calls it too, so a simulated run exercises the code that real students meet.

It combines the pure knowledge-tracing step (``students.kt.model.observe_answer``: BKT per
concept, Elo item difficulty and student ability) with the bookkeeping the tutor's rules
read (answer counts, streaks, when a concept was first and last practised) and the spaced
review of mastered concepts (the ``fsrs`` package).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from fsrs import Card, Rating, Scheduler

from students.kt.bkt import BKTParams
from students.kt.model import AbilityState, ItemState, Prediction, observe_answer

# Spaced review of whole concepts: no minute-long learning steps (mastery already took
# practice), straight to review intervals of days; no fuzz, so schedules are reproducible.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, "STUDENT_MODEL", {}).get(name, default))


def answer_evidence_weight(
    hints_used: int, worked_example_shown: bool, answer_revealed: bool = False
) -> float:
    """How much an answer tells about mastery: less after hints and after a worked example
    (the student may be copying a pattern rather than recalling it), and less for an item
    whose answer the student was shown before (its correct options, its value, its worked
    solution): a right answer may be remembered rather than worked out."""
    weight = _setting("hint_evidence_factor", 0.7) ** hints_used
    if worked_example_shown:
        weight *= _setting("worked_example_evidence_factor", 0.6)
    if answer_revealed:
        # Weaker than a worked example of a similar item (0.6): it was this very item's answer.
        weight *= _setting("revealed_evidence_factor", 0.5)
    return max(_setting("min_evidence_weight", 0.25), weight)


def answer_is_independent(
    score: float, hints_used: int, worked_example_shown: bool, answer_revealed: bool
) -> bool:
    """A right answer given on the student's own: no hint, no worked example before it, and
    an item whose answer the student had not been shown. Only these count towards the
    course's minimum of independent evidence for mastery."""
    return score >= 0.5 and hints_used == 0 and not worked_example_shown and not answer_revealed


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
    evidence_enough: bool = True,
) -> ReviewState:
    """The review state after an answer that left the concept at ``mastery``: a mastered
    concept is in spaced review, so every answer on it is an FSRS review; reaching
    ``threshold`` with ``evidence_enough`` (the course's minimum of independent right
    answers) enters review; falling below it after mastery leaves review (the concept
    is practised again, and re-enters review when it is mastered again). ``card_id`` names
    a new FSRS card (default: the package's own, the time of creation)."""
    if state.mastered_at is None and (mastery < threshold or not evidence_enough):
        return state
    card = Card.from_dict(state.memory) if state.memory else Card(card_id=card_id)
    card, _ = SCHEDULER.review_card(card, _review_rating(score, hints_used), now)
    mastered_at, review_due_at = state.mastered_at, card.due
    if mastered_at is None:
        mastered_at = now
    elif mastery < threshold:
        mastered_at, review_due_at = None, None
    return ReviewState(memory=card.to_dict(), mastered_at=mastered_at, review_due_at=review_due_at)


@dataclass(frozen=True)
class ConceptKnowledge:
    """One student's knowledge state of one concept. ``mastery`` None: never practised (the
    model then starts from the concept's P(L0))."""

    mastery: float | None = None
    n_attempts: int = 0
    n_correct: float = 0.0  # sum of credit
    streak: int = 0  # consecutive correct answers
    error_streak: int = 0  # consecutive wrong answers
    first_practiced_at: datetime | None = None
    last_practiced_at: datetime | None = None
    review: ReviewState = field(default_factory=ReviewState)
    # Right answers given on the student's own (``answer_is_independent``), one per exercise:
    # the exercises already credited, so a repeated item (or one that also involves a later
    # concept, served again) counts once.
    independent_correct: int = 0
    credited: tuple[int, ...] = ()

    @property
    def mastered(self) -> bool:
        return self.review.mastered_at is not None


@dataclass(frozen=True)
class KnowledgeUpdate:
    """The prediction made before an answer and every part of the state after it."""

    prediction: Prediction  # from the state before the answer (``prediction.mastery``: P(L) used)
    concepts: dict[Hashable, ConceptKnowledge]  # each involved concept after the answer
    item: ItemState
    ability: AbilityState
    weight: float  # the evidence weight the answer carried


def knowledge_update(
    knowledge: Mapping[Hashable, ConceptKnowledge],
    params: Mapping[Hashable, BKTParams],
    item: ItemState,
    ability: AbilityState,
    *,
    score: float,
    hints_used: int,
    worked_example_shown: bool,
    threshold: float,
    now: datetime,
    card_ids: Mapping[Hashable, int] | None = None,
    answer_revealed: bool = False,
    exercise_id: int | None = None,
    min_independent: int = 0,
    fresh_items: Mapping[Hashable, int] | None = None,
) -> KnowledgeUpdate:
    """The student model after one graded answer to an item whose concepts are the keys of
    ``knowledge`` (each with its state before the answer; a default ``ConceptKnowledge``
    for one never practised). ``score`` is the credit in [0, 1]; hints, a worked example
    shown before the answer and an item whose answer was shown to the student before
    (``answer_revealed``) weaken its evidence (``answer_evidence_weight``).

    A concept is declared mastered (enters spaced review) when its P(L) reaches
    ``threshold``, the course's mastery threshold, *and* it has ``min_independent`` right
    answers given on the student's own (``answer_is_independent``), each on a different
    exercise (``exercise_id``; an item counts once, however often it is served): the
    belief alone can reach the threshold on two lucky answers. ``fresh_items`` (per
    concept: how many of its own other exercises, none of whose concepts comes later in the
    curriculum, were never shown with their answer nor credited yet) lowers the minimum to
    what those items can still give, so a concept with few items can still be mastered
    without waiting for a concept that builds on it; None: no such limit."""
    weight = answer_evidence_weight(hints_used, worked_example_shown, answer_revealed)
    update = observe_answer(
        {c: k.mastery for c, k in knowledge.items()}, params, item, ability, score=score, weight=weight
    )
    correct = score >= 0.5
    independent = answer_is_independent(score, hints_used, worked_example_shown, answer_revealed)
    after: dict[Hashable, ConceptKnowledge] = {}
    for c, old in knowledge.items():
        mastery = update.mastery[c]
        credited, n_independent = old.credited, old.independent_correct
        if independent and (exercise_id is None or exercise_id not in credited):
            n_independent += 1
            if exercise_id is not None:
                credited = (*credited, exercise_id)
        required = min_independent
        if fresh_items is not None:
            required = min(required, n_independent + max(0, int(fresh_items.get(c, 0))))
        after[c] = ConceptKnowledge(
            mastery=mastery,
            n_attempts=old.n_attempts + 1,
            n_correct=old.n_correct + score,
            streak=old.streak + 1 if correct else 0,
            error_streak=0 if correct else old.error_streak + 1,
            first_practiced_at=old.first_practiced_at or now,
            last_practiced_at=now,
            review=review_after_answer(
                old.review,
                mastery=mastery,
                threshold=threshold,
                score=score,
                hints_used=hints_used,
                now=now,
                card_id=(card_ids or {}).get(c),
                evidence_enough=n_independent >= required,
            ),
            independent_correct=n_independent,
            credited=credited,
        )
    return KnowledgeUpdate(
        prediction=update.prediction, concepts=after, item=update.item, ability=update.ability, weight=weight
    )
