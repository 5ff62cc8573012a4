"""``manage.py fit_student_model [--course SLUG]``: fit BKT and item difficulties from the log."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from content import selectors as content_selectors
from students import services


class Command(BaseCommand):
    help = "Fit BKT parameters per concept (EM with bounds and a prior) and item difficulties from the attempt log."

    def add_arguments(self, parser):
        parser.add_argument("--course", help="Only this course's attempts (slug); default: every course.")

    def handle(self, *args, **options):
        course = None
        if options["course"]:
            course = content_selectors.course_by_slug(options["course"])
            if course is None:
                raise CommandError(f"No course with slug '{options['course']}'.")
        report = services.student_model_fit(course)
        if report.n_attempts == 0:
            self.stdout.write("No graded attempts to fit on; parameters left as they were.")
            return
        self.stdout.write(
            f"Fitted {report.concepts_fitted} concepts and {report.items_fitted} items from "
            f"{report.n_attempts} graded attempts ({report.n_rows} answer-concept rows) in {report.seconds:.2f} s."
        )
