"""What the tutor believes of one simulated student: the records the live tutor stores
(``students.learning.ConceptKnowledge`` per concept, ability, item difficulties), kept in
memory and changed by the live update itself (``students.learning.knowledge_update``), and
P(correct) by the live predictor (``students.kt.model.predict_answer``). So a simulated run
exercises the code real students meet, and "mastered" means the same under every policy:
declared by that update (P(L) at the course's mastery threshold and its minimum of
independent right answers) and still at the threshold."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from content.api import PolicySettings
from students.api import (
    AbilityState,
    BKTParams,
    ConceptKnowledge,
    ItemState,
    KnowledgeUpdate,
    knowledge_update,
    predict_answer,
)
from tutor.pedagogy.graph import CourseGraph, ExerciseInfo
from tutor.pedagogy.state import ConceptState


def concept_state(knowledge: ConceptKnowledge) -> ConceptState:
    """The policy's view of a practised concept's knowledge record."""
    return ConceptState(
        mastery=knowledge.mastery,
        n_attempts=knowledge.n_attempts,
        error_streak=knowledge.error_streak,
        first_practiced_at=knowledge.first_practiced_at,
        last_practiced_at=knowledge.last_practiced_at,
        review_due_at=knowledge.review.review_due_at,
        mastered=knowledge.mastered,
        independent_correct=knowledge.independent_correct,
        credited=frozenset(knowledge.credited),
    )


class TutorBeliefs:
    """One student's knowledge records (``knowledge``: concept id -> ``ConceptKnowledge``,
    only for concepts practised), the policy's view of them (``states``), the ability;
    item difficulties (``items``) are shared by every student of a run, as in the database."""

    def __init__(
        self,
        graph: CourseGraph,
        params: Mapping[int, BKTParams],
        settings: PolicySettings,
        items: dict[int, ItemState],
    ) -> None:
        self.graph = graph
        self.params = params
        self.threshold = settings.mastery_threshold
        self.min_independent = settings.mastery_min_independent
        self.items = items
        self.knowledge: dict[int, ConceptKnowledge] = {}
        self.states: dict[int, ConceptState] = {}  # derived from ``knowledge``, kept in step
        self.ability = AbilityState()
        self.prior = {c.id: params[c.id].p_init for c in graph.concepts}
        # A new FSRS card is named by its concept's id: the package's default name is the
        # time of creation, which would make runs differ from one another.
        self.card_ids = {c.id: c.id for c in graph.concepts}

    def mastery(self, concept_id: int) -> float | None:
        """P(L) as stored; None for a concept never practised."""
        knowledge = self.knowledge.get(concept_id)
        return None if knowledge is None else knowledge.mastery

    def belief(self, concept_id: int) -> float:
        """P(L), the prior for a concept never practised."""
        knowledge = self.knowledge.get(concept_id)
        return self.prior[concept_id] if knowledge is None else knowledge.mastery

    def is_mastered(self, concept_id: int) -> bool:
        """Declared mastered by the student model (P(L) at the threshold and the minimum of
        independent right answers reached), and still at the threshold: what the live
        tutor's policy calls mastered."""
        knowledge = self.knowledge.get(concept_id)
        return knowledge is not None and knowledge.mastered and knowledge.mastery >= self.threshold

    def all_mastered(self) -> bool:
        return all(self.is_mastered(c.id) for c in self.graph.concepts)

    def needs_evidence(self, concept_id: int) -> bool:
        """P(L) at the threshold, the evidence minimum not reached yet."""
        return self.belief(concept_id) >= self.threshold and not self.is_mastered(concept_id)

    def creditable(self, exercise_id: int, concept_id: int, revealed: Collection[int]) -> bool:
        """A right answer to the exercise would count as independent evidence for the concept."""
        knowledge = self.knowledge.get(concept_id)
        return exercise_id not in revealed and (knowledge is None or exercise_id not in knowledge.credited)

    def predict(self, exercise_id: int) -> float:
        """P(correct) by the live tutor's predictor, from the same records."""
        concepts = self.graph.exercise(exercise_id).concepts
        return predict_answer(
            {c: self.mastery(c) for c in concepts},
            self.params,
            self.items.get(exercise_id, ItemState()),
            self.ability,
        ).p_correct

    def fresh_own_items(self, concept_id: int, exercise_id: int, revealed: Collection[int]) -> int:
        """The concept's own exercises (none of whose concepts comes later in the curriculum,
        as ``knowledge_apply`` counts them) other than ``exercise_id`` that could still give
        an independent right answer."""
        rank = self.graph.rank_of[concept_id]
        return sum(
            1
            for e in self.graph.exercise_ids_by_rank[rank]
            if e != exercise_id
            and max(self.graph.exercise_ranks[e]) <= rank
            and self.creditable(e, concept_id, revealed)
        )

    def observe(
        self,
        exercise: ExerciseInfo,
        score: float,
        now: datetime,
        *,
        worked_example_shown: bool,
        revealed: Collection[int] = (),
    ) -> KnowledgeUpdate:
        """One graded answer, unaided by hints (the simulated student takes none), through
        ``knowledge_update``; ``revealed``: the exercises whose answer the student was shown
        before this answer. Stores what it returns and returns it."""
        fresh = {c: self.fresh_own_items(c, exercise.id, revealed) for c in exercise.concepts}
        update = knowledge_update(
            {c: self.knowledge.get(c, ConceptKnowledge()) for c in exercise.concepts},
            self.params,
            self.items.get(exercise.id, ItemState()),
            self.ability,
            score=score,
            hints_used=0,
            worked_example_shown=worked_example_shown,
            threshold=self.threshold,
            now=now,
            card_ids=self.card_ids,
            answer_revealed=exercise.id in revealed,
            exercise_id=exercise.id,
            min_independent=self.min_independent,
            fresh_items=fresh,
        )
        self.items[exercise.id] = update.item
        self.ability = update.ability
        for c, knowledge in update.concepts.items():
            self.knowledge[c] = knowledge
            self.states[c] = concept_state(knowledge)
        return update


def tutor_params(
    graph: CourseGraph, overrides: Mapping[int, BKTParams] | None = None
) -> dict[int, BKTParams]:
    """The tutor's BKT parameters per concept: those the graph carries (fitted or default),
    unless ``overrides`` has the full set (with P(F)) for a concept."""
    overrides = overrides or {}
    return {
        c.id: overrides.get(c.id)
        or BKTParams(p_init=c.p_init, p_learn=c.p_learn, p_guess=c.p_guess, p_slip=c.p_slip)
        for c in graph.concepts
    }


__all__ = ["TutorBeliefs", "concept_state", "tutor_params"]
