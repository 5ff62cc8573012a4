"""Benchmark the active grader: its validation metrics, how its confidence can be trusted,
the share of answers built to game it that it grades correct, and its throughput, one at a
time vs batched.

The adversarial sets (``modeling.grader.adversarial``) are built from the version's
validation questions, which it never saw (nor any answer built from them), and from its
training questions: per question the question pasted back, per reference the reference
itself, its negation and its key words shuffled. The targets: negations, question copies
and keyword lists each at most 5% graded correct, references at least 95%.

Figures only, no assertions: speed depends on the machine and on what else runs on it.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from modeling import selectors, services
from modeling.grader import adversarial, bench
from modeling.grader.data import Example, load_labelled
from modeling.grader.engine import Grader, GradingInput, get_grader
from modeling.grader.errors import GraderError
from modeling.grader.evaluation import evaluate_adversarial
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
        parser.add_argument(
            "--seed", type=int, default=0, help="Seed of the adversarial sets' key-word lists."
        )
        parser.add_argument("--no-throughput", action="store_true", help="Skip the throughput figures.")
        parser.add_argument(
            "--adversarial-from",
            choices=("validation", "training", "both", "none"),
            default="both",
            help="Build the adversarial sets from the version's validation questions, its training "
            "questions, both (default) or none.",
        )

    def handle(self, *args, **options) -> None:
        try:
            grader = get_grader(options["version"])
            row = selectors.grader_version_get(grader.version)
            examples, held_out = self._examples(row.folder, options["data"])
            items = self._items(examples, held_out, options["n"])
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
        out(self._trust(row, metrics))

        source = options["adversarial_from"]
        if source != "none":
            validation = [e for e in examples if _key(e) in held_out]
            training = [e for e in examples if _key(e) not in held_out]
            for name, chosen in (
                ("validation questions (unseen)", validation),
                ("training questions", training),
            ):
                if chosen and source in ("both", name.split()[0]):
                    out(
                        f"adversarial sets from the {len(adversarial.questions_of(chosen))} {name}, graded correct:"
                    )
                    for line in adversarial_report(grader, chosen, options["seed"]):
                        out(line)

        if not options["no_throughput"]:
            for line in bench.report(bench.measure_throughput(grader, items, repeats=options["repeats"])):
                out(line)

    @staticmethod
    def _trust(row, metrics: dict) -> str:
        if not row.calibrated:
            return (
                "  not calibrated (trained before calibration): temperature 1, no auto-accept threshold, "
                "every grade goes to a teacher first"
            )
        threshold = (
            "no auto-accept threshold (none reached 90% 3-way accuracy on validation)"
            if row.auto_accept_threshold is None
            else f"auto-accept threshold {row.auto_accept_threshold:.3f}: {100 * metrics.get('auto_share', 0):.1f}% "
            f"of answers, 3-way accuracy {metrics.get('auto_acc_3way') or 0:.4f}"
        )
        return f"  calibrated: temperature {row.temperature:.3f}, 3-way ECE {metrics.get('ece_3way', 0):.4f}; {threshold}"

    def _examples(self, folder: Path, data: list[Path] | None) -> tuple[list[Example], set[str]]:
        """The labelled examples the version was trained on (or ``data``), and the keys
        (dataset/question id) of its validation questions."""
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
        return examples, set(record.get("val_questions", []))

    def _items(self, examples: list[Example], held_out: set[str], n: int) -> list[GradingInput]:
        """Answers to the version's validation questions (unseen in training) where possible."""
        chosen = [e for e in examples if _key(e) in held_out] or examples
        step = max(1, len(chosen) // n)
        return [GradingInput(e.question, e.reference_answers, e.student_answer) for e in chosen[::step][:n]]


def _key(example: Example) -> str:
    return f"{example.dataset}/{example.question_id}"


def adversarial_report(grader: Grader, examples: list[Example], seed: int) -> list[str]:
    """One line per adversarial set built from the examples' questions: how many answers, the
    share graded correct, and the target."""
    lines = []
    shares = evaluate_adversarial(grader, examples, seed)
    for name, figures in shares.items():
        if not figures["n"]:
            continue
        share = figures["correct_share"]
        bound, target = adversarial.TARGETS[name]
        met = share <= target if bound == "at most" else share >= target
        lines.append(
            f"  {name:<16} {100 * share:5.1f}% of {figures['n']:>4}   "
            f"(target {bound} {100 * target:.0f}%: {'met' if met else 'NOT met'}; "
            f"the network alone, without the checks: {100 * figures['model_alone_share']:.1f}%)"
        )
    return lines
