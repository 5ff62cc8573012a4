"""``manage.py grader_latency [--answers N]``: p50/p95 time from submitting a free-text
answer to its grade reaching the student's page (the channel layer group the page
listens on). With REDIS_URL set it starts a real Celery worker for the grading queue and
measures the whole path: commit, broker, worker batch, database, channel layer. Without
it (the embedded default) grading runs in-process after commit, and the figure says so.
A benchmark: it prints figures and asserts nothing."""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import time

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from content import api as content_api
from content import selectors as content_selectors
from modeling import selectors, services
from students import api as students_api
from students import services as student_services

ANSWERS = [
    "The switch makes a gap so the path is not closed.",
    "because the bulb is not in a closed path with the battery",
    "the battery is dead",
    "There is no complete circuit any more.",
    "It breaks the circuit.",
]


class Command(BaseCommand):
    help = "Measure submit-to-grade latency of free-text answers (p50, p95)."

    def add_arguments(self, parser):
        parser.add_argument("--answers", type=int, default=40)
        parser.add_argument("--gap", type=float, default=0.25, help="Seconds between answers.")

    def handle(self, *args, **options):
        if selectors.grader_version_active() is None:
            raise CommandError("No active grader: run `manage.py grader_ensure` first.")
        exercise = content_selectors.published_exercise_of_kind(content_api.ExerciseKind.FREE_TEXT)
        if exercise is None:
            raise CommandError("No published free-text exercise: run `manage.py seed_demo` first.")
        worker = None
        if settings.REDIS_URL:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tutor", "worker", "-Q", "grading", "--pool", "solo",
                 "-c", "1", "--without-gossip", "--without-mingle", "-l", "warning"],
                env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        student = student_services.user_ensure(
            "latency-bench", role=students_api.Role.STUDENT, password=secrets.token_urlsafe(16)
        )
        try:
            latencies = async_to_sync(self._measure)(student, exercise, options["answers"], options["gap"])
        finally:
            student_services.user_delete(student)
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        path = (
            "real Celery worker over Redis" if worker is not None else "in-process (eager Celery, no broker)"
        )
        self.stdout.write(
            f"submit-to-grade latency, {len(latencies)} answers, {path}: "
            f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )

    async def _measure(self, student, exercise, n: int, gap: float) -> list[float]:
        # One event loop for the whole run: the page's side of the channel layer.
        layer = get_channel_layer()
        channel = await layer.new_channel()
        group = students_api.user_group(student.pk)
        await layer.group_add(group, channel)
        record = database_sync_to_async(self._submit)
        try:
            # The first grading loads the model (in the worker, or in this process when
            # eager): that is start-up, not latency.
            await self._wait_for(await record(student, exercise, "warm up"), layer, channel, timeout=300)
            latencies = []
            for i in range(n):
                started = time.perf_counter()
                attempt_id = await record(student, exercise, ANSWERS[i % len(ANSWERS)])
                await self._wait_for(attempt_id, layer, channel)
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(gap)
            return latencies
        finally:
            await layer.group_discard(group, channel)

    @staticmethod
    def _submit(student, exercise, text: str) -> int:
        # As the practice loop submits: the answer, then its grading queued after commit.
        with transaction.atomic():
            attempt, _ = student_services.attempt_record(
                student=student, exercise=exercise, context="bench:grader_latency", response={"text": text},
                score=None, is_correct=None, hints_used=0, worked_example_shown=False, response_seconds=20.0,
                reason={}, predicted_correct=None,
            )  # fmt: skip
            transaction.on_commit(lambda: services.grading_queue(attempt.pk))
        return attempt.pk

    async def _wait_for(self, attempt_id: int, layer, channel, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = await asyncio.wait_for(
                    layer.receive(channel), timeout=max(0.1, deadline - time.monotonic())
                )
            except TimeoutError:
                break
            if event.get("attempt") == attempt_id:
                return event
        raise CommandError(f"No grade for answer {attempt_id} within {timeout:.0f} s.")
