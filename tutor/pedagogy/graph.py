"""The course as the policy sees it: concepts with their BKT parameters, exercises, and the
per-course indexes (curriculum order, prerequisites, exercises by concept) that every choice
reads. Plain frozen dataclasses and one index class; no database."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ConceptInfo:
    id: int
    slug: str
    name: str
    order: int  # position in the curriculum
    prerequisites: tuple[int, ...]
    p_guess: float
    p_slip: float
    p_learn: float
    # P(L0), used only when the student view carries no prior for this concept.
    p_init: float = 0.2


# When the feedback after an answer shows the item's answer (the live tutor reads it from
# the attempt log; the simulator needs it to play reveals): a multiple-choice item's correct
# options always, a numeric item's value after a wrong answer, a free-text item's never.
ANSWER_SHOWN_ALWAYS = "always"
ANSWER_SHOWN_WHEN_WRONG = "when_wrong"
ANSWER_SHOWN_NEVER = "never"


@dataclass(frozen=True)
class ExerciseInfo:
    id: int
    concepts: tuple[int, ...]
    difficulty: float  # 0 (easy) .. 1 (hard), authored; the student model may refine it
    expected_seconds: float
    has_worked_example: bool
    answer_shown: str = ANSWER_SHOWN_ALWAYS  # the cautious default: every answer reveals it


class CourseGraph:
    """The per-course indexes the policy needs: concepts in curriculum order (a
    topological order of the prerequisite graph, ties broken by ``order`` then id),
    exercises by concept, prerequisite edges. Build once per course version and cache.

    Raises ValueError for an unknown prerequisite, a prerequisite cycle, a duplicate id,
    an exercise without concepts or with an unknown one."""

    def __init__(self, concepts: Iterable[ConceptInfo], exercises: Iterable[ExerciseInfo]) -> None:
        by_id: dict[int, ConceptInfo] = {}
        for concept in concepts:
            if concept.id in by_id:
                raise ValueError(f"Concept id {concept.id} ('{concept.slug}') appears twice.")
            by_id[concept.id] = concept
        for concept in by_id.values():
            for pre in concept.prerequisites:
                if pre not in by_id:
                    raise ValueError(f"Concept '{concept.slug}' has an unknown prerequisite (id {pre}).")
                if pre == concept.id:
                    raise ValueError(f"Concept '{concept.slug}' is its own prerequisite.")

        # Kahn's algorithm; among the concepts that are ready, the curriculum order decides.
        waiting = {cid: len(set(c.prerequisites)) for cid, c in by_id.items()}
        dependents: dict[int, list[int]] = {cid: [] for cid in by_id}
        for cid, c in by_id.items():
            for pre in set(c.prerequisites):
                dependents[pre].append(cid)
        heap = [(c.order, cid) for cid, c in by_id.items() if waiting[cid] == 0]
        heapq.heapify(heap)
        ordered: list[ConceptInfo] = []
        while heap:
            _, cid = heapq.heappop(heap)
            ordered.append(by_id[cid])
            for dep in dependents[cid]:
                waiting[dep] -= 1
                if waiting[dep] == 0:
                    heapq.heappush(heap, (by_id[dep].order, dep))
        if len(ordered) != len(by_id):
            stuck = sorted(by_id[cid].slug for cid, n in waiting.items() if n > 0)
            raise ValueError(
                f"The prerequisites form a cycle; concepts involved or blocked: {', '.join(stuck)}."
            )

        # The indexes the policy reads, all by curriculum rank (a concept's position in
        # ``concepts``) so that per-student figures can be numpy arrays over the course:
        #: Concepts in curriculum order; a concept's index here is its curriculum rank.
        self.concepts: tuple[ConceptInfo, ...] = tuple(ordered)
        #: concept id -> rank; concept slug -> rank (reasons store slugs)
        self.rank_of: dict[int, int] = {c.id: i for i, c in enumerate(ordered)}
        self.rank_of_slug: dict[str, int] = {c.slug: i for i, c in enumerate(ordered)}
        #: per rank, its prerequisites' ranks; and every edge as two arrays (concept, prerequisite)
        self.prerequisite_ranks: tuple[tuple[int, ...], ...] = tuple(
            tuple(sorted({self.rank_of[p] for p in c.prerequisites})) for c in ordered
        )
        src = [i for i, pres in enumerate(self.prerequisite_ranks) for _ in pres]
        pre = [p for pres in self.prerequisite_ranks for p in pres]
        self.edge_concept = np.asarray(src, dtype=np.intp)
        self.edge_prerequisite = np.asarray(pre, dtype=np.intp)
        #: per rank, P(G) and P(S) as floats
        self.p_guess = tuple(float(c.p_guess) for c in ordered)
        self.p_slip = tuple(float(c.p_slip) for c in ordered)

        #: exercise id -> exercise; exercise id -> its concepts' ranks
        self.exercises_by_id: dict[int, ExerciseInfo] = {}
        self.exercise_ranks: dict[int, tuple[int, ...]] = {}
        by_concept: list[list[ExerciseInfo]] = [[] for _ in ordered]
        for exercise in exercises:
            if exercise.id in self.exercises_by_id:
                raise ValueError(f"Exercise id {exercise.id} appears twice.")
            if not exercise.concepts:
                raise ValueError(f"Exercise {exercise.id} is not linked to any concept.")
            unknown = [c for c in exercise.concepts if c not in self.rank_of]
            if unknown:
                raise ValueError(f"Exercise {exercise.id} is linked to unknown concept ids {unknown}.")
            idxs = tuple(sorted({self.rank_of[c] for c in exercise.concepts}))
            self.exercises_by_id[exercise.id] = exercise
            self.exercise_ranks[exercise.id] = idxs
            for i in idxs:
                by_concept[i].append(exercise)
        #: per rank, its exercises' ids, easiest (authored difficulty) first
        self.exercise_ids_by_rank: tuple[tuple[int, ...], ...] = tuple(
            tuple(e.id for e in sorted(items, key=lambda e: (e.difficulty, e.id))) for items in by_concept
        )

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.rank_of

    def concept(self, concept_id: int) -> ConceptInfo:
        return self.concepts[self.rank_of[concept_id]]

    def exercise(self, exercise_id: int) -> ExerciseInfo:
        return self.exercises_by_id[exercise_id]

    def curriculum_rank(self, concept_id: int) -> int:
        return self.rank_of[concept_id]

    def exercises_for(self, concept_id: int) -> tuple[ExerciseInfo, ...]:
        """The concept's exercises, easiest (authored difficulty) first."""
        return tuple(self.exercises_by_id[e] for e in self.exercise_ids_by_rank[self.rank_of[concept_id]])

    @property
    def exercise_count(self) -> int:
        return len(self.exercises_by_id)


def answer_revealed_by(exercise: ExerciseInfo, correct: bool, worked_example_shown: bool) -> bool:
    """Whether an answer (and the worked example shown before it) showed the student the
    item's answer."""
    if worked_example_shown or exercise.answer_shown == ANSWER_SHOWN_ALWAYS:
        return True
    return exercise.answer_shown == ANSWER_SHOWN_WHEN_WRONG and not correct


__all__ = [
    "ANSWER_SHOWN_ALWAYS",
    "ANSWER_SHOWN_NEVER",
    "ANSWER_SHOWN_WHEN_WRONG",
    "ConceptInfo",
    "CourseGraph",
    "ExerciseInfo",
    "answer_revealed_by",
]
