"""The same turn over REST (in the OpenAPI schema), the chat page, the practice page's
panel and the teachers' pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ClassroomFactory
from tutor.assistant import services
from tutor.assistant.models import Conversation

pytestmark = pytest.mark.django_db


def test_a_turn_over_rest_and_the_conversation_reloads(mini, student_client):
    asked = student_client.post(
        reverse("api-assistant-ask"),
        {"course": mini.course.slug, "text": "what is voltage"},
        content_type="application/json",
    )
    reloaded = student_client.get(reverse("api-assistant-conversation"), {"course": mini.course.slug})

    assert asked.status_code == 200
    assert asked.json()["reply"]["author"] == "assistant" and asked.json()["reply"]["sources"]
    assert [m["author"] for m in reloaded.json()["messages"]] == ["student", "assistant"]


def test_rest_refusals_name_the_problem(mini, student_client, settings):
    settings.ASSISTANT = {"MESSAGES_PER_MINUTE": 1}
    url = reverse("api-assistant-ask")
    too_long = student_client.post(
        url, {"course": mini.course.slug, "text": "y" * 2001}, content_type="application/json"
    )
    student_client.post(
        url, {"course": mini.course.slug, "text": "what is voltage"}, content_type="application/json"
    )
    too_fast = student_client.post(
        url, {"course": mini.course.slug, "text": "again"}, content_type="application/json"
    )
    no_course = student_client.post(url, {"course": "nope", "text": "hi"}, content_type="application/json")

    assert too_long.status_code == 400 and "limit is 2000" in too_long.json()["detail"]
    assert too_fast.status_code == 429
    assert no_course.status_code == 404


def test_the_assistant_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()

    assert "/api/assistant/ask/" in schema and "/api/assistant/ask-teacher/" in schema


def test_the_chat_page_and_the_practice_panel_carry_the_course(mini, student_client):
    page = student_client.get(reverse("assistant:page"), {"course": mini.course.slug})

    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-course="{mini.course.slug}"' in html and "js/chat.js" in html and "<script>" not in html


def test_a_teacher_lists_and_answers_a_conversation_of_their_student(mini, client):
    classroom = ClassroomFactory()
    student = classroom.students.create(username="kid", role="student")
    services.teacher_ask(student, mini.course, "help with voltage please")
    conversation = Conversation.objects.get(student=student)
    client.force_login(classroom.teacher)

    listed = client.get(reverse("assistant_teach:list"))
    replied = client.post(
        reverse("assistant_teach:reply", args=[conversation.pk]), {"text": "Sure, at break."}
    )

    assert "kid" in listed.content.decode() and "Asked for the teacher" in listed.content.decode()
    assert replied.status_code == 302
    assert conversation.messages.filter(author_role="teacher").count() == 1


def test_another_teacher_gets_404(mini, student, client):
    services.teacher_ask(student, mini.course)
    conversation = Conversation.objects.get(student=student)
    client.force_login(ClassroomFactory().teacher)

    assert client.get(reverse("assistant_teach:conversation", args=[conversation.pk])).status_code == 404
