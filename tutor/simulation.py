"""Simulated learners for the practice loop: how many items each policy needs, and what the
students really know at the end and a month later.

Every simulated student has hidden, per-concept BKT parameters (drawn from the population's
Beta distributions, seeded) and a true known/unknown state per concept. A *policy* picks
items; the student answers from the hidden state; the tutor's beliefs are updated by the
real student model (``students.kt.model.observe_answer`` with the evidence weight of
``students.knowledge.answer_evidence_weight`` and the spaced-review rule of
``students.knowledge.review_after_answer``) under every policy, so "mastered" means the
same belief, P(L) >= ``PolicySettings.mastery_threshold``, for all of them. Nothing is
written to the database: a run takes a ``CourseGraph`` (``tutor.selectors.course_graph``
for a real course, ``random_course_graph`` for a generated one).

**The simulated student** (``LearnerPopulation``; every number is an option of
``manage.py simulate_learners``):

* per concept, P(L0), P(T), P(G), P(S) ~ Beta(a, b), drawn once per student and concept;
* per item, the error rates grow with the item's authored difficulty d in [0, 1]: on the
  logit scale P(correct | known) = 1 - S and P(correct | unknown) = G are both lowered by
  ``difficulty_effect`` x (d - 0.5), so a hard item is slipped on more and guessed less;
* an answer to an item on several concepts is right only if every concept "passes"
  (noisy-AND, as in conjunctive knowledge tracing): the tutor's model (which combines by
  mean logit) is deliberately not the truth;
* after each answer every unknown concept of the item becomes known with P(T), divided by
  ``prerequisite_slowdown`` while any of its prerequisites is not truly known;
* a known concept is forgotten at an exponential rate: it survives t days with probability
  2^(-t / h). The half-life h starts at the student's own (log-normal around
  ``half_life_days``) and grows with spaced practice: practising a known concept whose
  recall probability has fallen to R multiplies h by 1 + ``spacing_gain`` x (1 - R), so
  massed practice (R close to 1) barely helps and a well-timed review helps most (the
  spacing effect). Relearning a forgotten concept keeps its half-life (savings).

**Time.** An item takes its ``expected_seconds`` times a log-normal factor, plus a few
seconds of feedback; a session lasts ``session_minutes`` (the tutor's own break rule) and
the next one starts a day later, so reviews fall due and concepts are forgotten between
sessions.

**Policies.** ``adaptive`` is the product: ``tutor.policy.choose_next`` with the course's
settings, worked examples shown when it says "show" (an answer after one carries less
evidence). The baselines live here, not in the product:

* ``mastery`` (mastery learning, the Cognitive Tutor way): the first concept in curriculum
  order whose belief is below the threshold is practised until it reaches it, with the
  concept's problems (those that involve no concept later in the curriculum), least-served
  first; the course is mastered when every concept's belief is at the threshold;
* ``fixed`` (the worksheet): curriculum order, ``fixed_items_per_concept`` items per
  concept from the same problem sets, then the course counts as done;
* ``random``: any exercise at random until every belief reaches the threshold.

Every policy stops at ``max_items_per_concept`` x concepts items. Exercises answered in the
last ``recent_items_excluded`` items are not repeated by the baselines either.

**Figures** per student: items served until the course is declared mastered (or the cap);
the share of concepts truly known then and ``retention_days`` later (an expected share: each
known concept counts by its survival probability); items whose every concept was already
truly known when served; concepts declared mastered (belief at the threshold; every concept
for ``fixed``) that were not truly known.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from students.learning import ReviewState, answer_evidence_weight, review_after_answer
from students.kt.bkt import BKTParams
from students.kt.model import AbilityState, ItemState, observe_answer, predict_answer
from tutor.policy import (
    ConceptInfo,
    ConceptState,
    CourseGraph,
    ExerciseInfo,
    PolicySettings,
    RecentItem,
    StudentView,
    choose_next,
)
from tutor.selectors import EARLIER_ITEMS

POLICIES = ("adaptive", "mastery", "fixed", "random")
START = datetime(2025, 1, 6, 16, 0, tzinfo=UTC)  # a Monday afternoon; day k starts k days later
DAY = 86400.0


# --- settings --------------------------------------------------------------------------
@dataclass(frozen=True)
class LearnerPopulation:
    """Who the simulated students are. Beta(a, b) has mean a / (a + b).

    The means are the student model's default BKT parameters (``BKTParams()``: P(L0) 0.4,
    P(T) 0.15, P(G) 0.2, P(S) 0.1), i.e. a tutor whose unfitted defaults are right on
    average and wrong for each student; the spreads make students and concepts differ.
    The half-life matches FSRS's first interval (a new memory rated Good is due after
    about 2.3 days, at 90% recall: an exponential half-life of about 15 days), and the
    spacing gain its stability increase (about 1 + 28 x (1 - R) with the default FSRS-6
    weights at a mid difficulty; 20 is a little more conservative)."""

    p_init: tuple[float, float] = (2.0, 3.0)  # P(L0): mean 0.40
    p_learn: tuple[float, float] = (3.0, 17.0)  # P(T): mean 0.15
    p_guess: tuple[float, float] = (4.0, 16.0)  # P(G): mean 0.20
    p_slip: tuple[float, float] = (2.0, 18.0)  # P(S): mean 0.10
    # Logit shift of P(correct) per unit of authored difficulty, centred on 0.5.
    difficulty_effect: float = 1.5
    # P(T) is divided by this while a prerequisite is not truly known.
    prerequisite_slowdown: float = 4.0
    # Median half-life of a newly learned concept, in days; spread is the log-normal sigma
    # across students.
    half_life_days: float = 15.0
    half_life_spread: float = 0.5
    # Spaced practice at recall probability R multiplies the half-life by 1 + gain x (1 - R).
    spacing_gain: float = 20.0
    # Log-normal sigma of the response time around the item's expected seconds.
    time_spread: float = 0.35

    def __post_init__(self) -> None:
        for name in ("p_init", "p_learn", "p_guess", "p_slip"):
            a, b = getattr(self, name)
            if not (a > 0 and b > 0):
                raise ValueError(
                    f"Population setting {name!r} needs Beta parameters above 0, not {(a, b)!r}."
                )
        if self.prerequisite_slowdown < 1:
            raise ValueError("Population setting 'prerequisite_slowdown' must be 1 or more.")
        for name in ("half_life_days",):
            if not getattr(self, name) > 0:
                raise ValueError(f"Population setting {name!r} must be above 0.")
        for name in ("half_life_spread", "spacing_gain", "time_spread", "difficulty_effect"):
            if getattr(self, name) < 0:
                raise ValueError(f"Population setting {name!r} must be 0 or more.")


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


# --- results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StudentResult:
    items: int  # served until the course was declared mastered, or the cap
    declared: bool  # the policy declared the course mastered (else: the cap, or nothing to serve)
    days: int  # sessions taken
    known_at_end: float  # share of concepts truly known at that point
    known_later: float  # expected share truly known retention_days later
    items_on_known: int  # items whose every concept was already truly known
    false_mastery: int  # concepts declared mastered but not truly known
    rules: dict[str, int]  # why each item was chosen
    rules_on_known: dict[str, int]  # the same, for the items on concepts already truly known


@dataclass(frozen=True)
class PolicySummary:
    policy: str
    students: int
    items_mean: float
    items_median: float
    items_p90: float
    declared_share: float
    known_at_end: float
    known_later: float
    items_on_known: float
    false_mastery: float
    days_mean: float
    rules: dict[str, int]
    rules_on_known: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(policy: str, results: Sequence[StudentResult]) -> PolicySummary:
    items = sorted(r.items for r in results)
    rules: Counter[str] = Counter()
    rules_on_known: Counter[str] = Counter()
    for r in results:
        rules.update(r.rules)
        rules_on_known.update(r.rules_on_known)
    n = len(results)
    return PolicySummary(
        policy=policy,
        students=n,
        items_mean=round(statistics.fmean(items), 2),
        items_median=float(statistics.median(items)),
        items_p90=float(items[min(n - 1, math.ceil(0.9 * n) - 1)]),
        declared_share=round(sum(r.declared for r in results) / n, 3),
        known_at_end=round(statistics.fmean(r.known_at_end for r in results), 4),
        known_later=round(statistics.fmean(r.known_later for r in results), 4),
        items_on_known=round(statistics.fmean(r.items_on_known for r in results), 2),
        false_mastery=round(statistics.fmean(r.false_mastery for r in results), 3),
        days_mean=round(statistics.fmean(r.days for r in results), 2),
        rules=dict(sorted(rules.items())),
        rules_on_known=dict(sorted(rules_on_known.items())),
    )


# --- the hidden student ----------------------------------------------------------------
def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


class Learner:
    """One simulated student's hidden state, indexed by curriculum rank. The parameters
    depend only on (seed, student), so every policy meets the same population."""

    def __init__(self, graph: CourseGraph, population: LearnerPopulation, seed: int, student: int) -> None:
        rng = np.random.default_rng([seed, student])
        n = len(graph.concepts)
        self.population = population
        self.p_init = rng.beta(*population.p_init, n).tolist()
        self.p_learn = rng.beta(*population.p_learn, n).tolist()
        self.p_guess = rng.beta(*population.p_guess, n).tolist()
        self.p_slip = rng.beta(*population.p_slip, n).tolist()
        self.known: list[bool] = (rng.random(n) < np.asarray(self.p_init)).tolist()
        self.base_half_life = population.half_life_days * math.exp(
            population.half_life_spread * float(rng.standard_normal())
        )
        self.half_life = [self.base_half_life] * n
        self.last_practice = [0.0] * n  # days
        self.prerequisites = [
            tuple(graph.curriculum_rank(p) for p in c.prerequisites) for c in graph.concepts
        ]
        self.forgotten_until = 0.0  # days: forgetting has been applied up to here
        # Logit of P(correct | known) and P(correct | unknown) before the item's difficulty.
        self._logit_known = [_logit(1.0 - s) for s in self.p_slip]
        self._logit_unknown = [_logit(g) for g in self.p_guess]

    def p_correct(self, concepts: Sequence[int], difficulty: float) -> float:
        """Noisy-AND over the item's concepts, each with guess and slip moved by difficulty."""
        shift = self.population.difficulty_effect * (difficulty - 0.5)
        p = 1.0
        for i in concepts:
            base = self._logit_known[i] if self.known[i] else self._logit_unknown[i]
            p *= _sigmoid(base - shift)
        return p

    def prerequisites_known(self, i: int) -> bool:
        return all(self.known[p] for p in self.prerequisites[i])

    def practise(self, concepts: Sequence[int], day: float, rng: random.Random) -> None:
        """The learning step after an answer: learn an unknown concept with P(T) (slowed
        while a prerequisite is unknown); strengthen a known one by the spacing rule."""
        pop = self.population
        for i in concepts:
            if self.known[i]:
                elapsed = max(0.0, day - self.last_practice[i])
                recall = 2.0 ** (-elapsed / self.half_life[i])
                self.half_life[i] *= 1.0 + pop.spacing_gain * (1.0 - recall)
            else:
                p = self.p_learn[i]
                if not self.prerequisites_known(i):
                    p /= pop.prerequisite_slowdown
                if rng.random() < p:
                    self.known[i] = True
            self.last_practice[i] = day

    def forget(self, day: float, rng: random.Random) -> None:
        """Apply forgetting from the last time it was applied up to ``day`` (memoryless)."""
        elapsed = day - self.forgotten_until
        if elapsed <= 0:
            return
        for i, known in enumerate(self.known):
            if known and rng.random() >= 2.0 ** (-elapsed / self.half_life[i]):
                self.known[i] = False
        self.forgotten_until = day

    def expected_known(self, day: float) -> float:
        """Expected share of concepts known at ``day`` if nothing is practised until then."""
        elapsed = max(0.0, day - self.forgotten_until)
        n = len(self.known)
        return sum(2.0 ** (-elapsed / self.half_life[i]) for i in range(n) if self.known[i]) / n


