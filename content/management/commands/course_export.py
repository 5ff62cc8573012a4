"""``manage.py course_export SLUG``: write a course as a package (YAML or JSON)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from content import selectors, services


class Command(BaseCommand):
    help = (
        "Export a course as a course package. Writes to standard output unless --output is "
        "given; the format is YAML unless --format json is given or the output file ends in .json."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The course's slug.")
        parser.add_argument("--format", choices=services.EXPORT_FORMATS, default=None, dest="fmt")
        parser.add_argument("--output", "-o", default=None, help="Write the package to this file.")

    def handle(self, *args, **options):
        slug, output = options["slug"], options["output"]
        course = selectors.course_by_slug(slug)
        if course is None:
            raise CommandError(f"No course with slug '{slug}'.")
        fmt = options["fmt"] or ("json" if output and output.lower().endswith(".json") else "yaml")
        text = services.course_export_text(course, fmt)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{output}: cannot write the file ({error.strerror}).") from error
        self.stdout.write(f"Exported course '{course.slug}' version {course.version} to {output}")
