"""Random courses for the simulator: a prerequisite DAG with exercises on one to three
related concepts and BKT parameters around the defaults."""

from __future__ import annotations

import dataclasses
import random

from tutor.pedagogy.graph import (
    ANSWER_SHOWN_ALWAYS,
    ANSWER_SHOWN_NEVER,
    ANSWER_SHOWN_WHEN_WRONG,
    ConceptInfo,
    CourseGraph,
    ExerciseInfo,
)


def random_course_graph(
    n_concepts: int,
    n_exercises: int,
    seed: int = 0,
    *,
    multi_concept_share: float = 0.4,
    window: int = 8,
) -> CourseGraph:
    """A random course: a prerequisite DAG (0-3 prerequisites among the ``window``
    concepts before, so chains run deep), every concept with at least one exercise when
    there are enough, and ``multi_concept_share`` of the exercises on two (sometimes
    three) concepts: a concept with a prerequisite, a sibling (a concept sharing a
    prerequisite) or a neighbour. The tutor's BKT parameters vary around the defaults, as
    fitted ones would."""
    if n_concepts < 1 or n_exercises < 1:
        raise ValueError("A random course needs at least one concept and one exercise.")
    rng = random.Random(seed)
    concepts = []
    prerequisites: list[tuple[int, ...]] = []
    for i in range(n_concepts):
        earlier = list(range(max(0, i - window), i))
        k = min(len(earlier), rng.choices([0, 1, 2, 3], weights=[1, 5, 3, 1])[0]) if earlier else 0
        if i > 0 and k == 0 and rng.random() < 0.7:
            k = 1  # most concepts build on something
        pres = tuple(sorted(rng.sample(earlier, k)))
        prerequisites.append(pres)
        concepts.append(
            ConceptInfo(
                id=i + 1,
                slug=f"concept-{i + 1}",
                name=f"Concept {i + 1}",
                order=i,
                prerequisites=tuple(p + 1 for p in pres),
                p_guess=round(rng.uniform(0.12, 0.28), 3),
                p_slip=round(rng.uniform(0.06, 0.14), 3),
                p_learn=round(rng.uniform(0.1, 0.25), 3),
                p_init=round(rng.uniform(0.25, 0.45), 3),
            )
        )
    children: dict[int, list[int]] = {i: [] for i in range(n_concepts)}
    for i, pres in enumerate(prerequisites):
        for p in pres:
            children[p].append(i)

    def partner(main: int, taken: set[int]) -> int | None:
        options = list(prerequisites[main])
        for p in prerequisites[main]:
            options += [s for s in children[p] if s != main]
        options += [j for j in (main - 1, main + 1) if 0 <= j < n_concepts]
        options = [j for j in options if j not in taken]
        return rng.choice(options) if options else None

    exercises = []
    for e in range(n_exercises):
        main = e if e < n_concepts else rng.randrange(n_concepts)
        linked = {main}
        if rng.random() < multi_concept_share:
            for _ in range(2 if rng.random() < 0.1 else 1):
                other = partner(main, linked)
                if other is not None:
                    linked.add(other)
        exercises.append(
            ExerciseInfo(
                id=e + 1,
                concepts=tuple(sorted(i + 1 for i in linked)),
                difficulty=round(rng.uniform(0.1, 0.9), 2),
                expected_seconds=float(rng.choice([30, 45, 60, 90, 120])),
                has_worked_example=rng.random() < 0.6,
            )
        )
    # Which items show their answer after an answer: drawn from their own stream, so the
    # course's graph and items stay those of earlier versions for a seed. The shares are
    # the demo course's (about a quarter multiple choice, a fifth numeric, the rest free text).
    kinds = random.Random(f"answer-shown-{seed}")
    exercises = [
        dataclasses.replace(
            e,
            answer_shown=kinds.choices(
                [ANSWER_SHOWN_ALWAYS, ANSWER_SHOWN_WHEN_WRONG, ANSWER_SHOWN_NEVER], weights=[23, 18, 59]
            )[0],
        )
        for e in exercises
    ]
    return CourseGraph(concepts, exercises)


__all__ = ["random_course_graph"]
