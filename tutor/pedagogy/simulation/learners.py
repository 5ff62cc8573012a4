"""The simulated students: who they are (``LearnerPopulation``, Beta distributions of their
hidden BKT parameters, difficulty, prerequisites, forgetting, response times) and what each
one truly knows, answers, learns and forgets (``Learner``). The tutor never sees this state."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from students.api import logit, sigmoid
from tutor.pedagogy.graph import CourseGraph

# Hidden guess and slip rates are Beta draws that can come within rounding of 0 or 1; this
# clamp keeps their log-odds finite (and is the one the published figures were made with).
_EPS = 1e-6


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
        self._logit_known = [logit(1.0 - s, eps=_EPS) for s in self.p_slip]
        self._logit_unknown = [logit(g, eps=_EPS) for g in self.p_guess]

    def p_correct(self, concepts: Sequence[int], difficulty: float) -> float:
        """Noisy-AND over the item's concepts, each with guess and slip moved by difficulty."""
        shift = self.population.difficulty_effect * (difficulty - 0.5)
        p = 1.0
        for i in concepts:
            base = self._logit_known[i] if self.known[i] else self._logit_unknown[i]
            p *= sigmoid(base - shift)
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


__all__ = ["Learner", "LearnerPopulation"]
