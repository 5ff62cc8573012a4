"""The run loop: one simulated student through the course under one policy, session by
session (``simulate_student``), and every policy over the same seeded population
(``simulate``)."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from content.api import PolicySettings
from students.api import BKTParams, ItemState
from tutor.pedagogy.graph import CourseGraph, answer_revealed_by
from tutor.pedagogy.simulation.baselines import FixedPolicy, MasteryPolicy, RandomPolicy
from tutor.pedagogy.simulation.beliefs import TutorBeliefs, tutor_params
from tutor.pedagogy.simulation.learners import Learner, LearnerPopulation
from tutor.pedagogy.simulation.policies import DAY, AdaptivePolicy, Policy, Run
from tutor.pedagogy.simulation.results import PolicySummary, StudentResult, summarize
from tutor.pedagogy.state import RecentItem

POLICIES = ("adaptive", "mastery", "fixed", "random")


@dataclass(frozen=True)
class RunSettings:
    """How the simulated course is taken and when a run stops."""

    session_minutes: float = 25.0  # then the next session starts a day later
    feedback_seconds: float = 10.0  # reading the feedback between items
    fixed_items_per_concept: int = 8
    max_items_per_concept: int = 40  # the cap, times the number of concepts
    retention_days: float = 30.0  # "true mastery N days later"

    def __post_init__(self) -> None:
        if not self.session_minutes > 0:
            raise ValueError("Run setting 'session_minutes' must be above 0.")
        if self.fixed_items_per_concept < 1 or self.max_items_per_concept < 1:
            raise ValueError("Items per concept must be 1 or more.")
        if self.retention_days < 0 or self.feedback_seconds < 0:
            raise ValueError("Run settings 'retention_days' and 'feedback_seconds' must be 0 or more.")


def make_policy(name: str, run_settings: RunSettings) -> Policy:
    if name == "adaptive":
        return AdaptivePolicy()
    if name == "mastery":
        return MasteryPolicy()
    if name == "fixed":
        return FixedPolicy(run_settings.fixed_items_per_concept)
    if name == "random":
        return RandomPolicy()
    raise ValueError(f"Unknown policy {name!r}; known policies: {', '.join(POLICIES)}.")


def simulate_student(
    graph: CourseGraph,
    policy: Policy,
    learner: Learner,
    tutor: TutorBeliefs,
    settings: PolicySettings,
    run_settings: RunSettings,
    rng: random.Random,
) -> StudentResult:
    """Take one student through the course under one policy (see the module docstring)."""
    run = Run(graph=graph, settings=settings, tutor=tutor, learner=learner, rng=rng)
    policy.start(run)
    cap = run_settings.max_items_per_concept * len(graph.concepts)
    session_seconds = run_settings.session_minutes * 60
    spread = learner.population.time_spread
    items_on_known = 0
    rules: Counter[str] = Counter()
    rules_on_known: Counter[str] = Counter()
    declared = False
    repeats_after_reveal = 0
    answers_at_mastery: list[int] = []  # a concept's own answers when it was declared mastered
    day = 0
    idle_days = 0
    while True:
        run.seconds = run.session_started = day * DAY
        run.session_first = len(run.recent)
        learner.forget(day, rng)
        served_today = 0
        while run.seconds - run.session_started < session_seconds and run.items < cap:
            choice = policy.next(run)
            if choice.done:
                declared = True
                break
            if choice.exercise_id is None:
                break
            exercise = graph.exercise(choice.exercise_id)
            ranks = [graph.curriculum_rank(c) for c in exercise.concepts]
            if all(learner.known[i] for i in ranks):
                items_on_known += 1
                rules_on_known[choice.rule] += 1
            if run.held(exercise.id):
                repeats_after_reveal += 1
            correct = rng.random() < learner.p_correct(ranks, exercise.difficulty)
            seconds = exercise.expected_seconds * math.exp(spread * rng.gauss(0.0, 1.0))
            answered_at = run.now + timedelta(seconds=seconds)
            update = tutor.observe(
                exercise,
                1.0 if correct else 0.0,
                answered_at,
                worked_example_shown=choice.worked_example_shown,
                revealed=run.revealed,
            )
            for knowledge in update.concepts.values():
                if knowledge.review.mastered_at == answered_at:  # declared mastered by this answer
                    answers_at_mastery.append(knowledge.n_attempts)
            learner.practise(ranks, (run.seconds + seconds) / DAY, rng)
            run.recent.append(
                RecentItem(
                    exercise_id=exercise.id,
                    concepts=exercise.concepts,
                    correct=correct,
                    response_seconds=seconds,
                    expected_seconds=exercise.expected_seconds,
                    answered_at=answered_at,
                )
            )
            run.served[exercise.id] += 1
            run.items += 1
            if answer_revealed_by(exercise, correct, choice.worked_example_shown):
                run.revealed[exercise.id] = (answered_at, run.items)
            served_today += 1
            rules[choice.rule] += 1
            run.seconds += seconds + run_settings.feedback_seconds
        if not declared and run.items < cap and served_today and policy.done(run):
            declared = True  # the session ended on the item that completed the course
        if declared or run.items >= cap:
            break
        idle_days = 0 if served_today else idle_days + 1
        if idle_days >= 2:
            break  # nothing to serve, and a day later still nothing
        day += 1

    end_day = run.seconds / DAY
    known_at_end = learner.expected_known(end_day)
    known_later = learner.expected_known(end_day + run_settings.retention_days)
    if isinstance(policy, FixedPolicy) and declared:
        claimed = range(len(graph.concepts))
    else:
        claimed = [i for i, c in enumerate(graph.concepts) if tutor.is_mastered(c.id)]
    learner.forget(end_day, rng)
    false_mastery = sum(1 for i in claimed if not learner.known[i])
    return StudentResult(
        items=run.items,
        declared=declared,
        days=day + 1,
        known_at_end=round(known_at_end, 6),
        known_later=round(known_later, 6),
        items_on_known=items_on_known,
        false_mastery=false_mastery,
        rules=dict(rules),
        rules_on_known=dict(rules_on_known),
        repeats_after_reveal=repeats_after_reveal,
        min_answers_at_mastery=min(answers_at_mastery) if answers_at_mastery else None,
    )


def simulate(
    graph: CourseGraph,
    policies: Sequence[str],
    students: int,
    seed: int,
    *,
    population: LearnerPopulation | None = None,
    run_settings: RunSettings | None = None,
    settings: PolicySettings | None = None,
    params: Mapping[int, BKTParams] | None = None,
    policy_factory: Callable[[str, RunSettings], Policy] = make_policy,
) -> dict[str, tuple[PolicySummary, list[StudentResult]]]:
    """Run every policy on the same seeded population; deterministic for a seed."""
    if students < 1:
        raise ValueError("Simulate at least one student.")
    if not graph.concepts:
        raise ValueError("The course has no concepts to learn.")
    population = population or LearnerPopulation()
    run_settings = run_settings or RunSettings()
    settings = settings or PolicySettings()
    tutor_bkt = tutor_params(graph, params)
    out: dict[str, tuple[PolicySummary, list[StudentResult]]] = {}
    for name in policies:
        items: dict[int, ItemState] = {}  # item difficulties, learned across the run's students
        results = []
        for student in range(students):
            policy = policy_factory(name, run_settings)
            learner = Learner(graph, population, seed, student)
            tutor = TutorBeliefs(graph, tutor_bkt, settings, items)
            rng = random.Random(int(np.random.SeedSequence([seed, student, 1]).generate_state(1)[0]))
            results.append(simulate_student(graph, policy, learner, tutor, settings, run_settings, rng))
        out[name] = (summarize(name, results), results)
    return out


__all__ = ["POLICIES", "RunSettings", "make_policy", "simulate", "simulate_student"]
