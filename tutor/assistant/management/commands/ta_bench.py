"""Reply time of the teaching assistant with many students asking at once over WebSockets
(Channels' WebsocketCommunicator on the configured channel layer, one process). Prints
figures; asserts nothing."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from content import selectors as content_selectors
from tutor.assistant import services
from tutor.assistant.consumers import AssistantConsumer

QUESTIONS = [
    "why wont my bulb light",
    "what is a gap in a circuit",
    "wat is a short circut",
    "why do all the bulbs go out in series",
    "how does a switch in a branch work",
    "what is voltage",
    "how do i use a voltmeter",
    "how do i find the broken bulb",
]


class Command(BaseCommand):
    help = "p50/p95 reply time with N students connected over WebSockets and asking at once."

    def add_arguments(self, parser):
        parser.add_argument("--course", default="basic-electricity")
        parser.add_argument("--students", type=int, default=50)
        parser.add_argument("--rounds", type=int, default=3, help="Rounds of everyone asking at once.")

    def handle(self, *args, **options):
        course = content_selectors.course_by_slug(options["course"])
        if course is None:
            raise CommandError(f"No course with the slug '{options['course']}'.")
        # The per-student rate (a handful of rounds would pass it) is not what is measured.
        settings.ASSISTANT = {**getattr(settings, "ASSISTANT", {}), "MESSAGES_PER_MINUTE": 1_000_000}
        n = options["students"]
        users = get_user_model()
        students = [
            users.objects.get_or_create(username=f"ta-bench-{i}", defaults={"role": "student"})[0]
            for i in range(n)
        ]
        try:
            services.course_knowledge(course.pk)  # the index, as a running server has it
            times = async_to_sync(self._run)(students, course.slug, options["rounds"])
        finally:
            users.objects.filter(username__startswith="ta-bench-").delete()
        times = np.array(times) * 1000
        self.stdout.write(
            f"{n} students over WebSockets, {options['rounds']} rounds of everyone asking at once: "
            f"{len(times)} replies, p50 {np.percentile(times, 50):.0f} ms, p95 {np.percentile(times, 95):.0f} ms, "
            f"max {times.max():.0f} ms"
        )

    async def _run(self, students, course_slug: str, rounds: int) -> list[float]:
        communicators = []
        for student in students:
            communicator = WebsocketCommunicator(AssistantConsumer.as_asgi(), "/ws/assistant/")
            communicator.scope["user"] = student
            connected, _ = await communicator.connect()
            if not connected:
                raise CommandError("A bench student could not connect.")
            communicators.append(communicator)

        async def ask(n: int, communicator, question: str) -> float:
            started = time.perf_counter()
            await communicator.send_to(
                text_data=json.dumps({"type": "ask", "course": course_slug, "text": question})
            )
            while True:
                frame = json.loads(await communicator.receive_from(timeout=120))
                if frame["type"] != "message" or frame["message"]["author"] == "assistant":
                    return time.perf_counter() - started

        times: list[float] = []
        try:
            # A warm-up round, not counted: a running server has loaded the encoder and opened
            # its database connections before the class arrives (this costs seconds once).
            started = time.perf_counter()
            await asyncio.gather(
                *(ask(n, c, QUESTIONS[n % len(QUESTIONS)]) for n, c in enumerate(communicators))
            )
            self.stdout.write(f"  warm-up round (not counted): {time.perf_counter() - started:.1f} s")
            for r in range(rounds):
                round_times = await asyncio.gather(
                    *(ask(n, c, QUESTIONS[(n + r + 1) % len(QUESTIONS)]) for n, c in enumerate(communicators))
                )
                self.stdout.write(
                    f"  round {r + 1}: p50 {np.percentile(round_times, 50) * 1000:.0f} ms, "
                    f"p95 {np.percentile(round_times, 95) * 1000:.0f} ms"
                )
                times += round_times
        finally:
            for communicator in communicators:
                await communicator.disconnect()
        return times
