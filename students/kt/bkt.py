"""Bayesian Knowledge Tracing of one concept, and of answers that involve several.

The model (Corbett & Anderson 1995, "Knowledge tracing: modeling the acquisition of
procedural knowledge", UMUAI 4) is a two-state hidden Markov model per student and
concept: the concept is *known* (L) or not. Before the first practice P(L) = P(L0);
a student who knows it answers right unless they slip (P(S)); one who does not answers
right only by a guess (P(G)); after each practice opportunity an unknown concept becomes
known with P(T) and, optionally, a known one is forgotten with P(F) (the forgetting
extension of pyBKT, Badrinath et al. 2021; P(F) = 0 is the classic model).

**Graded evidence.** An answer carries a *score* s in [0, 1] (1 right, 0 wrong, in between
for partial credit from the free-text grader) and an evidence *weight* w in [0, 1] (1 for
an answer given unaided, less after hints or a worked example). Both enter through one
tempered, fractional likelihood of the observation given the hidden state:

    e(known)   = [ (1 - S)^s * S^(1 - s) ]^w
    e(unknown) = [   G^s * (1 - G)^(1 - s) ]^w

so the posterior log-odds of *known* move by

    w * ( s * log((1 - S) / G) + (1 - s) * log(S / (1 - G)) ),

which with G, S < 0.5 rises strictly with s (a higher score is never worse news) and
shrinks towards zero as w falls (weaker evidence moves belief less; w = 0 is no evidence).
With s in {0, 1} and w = 1 it is exactly the classic update. The same likelihood is what
EM maximises in `students.kt.fit`, so fitting and the live update agree.

**Answers that involve k concepts** ("conjunctive" knowledge tracing, Koedinger, Pavlik,
Stamper, Nixon & Ritter 2011, "Avoiding problem selection thrashing with conjunctive
knowledge tracing", EDM). Every involved concept is updated. How the answer is predicted
and how credit is shared is a `Combination`:

* ``PRODUCT`` (noisy-AND): the answer is right only if every concept "passes",
  P(correct) = prod_j q_j with q_j = P(L_j)(1 - S_j) + (1 - P(L_j)) G_j. Credit follows
  from Bayes' rule in that model: concept j sees the likelihood of the answer given its
  own state with the others marginalised, P(correct | L_j) = P(pass_j | L_j) * prod_{m!=j} q_m.
  A right answer updates each concept exactly as if it were alone (the others' factor
  cancels); a wrong answer blames each concept in proportion to how likely it is the one
  that failed (a concept whose partners are probably unknown takes little blame).
* ``MEAN_LOGIT``: logit P(correct) = mean_j logit q_j, and each concept is updated as if
  the answer were about it alone. This matches how `fit_bkt` sees multi-skill answers
  (one observation per concept), so it is the consistent choice for parameters fitted
  that way.

The live default is ``PRODUCT`` (`students.kt.model.ModelSettings`): on held-out
ASSISTments 2009 students it predicted slightly better than ``MEAN_LOGIT``, with the item
difficulty of the blend absorbing the product's lower level on multi-concept items.

All functions here are pure and work on floats, so the live tutor can call them per answer
in microseconds.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from students.kt.numeric import logit, sigmoid

# Identifiability bounds: a guess or slip of one half or more makes "known" indistinguishable
# from (or worse than) "unknown". Other probabilities are kept off 0 and 1 so that logs stay finite.
MAX_GUESS = 0.49
MAX_SLIP = 0.49
P_MIN = 0.001
P_MAX = 0.999


class Combination(StrEnum):
    """How the per-concept predictions of a multi-concept answer combine (see module docstring)."""

    PRODUCT = "product"
    MEAN_LOGIT = "mean_logit"


@dataclass(frozen=True)
class BKTParams:
    """The four (five) probabilities of BKT for one concept."""

    p_init: float = 0.4
    p_learn: float = 0.15
    p_guess: float = 0.2
    p_slip: float = 0.1
    p_forget: float = 0.0

    def __post_init__(self) -> None:
        for name in ("p_init", "p_learn", "p_guess", "p_slip", "p_forget"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0 or math.isnan(value):
                raise ValueError(f"BKT parameter {name}={value!r} is not a probability.")
        if self.p_guess >= 0.5 or self.p_slip >= 0.5:
            raise ValueError(f"BKT needs P(G) < 0.5 and P(S) < 0.5; got G={self.p_guess}, S={self.p_slip}.")

    def as_dict(self) -> dict[str, float]:
        return {
            "p_init": self.p_init,
            "p_learn": self.p_learn,
            "p_guess": self.p_guess,
            "p_slip": self.p_slip,
            "p_forget": self.p_forget,
        }


def _check_evidence(outcome: float, weight: float) -> None:
    if not 0.0 <= outcome <= 1.0:
        raise ValueError(f"An outcome is a score in [0, 1]; got {outcome!r}.")
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"An evidence weight lies in [0, 1]; got {weight!r}.")


def predict_correct(p_known: float, params: BKTParams) -> float:
    """P(correct) on the next answer: P(L)(1 - S) + (1 - P(L)) G (also the expected score)."""
    return p_known * (1.0 - params.p_slip) + (1.0 - p_known) * params.p_guess


def transition(p_known: float, params: BKTParams) -> float:
    """P(L) after one practice opportunity: learn with P(T), forget with P(F)."""
    return p_known * (1.0 - params.p_forget) + (1.0 - p_known) * params.p_learn


def _emissions(
    p_right_known: float, p_right_unknown: float, outcome: float, weight: float
) -> tuple[float, float]:
    """The tempered fractional likelihoods (e_known, e_unknown) of a score (module docstring)."""
    e_known = (p_right_known**outcome * (1.0 - p_right_known) ** (1.0 - outcome)) ** weight
    e_unknown = (p_right_unknown**outcome * (1.0 - p_right_unknown) ** (1.0 - outcome)) ** weight
    return e_known, e_unknown


def _posterior(p_known: float, e_known: float, e_unknown: float) -> float:
    known = p_known * e_known
    total = known + (1.0 - p_known) * e_unknown
    return known / total if total > 0.0 else p_known


def posterior(p_known: float, params: BKTParams, outcome: float, weight: float = 1.0) -> float:
    """P(L | this answer), before the learning transition."""
    _check_evidence(outcome, weight)
    e_known, e_unknown = _emissions(1.0 - params.p_slip, params.p_guess, outcome, weight)
    return _posterior(p_known, e_known, e_unknown)


def update(p_known: float, params: BKTParams, outcome: float, weight: float = 1.0) -> float:
    """P(L) before the next answer, given this one: Bayes' rule on the graded evidence
    (score `outcome` in [0, 1], evidence `weight` in [0, 1]), then the learning transition."""
    return transition(posterior(p_known, params, outcome, weight), params)


# --- answers that involve several concepts ----------------------------------------------
def combine(pass_probs: Sequence[float], combination: Combination = Combination.MEAN_LOGIT) -> float:
    """One P(correct) for an answer from the per-concept P(correct) of its k concepts."""
    if not pass_probs:
        raise ValueError("An answer involves at least one concept.")
    if len(pass_probs) == 1:
        return pass_probs[0]
    if combination is Combination.PRODUCT:
        return math.prod(pass_probs)
    return sigmoid(sum(logit(q) for q in pass_probs) / len(pass_probs))


def predict_correct_multi(
    mastery: Mapping[Hashable, float],
    params: Mapping[Hashable, BKTParams],
    combination: Combination = Combination.MEAN_LOGIT,
) -> float:
    """P(correct) of an answer that involves every concept in `mastery` (concept -> P(L))."""
    return combine([predict_correct(p, params[c]) for c, p in mastery.items()], combination)


def posterior_multi(
    mastery: Mapping[Hashable, float],
    params: Mapping[Hashable, BKTParams],
    outcome: float,
    weight: float = 1.0,
    combination: Combination = Combination.MEAN_LOGIT,
) -> dict[Hashable, float]:
    """P(L_j | this answer) of every concept j the answer involves, before the learning step.

    ``MEAN_LOGIT`` updates each concept as if alone; ``PRODUCT`` shares the blame of a wrong
    answer by the noisy-AND likelihood P(correct | L_j) = P(pass_j | L_j) * prod_{m!=j} q_m.
    """
    _check_evidence(outcome, weight)
    concepts = list(mastery)
    if len(concepts) == 1 or combination is not Combination.PRODUCT:
        return {c: posterior(mastery[c], params[c], outcome, weight) for c in concepts}
    passes = [predict_correct(mastery[c], params[c]) for c in concepts]
    result: dict[Hashable, float] = {}
    for j, c in enumerate(concepts):
        others = math.prod(q for m, q in enumerate(passes) if m != j)
        pj = params[c]
        e_known, e_unknown = _emissions((1.0 - pj.p_slip) * others, pj.p_guess * others, outcome, weight)
        result[c] = _posterior(mastery[c], e_known, e_unknown)
    return result


def update_multi(
    mastery: Mapping[Hashable, float],
    params: Mapping[Hashable, BKTParams],
    outcome: float,
    weight: float = 1.0,
    combination: Combination = Combination.MEAN_LOGIT,
) -> dict[Hashable, float]:
    """New P(L) of every concept an answer involves (concept -> P(L) before the answer):
    `posterior_multi`, then each concept's learning transition."""
    evidence = posterior_multi(mastery, params, outcome, weight, combination)
    return {c: transition(p, params[c]) for c, p in evidence.items()}
