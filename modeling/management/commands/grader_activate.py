"""Make a grader version the active one, whatever its metrics."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from modeling import services
from modeling.grader.errors import GraderError


class Command(BaseCommand):
    help = "Make VERSION the active grader version (the others become inactive)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version")

    def handle(self, *args, **options) -> None:
        try:
            row = services.grader_version_activate(options["version"])
        except GraderError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{row.version} is now the active grader."))
