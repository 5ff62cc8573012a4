"""A base for the grader commands, whose ``--version`` names a grader version."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser


class GraderCommand(BaseCommand):
    """Lets the command's own ``--version`` (a grader version) replace Django's ``--version``."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)
