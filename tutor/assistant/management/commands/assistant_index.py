"""(Re)build the teaching assistant's stored index of one course or of every course."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from content import selectors as content_selectors
from tutor.assistant import services


class Command(BaseCommand):
    help = "Embed the course's passages, descriptions, hints and worked examples (only texts that changed)."

    def add_arguments(self, parser):
        parser.add_argument("--course", help="Course slug (default: every published course).")

    def handle(self, *args, **options):
        if options["course"]:
            course = content_selectors.course_by_slug(options["course"])
            if course is None:
                raise CommandError(f"No course with the slug '{options['course']}'.")
            courses = [course]
        else:
            courses = list(content_selectors.published_courses())
        for course in courses:
            index = services.assistant_index_refresh(course.pk)
            self.stdout.write(f"{course.slug}: {len(index.chunks)} chunks indexed at stamp {index.stamp}")
