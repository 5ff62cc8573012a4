"""Evaluate the student model offline on a log of answers (e.g. ASSISTments 2009)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from students.kt.baseline import BaselineError
from students.kt.bkt import Combination
from students.kt.data import LogError
from students.kt.evaluate import assist2009_train_file, evaluate, evaluate_pybkt, load_split
from students.kt.model import ModelSettings
from students.kt.train import FitOptions

METRICS = ("auc", "rmse", "accuracy", "log_loss", "n")


class Command(BaseCommand):
    help = (
        "Fit the student model (BKT + item difficulty + student ability) on training students and "
        "replay held-out students through the live update; print AUC, RMSE, accuracy, log-loss "
        "(overall and per skill), fit time and time per update. Give --data to split one log by "
        "student, or --train and --test. Without either, the shared ASSISTments 2009 log is split."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--data", type=Path, help="One log (CSV or .csv.gz) to split by student.")
        source.add_argument("--train", type=Path, help="The training log (with --test).")
        parser.add_argument("--test", type=Path, help="The test log (with --train).")
        parser.add_argument(
            "--test-frac", type=float, default=0.2, help="Fraction of students held out (0.2)."
        )
        parser.add_argument("--seed", type=int, default=0, help="Seed of the split and of EM restarts (0).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--per-skill", action="store_true", help="In the table: a line per skill.")
        parser.add_argument(
            "--baseline", choices=["pybkt"], help="Also run pyBKT 1.4.3 on the same split (slow)."
        )
        parser.add_argument(
            "--combination",
            choices=[c.value for c in Combination],
            default=ModelSettings().combination.value,
            help="How the concepts of a multi-concept answer combine.",
        )
        parser.add_argument("--no-forget", action="store_true", help="Fit BKT without forgetting (P(F) = 0).")

    def handle(self, *args, **options) -> None:
        if options["test"] is not None and options["train"] is None:
            raise CommandError("--test needs --train.")
        data = options["data"]
        if data is None and options["train"] is None:
            data = assist2009_train_file()
            if not data.exists():
                raise CommandError(f"Give --data or --train/--test; the shared log {data} is absent.")
        try:
            train, test, split = load_split(
                data=data,
                test_frac=options["test_frac"],
                seed=options["seed"],
                train=options["train"],
                test=options["test"],
            )
            settings = ModelSettings(combination=Combination(options["combination"]))
            fit_options = FitOptions(fit_forget=not options["no_forget"], seed=options["seed"])
            report = evaluate(train, test, options=fit_options, settings=settings).report
            report["split"] = split
            if options["baseline"] == "pybkt":
                report["baseline"] = evaluate_pybkt(train, test, seed=options["seed"], log=self.stderr.write)
        except (LogError, ValueError, BaselineError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
        else:
            self._table(report, options["per_skill"])

    def _table(self, report: dict[str, Any], per_skill: bool) -> None:
        w = self.stdout.write
        split = report["split"]
        where = (
            f"{split['data']}, {split['test_frac']:.0%} of students held out (seed {split['seed']})"
            if "data" in split
            else f"train {split['train']}, test {split['test']}"
        )
        w(where)
        w(
            f"train: {report['n_train_rows']} rows, {report['n_train_students']} students; "
            f"test: {report['n']} rows, {report['n_updates']} answers, {report['n_test_students']} students"
        )
        w(f"{'model':24}{'AUC':>8}{'RMSE':>8}{'acc':>8}{'logloss':>9}{'fit s':>9}")
        rows = [
            ("student model", report, report["fit_seconds"]),
            ("  BKT part only", report["bkt_only"], None),
        ]
        if "baseline" in report:
            rows.append(("pyBKT 1.4.3", report["baseline"], report["baseline"]["fit_seconds"]))
        for name, m, fit in rows:
            w(
                f"{name:24}{_f(m['auc'])}{_f(m['rmse'])}{_f(m['accuracy'])}{_f(m['log_loss'], 9)}{_f(fit, 9, 1)}"
            )
        w(
            f"mean live update: {report['mean_update_us']:.1f} us ({report['settings']['combination']} combination)"
        )
        if per_skill:
            w(f"\n{'skill':48}{'n':>7}{'AUC':>8}{'RMSE':>8}")
            for skill, m in sorted(report["per_skill"].items(), key=lambda kv: -kv[1]["n"]):
                w(f"{skill[:47]:48}{m['n']:>7}{_f(m['auc'])}{_f(m['rmse'])}")


def _f(value: float | None, width: int = 8, digits: int = 4) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"
