"""``manage.py grader_ensure``: make sure an active grader exists (``make run`` calls it).

The first run trains one with the default settings, planned to end within
``--fit-seconds`` (a progress bar shows the epochs): a few steps are timed first, and the
plan is made again on the real pace a quarter into the first epoch and after it, with the
learning-rate decay laid out for the epochs that will run. A later run finds the active
version, checks that its folder is there, and returns at once.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from modeling import selectors

# The first run's training is planned to end within 9 minutes: all 4 epochs on two cores with
# native bf16 (about 6½ minutes), fewer where each step is slower. `train_grader` later trains
# the full schedule, and its version replaces this one if it validates better.
FIRST_RUN_SECONDS = 540.0


class Command(BaseCommand):
    help = "Train a grader with the default settings unless an active version exists."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fit-seconds",
            type=float,
            default=FIRST_RUN_SECONDS,
            help="Plan the first training to end within this many seconds (0: the full schedule).",
        )

    def handle(self, *args, **options):
        active = selectors.grader_version_active()
        if active is not None and active.folder.is_dir():
            self.stdout.write(
                f"Active grader: {active.version} (3-way macro-F1 {active.val_macro_f1_3way:.3f} on its validation split)."
            )
            return
        if active is not None:
            self.stdout.write(
                f"The active grader {active.version} has no folder at {active.folder}: training a new one."
            )
        else:
            self.stdout.write("No grader yet: training one (first run only; later runs start in seconds).")
        call_command(
            "train_grader", fit_seconds=options["fit_seconds"], stdout=self.stdout, stderr=self.stderr
        )
        active = selectors.grader_version_active()
        if active is None or not active.folder.is_dir():
            raise CommandError("Training finished but no grader is active; see the messages above.")
        self.stdout.write(f"Active grader: {active.version}.")
