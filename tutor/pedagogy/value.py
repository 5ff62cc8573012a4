"""The scoring maths of a choice: how many answers a concept still needs, how many one answer
to an item is expected to save, and (reported only) how much it tells in bits.

Everything here is the tutor's model of itself under BKT alone: the per-concept term
P(L)(1 - S) + (1 - P(L)) G that the student model's one predictor of P(correct)
(``students.kt.model.predict_answer``) combines over an item's concepts and then corrects for
item difficulty and ability. The P(correct) of an actual item, the one the target band and
the "why this?" figures use, always comes from that predictor (the caller's ``predict``);
the item counts use the BKT term because they must be a function of P(L) alone to be
tabulated.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import numpy as np

from students.api import logit
from tutor.pedagogy.graph import CourseGraph

# V(p) is tabulated on a grid of log-odds from P(L) = 0.001 up to the threshold; beliefs
# below the grid count as its first point. 128 points keep V within 0.03 items on average
# of a 2,000-point value iteration (more right at its jumps, where one answer more or less
# is needed; the jumps are smoothed over a grid step) and take well under a millisecond.
_GRID_POINTS = 128
_GRID_LOW = math.log(0.001 / 0.999)
# A concept that could never be learned (P(T) = 0) would need infinitely many items; its
# estimate uses this P(T) instead, i.e. it is merely very slow.
_MIN_LEARN = 0.001
# A threshold of 1 can never be reached by Bayes' rule; the estimate stops just below it.
_MAX_THRESHOLD = 0.9999


# --- the BKT term ----------------------------------------------------------------------
def predicted_success_bkt(p_known: float, p_guess: float, p_slip: float) -> float:
    """P(correct) under BKT alone: known and no slip, or unknown and a lucky guess. This is
    the per-concept term of the student model's predictor (``students.kt.bkt.predict_correct``),
    not a P(correct) of an item: that is ``students.kt.model.predict_answer``'s."""
    _check_probabilities(p_known=p_known, p_guess=p_guess, p_slip=p_slip)
    return bkt_term(p_known, p_guess, p_slip)


def bkt_term(p_known: float, p_guess: float, p_slip: float) -> float:
    """``predicted_success_bkt`` unchecked, for the inner loops of the item counts."""
    return p_known * (1.0 - p_slip) + (1.0 - p_known) * p_guess


def _check_probabilities(**values: float) -> None:
    for name, value in values.items():
        if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
            raise ValueError(f"{name} must be a probability from 0 to 1, not {value!r}.")


# --- information (reported, not ranked by) ---------------------------------------------
def information_gain(p_known: float, p_guess: float, p_slip: float) -> float:
    """Expected reduction, in bits, of the entropy of P(L) from observing one answer.

    IG = H(P(L)) - [P(c) H(P(L | c)) + P(w) H(P(L | w))], the mutual information between
    the known/unknown state and the answer under the BKT observation model
    (P(c | L) = 1 - P(S), P(c | not L) = P(G); Corbett & Anderson 1995). It is largest for
    an uncertain P(L) and an item that discriminates (small guess and slip). The policy
    reports it in a decision's reason; it chooses by items saved instead (see
    ``tutor.pedagogy.choose``)."""
    _check_probabilities(p_known=p_known, p_guess=p_guess, p_slip=p_slip)
    return information_gain_unchecked(p_known, p_guess, p_slip)


def _entropy(p: float) -> float:
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -(p * math.log2(p) + (1.0 - p) * math.log2(1.0 - p))


def information_gain_unchecked(p_known: float, p_guess: float, p_slip: float) -> float:
    """``information_gain`` without checking its arguments (the policy's own are valid)."""
    p_correct = bkt_term(p_known, p_guess, p_slip)
    p_wrong = 1.0 - p_correct
    expected = 0.0
    if p_correct > 0.0:
        expected += p_correct * _entropy(p_known * (1.0 - p_slip) / p_correct)
    if p_wrong > 0.0:
        expected += p_wrong * _entropy(p_known * p_slip / p_wrong)
    return max(0.0, _entropy(p_known) - expected)


# --- items to mastery ------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _items_table(
    p_guess: float, p_slip: float, p_learn: float, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """(log-odds grid, V on it): ``items_to_mastery`` solved exactly on the grid as the
    linear system V = 1 + M V (M: where one answer moves the belief, linearly interpolated
    between grid points)."""
    threshold = min(threshold, _MAX_THRESHOLD)
    # No clamp: the threshold lies strictly inside (0, 1) here, and a clamp would hide a bug.
    top = logit(threshold, eps=0.0)
    # The last point sits just below the threshold: V jumps there from one answer or more to 0.
    x = np.linspace(_GRID_LOW, top - 1e-9, _GRID_POINTS)
    step = x[1] - x[0]
    p = 1.0 / (1.0 + np.exp(-x))
    learn = max(p_learn, _MIN_LEARN)
    # the BKT term (``bkt_term``) over the whole grid at once
    p_right = p * (1.0 - p_slip) + (1.0 - p) * p_guess
    rows = np.arange(_GRID_POINTS)
    system = np.eye(_GRID_POINTS)
    for chance, known in (
        (p_right, p * (1.0 - p_slip) / p_right),
        (1.0 - p_right, p * p_slip / (1.0 - p_right)),
    ):
        after = known + (1.0 - known) * learn
        reached = after >= threshold
        xa = np.log(np.clip(after, 1e-12, 1.0 - 1e-12) / np.clip(1.0 - after, 1e-12, 1.0))
        position = np.clip((xa - _GRID_LOW) / step, 0.0, _GRID_POINTS - 1)
        low = np.floor(position).astype(np.intp)
        high = np.minimum(low + 1, _GRID_POINTS - 1)
        frac = position - low
        weight = np.where(reached, 0.0, chance)
        system[rows, low] -= weight * (1.0 - frac)
        system[rows, high] -= weight * frac
    values = np.linalg.solve(system, np.ones(_GRID_POINTS))
    return x, values


