"""Speed figures of next-item selection on a large random course, on plain dataclasses: a
random course (``random_course``), students part-way through it (``random_student``), and
``bench_choose``, the median and p95 of ``tutor.pedagogy.choose_next`` over many students.
``manage.py bench`` prints them (and times the live path through the database too).

It prints figures and asserts nothing: the speed target (one choice in under 50 ms for a
course of 1,000 concepts and 20,000 exercises) is checked by reading them.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from content.api import PolicySettings
from tutor.pedagogy.choose import choose_next
from tutor.pedagogy.graph import ConceptInfo, CourseGraph, ExerciseInfo
from tutor.pedagogy.state import ConceptState, RecentItem, StudentView


def random_course(n_concepts: int, n_exercises: int, rng: random.Random) -> tuple[list, list]:
    """A random prerequisite DAG (up to 3 prerequisites among the 50 concepts before) and
    exercises spread over it, one in five on two neighbouring concepts."""
    concepts = []
    for i in range(n_concepts):
        window = list(range(max(0, i - 50), i))
        prerequisites = tuple(sorted(rng.sample(window, min(len(window), rng.randint(0, 3)))))
        concepts.append(
            ConceptInfo(
                id=i + 1,
                slug=f"concept-{i + 1}",
                name=f"Concept {i + 1}",
                order=i,
                prerequisites=tuple(p + 1 for p in prerequisites),
                p_guess=rng.uniform(0.1, 0.3),
                p_slip=rng.uniform(0.05, 0.15),
                p_learn=rng.uniform(0.1, 0.4),
            )
        )
    exercises = []
    for e in range(n_exercises):
        main = rng.randrange(n_concepts)
        linked = {main + 1}
        if rng.random() < 0.2 and main > 0:
            linked.add(rng.randrange(max(0, main - 5), main) + 1)
        exercises.append(
            ExerciseInfo(
                id=e + 1,
                concepts=tuple(sorted(linked)),
                difficulty=rng.random(),
                expected_seconds=rng.choice([30, 60, 90, 120]),
                has_worked_example=rng.random() < 0.5,
            )
        )
    return concepts, exercises


def random_student(
    graph: CourseGraph, rng: random.Random, now: datetime
) -> tuple[StudentView, dict[int, float]]:
    """A student part-way through the course: a mastered prefix of the curriculum, a
    frontier of concepts in progress, some reviews due, a session of recent answers."""
    n = len(graph.concepts)
    mastered_upto = rng.randrange(0, n)
    states: dict[int, ConceptState] = {}
    for rank, concept in enumerate(graph.concepts):
        if rank < mastered_upto:
            mastery = rng.uniform(0.95, 0.999)
            due = (
                now - timedelta(days=1) if rng.random() < 0.002 else now + timedelta(days=rng.randint(1, 30))
            )
        elif rank < mastered_upto + 10:
            mastery = rng.uniform(0.2, 0.94)
            due = None
        else:
            continue
        states[concept.id] = ConceptState(
            mastery=mastery,
            n_attempts=rng.randint(1, 20),
            error_streak=rng.choice([0, 0, 0, 1, 2, 3]),
            first_practiced_at=now - timedelta(minutes=rng.randint(1, 10_000)),
            last_practiced_at=now - timedelta(minutes=rng.randint(1, 100)),
            review_due_at=due,
            mastered=mastery >= 0.95,
        )
    mastery_of = {c.id: (states[c.id].mastery if c.id in states else 0.2) for c in graph.concepts}
    practised = [c.id for c in graph.concepts if c.id in states] or [graph.concepts[0].id]
    recent = []
    for k in range(30):
        concept = rng.choice(practised[-12:])
        exercise = rng.choice(graph.exercises_for(concept) or graph.exercises_for(graph.concepts[0].id))
        recent.append(
            RecentItem(
                exercise_id=exercise.id,
                concepts=exercise.concepts,
                correct=rng.random() < 0.7,
                response_seconds=exercise.expected_seconds * rng.uniform(0.2, 2.5),
                expected_seconds=exercise.expected_seconds,
                answered_at=now - timedelta(minutes=30 - k),
            )
        )
    view = StudentView(
        states=states,
        prior_mastery={c.id: 0.2 for c in graph.concepts},
        recent=tuple(recent),
        session_started_at=now - timedelta(minutes=32),
        now=now,
    )
    return view, mastery_of


def bench_choose(n_concepts: int = 1000, n_exercises: int = 20000, seed: int = 0, calls: int = 200) -> dict:
    """Time ``choose_next`` over ``calls`` random students (milliseconds)."""
    rng = random.Random(seed)
    concepts, exercises = random_course(n_concepts, n_exercises, rng)
    started = time.perf_counter()
    graph = CourseGraph(concepts, exercises)
    build_ms = (time.perf_counter() - started) * 1000
    settings = PolicySettings()
    now = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    timings = []
    rules: dict[str, int] = {}
    predictions = 0
    for _ in range(calls):
        student, mastery_of = random_student(graph, rng, now)

        def predict(exercise_id: int, mastery_of: dict[int, float] = mastery_of) -> float:
            # BKT success of every concept, shifted by the item's difficulty on the logit scale.
            nonlocal predictions
            predictions += 1
            exercise = graph.exercise(exercise_id)
            p = 1.0
            for cid in exercise.concepts:
                concept = graph.concept(cid)
                m = mastery_of[cid]
                p *= m * (1 - concept.p_slip) + (1 - m) * concept.p_guess
            p = min(max(p, 1e-6), 1 - 1e-6)
            return 1 / (1 + math.exp(-(math.log(p / (1 - p)) - (exercise.difficulty - 0.5))))

        t = time.perf_counter()
        decision = choose_next(graph, student, settings, predict)
        timings.append((time.perf_counter() - t) * 1000)
        rules[decision.rule] = rules.get(decision.rule, 0) + 1
    timings.sort()
    return {
        "n_concepts": n_concepts,
        "n_exercises": n_exercises,
        "calls": calls,
        "build_ms": round(build_ms, 1),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)], 3),
        "max_ms": round(timings[-1], 3),
        "predict_calls_per_choice": round(predictions / calls, 1),
        "rules": dict(sorted(rules.items())),
    }


__all__ = ["bench_choose", "random_course", "random_student"]
