"""Fine-tune a grader version on the SemEval-2013 data and register it."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from modeling import services
from modeling.grader.data import SPLITS
from modeling.grader.errors import GraderError
from modeling.grader.training import CLASS_WEIGHTINGS, TrainConfig
from modeling.management.base import GraderCommand

DEFAULTS = TrainConfig(data=("-",))


class Command(GraderCommand):
    help = (
        "Fine-tune the MiniLM cross-encoder grader, write MODEL_DIR/grader/<version> and register it; "
        "it becomes active if its validation 3-way macro-F1 is at least the active version's. "
        "Quick run for tests: --max-train 40 --max-val 20 --epochs 1 --max-length 48."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        d = DEFAULTS
        parser.add_argument(
            "--data",
            action="append",
            type=Path,
            help="A training CSV (repeatable); default: the shared data.",
        )
        parser.add_argument("--version", help="Version name; default: the UTC time, YYYYmmdd-HHMMSS.")
        parser.add_argument("--epochs", type=int, default=d.epochs)
        parser.add_argument("--batch-size", type=int, default=d.batch_size)
        parser.add_argument("--lr", type=float, default=d.learning_rate, help="Peak learning rate of AdamW.")
        parser.add_argument(
            "--head-lr-multiplier", type=float, default=d.head_lr_multiplier, help="Heads' rate = lr x this."
        )
        parser.add_argument("--weight-decay", type=float, default=d.weight_decay)
        parser.add_argument("--warmup-ratio", type=float, default=d.warmup_ratio)
        parser.add_argument("--dropout", type=float, default=d.dropout)
        parser.add_argument("--max-length", type=int, default=d.max_length, help="Tokens per pair.")
        parser.add_argument("--min-student-tokens", type=int, default=d.min_student_tokens)
        parser.add_argument(
            "--max-question-tokens",
            type=int,
            default=d.max_question_tokens,
            help="0: no cap beyond max-length.",
        )
        parser.add_argument("--references", choices=("joined", "each"), default=d.references)
        parser.add_argument("--class-weighting", choices=CLASS_WEIGHTINGS, default=d.class_weighting)
        parser.add_argument("--label-smoothing", type=float, default=d.label_smoothing)
        parser.add_argument("--score-loss-weight", type=float, default=d.score_loss_weight)
        parser.add_argument(
            "--symmetric", action="store_true", help="Also train on swapped pairs (doubles an epoch)."
        )
        parser.add_argument(
            "--similarity-features",
            action=argparse.BooleanOptionalAction,
            default=d.similarity_features,
            help="Give the heads the frozen base model's sentence similarities and lexical coverage.",
        )
        parser.add_argument(
            "--augment",
            action=argparse.BooleanOptionalAction,
            default=d.augment,
            help="Add training examples built from the training questions' references and labelled by "
            "rule: the reference (correct), its negation or an antonym swapped (contradictory), the "
            "question pasted back (irrelevant), its key words listed (partially correct).",
        )
        parser.add_argument(
            "--augment-per-question",
            type=int,
            default=d.augment_per_question,
            help="References per question that examples are built from.",
        )
        parser.add_argument(
            "--train-embeddings",
            action="store_true",
            help="Fine-tune the word embeddings too (frozen by default).",
        )
        parser.add_argument(
            "--freeze-layers", type=int, default=d.freeze_layers, help="Freeze the lowest N encoder layers."
        )
        parser.add_argument(
            "--average-last",
            type=int,
            default=d.average_last,
            help="Average the last N epochs' weights (0: off).",
        )
        parser.add_argument(
            "--runs",
            type=int,
            default=d.runs,
            help="Runs with seeds seed, seed+1, ...; keeps their average if better.",
        )
        parser.add_argument("--val-fraction", type=float, default=d.val_fraction)
        parser.add_argument(
            "--split",
            choices=SPLITS,
            default=d.split,
            help="Validation held out by question (default; unseen questions), answer or module "
            "(unseen answers / domains). Only a by-question version becomes active by itself.",
        )
        parser.add_argument("--patience", type=int, default=d.patience)
        parser.add_argument("--seed", type=int, default=d.seed)
        parser.add_argument(
            "--max-train", type=int, default=0, help="Use at most N training answers (0: all)."
        )
        parser.add_argument(
            "--max-val", type=int, default=0, help="Use at most N validation answers (0: all)."
        )
        parser.add_argument(
            "--time-budget",
            type=float,
            default=d.time_budget_s,
            help="Stop starting new batches after this many seconds (0: no limit).",
        )
        parser.add_argument(
            "--fit-seconds",
            type=float,
            default=d.fit_seconds,
            help="Train as many of --epochs as fit in this many seconds (0: all of them): timed on a few "
            "steps first, then planned again on the real pace a quarter into epoch 1 and after it.",
        )
        parser.add_argument(
            "--replan",
            action=argparse.BooleanOptionalAction,
            default=d.replan,
            help="With --fit-seconds: plan again on the real pace of epoch 1 (default).",
        )
        parser.add_argument(
            "--threads", type=int, default=d.threads, help="torch threads (0: torch's default)."
        )
        parser.add_argument(
            "--bf16",
            choices=("auto", "on", "off"),
            default="auto",
            help="bf16 autocast for CPU training steps; auto: where the CPU has native bf16.",
        )
        parser.add_argument(
            "--device",
            default=d.device,
            help="auto (a CUDA GPU when torch sees one, else the CPU), cpu or cuda[:N].",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        data = options["data"] or services.grader_default_data_files()
        try:
            config = TrainConfig(
                data=tuple(str(path) for path in data),
                epochs=options["epochs"],
                batch_size=options["batch_size"],
                learning_rate=options["lr"],
                head_lr_multiplier=options["head_lr_multiplier"],
                weight_decay=options["weight_decay"],
                warmup_ratio=options["warmup_ratio"],
                dropout=options["dropout"],
                max_length=options["max_length"],
                min_student_tokens=options["min_student_tokens"],
                max_question_tokens=options["max_question_tokens"],
                references=options["references"],
                class_weighting=options["class_weighting"],
                label_smoothing=options["label_smoothing"],
                score_loss_weight=options["score_loss_weight"],
                symmetric=options["symmetric"],
                freeze_embeddings=not options["train_embeddings"],
                freeze_layers=options["freeze_layers"],
                average_last=options["average_last"],
                runs=options["runs"],
                val_fraction=options["val_fraction"],
                split=options["split"],
                patience=options["patience"],
                seed=options["seed"],
                max_train=options["max_train"],
                max_val=options["max_val"],
                time_budget_s=options["time_budget"],
                fit_seconds=options["fit_seconds"],
                threads=options["threads"],
                bf16={"auto": None, "on": True, "off": False}[options["bf16"]],
                device=options["device"],
                similarity_features=options["similarity_features"],
                augment=options["augment"],
                augment_per_question=options["augment_per_question"],
                replan=options["replan"],
            )
            outcome, registration = services.grader_train(
                config,
                version=options["version"],
                progress=not options["no_progress"],
                write=lambda line: self.stdout.write(line),
            )
        except (GraderError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        row = registration.grader_version
        self.stdout.write(f"version {row.version} written to {row.folder} in {outcome.seconds:.0f}s")
        if row.auto_accept_threshold is None:
            self.stdout.write("No auto-accept threshold: none of its grades is auto-accepted.")
        else:
            self.stdout.write(
                f"Grades with confidence at least {row.auto_accept_threshold:.3f} are auto-accepted "
                f"({100 * row.metrics.get('auto_share', 0):.0f}% of validation answers, 3-way accuracy "
                f"{row.metrics.get('auto_acc_3way') or 0:.3f}); the others go to a teacher first."
            )
        if registration.activated:
            self.stdout.write(self.style.SUCCESS(f"{row.version} is now the active grader."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{row.version} is not active: its validation 3-way macro-F1 {row.val_macro_f1_3way:.4f} is "
                    f"below the active {registration.previous_active}'s {registration.previous_macro_f1_3way:.4f}. "
                    f"`manage.py grader_activate {row.version}` forces it."
                )
            )