# --- the tutor's beliefs ---------------------------------------------------------------
class TutorBeliefs:
    """What the live tutor would store for one student (``students.knowledge``), in
    memory: P(L) per concept, the knowledge states the policy sees, FSRS review state,
    ability; item difficulties are shared by every student of a run, as in the database."""

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
        self.items = items
        self.mastery: dict[int, float] = {}
        self.states: dict[int, ConceptState] = {}
        self.reviews: dict[int, ReviewState] = {}
        self.ability = AbilityState()
        self.prior = {c.id: params[c.id].p_init for c in graph.concepts}

    def belief(self, concept_id: int) -> float:
        m = self.mastery.get(concept_id)
        return self.prior[concept_id] if m is None else m

    def all_mastered(self) -> bool:
        return all(self.belief(c.id) >= self.threshold for c in self.graph.concepts)

    def predict(self, exercise_id: int) -> float:
        """P(correct), exactly as ``tutor.selectors.predictor`` computes it."""
        concepts = self.graph.exercise(exercise_id).concepts
        return predict_answer(
            {c: self.mastery.get(c) for c in concepts},
            self.params,
            self.items.get(exercise_id, ItemState()),
            self.ability,
        ).p_correct

    def observe(self, exercise: ExerciseInfo, score: float, weight: float, now: datetime) -> None:
        """``students.knowledge.knowledge_apply`` without the database."""
        update = observe_answer(
            {c: self.mastery.get(c) for c in exercise.concepts},
            self.params,
            self.items.get(exercise.id, ItemState()),
            self.ability,
            score=score,
            weight=weight,
        )
        self.items[exercise.id] = update.item
        self.ability = update.ability
        correct = score >= 0.5
        for c in exercise.concepts:
            mastery = update.mastery[c]
            self.mastery[c] = mastery
            review = review_after_answer(
                self.reviews.get(c, ReviewState()),
                mastery=mastery,
                threshold=self.threshold,
                score=score,
                hints_used=0,
                now=now,
                card_id=c,
            )
            self.reviews[c] = review
            old = self.states.get(c)
            self.states[c] = ConceptState(
                mastery=mastery,
                n_attempts=(old.n_attempts if old else 0) + 1,
                error_streak=0 if correct else (old.error_streak if old else 0) + 1,
                first_practiced_at=old.first_practiced_at if old else now,
                last_practiced_at=now,
                review_due_at=review.review_due_at,
                mastered=review.mastered_at is not None,
            )


