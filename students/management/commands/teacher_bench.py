"""``manage.py teacher_bench``: page times of the teacher's dashboards on a big classroom.

Builds a throw-away course (80 concepts in a prerequisite chain, two exercises each, imported
as a course package), a teacher and a classroom of 200 students with 20,000 graded answers,
their knowledge states and history, and some teachers' reviews; requests the heatmap and
stuck-students pages (and, for the record, the item analysis and a student's page) through
Django's test client, and prints p50/p95 over 20 requests each with the queries per page.
Then deletes everything it built, also when interrupted. Figures, never assertions.
"""

from __future__ import annotations

import json
import random
import secrets
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content import selectors as content_selectors
from content import services as content_services
from students import services
from students.models import Attempt, GradeReview, KnowledgeHistory, KnowledgeState, Role, User


def _package(slug: str, n_concepts: int) -> dict:
    concepts = [
        {"slug": f"c{i}", "name": f"Concept {i:02d}", "prerequisites": [f"c{i - 1}"] if i else []}
        for i in range(n_concepts)
    ]
    exercises = []
    for i in range(n_concepts):
        exercises.append(
            {
                "slug": f"mc{i}",
                "kind": "multiple_choice",
                "title": f"Choice item {i:02d}",
                "prompt": f"Which statement about concept {i} holds?",
                "concepts": [f"c{i}"],
                "status": "published",
                "worked_example": "Step 1. Step 2." if i % 2 else "",
                "options": [
                    {"text": "The right one", "correct": True},
                    {"text": "A common misconception"},
                    {"text": "Another wrong one"},
                ],
            }
        )
        exercises.append(
            {
                "slug": f"num{i}",
                "kind": "numeric",
                "title": f"Numeric item {i:02d}",
                "prompt": f"How many bulbs light in circuit {i}?",
                "concepts": [f"c{i}"],
                "status": "published",
                "value": 2,
                "tolerance": 0,
            }
        )
    return {
        "format": "tutor-course/1",
        "course": {"slug": slug, "title": "Teacher bench (throw-away)", "status": "published"},
        "concepts": concepts,
        "exercises": exercises,
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


class Command(BaseCommand):
    help = "Time the teacher's dashboards (heatmap, stuck students) on a big throw-away classroom."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=200)
        parser.add_argument("--concepts", type=int, default=80)
        parser.add_argument("--attempts", type=int, default=20000)
        parser.add_argument("--requests", type=int, default=20, help="Timed requests per page.")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        tag = secrets.token_hex(3)
        built: dict = {"tag": tag}
        try:
            self._build(built, options)
            self._time(built, options["requests"])
        finally:
            self._clean(built)

    # --- building ------------------------------------------------------------------------
    def _build(self, built: dict, options) -> None:
        rng = random.Random(options["seed"])
        tag, started = built["tag"], time.perf_counter()
        slug = f"teacher-bench-{tag}"
        content_services.course_import(
            json.dumps(_package(slug, options["concepts"])), filename=f"{slug}.json"
        )
        course = built["course"] = content_selectors.course_by_slug(slug)
        concepts = content_selectors.live_concepts([course])
        exercises = list(content_selectors.course_package_exercises(course))
        teacher = built["teacher"] = User.objects.create(username=f"bench-teacher-{tag}", role=Role.TEACHER)
        students = User.objects.bulk_create(
            User(
                username=f"bench-{tag}-{i:04d}", first_name="Student", last_name=f"{i:04d}", role=Role.STUDENT
            )
            for i in range(options["students"])
        )
        built["student_ids"] = [s.pk for s in students]
        room = built["room"] = services.classroom_create(
            teacher=teacher, name=f"Bench {tag}", courses=[course]
        )
        room.students.add(*students)
        concept_of = {e.pk: e.live_concepts[0].pk for e in exercises}
        with transaction.atomic():
            attempts = Attempt.objects.bulk_create(
                self._attempt(rng, rng.choice(students), rng.choice(exercises))
                for _ in range(options["attempts"])
            )
            KnowledgeHistory.objects.bulk_create(
                KnowledgeHistory(
                    student_id=a.student_id,
                    concept_id=concept_of[a.exercise_id],
                    attempt=a,
                    mastery_before=0.3,
                    mastery=0.5,
                )
                for a in attempts
            )
            now = timezone.now()
            KnowledgeState.objects.bulk_create(
                KnowledgeState(
                    student=s,
                    concept=c,
                    mastery=rng.random(),
                    n_attempts=rng.randint(0, 15),
                    error_streak=rng.choice([0, 0, 0, 1, 2, 3, 4]),
                    last_practiced_at=now,
                )
                for s in students
                for c in concepts
            )
            GradeReview.objects.bulk_create(
                GradeReview(attempt=a, reviewer=teacher, score=a.score, accepted=rng.random() < 0.8)
                for a in rng.sample(attempts, min(500, len(attempts)))
            )
            # A tenth of the class has been away for ten days (the inactivity rule).
            Attempt.objects.filter(student__in=students[: len(students) // 10]).update(
                created_at=now - timedelta(days=10)
            )
        # Fresh statistics, as autovacuum keeps them on a live database: without them the planner
        # takes 20,000 rows just bulk-inserted for a handful (seconds instead of milliseconds).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Built {len(students)} students x {len(concepts)} concepts, {len(exercises)} exercises, "
            f"{len(attempts)} answers in {time.perf_counter() - started:.1f} s "
            f"({connection.vendor})."
        )

    @staticmethod
    def _attempt(rng: random.Random, student: User, exercise) -> Attempt:
        right = rng.random() < 0.6
        if exercise.kind == "numeric":
            value = 2 if right else rng.choice([1, 3, 4])
            response = {"value": value, "raw": str(value)}
        else:
            text = "The right one" if right else rng.choice(["A common misconception", "Another wrong one"])
            response = {"choices": [{"id": 0, "text": text}]}
        return Attempt(
            student=student,
            exercise=exercise,
            context="practice:bench",
            response=response,
            score=1.0 if right else 0.0,
            is_correct=right,
            grade_source="auto",
            response_seconds=rng.uniform(5, 180),
        )

    # --- timing --------------------------------------------------------------------------
    def _time(self, built: dict, n: int) -> None:
        room = built["room"]
        host = next(
            (h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")), "localhost"
        )
        client = Client(HTTP_HOST=host)
        client.force_login(built["teacher"])
        pages = [
            ("heatmap", f"/teach/classrooms/{room.pk}/"),
            ("stuck students", f"/teach/classrooms/{room.pk}/stuck/"),
            ("item analysis", f"/teach/classrooms/{room.pk}/items/"),
            ("student page", f"/teach/classrooms/{room.pk}/students/{built['student_ids'][-1]}/"),
        ]
        self.stdout.write(
            f"DEBUG={settings.DEBUG} (with DEBUG on, every query is also logged); wall-clock p50/p95, "
            "and the p50 of this process's CPU time (no database, no wait for a busy CPU)"
        )
        self.stdout.write(
            f"{'page':<16} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'queries':>8} {'KiB':>7}  ({n} requests each)"
        )
        for name, url in pages:
            connection.queries_log.clear()  # the build filled the log to its bound: start afresh
            with CaptureQueriesContext(connection) as queries:
                warm = client.get(url)  # the first request also warms caches (course graph)
            if warm.status_code != 200:
                self.stderr.write(f"{name}: {url} answered {warm.status_code}")
                continue
            times, cpu = [], []
            for _ in range(n):
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            self.stdout.write(
                f"{name:<16} {statistics.median(times):>8.1f} {_percentile(times, 0.95):>8.1f} "
                f"{statistics.median(cpu):>8.1f} "
                f"{len(queries):>8} {len(warm.content) / 1024:>7.0f}"
            )

    # --- cleaning up ---------------------------------------------------------------------------
    def _clean(self, built: dict) -> None:
        """Delete what was built: answers (their history and reviews go with them), students,
        the classroom, the teacher, the course."""
        ids = built.get("student_ids", [])
        with transaction.atomic():
            for start in range(0, len(ids), 500):  # a query has a parameter limit
                User.objects.filter(pk__in=ids[start : start + 500]).delete()
            if built.get("room") is not None:
                built["room"].delete()
            if built.get("teacher") is not None:
                built["teacher"].delete()
            if built.get("course") is not None:
                built["course"].delete()  # a throw-away course; its concepts and exercises go with it
        self.stdout.write(f"Deleted the throw-away course, classroom and users ({built['tag']}).")
