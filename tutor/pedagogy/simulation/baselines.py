"""The baseline policies the product is measured against: mastery learning (``mastery``),
the worksheet (``fixed``) and ``random``. They live here, not in the product."""

from __future__ import annotations

from collections.abc import Sequence

from tutor.pedagogy.graph import CourseGraph
from tutor.pedagogy.simulation.policies import DONE, Choice, Policy, Run


def problem_sets(graph: CourseGraph) -> list[tuple[int, ...]]:
    """Per concept (curriculum rank): its exercises that involve no later concept, the
    problems of its unit in a curriculum-ordered course (all of its exercises if none)."""
    sets = []
    for rank, concept in enumerate(graph.concepts):
        items = graph.exercises_for(concept.id)
        unit = [e.id for e in items if all(graph.curriculum_rank(c) <= rank for c in e.concepts)]
        sets.append(tuple(unit or [e.id for e in items]))
    return sets


def _least_served(run: Run, pool: Sequence[int]) -> int:
    """A problem of the pool not answered recently, least served first, ties at random."""
    recent = run.recent_ids()
    fresh = [e for e in pool if e not in recent] or list(pool)
    fewest = min(run.served[e] for e in fresh)
    return run.rng.choice([e for e in fresh if run.served[e] == fewest])


class MasteryPolicy(Policy):
    """Mastery learning: each concept in curriculum order until the student model declares
    it mastered, by the same criterion as the tutor's (belief at the threshold and the
    course's minimum of independent right answers; a concept that falls back below it is
    taken up again first)."""

    name = "mastery"

    def start(self, run: Run) -> None:
        self.sets = problem_sets(run.graph)

    def next(self, run: Run) -> Choice:
        if self.done(run):
            return DONE
        for rank, concept in enumerate(run.graph.concepts):
            if run.tutor.is_mastered(concept.id) or not self.sets[rank]:
                continue
            pool = self.sets[rank]
            if run.tutor.needs_evidence(concept.id):
                # The belief is there, the course's minimum of independent right answers is
                # not: an item that can still give one, from the unit's problems if one can,
                # else from the concept's other items (as the tutor's criterion counts them).
                fresh = [e for e in pool if run.tutor.creditable(e, concept.id, run.revealed)]
                if not fresh:
                    fresh = [
                        e.id
                        for e in run.graph.exercises_for(concept.id)
                        if run.tutor.creditable(e.id, concept.id, run.revealed)
                    ]
                pool = fresh or pool
            return Choice(_least_served(run, pool), "mastery_criterion")
        return Choice(None, "no_exercise_available")


class FixedPolicy(Policy):
    """The worksheet: a fixed number of items per concept in curriculum order."""

    name = "fixed"

    def __init__(self, per_concept: int) -> None:
        self.per_concept = per_concept

    def start(self, run: Run) -> None:
        self.sets = problem_sets(run.graph)
        # (concept rank, k-th item on it): every concept with exercises, in curriculum order
        self.queue = [
            (rank, k) for rank, pool in enumerate(self.sets) if pool for k in range(self.per_concept)
        ]
        self.position = 0

    def next(self, run: Run) -> Choice:
        if self.done(run):
            return DONE
        rank, _ = self.queue[self.position]
        self.position += 1
        return Choice(_least_served(run, self.sets[rank]), "fixed_worksheet")

    def done(self, run: Run) -> bool:
        return self.position >= len(self.queue)


class RandomPolicy(Policy):
    """Any exercise at random (not one answered in the last few items)."""

    name = "random"

    def start(self, run: Run) -> None:
        seen: dict[int, None] = {}
        for concept in run.graph.concepts:
            for e in run.graph.exercises_for(concept.id):
                seen[e.id] = None
        self.pool = sorted(seen)

    def next(self, run: Run) -> Choice:
        if self.done(run):
            return DONE
        if not self.pool:
            return Choice(None, "no_exercise_available")
        recent = run.recent_ids()
        fresh = [e for e in self.pool if e not in recent] or self.pool
        return Choice(run.rng.choice(fresh), "random")


__all__ = ["FixedPolicy", "MasteryPolicy", "RandomPolicy", "problem_sets"]