# --- one student's run -----------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    exercise_id: int | None  # None: nothing to serve now
    rule: str
    worked_example_shown: bool = False
    done: bool = False  # the policy declares the course mastered


DONE = Choice(None, "all_mastered", done=True)


@dataclass
class Run:
    """One student under one policy: the state every policy may look at."""

    graph: CourseGraph
    settings: PolicySettings
    tutor: TutorBeliefs
    learner: Learner
    rng: random.Random
    seconds: float = 0.0  # since START
    session_started: float = 0.0
    session_first: int = 0  # index in ``recent`` of the session's first answer
    recent: list[RecentItem] = field(default_factory=list)
    served: Counter = field(default_factory=Counter)  # exercise id -> times served
    items: int = 0

    @property
    def now(self) -> datetime:
        return START + timedelta(seconds=self.seconds)

    def view(self) -> StudentView:
        """The policy's input, as ``tutor.selectors.student_view`` builds it."""
        return StudentView(
            states=self.tutor.states,
            prior_mastery=self.tutor.prior,
            recent=tuple(self.recent[max(0, self.session_first - EARLIER_ITEMS) :]),
            session_started_at=START + timedelta(seconds=self.session_started),
            now=self.now,
        )

    def recent_ids(self) -> set[int]:
        n = self.settings.recent_items_excluded
        return {r.exercise_id for r in self.recent[-n:]} if n else set()


