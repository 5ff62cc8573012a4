"""Calibrated confidence and the auto-accept threshold (pure numpy).

The network's softmax is over-confident after fine-tuning. Temperature scaling (Guo et al.,
2017) divides the logits by one number T fitted on the validation split; it changes no
5-way argmax, only how sure the grader says it is. Dividing the log-probabilities by T is
the same as dividing the logits (a row's constant shift cancels in the softmax), so T is
applied to probabilities.

A grade's *confidence* is the calibrated probability that its 3-way verdict is right: the
summed probability of the 3-way class its 5-way label falls in (correct; contradictory; or
incorrect, which folds partially correct, irrelevant and non-domain). Above 0.5 that class
is also the 3-way argmax.

Each version stores an *auto-accept threshold* chosen on the validation split: the lowest
confidence such that the answers at or above it are right (3-way) at least 90% of the time,
with at least MIN_ACCEPTED of them. Answers below it go to a teacher first. A version
trained before calibration has temperature 1 and no threshold: nothing is auto-accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from modeling.grader.labels import LABELS_3WAY, LABELS_5WAY, TO_3WAY

TARGET_ACCURACY = 0.90
MIN_ACCEPTED = 20
ECE_BINS = 10
# log T searched on this grid: T from 0.1 to 10.
_LOG_T_GRID = np.linspace(np.log(0.1), np.log(10.0), 801)

# (5, 3): which 3-way class each 5-way label folds into.
FOLD_3WAY = np.zeros((len(LABELS_5WAY), len(LABELS_3WAY)))
for _i, _label in enumerate(LABELS_5WAY):
    FOLD_3WAY[_i, LABELS_3WAY.index(TO_3WAY[_label])] = 1.0
CLASS_3WAY_OF_5WAY = FOLD_3WAY.argmax(axis=1)


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T), row by row; a probability of 0 stays 0."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if temperature == 1.0 or probabilities.size == 0:
        return probabilities
    with np.errstate(divide="ignore"):
        logits = np.log(probabilities) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


def three_way(probabilities: np.ndarray) -> np.ndarray:
    """(n, 3) summed probabilities of the 3-way classes."""
    return np.asarray(probabilities, dtype=np.float64) @ FOLD_3WAY


def verdicts(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(3-way class index of each row's 5-way argmax, the confidence in it)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.size == 0:
        return np.zeros(0, dtype=int), np.zeros(0)
    classes = CLASS_3WAY_OF_5WAY[probabilities.argmax(axis=1)]
    confidence = three_way(probabilities)[np.arange(len(probabilities)), classes]
    return classes, confidence


def gold_3way(labels_5way: Sequence[str]) -> np.ndarray:
    return np.array([LABELS_3WAY.index(TO_3WAY[label]) for label in labels_5way], dtype=int)


def fit_temperature(probabilities: np.ndarray, labels_5way: Sequence[str]) -> float:
    """The T minimising the negative log-likelihood of the gold 3-way labels (a grid search
    over log T: deterministic, and one dimension needs nothing cleverer)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if len(probabilities) == 0:
        return 1.0
    gold = gold_3way(labels_5way)
    with np.errstate(divide="ignore"):
        log_p = np.log(probabilities)
    best_t, best_nll = 1.0, np.inf
    for log_t in _LOG_T_GRID:
        logits = log_p / np.exp(log_t)
        logits -= logits.max(axis=1, keepdims=True)
        scaled = np.exp(logits)
        scaled /= scaled.sum(axis=1, keepdims=True)
        p3 = (scaled @ FOLD_3WAY)[np.arange(len(gold)), gold]
        nll = -np.log(np.clip(p3, 1e-12, 1.0)).mean()
        if nll < best_nll - 1e-12:
            best_t, best_nll = float(np.exp(log_t)), nll
    return round(best_t, 4)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE over equal-width confidence bins: sum over bins of (share of answers) x
    |accuracy - mean confidence|."""
    confidence, correct = np.asarray(confidence, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        if members.any():
            total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(total)


def choose_threshold(
    confidence: np.ndarray,
    correct: np.ndarray,
    target: float = TARGET_ACCURACY,
    min_accepted: int = MIN_ACCEPTED,
) -> float | None:
    """The lowest confidence c such that the answers with confidence >= c are right at least
    ``target`` of the time, counting at least ``min_accepted`` of them; None when none is."""
    confidence, correct = np.asarray(confidence, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    order = np.argsort(-confidence, kind="stable")
    sorted_conf, sorted_correct = confidence[order], correct[order]
    hits = np.cumsum(sorted_correct)
    best = None
    for end in range(len(sorted_conf)):
        # Only where the next answer is less sure: ties are accepted or refused together.
        if end + 1 < len(sorted_conf) and sorted_conf[end + 1] == sorted_conf[end]:
            continue
        count = end + 1
        if count >= min_accepted and hits[end] / count >= target:
            best = float(sorted_conf[end])
    return best


@dataclass(frozen=True)
class AutoAccept:
    share: float  # of all answers, those at or above the threshold
    accuracy_3way: float | None  # theirs (None when there are none)
    n: int


def auto_accept(confidence: np.ndarray, correct: np.ndarray, threshold: float | None) -> AutoAccept:
    confidence, correct = np.asarray(confidence, dtype=np.float64), np.asarray(correct, dtype=bool)
    if threshold is None or len(confidence) == 0:
        return AutoAccept(share=0.0, accuracy_3way=None, n=0)
    accepted = confidence >= threshold
    n = int(accepted.sum())
    return AutoAccept(
        share=n / len(confidence),
        accuracy_3way=float(correct[accepted].mean()) if n else None,
        n=n,
    )