def items_to_mastery(
    p_known: float, p_guess: float, p_slip: float, p_learn: float, threshold: float
) -> float:
    """Expected number of answers until P(L) reaches ``threshold``, if the concept is
    practised alone under BKT with these parameters (the tutor's own model of itself).

    V(p) = 0 from the threshold on, else V(p) = 1 + P(c) V(T(P(L | c))) + P(w) V(T(P(L | w))),
    T the learning step p + (1 - p) P(T): the expected length of the mastery-learning walk
    (Corbett & Anderson 1995's mastery criterion seen as a stopping time). It counts both
    the practice a student still needs to learn the concept and the answers the tutor needs
    to be sure of it; it falls as P(L) rises."""
    _check_probabilities(
        p_known=p_known, p_guess=p_guess, p_slip=p_slip, p_learn=p_learn, threshold=threshold
    )
    return items_left(p_known, p_guess, p_slip, p_learn, threshold)


def items_left(p_known: float, p_guess: float, p_slip: float, p_learn: float, threshold: float) -> float:
    """``items_to_mastery`` without checking its arguments (the policy's own are valid)."""
    if p_known >= threshold:
        return 0.0
    x, values = _items_table(p_guess, p_slip, p_learn, threshold)
    # Below the grid: its first point; between its last point and the threshold: its last
    # point (V does not fall to 0 before the threshold: one more answer is always needed).
    return float(np.interp(math.log(max(p_known, 1e-12) / (1.0 - p_known)), x, values))


# --- items saved -----------------------------------------------------------------------
def items_saved(
    graph: CourseGraph,
    ranks: Sequence[int],
    mastery: np.ndarray,
    mastered: np.ndarray,
    review_progress: Mapping[int, float],
    threshold: float,
) -> float:
    """Expected items saved by one answer to an item on the concepts ``ranks`` (curriculum
    ranks of ``graph``), given P(L) per rank (``mastery``), which ranks are mastered, and the
    elapsed fraction of each mastered concept's review interval (``review_progress``).

    For every concept j of the item: V_j(P(L_j)) - E[V_j(P(L_j) after the answer)], V
    being ``items_to_mastery``, with the answer predicted and the credit shared as in the
    student model's noisy-AND (PRODUCT, ``students.kt.bkt``): P(correct) = prod_j q_j, and
    concept j sees P(correct | L_j) = P(pass_j | L_j) prod_{m != j} q_m. So an item on one
    concept being learned saves exactly one item (that is what V means), an item that also
    carries another concept being learned saves more, and one whose extra concepts only
    make it harder saves less. A mastered concept saves nothing unless a wrong answer
    takes it back below the threshold (then it costs the items it would need), and adds
    the share of a review it has come to need: the elapsed fraction of its review
    interval, 1 once due (answering it is an FSRS review).

    The student model is taken as it is: its BKT knows nothing of prerequisites, so a
    concept started ahead of one (``tested``, test-out) is valued with its own P(T). (A
    value that assumed no learning at all without the prerequisite was tried: in the
    simulator, where learning is slower then but not nil, it cost about 5% more items.)"""
    masteries = [float(mastery[j]) for j in ranks]
    passes = [bkt_term(p, graph.p_guess[j], graph.p_slip[j]) for j, p in zip(ranks, masteries, strict=True)]
    p_right = math.prod(passes)
    p_wrong = 1.0 - p_right
    total = 0.0
    for n, j in enumerate(ranks):
        p, guess, slip, learn = (
            masteries[n],
            graph.p_guess[j],
            graph.p_slip[j],
            graph.concepts[j].p_learn,
        )
        # P(right | L_j): j passes and every other concept of the item does (noisy-AND)
        right_if_known = (1.0 - slip) * math.prod(q for m, q in enumerate(passes) if m != n)
        known_right = p * right_if_known / p_right if p_right > 0 else p
        known_wrong = p * (1.0 - right_if_known) / p_wrong if p_wrong > 0 else p
        after_right = known_right + (1.0 - known_right) * learn
        after_wrong = known_wrong + (1.0 - known_wrong) * learn
        total += items_left(p, guess, slip, learn, threshold) - (
            p_right * items_left(after_right, guess, slip, learn, threshold)
            + p_wrong * items_left(after_wrong, guess, slip, learn, threshold)
        )
        if mastered[j]:
            total += review_progress.get(j, 0.0)
    return total


__all__ = [
    "bkt_term",
    "information_gain",
    "information_gain_unchecked",
    "items_left",
    "items_saved",
    "items_to_mastery",
    "predicted_success_bkt",
]
