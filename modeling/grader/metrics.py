"""Classification and score metrics, computed here so that their definition is in view.

Macro-F1 averages the per-label F1 over the labels that occur in the gold labels or the
predictions (scikit-learn's convention); weighted-F1 weights each label's F1 by its gold
support. A label never predicted has precision 0 and so F1 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from modeling.grader.labels import LABELS_BY_WAY, coarsen


def classification_metrics(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro-F1, weighted-F1, per-label F1 and the confusion matrix (rows: gold)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions.")
    position = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[position[g]][position[p]] += 1
    n = len(gold)
    per_label: dict[str, float] = {}
    weighted = 0.0
    for i, label in enumerate(labels):
        true_positive = matrix[i][i]
        support = sum(matrix[i])
        predicted_count = sum(row[i] for row in matrix)
        if support == 0 and predicted_count == 0:
            continue
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = f1
        weighted += f1 * support
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return {
        "accuracy": correct / n if n else 0.0,
        "macro_f1": sum(per_label.values()) / len(per_label) if per_label else 0.0,
        "weighted_f1": weighted / n if n else 0.0,
        "f1_by_label": per_label,
        "confusion": {"labels": list(labels), "matrix": matrix},
    }


def grading_metrics(gold_5way: Sequence[str], predicted: dict[str, Sequence[str]]) -> dict[str, Any]:
    """The flat metrics dict of a labelled evaluation: ``acc_3way``, ``macro_f1_3way``, ... ``n``.

    ``predicted`` maps "5way", "3way" and "2way" to the predicted labels at that level;
    gold labels at the coarser levels come from mapping the 5-way gold labels.
    """
    out: dict[str, Any] = {"n": len(gold_5way)}
    for way, labels in LABELS_BY_WAY.items():
        gold = [coarsen(label, way) for label in gold_5way]
        report = classification_metrics(gold, predicted[way], labels)
        out[f"acc_{way}"] = report["accuracy"]
        out[f"macro_f1_{way}"] = report["macro_f1"]
        out[f"weighted_f1_{way}"] = report["weighted_f1"]
        out[f"f1_by_label_{way}"] = report["f1_by_label"]
        out[f"confusion_{way}"] = report["confusion"]
    return out


def score_metrics(target: Sequence[float], predicted: Sequence[float]) -> dict[str, Any]:
    """Pearson r (None when either side is constant) and RMSE of predicted against target scores."""
    if len(target) != len(predicted):
        raise ValueError(f"{len(target)} target scores but {len(predicted)} predictions.")
    n = len(target)
    if n == 0:
        return {"pearson_r": None, "rmse": None, "n": 0}
    mean_t, mean_p = sum(target) / n, sum(predicted) / n
    cov = sum((t - mean_t) * (p - mean_p) for t, p in zip(target, predicted, strict=True))
    var_t = sum((t - mean_t) ** 2 for t in target)
    var_p = sum((p - mean_p) ** 2 for p in predicted)
    pearson = cov / math.sqrt(var_t * var_p) if var_t > 0 and var_p > 0 else None
    rmse = math.sqrt(sum((t - p) ** 2 for t, p in zip(target, predicted, strict=True)) / n)
    return {"pearson_r": pearson, "rmse": rmse, "n": n}
