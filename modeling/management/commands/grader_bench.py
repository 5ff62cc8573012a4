"""Benchmark the active grader: its validation metrics and its throughput, one at a time vs batched.

Figures only, no assertions: speed depends on the machine and on what else runs on it.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from modeling import selectors, services
from modeling.grader import bench
from modeling.grader.data import Example, load_labelled
from modeling.grader.engine import GradingInput, get_grader
from modeling.grader.errors import GraderError
from modeling.management.base import GraderCommand


class Command(GraderCommand):
    help = "Print the active grader's validation metrics and answers/second one at a time vs batched."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--n", type=int, default=256, help="How many answers to grade (default 256).")
        parser.add_argument("--version", help="Grader version; default: the active one.")
        parser.add_argument(
            "--repeats", type=int, default=3, help="Timings of each mode; the median is printed."
        )
        parser.add_argument(
            "--data", action="append", type=Path, help="CSV to draw answers from; default: the training data."
        )

    def handle(self, *args, **options) -> None:
        try:
            grader = get_grader(options["version"])
            row = selectors.grader_version_get(grader.version)
            items = self._items(row.folder, options["data"], options["n"])
        except GraderError as exc:
            raise CommandError(str(exc)) from exc
        out = self.stdout.write
        metrics = row.metrics
        out(
            f"grader {row.version} ({'active' if row.is_active else 'inactive'}), validation split by question:"
        )
        out(f"  n {metrics.get('n')}")
        for way in ("2way", "3way", "5way"):
            out(
                f"  {way}: accuracy {metrics[f'acc_{way}']:.4f}  macro-F1 {metrics[f'macro_f1_{way}']:.4f}  "
                f"weighted-F1 {metrics[f'weighted_f1_{way}']:.4f}"
            )
        for dataset, sub in metrics.get("by_dataset", {}).items():
            out(f"  {dataset}: 3-way macro-F1 {sub['macro_f1_3way']:.4f}, accuracy {sub['acc_3way']:.4f}")

        for line in bench.report(bench.measure_throughput(grader, items, repeats=options["repeats"])):
            out(line)

    def _items(self, folder: Path, data: list[Path] | None, n: int) -> list[GradingInput]:
        """Answers to the version's validation questions (unseen in training) where possible."""
        record_path = folder / "training.json"
        record = json.loads(record_path.read_text()) if record_path.is_file() else {}
        files = (
            data
            or [Path(p) for p in record.get("config", {}).get("data", [])]
            or (services.grader_default_data_files())
        )
        examples: list[Example] = []
        for path in files:
            examples.extend(load_labelled(path))
        held_out = set(record.get("val_questions", []))
        chosen = [e for e in examples if f"{e.dataset}/{e.question_id}" in held_out] or examples
        step = max(1, len(chosen) // n)
        return [GradingInput(e.question, e.reference_answers, e.student_answer) for e in chosen[::step][:n]]
