"""Evaluating a grader on labelled or scored examples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modeling.grader import adversarial, calibration
from modeling.grader.data import Example, ScoredExample, load_any
from modeling.grader.engine import Grader, GradingInput, Predictions, coarse_labels
from modeling.grader.labels import CREDIT
from modeling.grader.metrics import grading_metrics, score_metrics


def _inputs(examples: Sequence[Example | ScoredExample]) -> list[GradingInput]:
    return [GradingInput(e.question, e.reference_answers, e.student_answer) for e in examples]


def evaluate_labelled(grader: Grader, examples: Sequence[Example]) -> dict[str, Any]:
    """Accuracy, macro-F1 and weighted-F1 at 2, 3 and 5 ways, overall and per dataset.

    Also how well the score head tracks the credit of the gold label (Pearson r, RMSE), and
    how far the confidence can be trusted: ``ece_3way`` (expected calibration error of the
    confidence in the 3-way verdict), ``auto_share`` (the share of answers at or above the
    version's auto-accept threshold; 0 without one) and ``auto_acc_3way`` (their 3-way
    accuracy; None when there are none).
    """
    return labelled_metrics(grader, examples, grader.predict(_inputs(examples)))


def labelled_metrics(grader: Grader, examples: Sequence[Example], predictions: Predictions) -> dict[str, Any]:
    """``evaluate_labelled`` from predictions already made (by ``grader``, on ``examples``)."""
    predicted = coarse_labels(predictions.probabilities)
    gold = [e.label_5way for e in examples]
    out = grading_metrics(gold, predicted)
    credit = score_metrics([CREDIT[label] for label in gold], predictions.scores.tolist())
    out["score_pearson_r"], out["score_rmse"] = credit["pearson_r"], credit["rmse"]
    classes, confidence = calibration.verdicts(predictions.probabilities)
    right = classes == calibration.gold_3way(gold)
    out["ece_3way"] = calibration.expected_calibration_error(confidence, right)
    accepted = calibration.auto_accept(confidence, right, grader.auto_accept_threshold)
    out["auto_share"], out["auto_acc_3way"] = accepted.share, accepted.accuracy_3way
    out["temperature"], out["auto_accept_threshold"] = grader.temperature, grader.auto_accept_threshold
    out["checks_fired"] = sum(bool(fired) for fired in predictions.checks)
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


def evaluate_adversarial(grader: Grader, examples: Sequence[Example], seed: int = 0) -> dict[str, Any]:
    """Per adversarial set built from the examples' questions: how many answers, the share
    graded correct (5-way label "correct"), and the share the network alone would grade
    correct (without the checks before the model), to show what each part does."""
    sets = adversarial.adversarial_sets(adversarial.questions_of(examples), seed)
    out: dict[str, Any] = {}
    for name, triples in sets.items():
        inputs = [GradingInput(q, refs, a) for q, refs, a in triples]
        if not inputs:
            out[name] = {"n": 0, "correct_share": None, "model_alone_share": None}
            continue
        raw = grader.network_predict(inputs)
        shares = []
        for use_checks in (True, False):
            labels = coarse_labels(grader.finish(inputs, raw, use_checks=use_checks).probabilities)["5way"]
            shares.append(sum(label == "correct" for label in labels) / len(labels))
        out[name] = {"n": len(inputs), "correct_share": shares[0], "model_alone_share": shares[1]}
    return out
