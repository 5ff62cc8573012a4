"""Evaluating a grader on labelled or scored examples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modeling.grader.data import Example, ScoredExample, load_any
from modeling.grader.engine import Grader, GradingInput, coarse_labels
from modeling.grader.labels import CREDIT
from modeling.grader.metrics import grading_metrics, score_metrics


def _inputs(examples: Sequence[Example | ScoredExample]) -> list[GradingInput]:
    return [GradingInput(e.question, e.reference_answers, e.student_answer) for e in examples]


def evaluate_labelled(grader: Grader, examples: Sequence[Example]) -> dict[str, Any]:
    """Accuracy, macro-F1 and weighted-F1 at 2, 3 and 5 ways, overall and per dataset.

    Also how well the score head tracks the credit of the gold label (Pearson r, RMSE).
    """
    predictions = grader.predict(_inputs(examples))
    predicted = coarse_labels(predictions.probabilities)
    gold = [e.label_5way for e in examples]
    out = grading_metrics(gold, predicted)
    credit = score_metrics([CREDIT[label] for label in gold], predictions.scores.tolist())
    out["score_pearson_r"], out["score_rmse"] = credit["pearson_r"], credit["rmse"]
    datasets = sorted({e.dataset for e in examples})
    if len(datasets) > 1:
        out["by_dataset"] = {}
        for dataset in datasets:
            rows = [i for i, e in enumerate(examples) if e.dataset == dataset]
            out["by_dataset"][dataset] = grading_metrics(
                [gold[i] for i in rows], {way: [labels[i] for i in rows] for way, labels in predicted.items()}
            )
    out["version"] = grader.version
    return out


def evaluate_scored(grader: Grader, examples: Sequence[ScoredExample]) -> dict[str, Any]:
    """Pearson r and RMSE of the predicted score against score / max_score."""
    predictions = grader.predict(_inputs(examples))
    out = score_metrics([e.target for e in examples], predictions.scores.tolist())
    out["version"] = grader.version
    return out


def evaluate(grader: Grader, examples: Sequence[Example] | Sequence[ScoredExample]) -> dict[str, Any]:
    """Evaluate labelled examples (label metrics) or scored ones (Pearson r and RMSE)."""
    if examples and isinstance(examples[0], ScoredExample):
        return evaluate_scored(grader, examples)
    return evaluate_labelled(grader, examples)


def evaluate_csv(grader: Grader, path: Path) -> dict[str, Any]:
    """Evaluate on a CSV: a labelled one (the shared data's columns) or a score one."""
    return evaluate(grader, load_any(path))
