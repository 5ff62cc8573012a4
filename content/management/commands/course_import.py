"""``manage.py course_import FILE``: import a course package, or update its course in place."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from content import services
from content.package import CoursePackageError


class Command(BaseCommand):
    help = (
        "Import a course package (YAML or JSON, format tutor-course/1). A new course slug creates "
        "the course; a higher version of a stored course updates it in place. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The package file (.yaml, .yml or .json).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                # One byte over the limit is enough for the importer to refuse a file that is
                # too big, without reading all of it.
                text = handle.read(settings.COURSE_PACKAGE_MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from error
        try:
            result = services.course_import(text, filename=str(path))
        except CoursePackageError as error:
            raise CommandError(str(error)) from error
        course = result.course
        verb = "Imported" if result.created else "Updated"
        line = (
            f"{verb} course '{course.slug}' version {course.version}: "
            f"{result.concepts} concepts, {result.exercises} exercises"
        )
        if result.archived_concepts or result.archived_exercises:
            line += (
                f" (archived {result.archived_concepts} concepts, {result.archived_exercises} exercises"
                " left out of this version)"
            )
        self.stdout.write(line)
