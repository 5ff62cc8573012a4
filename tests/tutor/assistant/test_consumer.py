"""The chat socket with Channels' WebsocketCommunicator, on the configured channel layer
(in-memory by default, channels-redis when REDIS_URL is set): who may connect, refusals
that keep the socket open, malformed frames, no leak, a teacher's reply delivered live."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from tests.factories import ClassroomFactory, StudentFactory, TeacherFactory
from tutor.asgi import application
from tutor.assistant import services
from tutor.assistant.consumers import AssistantConsumer
from tutor.assistant.models import Conversation
from tutor.practice.models import PracticeSession

pytestmark = pytest.mark.django_db(transaction=True)


def _chat(user, scenario):
    """Run ``scenario(communicator)`` on a socket opened as ``user``; returns what it returns,
    or "refused" if the socket was not accepted."""

    async def run():
        communicator = WebsocketCommunicator(AssistantConsumer.as_asgi(), "/ws/assistant/")
        communicator.scope["user"] = user
        connected, code = await communicator.connect()
        if not connected:
            return ("refused", code)
        try:
            return await scenario(communicator)
        finally:
            await communicator.disconnect()

    return async_to_sync(run)()


async def _ask(communicator, course_slug: str, text: str) -> list[dict]:
    await communicator.send_to(text_data=json.dumps({"type": "ask", "course": course_slug, "text": text}))
    first = json.loads(await communicator.receive_from(timeout=60))
    if first["type"] != "message":
        return [first]
    return [first, json.loads(await communicator.receive_from(timeout=60))]


def test_an_anonymous_visitor_or_a_teacher_is_refused():
    assert _chat(AnonymousUser(), None) == ("refused", 4403)
    assert _chat(TeacherFactory(), None) == ("refused", 4403)


def test_a_question_is_answered_on_the_socket_with_sources(mini):
    student = StudentFactory()

    frames = _chat(student, lambda c: _ask(c, mini.course.slug, "wat is a short circut"))

    assert [f["message"]["author"] for f in frames] == ["student", "assistant"]
    assert frames[1]["message"]["sources"][0]["title"] == "Short circuits"


def test_an_oversized_message_is_refused_and_the_socket_stays_open(mini):
    async def scenario(c):
        refused = await _ask(c, mini.course.slug, "x" * 2001)
        answered = await _ask(c, mini.course.slug, "what is voltage")
        return refused, answered

    refused, answered = _chat(StudentFactory(), scenario)

    assert refused[0]["type"] == "refusal" and refused[0]["code"] == "too_long"
    assert answered[1]["message"]["author"] == "assistant"


def test_past_the_rate_a_message_is_refused_and_the_socket_stays_open(mini, settings):
    settings.ASSISTANT = {"MESSAGES_PER_MINUTE": 2}

    async def scenario(c):
        return [
            (await _ask(c, mini.course.slug, q))[-1]
            for q in ("what is voltage", "what is a closed path", "and?")
        ]

    frames = _chat(StudentFactory(), scenario)

    assert [f["type"] for f in frames] == ["message", "message", "refusal"]
    assert frames[2]["code"] == "rate_limited" and "limit is 2" in frames[2]["detail"]


def test_malformed_frames_get_an_error_frame_never_a_crash(mini):
    async def scenario(c):
        answers = []
        for frame in (
            "not json {",
            json.dumps([1, 2]),
            json.dumps({"type": "dance"}),
            json.dumps({"type": "ask", "course": 7, "text": "hi"}),
            json.dumps({"type": "ask", "course": "no-such-course", "text": "hi"}),
        ):
            await c.send_to(text_data=frame)
            answers.append(json.loads(await c.receive_from(timeout=30)))
        await c.send_to(bytes_data=b"\x00\x01")
        answers.append(json.loads(await c.receive_from(timeout=30)))
        answers.append((await _ask(c, mini.course.slug, "what is voltage"))[-1])
        return answers

    answers = _chat(StudentFactory(), scenario)

    assert [a["type"] for a in answers[:-1]] == ["error"] * 6
    assert answers[-1]["type"] == "message"


def test_asked_for_the_answer_of_the_open_exercise_nothing_sent_holds_it(mini):
    student = StudentFactory()
    PracticeSession.objects.create(student=student, course=mini.course, current_exercise=mini.two_cells)

    async def scenario(c):
        texts = []
        for q in ("just tell me the number", "what do i type", "what voltage do two cells give in series?"):
            texts.append((await _ask(c, mini.course.slug, q))[-1]["message"]["text"])
        return texts

    texts = _chat(student, scenario)

    for text in texts:
        assert not any(form in text for form in (" 3 V", "3.0", " 3 volts", "three volts"))


def test_a_teachers_reply_reaches_the_students_open_chat_live(mini):
    classroom = ClassroomFactory()
    student = StudentFactory()
    classroom.students.add(student)
    services.teacher_ask(student, mini.course, "I don't get voltage")
    conversation = Conversation.objects.get(student=student)

    async def scenario(c):
        await database_sync_to_async(services.teacher_reply)(
            classroom.teacher, conversation.pk, "Come and see me."
        )
        return json.loads(await c.receive_from(timeout=10))

    frame = _chat(student, scenario)

    assert frame["type"] == "message"
    assert frame["message"]["author"] == "teacher" and frame["message"]["text"] == "Come and see me."


def test_through_the_projects_asgi_app_a_foreign_origin_is_refused():
    async def connect(origin: bytes):
        communicator = WebsocketCommunicator(application, "/ws/assistant/", headers=[(b"origin", origin)])
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert async_to_sync(connect)(b"http://evil.example") is False
    assert async_to_sync(connect)(b"http://localhost") is False  # allowed origin, but not logged in
