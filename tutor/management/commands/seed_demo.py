"""``manage.py seed_demo``: the demo course and one account per role. Safe to run twice."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from content import api as content_api
from content import selectors as content_selectors
from content import services as content_services
from students import services as student_services

DEMO_PACKAGE = Path(settings.BASE_DIR) / "content" / "packages" / "basic-electricity.yaml"

# (username, role, password, first name, last name). Demo only: `make run` prints them.
DEMO_USERS = [
    ("admin", "admin", "admin-demo", "Ada", "Admin"),
    ("teacher", "teacher", "teacher-demo", "Tom", "Teacher"),
    ("student", "student", "student-demo", "Sam", "Student"),
    ("student2", "student", "student-demo", "Kim", "Student"),
    ("student3", "student", "student-demo", "Lee", "Student"),
]


class Command(BaseCommand):
    help = "Import the demo course 'Basic electricity' and create demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--package", default=str(DEMO_PACKAGE), help="Course package to seed.")

    def handle(self, *args, **options):
        path = Path(options["package"])
        try:
            text = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the demo package ({error.strerror}).") from error
        try:
            parsed = content_api.parse_package(text, filename=path.name)
            slug, version = parsed["course"]["slug"], parsed["course"].get("version", 1)
            existing = content_selectors.course_by_slug(slug)
            if existing is None or existing.version < version:
                result = content_services.course_import(text, filename=path.name)
                course = result.course
                self.stdout.write(
                    f"{'Imported' if result.created else 'Updated'} course '{slug}' version {version}: "
                    f"{result.concepts} concepts, {result.exercises} exercises."
                )
            else:
                course = existing
                self.stdout.write(f"Course '{slug}' is already at version {existing.version}.")
        except content_api.CoursePackageError as error:
            raise CommandError(str(error)) from error

        users = {}
        for username, role, password, first, last in DEMO_USERS:
            users[username] = student_services.user_ensure(
                username, role=role, password=password, first_name=first, last_name=last
            )
        student_services.classroom_ensure(
            "Physics 8A",
            teacher=users["teacher"],
            students=[users["student"], users["student2"], users["student3"]],
            courses=[course],
        )
        self.stdout.write("Demo logins (username / password):")
        for username, role, password, *_ in DEMO_USERS[:3]:
            self.stdout.write(f"  {role:<8} {username} / {password}")
