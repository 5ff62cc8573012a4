"""Scores of predicted P(correct) against outcomes: AUC, RMSE, accuracy, log-loss.

Outcomes may be partial scores in [0, 1]. RMSE and log-loss use the score itself (the
log-loss of a score y is the cross-entropy -(y log p + (1 - y) log(1 - p))); AUC and
accuracy need a class, which is "right" when y >= 0.5, and accuracy calls a prediction
"right" when p >= 0.5.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.stats import rankdata

LOG_LOSS_EPS = 1e-12


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney U; tied predictions count one half).

    None when only one class is present, where the AUC is undefined.
    """
    positive = np.asarray(y) >= 0.5
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(np.asarray(p, dtype=np.float64))
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def rmse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(y, dtype=np.float64) - p) ** 2)))


def accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p) >= 0.5) == (np.asarray(y) >= 0.5)))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(np.asarray(p, dtype=np.float64), LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS)
    y = np.asarray(y, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def score_predictions(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """All four scores and the count; an empty input gives None for each score."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if len(y) != len(p):
        raise ValueError(f"{len(y)} outcomes but {len(p)} predictions.")
    if np.isnan(p).any():
        raise ValueError("A prediction is NaN.")
    if len(y) == 0:
        return {"auc": None, "rmse": None, "accuracy": None, "log_loss": None, "n": 0}
    return {
        "auc": auc(y, p),
        "rmse": rmse(y, p),
        "accuracy": accuracy(y, p),
        "log_loss": log_loss(y, p),
        "n": len(y),
    }


def mean_or_none(values: list[float]) -> float | None:
    values = [v for v in values if v is not None and not math.isnan(v)]
    return sum(values) / len(values) if values else None