class Policy:
    """A way of choosing items: ``next`` gives the next item, or says the course is
    mastered; ``done`` asks only the latter."""

    name = ""

    def start(self, run: Run) -> None:
        pass

    def next(self, run: Run) -> Choice:
        raise NotImplementedError

    def done(self, run: Run) -> bool:
        return run.tutor.all_mastered()


class AdaptivePolicy(Policy):
    """The product: ``tutor.policy.choose_next``."""

    name = "adaptive"

    def __init__(self, choose: Callable = choose_next) -> None:
        self.choose = choose

    def decide(self, run: Run):
        return self.choose(run.graph, run.view(), run.settings, run.tutor.predict)

    def next(self, run: Run) -> Choice:
        decision = self.decide(run)
        return Choice(
            exercise_id=decision.exercise_id,
            rule=decision.rule,
            worked_example_shown=decision.worked_example == "show",
            done=decision.done,
        )

    def done(self, run: Run) -> bool:
        return self.decide(run).done


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
    """Mastery learning: each concept in curriculum order until its belief reaches the
    threshold (a concept that falls back below it is taken up again first)."""

    name = "mastery"

    def start(self, run: Run) -> None:
        self.sets = problem_sets(run.graph)

    def next(self, run: Run) -> Choice:
        if self.done(run):
            return DONE
        for rank, concept in enumerate(run.graph.concepts):
            if run.tutor.belief(concept.id) < run.tutor.threshold and self.sets[rank]:
                return Choice(_least_served(run, self.sets[rank]), "mastery_criterion")
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
            correct = rng.random() < learner.p_correct(ranks, exercise.difficulty)
            seconds = exercise.expected_seconds * math.exp(spread * rng.gauss(0.0, 1.0))
            answered_at = run.now + timedelta(seconds=seconds)
            weight = answer_evidence_weight(0, choice.worked_example_shown)
            tutor.observe(exercise, 1.0 if correct else 0.0, weight, answered_at)
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
        claimed = [i for i, c in enumerate(graph.concepts) if tutor.belief(c.id) >= tutor.threshold]
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
    )


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


# --- random courses --------------------------------------------------------------------
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
    return CourseGraph(concepts, exercises)


__all__ = [
    "POLICIES",
    "AdaptivePolicy",
    "FixedPolicy",
    "Learner",
    "LearnerPopulation",
    "MasteryPolicy",
    "PolicySummary",
    "RandomPolicy",
    "RunSettings",
    "StudentResult",
    "TutorBeliefs",
    "make_policy",
    "problem_sets",
    "random_course_graph",
    "simulate",
    "simulate_student",
    "summarize",
]
