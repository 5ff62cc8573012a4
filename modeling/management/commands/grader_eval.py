"""Grade a CSV with a grader version and print its metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from modeling.grader.data import load_any
from modeling.grader.engine import get_grader
from modeling.grader.errors import GraderError
from modeling.grader.evaluation import evaluate
from modeling.management.base import GraderCommand

SUMMARY_KEYS = [
    f"{metric}_{way}" for way in ("2way", "3way", "5way") for metric in ("acc", "macro_f1", "weighted_f1")
]
# How far the confidence can be trusted: calibration error of the 3-way verdict's
# confidence, and the share and accuracy of the answers at or above the version's
# auto-accept threshold (0 and null for a version without one).
TRUST_KEYS = ["ece_3way", "auto_share", "auto_acc_3way"]


class Command(GraderCommand):
    help = (
        "Grade a CSV and print accuracy, macro-F1 and weighted-F1 at 2, 3 and 5 ways (a CSV with the shared "
        "data's columns), or Pearson r and RMSE of the score (a CSV with question_text, reference_answer, "
        "student_answer, score, max_score)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, required=True, help="The CSV file to grade.")
        parser.add_argument("--version", help="Grader version; default: the active one.")
        parser.add_argument("--json", action="store_true", help="Print the metrics as one JSON object.")
        parser.add_argument(
            "--full", action="store_true", help="With --json: add confusion matrices and per-label F1."
        )

    def handle(self, *args, **options) -> None:
        try:
            examples = load_any(options["data"])  # a bad file is reported before any model loads
            metrics = evaluate(get_grader(options["version"]), examples)
        except GraderError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            out = metrics if options["full"] else _summary(metrics)
            self.stdout.write(json.dumps(out, indent=2, sort_keys=True))
            return
        self.stdout.write(f"version {metrics['version']}, {metrics['n']} answers from {options['data']}")
        if "pearson_r" in metrics:
            r = "undefined" if metrics["pearson_r"] is None else f"{metrics['pearson_r']:.4f}"
            self.stdout.write(f"score: Pearson r {r}, RMSE {metrics['rmse']:.4f}")
            return
        self.stdout.write(f"{'':6}{'accuracy':>10}{'macro-F1':>10}{'weighted-F1':>13}")
        for way in ("2way", "3way", "5way"):
            self.stdout.write(
                f"{way:6}{metrics[f'acc_{way}']:>10.4f}{metrics[f'macro_f1_{way}']:>10.4f}"
                f"{metrics[f'weighted_f1_{way}']:>13.4f}"
            )
        for dataset, sub in metrics.get("by_dataset", {}).items():
            self.stdout.write(f"  {dataset}: 3-way macro-F1 {sub['macro_f1_3way']:.4f} (n={sub['n']})")
        if metrics["auto_accept_threshold"] is None:
            accepted = (
                "no auto-accept threshold (uncalibrated or none found on validation): nothing auto-accepted"
            )
        elif metrics["auto_acc_3way"] is None:
            accepted = f"no answer reached the auto-accept threshold {metrics['auto_accept_threshold']:.3f}"
        else:
            accepted = (
                f"auto-accepted {100 * metrics['auto_share']:.1f}% of answers (threshold "
                f"{metrics['auto_accept_threshold']:.3f}), 3-way accuracy {metrics['auto_acc_3way']:.4f}"
            )
        self.stdout.write(f"3-way calibration error (ECE) {metrics['ece_3way']:.4f}; {accepted}")


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    if "pearson_r" in metrics:
        return {key: metrics[key] for key in ("pearson_r", "rmse", "n", "version")}
    return {key: metrics[key] for key in [*SUMMARY_KEYS, *TRUST_KEYS, "n", "version"]}
